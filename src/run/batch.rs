//! The batch: every applicant and every material in one job list, rendered on long-lived workers
//! of a rayon pool that pull jobs from one shared counter (a `par_iter` item per document would let
//! krilla's waiting nest documents on one stack). An applicant is loaded, checked and composed by
//! the first worker that needs it, and assembled (print sets, Word files, manifest) by the worker
//! that finishes its last document; then its data is dropped, so memory stays flat however many
//! applicants there are. Unchanged documents are not rendered again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use super::timings::Stage;
use super::{ApplicantReport, MEMO_MAX_AGE, Session, Settings, output_dir};
use crate::assemble::{self, Manifest, Output};
use crate::compose::model::{Document, Dossier};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, display_path};
use crate::layout::compile::render_pdf;
use crate::layout::fonts::FontLibrary;
use crate::templates::TemplateStore;

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
    /// Render only this material (1–4), without print sets, Word files or manifest (for `watch`).
    pub only_material: Option<u8>,
    /// Leave out the run index `out/manifest.json` (a package writes its own index there).
    pub skip_run_index: bool,
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

/// A fingerprint of everything besides an applicant's own data that shapes the output: the
/// program version, every template, the fonts and their roles.
pub fn run_fingerprint(store: &TemplateStore, settings: &Settings, fonts: &FontLibrary) -> String {
    let mut parts: Vec<u8> = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    for name in TemplateStore::built_in_names()
        .iter()
        .chain(&store.override_names())
    {
        if let Some(file) = store.get(name) {
            parts.extend(name.as_bytes());
            parts.extend(assemble::sha256(&file.bytes).as_bytes());
        }
    }
    parts.extend(fonts.fingerprint().as_bytes());
    parts.extend(settings.font_roles.join(";").as_bytes());
    assemble::sha256(&parts)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path))
            } else {
                found.push(path)
            }
        }
    }
    found.sort();
    found
}

/// One applicant during a run.
struct Slot {
    dir: PathBuf,
    target: PathBuf,
    state: Mutex<State>,
    remaining: AtomicUsize,
    report: Mutex<ApplicantReport>,
    previous: BTreeMap<String, Output>,
}

/// How far an applicant has come.
enum State {
    /// Not yet loaded.
    Pending,
    /// Loaded, checked and composed.
    Ready(Arc<Dossier>),
    /// Has errors; nothing is rendered.
    Failed,
    /// Assembled; its data is dropped.
    Done,
}

/// One document to render: which applicant, which of its documents.
struct Job {
    slot: usize,
    document: usize,
}

/// The index of a run, written as `out/manifest.json` (or one per shard) when anything was
/// rendered; a run where every applicant failed leaves the output folder untouched.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunIndex {
    /// The shard this index covers, such as `2/4`, when sharded.
    pub shard: Option<String>,
    /// One entry per applicant folder.
    pub applicants: Vec<IndexEntry>,
}

/// One applicant in the run index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The output folder, relative to the output root.
    pub folder: String,
    /// 申报单位, when it could be read.
    pub applicant: Option<String>,
    /// 申报类别, when it could be read.
    pub category: Option<String>,
    /// Whether everything was rendered.
    pub ok: bool,
    /// The applicant's manifest, relative to the output root.
    pub manifest: Option<String>,
    /// The errors, as text.
    pub errors: Vec<String>,
}

