//! The pipeline, start to end: a [`Session`] holds what a run shares (templates, notice, fonts,
//! wording); [`Session::check`] loads and validates applicants; [`Session::build`] also composes
//! every document into one job list, renders it on long-lived workers, and writes the outputs.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::assemble::{self, Manifest, Output};
use crate::compose::Composer;
use crate::compose::model::Document;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::layout::compile::render_pdf;
use crate::layout::fonts::{self, Coverage, FontLibrary};
use crate::layout::world::{DocumentWorld, Engine};
use crate::load::applicant::Applicant;
use crate::load::notice::Notice;
use crate::load::{self, Texts};
use crate::templates::TemplateStore;
use crate::validate::Rules;

/// How many recent memoization entries survive after each document: keeping a few lets text
/// shared by every applicant be reused, while memory stays bounded.
const MEMO_MAX_AGE: usize = 2;

/// The settings of a run that every command shares.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// A folder of templates overriding the built-in ones.
    pub templates: Option<PathBuf>,
    /// Extra font folders.
    pub font_paths: Vec<PathBuf>,
    /// `ROLE=FAMILY[,FAMILY…]` remappings.
    pub font_roles: Vec<String>,
    /// Render workers; 0 means one per core.
    pub jobs: usize,
}

/// What one run shares: built once, read by every document.
pub struct Session {
    composer: Composer,
    engine: Engine,
    coverage: Coverage,
    jobs: usize,
}

/// The result for one applicant folder.
#[derive(Debug)]
pub struct ApplicantReport {
    /// The folder.
    pub dir: PathBuf,
    /// Every problem found, errors and warnings.
    pub diagnostics: Diagnostics,
    /// What was written, for `build`.
    pub outputs: Vec<Output>,
    /// 申报单位 and 申报类别, once the applicant could be read.
    pub identity: Option<(String, String)>,
}

impl ApplicantReport {
    /// True when the applicant has no errors.
    pub fn ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }
}

