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

use super::guard::guarded;
use super::index::LiveIndex;
use super::output::{OutputDir, folder_name, remove_stale_temporaries};
use super::slot::{self, Slot, State};
use super::timings::Stage;
use super::{ApplicantReport, MEMO_MAX_AGE, Session, Settings};
use crate::assemble::{self, Manifest, Output, OutputKind};
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
    /// Render only this material (its number in `notice.yaml`), without print sets, Word files, manifest or run index
    /// (for `watch`).
    pub only_material: Option<u8>,
    /// Leave out the run index `out/manifest.json` (a package writes its own index there).
    pub skip_run_index: bool,
    /// The batch this run is a shard of (see [`Session::batch_id`]); by default the applicants
    /// of this run.
    pub batch: Option<String>,
}

/// One document to render: which applicant, which of its documents.
struct Job {
    slot: usize,
    document: usize,
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
/// program version, every template file that can (not its notes), the fonts and their roles.
pub fn run_fingerprint(store: &TemplateStore, settings: &Settings, fonts: &FontLibrary) -> String {
    let mut parts: Vec<u8> = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    let names = TemplateStore::built_in_names();
    let overrides = store.override_names();
    for name in names
        .iter()
        .chain(&overrides)
        .filter(|n| TemplateStore::shapes_output(n))
    {
        if let Some(file) = store.get(name) {
            parts.extend(name.as_bytes());
            parts.extend(assemble::sha256(&file.bytes).as_bytes());
        }
    }
    parts.extend(fonts.fingerprint().as_bytes());
    for remap in &settings.font_roles {
        parts.extend(format!("{remap};").as_bytes());
    }
    assemble::sha256(&parts)
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
        let out = OutputDir::new(&options.out);
        let slots = self.slots(dirs, &out);
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
        let jobs = self.job_list(&slots, options);
        self.run_jobs(&slots, &jobs, &index, options);
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

    /// A hash naming the batch of `dirs` (all of them, before sharding) with this session's
    /// templates and fonts: the shards of one batch share it, and `merge` joins only those.
    pub fn batch_id(&self, dirs: &[PathBuf]) -> String {
        let mut names: Vec<String> = dirs.iter().map(|d| folder_name(d)).collect();
        names.sort();
        assemble::sha256(format!("{}\n{}", self.fingerprint, names.join("\n")).as_bytes())
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

    /// The documents to render, in order, and each slot's count of them: one for each material
    /// of the notice (a dossier holds them in the same order).
    fn job_list(&self, slots: &[Slot], options: &BuildOptions) -> Vec<Job> {
        let materials = &self.composer.notice().materials;
        let jobs: Vec<Job> = (0..slots.len())
            .flat_map(|slot| (0..materials.len()).map(move |document| Job { slot, document }))
            .filter(|job| {
                options
                    .only_material
                    .is_none_or(|m| materials[job.document].number == m)
            })
            .filter(|job| matches!(*lock(&slots[job.slot].state), State::Pending))
            .collect();
        for (index, slot) in slots.iter().enumerate() {
            let count = jobs.iter().filter(|j| j.slot == index).count();
            slot.remaining.store(count, Ordering::SeqCst);
        }
        jobs
    }

    fn run_jobs(&self, slots: &[Slot], jobs: &[Job], index: &LiveIndex, options: &BuildOptions) {
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
                self.run_job(&slots[job.slot], job, index, options);
                progress.inc(1);
            }
        });
        progress.finish_and_clear();
        if INTERRUPTED.load(Ordering::SeqCst) {
            for slot in slots
                .iter()
                .filter(|s| s.remaining.load(Ordering::SeqCst) > 0)
            {
                let mut report = lock(&slot.report);
                if !report.diagnostics.has_errors() {
                    report.diagnostics.push(
                        Diagnostic::error("已中断：此申报单位的材料没有全部生成")
                            .at(Location::file(&slot.dir))
                            .hint("重新运行即可继续；已生成的文件完整可用"),
                    );
                }
            }
        }
    }

    /// Renders one document, and assembles its applicant after its last one. A panic in either
    /// becomes the applicant's error; the other applicants go on.
    fn run_job(&self, slot: &Slot, job: &Job, index: &LiveIndex, options: &BuildOptions) {
        let Some(dossier) = self.prepare(slot) else {
            return;
        };
        let document = &dossier.documents[job.document];
        let rendered = guarded(|| {
            self.render(slot, document, index, options);
            comemo::evict(MEMO_MAX_AGE);
        });
        if let Err(panic) = rendered {
            let problem = crashed(slot, &format!("材料{}", document.material), &panic);
            lock(&slot.report).diagnostics.push(problem);
        }
        if slot.remaining.fetch_sub(1, Ordering::SeqCst) == 1
            && let Err(panic) = guarded(|| self.assemble(slot, &dossier, index, options))
        {
            let problem = crashed(slot, "合订本、Word 文件或文件清单", &panic);
            lock(&slot.report).diagnostics.push(problem);
            *lock(&slot.state) = State::Done;
        }
    }

    /// The applicant's documents, loading, checking and composing it on first use.
    fn prepare(&self, slot: &Slot) -> Option<Arc<Dossier>> {
        let mut state = lock(&slot.state);
        if let State::Pending = *state {
            *state = match guarded(|| self.load_and_compose(slot)) {
                Ok(Some(dossier)) => State::Ready(Arc::new(dossier)),
                Ok(None) => State::Failed,
                Err(panic) => {
                    let problem = crashed(slot, "申报数据", &panic);
                    lock(&slot.report).diagnostics.push(problem);
                    State::Failed
                }
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

    fn render(&self, slot: &Slot, document: &Document, index: &LiveIndex, options: &BuildOptions) {
        let name = pdf_name(document);
        let input = self.input_hash(document);
        let previous = if options.force {
            None
        } else {
            assemble::reusable(&slot.previous, &slot.target, &name, &input)
        };
        if let Some(output) = previous {
            lock(&slot.report).outputs.push(output);
            return;
        }
        let rendered = slot
            .before_writing(index)
            .map_err(Diagnostics::from)
            .and_then(|()| self.render_pdf(document, &slot.target, &name, &input, options));
        match rendered {
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
        target: &OutputDir,
        name: &str,
        input: &str,
        options: &BuildOptions,
    ) -> Result<(Output, Diagnostics), Diagnostics> {
        let data = serde_json::to_vec(document).map_err(|e| Diagnostic::error(e.to_string()))?;
        let template = document.template;
        if let Some(dir) = &options.emit_typst {
            let folder = OutputDir::new(dir)
                .folder(&target.name())?
                .folder(&format!("材料{}", document.material))?;
            let evidence: Vec<(&str, &Path)> = document
                .evidence
                .iter()
                .map(|e| e.path.as_str())
                .zip(document.sources.iter().map(PathBuf::as_path))
                .collect();
            super::emit::write(&folder, self.engine.templates(), template, &data, &evidence)?;
        }
        let world = self.world(document, data)?;
        let ident = format!("{}/{}", target.name(), document.material);
        let rendered = render_pdf(&world, &ident)?;
        self.timings.add(Stage::Compile, rendered.compile_time);
        self.timings.add(Stage::Export, rendered.export_time);
        let output = self.timings.time(Stage::Write, || {
            assemble::emit(
                target,
                name,
                OutputKind::Pdf,
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
    fn assemble(&self, slot: &Slot, dossier: &Dossier, index: &LiveIndex, options: &BuildOptions) {
        let mut report = lock(&slot.report);
        if options.only_material.is_some() {
            *lock(&slot.state) = State::Done;
            return;
        }
        if !report.diagnostics.has_errors()
            && let Err(problem) = slot.before_writing(index)
        {
            report.diagnostics.push(problem);
        }
        if !report.diagnostics.has_errors() {
            self.word_and_print_sets(slot, dossier, &mut report, options);
        }
        report.outputs.sort_by(|a, b| a.path.cmp(&b.path));
        if !report.diagnostics.has_errors()
            && let Some((name, category)) = report.identity.clone()
        {
            let manifest = Manifest {
                applicant: name,
                category,
                outputs: report.outputs.clone(),
                warnings: Diagnostics::from_iter_warnings(&report.diagnostics),
            };
            let finished = self
                .timings
                .time(Stage::Write, || slot.finish(&manifest, &mut report, index));
            if let Err(problem) = finished {
                report.diagnostics.push(problem);
            }
        }
        *lock(&slot.state) = State::Done;
    }

    fn word_and_print_sets(
        &self,
        slot: &Slot,
        dossier: &Dossier,
        report: &mut ApplicantReport,
        options: &BuildOptions,
    ) {
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
        match self.timings.time(Stage::Word, || {
            assemble::data_bundle(notice, dossier, &slot.target)
        }) {
            Ok(bundle) => report.outputs.push(bundle),
            Err(problem) => report.diagnostics.push(problem),
        }
        let none = BTreeMap::new();
        let previous = if options.force { &none } else { &slot.previous };
        let outputs = self.timings.time(Stage::PrintSets, || {
            assemble::print_sets(
                notice,
                &slot.target,
                &report.outputs,
                options.separator,
                previous,
            )
        });
        match outputs {
            Ok(sets) => report.outputs.extend(sets),
            Err(problem) => report.diagnostics.push(problem),
        }
    }
}

/// The error of an applicant whose work panicked in a dependency.
fn crashed(slot: &Slot, what: &str, panic: &str) -> Diagnostic {
    let report = lock(&slot.report);
    let name = report
        .identity
        .as_ref()
        .map_or(slot.folder.as_str(), |(name, _)| name.as_str());
    Diagnostic::error(format!(
        "处理“{name}”的{what}时程序内部出错（{panic}），此单位的材料未能生成"
    ))
    .at(Location::file(&slot.dir))
    .hint("其他申报单位不受影响；请检查此单位的佐证材料（图片、PDF）是否完好，并把此信息连同申报材料报告给 shenbao 的维护者")
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// `材料1-申报函.pdf`.
fn pdf_name(document: &Document) -> String {
    format!("材料{}-{}.pdf", document.material, document.material_name)
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