impl Session {
    /// Checks, composes, renders and assembles every folder into `options.out`. Applicants with
    /// errors are reported and skipped; the others go on.
    pub fn build(&self, dirs: &[PathBuf], options: &BuildOptions) -> Vec<ApplicantReport> {
        let slots = self.slots(dirs, options);
        let jobs: Vec<Job> = (0..slots.len())
            .flat_map(|slot| {
                (0..self.composer.notice().materials.len())
                    .map(move |document| Job { slot, document })
            })
            .filter(|job| {
                options
                    .only_material
                    .is_none_or(|m| usize::from(m) == job.document + 1)
            })
            .filter(|job| {
                matches!(
                    *slots[job.slot]
                        .state
                        .lock()
                        .unwrap_or_else(|e| e.into_inner()),
                    State::Pending
                )
            })
            .collect();
        for (index, slot) in slots.iter().enumerate() {
            let count = jobs.iter().filter(|j| j.slot == index).count();
            slot.remaining.store(count, Ordering::SeqCst);
        }
        self.run_jobs(&slots, &jobs, options);
        let reports: Vec<ApplicantReport> = slots
            .into_iter()
            .map(|s| s.report.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect();
        let rendered_any = reports.iter().any(|r| !r.outputs.is_empty());
        if rendered_any
            && !options.skip_run_index
            && let Err(problem) = write_index(&reports, options)
        {
            eprint!("{}", Diagnostics::from(problem).render());
        }
        reports
    }

    /// One slot per folder; folders that would write to the same output folder fail at once.
    fn slots(&self, dirs: &[PathBuf], options: &BuildOptions) -> Vec<Slot> {
        let mut seen: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
        dirs.iter()
            .map(|dir| {
                let target = output_dir(&options.out, dir);
                let mut report = ApplicantReport::new(dir);
                let mut state = State::Pending;
                if let Some(first) = seen.get(&target) {
                    report.diagnostics.push(
                        Diagnostic::error(format!(
                            "与 {} 输出到同一个目录 {}",
                            display_path(first),
                            display_path(&target)
                        ))
                        .at(Location::file(dir))
                        .hint("两个申报目录的名称相同；请改名，或分两次生成到不同的 -o 目录"),
                    );
                    state = State::Failed;
                } else {
                    seen.insert(target.clone(), dir.clone());
                }
                let previous = if options.force {
                    BTreeMap::new()
                } else {
                    previous_outputs(&target)
                };
                Slot {
                    dir: dir.clone(),
                    target,
                    state: Mutex::new(state),
                    remaining: AtomicUsize::new(0),
                    report: Mutex::new(report),
                    previous,
                }
            })
            .collect()
    }

    fn run_jobs(&self, slots: &[Slot], jobs: &[Job], options: &BuildOptions) {
        let next = AtomicUsize::new(0);
        let progress = progress_bar(jobs.len());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs.min(jobs.len()).max(1))
            .thread_name(|i| format!("shenbao-render-{i}"))
            .build()
            .expect("the render pool starts");
        pool.broadcast(|_| {
            while !INTERRUPTED.load(Ordering::SeqCst) {
                let Some(job) = jobs.get(next.fetch_add(1, Ordering::SeqCst)) else {
                    break;
                };
                let slot = &slots[job.slot];
                if let Some(dossier) = self.prepare(slot) {
                    self.render(slot, &dossier.documents[job.document], options);
                    comemo::evict(MEMO_MAX_AGE);
                    if slot.remaining.fetch_sub(1, Ordering::SeqCst) == 1 {
                        self.assemble(slot, &dossier, options);
                    }
                }
                progress.inc(1);
            }
        });
        progress.finish_and_clear();
        if INTERRUPTED.load(Ordering::SeqCst) {
            for slot in slots
                .iter()
                .filter(|s| s.remaining.load(Ordering::SeqCst) > 0)
            {
                lock(&slot.report).diagnostics.push(
                    Diagnostic::error("已中断：此申报单位的材料没有全部生成")
                        .at(Location::file(&slot.dir))
                        .hint("重新运行即可继续；已生成的文件完整可用"),
                );
            }
        }
    }

    /// The applicant's documents, loading, checking and composing it on first use.
    fn prepare(&self, slot: &Slot) -> Option<Arc<Dossier>> {
        let mut state = lock(&slot.state);
        if let State::Pending = *state {
            *state = match self.load_and_compose(slot) {
                Some(dossier) => State::Ready(Arc::new(dossier)),
                None => State::Failed,
            };
        }
        match &*state {
            State::Ready(dossier) => Some(dossier.clone()),
            _ => None,
        }
    }