impl Session {
    /// Reads templates, notice and font roles, and scans the fonts.
    pub fn open(settings: &Settings) -> Result<Self, Diagnostic> {
        let store = TemplateStore::new(settings.templates.clone())?;
        let notice = Notice::load(&store)?;
        let roles = fonts::load_roles(&store, &settings.font_roles)?;
        let fonts = FontLibrary::scan(&settings.font_paths)?;
        fonts.check_roles(&roles)?;
        let coverage = fonts.coverage(&roles);
        let composer = Composer::new(notice, &store, roles)?;
        let jobs = if settings.jobs == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            settings.jobs
        };
        Ok(Self {
            composer,
            engine: Engine::new(fonts, store),
            coverage,
            jobs,
        })
    }

    /// The notice this session serves.
    pub fn notice(&self) -> &Notice {
        self.composer.notice()
    }

    /// Loads and validates one applicant folder: its `applicant.yaml`, then its texts and
    /// assessment values against the catalogue of its category.
    pub fn check_one(&self, dir: &Path) -> (Option<(Applicant, Texts)>, Diagnostics) {
        let (applicant, sources, mut diagnostics) = load::load_applicant(dir);
        let rules = Rules {
            notice: self.notice(),
            coverage: &self.coverage,
        };
        if let Some(applicant) = &applicant {
            diagnostics.extend(rules.check(applicant));
        }
        let category = sources.as_ref().and_then(|s| s.category.as_ref());
        let catalogue = category.and_then(|c| self.composer.catalogue(&c.value));
        let texts = match (&sources, catalogue) {
            (Some(sources), Some(catalogue)) => {
                let texts = load::load_texts(sources, catalogue, &mut diagnostics);
                diagnostics.extend(rules.check_texts(sources, &texts, catalogue));
                texts
            }
            _ => Texts::default(),
        };
        (applicant.map(|a| (a, texts)), diagnostics)
    }

    /// Checks every folder; nothing is written.
    pub fn check(&self, dirs: &[PathBuf]) -> Vec<ApplicantReport> {
        dirs.iter()
            .map(|dir| {
                let (applicant, diagnostics) = self.check_one(dir);
                ApplicantReport {
                    dir: dir.clone(),
                    diagnostics,
                    outputs: Vec::new(),
                    identity: identity(&applicant),
                }
            })
            .collect()
    }

    /// Checks, composes and renders every folder into `out/<folder name>/`. An applicant with
    /// errors is reported and skipped; the others go on.
    pub fn build(&self, dirs: &[PathBuf], out: &Path) -> Vec<ApplicantReport> {
        let mut reports = Vec::new();
        let mut jobs = Vec::new();
        for dir in dirs {
            let (applicant, mut diagnostics) = self.check_one(dir);
            let identity = identity(&applicant);
            let documents = match applicant.filter(|_| !diagnostics.has_errors()) {
                Some((applicant, texts)) => match self.composer.dossier(&applicant, &texts) {
                    Ok(documents) => Some((applicant, documents)),
                    Err(problem) => {
                        diagnostics.push(problem);
                        None
                    }
                },
                None => None,
            };
            let index = reports.len();
            if let Some((applicant, documents)) = documents {
                let target = output_dir(out, dir);
                for document in documents {
                    jobs.push(Job {
                        report: index,
                        target: target.clone(),
                        date: applicant.date.value,
                        document,
                    });
                }
            }
            reports.push(ApplicantReport {
                dir: dir.clone(),
                diagnostics,
                outputs: Vec::new(),
                identity,
            });
        }
        let results = self.render_all(&jobs);
        for (job, result) in jobs.iter().zip(results) {
            let report = &mut reports[job.report];
            match result {
                Ok((output, warnings)) => {
                    report.outputs.push(output);
                    report.diagnostics.extend(warnings);
                }
                Err(problems) => report.diagnostics.extend(problems),
            }
        }
        for report in reports
            .iter_mut()
            .filter(|r| r.ok() && !r.outputs.is_empty())
        {
            Self::finish(out, report);
        }
        reports
    }

    fn finish(out: &Path, report: &mut ApplicantReport) {
        let Some((name, category)) = report.identity.clone() else {
            return;
        };
        report.outputs.sort_by(|a, b| a.path.cmp(&b.path));
        let manifest = Manifest {
            applicant: name,
            category,
            outputs: report.outputs.clone(),
            warnings: Diagnostics::from_iter_warnings(&report.diagnostics),
        };
        if let Err(problem) = assemble::write_manifest(&output_dir(out, &report.dir), &manifest) {
            report.diagnostics.push(problem);
        }
    }

    /// Renders every job on `jobs` long-lived workers that pull from one shared counter. (A
    /// `par_iter` item per document would let krilla's waiting nest documents on one stack.)
    fn render_all(&self, jobs: &[Job]) -> Vec<Result<(Output, Diagnostics), Diagnostics>> {
        let results: Vec<Mutex<Option<_>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let progress = progress_bar(jobs.len());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs.min(jobs.len()).max(1))
            .thread_name(|i| format!("shenbao-render-{i}"))
            .build()
            .expect("the render pool starts");
        pool.broadcast(|_| {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(index) else { break };
                let result = self.render_job(job);
                comemo::evict(MEMO_MAX_AGE);
                *results[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                progress.inc(1);
            }
        });
        progress.finish_and_clear();
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .expect("every job ran")
            })
            .collect()
    }

    fn render_job(&self, job: &Job) -> Result<(Output, Diagnostics), Diagnostics> {
        let document = &job.document;
        let data = serde_json::to_vec(document).map_err(|e| Diagnostic::error(e.to_string()))?;
        let template = template_of(document.material);
        let world = DocumentWorld::new(&self.engine, template, data, job.date)
            .with_evidence(document.sources.clone());
        let ident = format!("{}/{}", job.target.display(), document.material);
        let rendered = render_pdf(&world, &ident)?;
        let name = format!("材料{}-{}.pdf", document.material, document.material_name);
        let output = assemble::emit(
            &job.target,
            &name,
            "pdf",
            Some(document.material),
            Some(rendered.pages),
            &rendered.pdf,
        )?;
        Ok((output, rendered.warnings))
    }
}

fn identity(loaded: &Option<(Applicant, Texts)>) -> Option<(String, String)> {
    loaded
        .as_ref()
        .map(|(a, _)| (a.name.value.clone(), a.category.value.clone()))
}

/// One document to render, and where it goes.
struct Job {
    report: usize,
    target: PathBuf,
    date: crate::load::date::Date,
    document: Document,
}

/// The Typst template that lays out a material.
fn template_of(material: u8) -> &'static str {
    match material {
        1 => "letter.typ",
        2 => "report.typ",
        3 => "plan.typ",
        _ => "assessment.typ",
    }
}

/// `out/<applicant folder name>`.
pub fn output_dir(out: &Path, applicant_dir: &Path) -> PathBuf {
    let name = applicant_dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_owned()))
        .or_else(|| applicant_dir.file_name().map(|n| n.to_owned()))
        .unwrap_or_else(|| "applicant".into());
    out.join(name)
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

/// Checks that `out` can be written before anything is rendered.
pub fn ensure_writable(out: &Path) -> Result<(), Diagnostic> {
    let failed = |error: std::io::Error| {
        Diagnostic::error(format!("输出目录无法写入（{error}）"))
            .at(Location::file(out))
            .hint("请检查路径与权限，或用 -o 指定其他输出目录")
    };
    std::fs::create_dir_all(out).map_err(failed)?;
    tempfile::Builder::new()
        .prefix(".shenbao-probe-")
        .tempfile_in(out)
        .map_err(failed)?;
    Ok(())
}
