//! The schedule of a batch: every applicant and material in one job list, taken in turn by
//! long-lived workers of a rayon pool from one shared counter. An applicant is loaded, checked and
//! composed by the first worker that needs it; the worker that finishes its last document
//! assembles it. A panic in a dependency becomes that applicant's error.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::batch::{BuildOptions, INTERRUPTED};
use super::index::LiveIndex;
use super::slot::{Slot, State};
use super::timings::Stage;
use super::{MEMO_MAX_AGE, Session};
use crate::compose::model::Dossier;
use crate::diagnostics::{Diagnostic, Location};
use crate::guard::guarded;

/// One document to render: which applicant, which of its documents.
struct Job {
    slot: usize,
    document: usize,
}

impl Session {
    /// Renders every document of every slot still pending, and assembles each applicant after
    /// its last one.
    pub(super) fn render_all(&self, slots: &[Slot], index: &LiveIndex, options: &BuildOptions) {
        let jobs = self.job_list(slots, options);
        self.run_jobs(slots, &jobs, index, options);
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

    /// Renders the jobs on the pool's workers until none is left or Ctrl-C stops them; an
    /// applicant left unfinished by Ctrl-C gets an error saying so.
    fn run_jobs(&self, slots: &[Slot], jobs: &[Job], index: &LiveIndex, options: &BuildOptions) {
        let next = AtomicUsize::new(0);
        let progress = progress_bar(jobs.len());
        let counted = options.progress.as_deref();
        if let Some(counted) = counted {
            counted.total.store(jobs.len(), Ordering::SeqCst);
        }
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
                if let Some(counted) = counted {
                    counted.done.fetch_add(1, Ordering::SeqCst);
                }
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
        let checked = lock(&slot.checked).take();
        let (loaded, diagnostics) = checked.unwrap_or_else(|| self.check_one(&slot.dir));
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

/// The value behind `mutex`, even when a worker panicked holding it.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A progress bar on a terminal; hidden otherwise.
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