    fn load_and_compose(&self, slot: &Slot) -> Option<Dossier> {
        let (loaded, diagnostics) = self.check_one(&slot.dir);
        let mut report = lock(&slot.report);
        report.identity = super::identity(&loaded);
        report.diagnostics.extend(diagnostics);
        let (applicant, texts) = loaded.filter(|_| !report.diagnostics.has_errors())?;
        match self
            .timings
            .time(Stage::Compose, || self.composer.dossier(&applicant, &texts))
        {
            Ok(dossier) => Some(dossier),
            Err(problem) => {
                report.diagnostics.push(problem);
                None
            }
        }
    }

    fn render(&self, slot: &Slot, document: &Document, options: &BuildOptions) {
        let name = pdf_name(document);
        let input = self.input_hash(document);
        if let Some(output) = unchanged(slot, &name, &input) {
            lock(&slot.report).outputs.push(output);
            return;
        }
        match self.render_pdf(document, &slot.target, &name, &input, options) {
            Ok((output, warnings)) => {
                let mut report = lock(&slot.report);
                report.outputs.push(output);
                report.diagnostics.extend(warnings);
            }
            Err(problems) => lock(&slot.report).diagnostics.extend(problems),
        }
    }

    pub(super) fn render_pdf(
        &self,
        document: &Document,
        target: &Path,
        name: &str,
        input: &str,
        options: &BuildOptions,
    ) -> Result<(Output, Diagnostics), Diagnostics> {
        let data = serde_json::to_vec(document).map_err(|e| Diagnostic::error(e.to_string()))?;
        let template = document.template;
        if let Some(dir) = &options.emit_typst {
            let folder = dir
                .join(target.file_name().unwrap_or_default())
                .join(format!("材料{}", document.material));
            let evidence: Vec<(&str, &Path)> = document
                .evidence
                .iter()
                .map(|e| e.path.as_str())
                .zip(document.sources.iter().map(PathBuf::as_path))
                .collect();
            super::emit::write(&folder, self.engine.templates(), template, &data, &evidence)?;
        }
        let world = self.world(document, data)?;
        let folder = target.file_name().unwrap_or_default().to_string_lossy();
        let ident = format!("{folder}/{}", document.material);
        let rendered = render_pdf(&world, &ident)?;
        self.timings.add(Stage::Compile, rendered.compile_time);
        self.timings.add(Stage::Export, rendered.export_time);
        let output = self.timings.time(Stage::Write, || {
            assemble::emit(
                target,
                name,
                "pdf",
                Some(document.material),
                Some(rendered.pages),
                &rendered.pdf,
            )
        })?;
        Ok((output.with_input(input), rendered.warnings))
    }

