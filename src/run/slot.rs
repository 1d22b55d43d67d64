//! One applicant during a batch, and how its output folder stays true: the files its last run
//! made are remembered (from its `manifest.json`, or the stash that a stopped run left); before
//! the first file is replaced the manifest is taken away (the stash keeps what it listed) and the
//! applicant leaves the run index; once everything is written the manifest is written again, the
//! files of the last run that this one no longer makes are removed if they are unchanged, and the
//! applicant goes back into the index.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, OnceLock};

use super::index::{IndexEntry, LiveIndex};
use super::{ApplicantReport, FolderCheck};
use crate::assemble::{self, MANIFEST, Manifest, Output};
use crate::compose::model::Dossier;
use crate::diagnostics::{Diagnostic, Location, io_problem};
use crate::files::OutputDir;

/// Where a stopped run keeps the outputs of the last complete one, in the applicant's folder.
pub const STASH: &str = ".shenbao-previous.json";

/// One applicant during a run.
pub(super) struct Slot {
    /// Its input folder.
    pub dir: PathBuf,
    /// Its output folder's name, relative to the output root.
    pub folder: String,
    /// Its output folder.
    pub target: OutputDir,
    /// How far it has come.
    pub state: Mutex<State>,
    /// Documents still to render.
    pub remaining: AtomicUsize,
    /// What was found and written.
    pub report: Mutex<ApplicantReport>,
    /// The outputs of its last run, by path.
    pub previous: BTreeMap<String, Output>,
    /// Its checks when the caller made them already (`package`), taken by the first worker.
    pub checked: Mutex<Option<FolderCheck>>,
    invalidated: OnceLock<Result<(), Diagnostic>>,
}

/// How far an applicant has come.
pub(super) enum State {
    /// Not yet loaded.
    Pending,
    /// Loaded, checked and composed.
    Ready(Arc<Dossier>),
    /// Has errors; nothing is rendered.
    Failed,
    /// Assembled; its data is dropped.
    Done,
}

impl Slot {
    /// The slot of the applicant in `dir`, writing to `target`; `failed` holds the problem that
    /// stops it before it starts.
    pub(super) fn new(
        dir: &Path,
        folder: String,
        target: OutputDir,
        failed: Option<Diagnostic>,
    ) -> Self {
        let mut report = ApplicantReport::new(dir);
        let (state, previous) = match failed {
            Some(problem) => {
                report.diagnostics.push(problem);
                (State::Failed, BTreeMap::new())
            }
            None => (State::Pending, previous_outputs(&target)),
        };
        Self {
            dir: dir.to_path_buf(),
            folder,
            target,
            state: Mutex::new(state),
            remaining: AtomicUsize::new(0),
            report: Mutex::new(report),
            previous,
            checked: Mutex::new(None),
            invalidated: OnceLock::new(),
        }
    }

    /// Called before any file of the applicant is written: takes it out of the run index, then
    /// stashes and removes its manifest (once; later calls give the first result).
    pub(super) fn before_writing(&self, index: &LiveIndex) -> Result<(), Diagnostic> {
        self.invalidated
            .get_or_init(|| {
                index.forget(&self.folder)?;
                self.stash()?;
                remove_if_present(&self.target.file(MANIFEST)?)
            })
            .clone()
    }

    fn stash(&self) -> Result<(), Diagnostic> {
        if self.previous.is_empty() {
            return Ok(());
        }
        let outputs: Vec<&Output> = self.previous.values().collect();
        self.target.write_json(STASH, &outputs).map(|_| ())
    }

    /// Writes the manifest, removes the files of the last run that this one did not make (when
    /// unchanged since), drops the stash and puts the applicant back into the run index.
    pub(super) fn finish(
        &self,
        manifest: &Manifest,
        report: &mut ApplicantReport,
        index: &LiveIndex,
    ) -> Result<(), Diagnostic> {
        self.target.settle()?;
        assemble::write_manifest(&self.target, manifest)?;
        let made: Vec<&str> = manifest.outputs.iter().map(|o| o.path.as_str()).collect();
        for (path, old) in &self.previous {
            if !made.contains(&path.as_str()) && self.target.remove_if_unchanged(path, &old.sha256)
            {
                report.removed.push(self.target.path().join(path));
            }
        }
        remove_if_present(&self.target.file(STASH)?)?;
        index.record(entry(&self.folder, report))
    }
}

/// The run index's entry for the applicant in `folder`.
pub(super) fn entry(folder: &str, report: &ApplicantReport) -> IndexEntry {
    IndexEntry {
        manifest: report.ok().then(|| format!("{folder}/{MANIFEST}")),
        folder: folder.to_string(),
        applicant: report.identity.as_ref().map(|i| i.0.clone()),
        category: report.identity.as_ref().map(|i| i.1.clone()),
        ok: report.ok(),
        errors: report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect(),
    }
}

/// The outputs of the last runs in `target`, by path: those its manifest lists and those a
/// stopped run stashed.
fn previous_outputs(target: &OutputDir) -> BTreeMap<String, Output> {
    let read = |name: &str| target.file(name).ok().and_then(|p| std::fs::read(p).ok());
    let listed = read(MANIFEST)
        .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
        .map(|m| m.outputs)
        .unwrap_or_default();
    let stashed = read(STASH)
        .and_then(|bytes| serde_json::from_slice::<Vec<Output>>(&bytes).ok())
        .unwrap_or_default();
    stashed
        .into_iter()
        .chain(listed)
        .map(|o| (o.path.clone(), o))
        .collect()
}

/// Removes the file at `path` if there is one.
pub(super) fn remove_if_present(path: &Path) -> Result<(), Diagnostic> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(Diagnostic::error(
            format!("无法更新输出目录（{}）", io_problem(&error)),
        )
        .at(Location::file(path))
        .hint("请检查输出目录的写权限，或用 -o 指定其他输出目录")),
        _ => Ok(()),
    }
}
