//! The batch: every applicant and every material in one job list, rendered on long-lived workers
//! of a rayon pool that pull jobs from one shared counter (a `par_iter` item per document would let
//! krilla's waiting nest documents on one stack). An applicant is loaded, checked and composed by
//! the first worker that needs it, and assembled (print sets, Word files, manifest) by the worker
//! that finishes its last document; then its data is dropped, so memory stays flat however many
//! applicants there are. Unchanged documents are not rendered again.
//!
//! This file holds the batch as a whole: its options, its slots and its run index. The workers
//! and their job list are in `schedule`, what is reused from an earlier run in `reuse`, the
//! rendering of one document in `render`, and an applicant's assembly in `finish`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::index::LiveIndex;
use super::output::folder_name;
use super::schedule::lock;
use super::slot::{self, Slot};
use super::{ApplicantReport, FolderCheck, Session};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, display_path};
use crate::files::OutputDir;
use crate::files::remove_stale_temporaries;

/// Set by Ctrl-C: workers finish the document in hand and take no more.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How `build` runs.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The output folder.
    pub out: PathBuf,
    /// Render everything, even what has not changed.
    pub force: bool,
    /// Put a separator sheet between the copies of a print set.
    pub separator: bool,
    /// Render only shard K of N (1-based), a deterministic slice of the applicants.
    pub shard: Option<(usize, usize)>,
    /// Also write each document's Typst source and data here.
    pub emit_typst: Option<PathBuf>,
    /// Render only this material (its number in `notice.yaml`), without print sets, Word files, manifest or run index
    /// (for `watch`).
    pub only_material: Option<u8>,
    /// Leave out the run index `out/manifest.json` (a package writes its own index there).
    pub skip_run_index: bool,
    /// The batch this run is a shard of (see [`Session::batch_id`]); by default the applicants
    /// of this run.
    pub batch: Option<String>,
    /// Counts the documents as they are rendered, for a caller that shows progress (the desk).
    pub progress: Option<std::sync::Arc<Progress>>,
}

/// How far a run has come: documents rendered of those to render.
#[derive(Debug, Default)]
pub struct Progress {
    /// Documents rendered so far.
    pub done: std::sync::atomic::AtomicUsize,
    /// Documents this run renders (known once the jobs are listed).
    pub total: std::sync::atomic::AtomicUsize,
}

/// The applicants of shard `k` of `n` (1-based): every n-th folder of the sorted list.
pub fn shard(dirs: &[PathBuf], k: usize, n: usize) -> Vec<PathBuf> {
    let mut sorted = dirs.to_vec();
    sorted.sort();
    sorted
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % n == k - 1)
        .map(|(_, d)| d)
        .collect()
}

/// What a batch found and did.
pub struct BatchReport {
    /// Every applicant's report, in the order given.
    pub applicants: Vec<ApplicantReport>,
    /// Problems of the run as a whole, such as a run index that could not be written.
    pub problems: Diagnostics,
}

impl BatchReport {
    /// True when every applicant passed and the run's own files were written.
    pub fn ok(&self) -> bool {
        !self.problems.has_errors() && self.applicants.iter().all(ApplicantReport::ok)
    }
}

impl Session {
    /// Checks, composes, renders and assembles every folder into `options.out`. Applicants with
    /// errors are reported and skipped; the others go on. The caller holds the output folder's
    /// [`OutputLock`](super::output::OutputLock): the temporary files that killed runs left in
    /// the folder are removed first.
    pub fn build(&self, dirs: &[PathBuf], options: &BuildOptions) -> BatchReport {
        self.build_checked(dirs, Vec::new(), options)
    }

    /// As [`Session::build`], for folders whose checks were made already: `checked[i]` is the
    /// check of `dirs[i]` (as many as there are), which the batch does not repeat.
    pub(super) fn build_checked(
        &self,
        dirs: &[PathBuf],
        checked: Vec<FolderCheck>,
        options: &BuildOptions,
    ) -> BatchReport {
        let out = OutputDir::new(&options.out);
        let slots = self.slots(dirs, &out);
        for (slot, checked) in slots.iter().zip(checked) {
            *lock(&slot.checked) = Some(checked);
        }
        let folders: Vec<String> = slots.iter().map(|s| s.folder.clone()).collect();
        let batch = options.batch.clone().unwrap_or_else(|| self.batch_id(dirs));
        let index = LiveIndex::open(
            &out,
            options.shard,
            Some(batch),
            &folders,
            !options.skip_run_index && options.only_material.is_none(),
        );
        match options.shard {
            None => remove_stale_temporaries(out.path()),
            Some(_) => slots
                .iter()
                .map(|s| remove_stale_temporaries(s.target.path()))
                .sum(),
        };
        self.render_all(&slots, &index, options);
        let mut problems = Diagnostics::new();
        let applicants: Vec<ApplicantReport> = slots
            .into_iter()
            .map(|s| s.report.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect();
        let rendered_any = applicants.iter().any(|r| !r.outputs.is_empty());
        if rendered_any || index.touched() {
            let entries = folders
                .iter()
                .zip(&applicants)
                .map(|(folder, report)| slot::entry(folder, report))
                .collect();
            if let Err(problem) = index.finish(entries) {
                problems.push(problem);
            }
        }
        BatchReport {
            applicants,
            problems,
        }
    }

    /// One slot per folder; folders that would write to the same output folder fail at once.
    fn slots(&self, dirs: &[PathBuf], out: &OutputDir) -> Vec<Slot> {
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        dirs.iter()
            .map(|dir| {
                let folder = folder_name(dir);
                let target = out.folder(&folder);
                let problem = match (&target, seen.get(&folder)) {
                    (Err(problem), _) => Some(problem.clone().at(Location::file(dir))),
                    (Ok(target), Some(first)) => Some(
                        Diagnostic::error(format!(
                            "与 {} 输出到同一个目录 {}",
                            display_path(first),
                            display_path(target.path())
                        ))
                        .at(Location::file(dir))
                        .hint("两个申报目录的名称相同；请改名，或分两次生成到不同的 -o 目录"),
                    ),
                    (Ok(_), None) => None,
                };
                seen.entry(folder.clone()).or_insert_with(|| dir.clone());
                // A slot that fails at once never writes, so its target is never used.
                let target = target.unwrap_or_else(|_| out.clone());
                Slot::new(dir, folder, target, problem)
            })
            .collect()
    }
}