    /// A hash of everything that shapes one document's bytes.
    pub(super) fn input_hash(&self, document: &Document) -> String {
        let mut parts = self.fingerprint.as_bytes().to_vec();
        parts.extend(serde_json::to_vec(document).unwrap_or_default());
        for source in &document.sources {
            parts.extend(
                std::fs::read(source)
                    .map(|b| assemble::sha256(&b))
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
        assemble::sha256(&parts)
    }

    /// Print sets, Word files and the manifest, once every document of the applicant is done.
    fn assemble(&self, slot: &Slot, dossier: &Dossier, options: &BuildOptions) {
        let mut report = lock(&slot.report);
        if options.only_material.is_some() {
            *lock(&slot.state) = State::Done;
            return;
        }
        if !report.diagnostics.has_errors() {
            let notice = self.composer.notice();
            match self.timings.time(Stage::Word, || {
                assemble::word_files(notice, dossier, &slot.target)
            }) {
                Ok((files, warnings)) => {
                    report.outputs.extend(files);
                    report.diagnostics.extend(warnings);
                }
                Err(problem) => report.diagnostics.push(problem),
            }
            let outputs = self.timings.time(Stage::PrintSets, || {
                assemble::print_sets(
                    notice,
                    &slot.target,
                    &report.outputs,
                    options.separator,
                    &slot.previous,
                )
            });
            match outputs {
                Ok(sets) => report.outputs.extend(sets),
                Err(problem) => report.diagnostics.push(problem),
            }
        }
        report.outputs.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some((name, category)) = report.identity.clone() {
            let manifest = Manifest {
                applicant: name,
                category,
                outputs: report.outputs.clone(),
                warnings: Diagnostics::from_iter_warnings(&report.diagnostics),
            };
            if !report.diagnostics.has_errors()
                && let Err(problem) = self.timings.time(Stage::Write, || {
                    assemble::write_manifest(&slot.target, &manifest)
                })
            {
                report.diagnostics.push(problem);
            }
        }
        *lock(&slot.state) = State::Done;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// `材料1-申报函.pdf`.
fn pdf_name(document: &Document) -> String {
    format!("材料{}-{}.pdf", document.material, document.material_name)
}

/// The outputs of the last run in `target`, by path.
fn previous_outputs(target: &Path) -> BTreeMap<String, Output> {
    let Ok(bytes) = std::fs::read(target.join("manifest.json")) else {
        return BTreeMap::new();
    };
    let Ok(manifest) = serde_json::from_slice::<Manifest>(&bytes) else {
        return BTreeMap::new();
    };
    manifest
        .outputs
        .into_iter()
        .map(|o| (o.path.clone(), o))
        .collect()
}

/// The previous output of `name` when its inputs are the same and the file is still intact.
fn unchanged(slot: &Slot, name: &str, input: &str) -> Option<Output> {
    assemble::reusable(&slot.previous, &slot.target, name, input)
}

fn write_index(reports: &[ApplicantReport], options: &BuildOptions) -> Result<(), Diagnostic> {
    let applicants = reports
        .iter()
        .map(|report| {
            let folder = output_dir(Path::new(""), &report.dir).display().to_string();
            IndexEntry {
                manifest: report.ok().then(|| format!("{folder}/manifest.json")),
                folder,
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
        })
        .collect();
    let index = RunIndex {
        shard: options.shard.map(|(k, n)| format!("{k}/{n}")),
        applicants,
    };
    let name = match options.shard {
        Some((k, n)) => format!("manifest-shard-{k}-of-{n}.json"),
        None => "manifest.json".to_string(),
    };
    let json = serde_json::to_vec_pretty(&index).map_err(|e| Diagnostic::error(e.to_string()))?;
    assemble::write_atomically(&options.out.join(name), &json)
}

/// Joins the run indexes of shards (`manifest-shard-*.json` in `out`) into `out/manifest.json`.
pub fn merge(out: &Path) -> Result<RunIndex, Diagnostic> {
    let mut applicants = Vec::new();
    let mut shards = 0;
    for path in walk(out).into_iter().filter(|p| {
        p.parent() == Some(out)
            && p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("manifest-shard-"))
    }) {
        let bytes = std::fs::read(&path)
            .map_err(|e| Diagnostic::error(format!("无法读取（{e}）")).at(Location::file(&path)))?;
        let index: RunIndex = serde_json::from_slice(&bytes).map_err(|e| {
            Diagnostic::error(format!("不是 shenbao 的分片索引（{e}）")).at(Location::file(&path))
        })?;
        applicants.extend(index.applicants);
        shards += 1;
    }
    if shards == 0 {
        return Err(
            Diagnostic::error("输出目录中没有分片索引 manifest-shard-*.json")
                .at(Location::file(out))
                .hint("先用 `shenbao build --shard K/N -o 目录` 生成各分片"),
        );
    }
    applicants.sort_by(|a, b| a.folder.cmp(&b.folder));
    let index = RunIndex {
        shard: None,
        applicants,
    };
    let json = serde_json::to_vec_pretty(&index).map_err(|e| Diagnostic::error(e.to_string()))?;
    assemble::write_atomically(&out.join("manifest.json"), &json)?;
    Ok(index)
}

fn progress_bar(total: usize) -> ProgressBar {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} 份文档 {per_sec} 剩余 {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
