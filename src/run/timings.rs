//! Where the time of a run goes, per stage, summed over every worker (`--timings`).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The stages of the pipeline that are timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading applicant.yaml, Markdown and workbooks.
    Load,
    /// The rules of the notice.
    Validate,
    /// Building document models from data and wording.
    Compose,
    /// Typst evaluation and layout.
    Compile,
    /// Typst's PDF export.
    Export,
    /// Joining PDFs into print sets.
    PrintSets,
    /// Writing Word files.
    Word,
    /// Hashing and writing files.
    Write,
}

impl Stage {
    const ALL: [Stage; 8] = [
        Stage::Load,
        Stage::Validate,
        Stage::Compose,
        Stage::Compile,
        Stage::Export,
        Stage::PrintSets,
        Stage::Word,
        Stage::Write,
    ];

    fn label(self) -> &'static str {
        match self {
            Stage::Load => "读取（YAML、Markdown、工作簿）",
            Stage::Validate => "检查",
            Stage::Compose => "组稿（措辞模板、文档模型）",
            Stage::Compile => "Typst 排版",
            Stage::Export => "PDF 导出",
            Stage::PrintSets => "印制合订本",
            Stage::Word => "Word 文件",
            Stage::Write => "计算哈希、写文件",
        }
    }
}

/// Nanoseconds spent per stage, added to from any thread.
#[derive(Debug, Default)]
pub struct Timings {
    nanos: [AtomicU64; 8],
}

impl Timings {
    /// Adds `elapsed` to `stage`.
    pub fn add(&self, stage: Stage, elapsed: Duration) {
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.nanos[index].fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Runs `work`, adding its time to `stage`.
    pub fn time<T>(&self, stage: Stage, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        self.add(stage, started.elapsed());
        result
    }

    /// Time spent in `stage` so far.
    pub fn get(&self, stage: Stage) -> Duration {
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        Duration::from_nanos(self.nanos[index].load(Ordering::Relaxed))
    }

    /// Share of the time that is not Typst's own work (compile and export).
    pub fn overhead_share(&self) -> f64 {
        let total: f64 = Stage::ALL.iter().map(|s| self.get(*s).as_secs_f64()).sum();
        let typst = self.get(Stage::Compile).as_secs_f64() + self.get(Stage::Export).as_secs_f64();
        if total == 0.0 {
            0.0
        } else {
            (total - typst) / total
        }
    }

    /// A table of the stages, for `--timings`.
    pub fn render(&self, wall: Duration) -> String {
        let mut out = String::from("各阶段耗时（所有线程合计）：\n");
        for stage in Stage::ALL {
            let _ = writeln!(
                out,
                "  {:<24} {:>9.1} ms",
                stage.label(),
                self.get(stage).as_secs_f64() * 1000.0
            );
        }
        let _ = writeln!(
            out,
            "  Typst 以外的开销占比       {:>8.1} %",
            self.overhead_share() * 100.0
        );
        let _ = writeln!(
            out,
            "  实际用时                   {:>9.1} ms",
            wall.as_secs_f64() * 1000.0
        );
        out
    }
}
