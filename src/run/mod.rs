//! The pipeline, start to end: a [`Session`] holds what a run shares (templates, notice, fonts,
//! wording); [`Session::check`] loads and validates applicants; [`batch`] turns every applicant
//! and material into one job list, renders it on long-lived workers, and assembles each
//! applicant's outputs as soon as its last document is done.

pub mod batch;
mod emit;
mod finish;
pub mod import;
pub mod index;
pub mod output;
pub mod package;
pub mod preview;
mod render;
mod reuse;
mod schedule;
mod slot;
pub mod timings;
pub mod watch;

use timings::Stage;

use std::path::{Path, PathBuf};

use crate::assemble::Output;
use crate::compose::Composer;
use crate::compose::model::Document;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::layout::fonts::{Coverage, FontLibrary};
use crate::layout::world::{DocumentWorld, Engine};
use crate::load::applicant::Applicant;
use crate::load::fonts::{self, FontRemap};
use crate::load::notice::{MaterialKind, Notice};
use crate::load::roster::{Roster, RosterSpec};
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
    /// Also use the fonts installed on this machine (`--system-fonts`).
    pub system_fonts: bool,
    /// The `--font-role` remappings.
    pub font_roles: Vec<FontRemap>,
    /// Render workers; 0 means one per core.
    pub jobs: usize,
    /// A roster workbook giving the applicants' identity and letter fields.
    pub roster: Option<PathBuf>,
}

impl Settings {
    /// The template folder, the font folders and the roster: inputs, like the applicant folders.
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.templates.iter().cloned().collect();
        paths.extend(self.font_paths.iter().cloned());
        paths.extend(self.roster.iter().cloned());
        paths
    }
}

/// What one run shares: built once, read by every document.
pub struct Session {
    composer: Composer,
    engine: Engine,
    coverage: Coverage,
    roster: Option<Roster>,
    jobs: usize,
    fingerprint: String,
    inputs: Vec<PathBuf>,
    timings: timings::Timings,
}

/// One folder loaded and checked: the applicant and its texts when they could be read, and every
/// problem found.
pub type FolderCheck = (Option<(Applicant, Texts)>, Diagnostics);

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
    /// Files of an earlier run that this one removed (unchanged since, and no longer made).
    pub removed: Vec<PathBuf>,
}

impl ApplicantReport {
    /// A report with nothing in it yet.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            diagnostics: Diagnostics::new(),
            outputs: Vec::new(),
            identity: None,
            removed: Vec::new(),
        }
    }

    /// True when the applicant has no errors.
    pub fn ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }
}

impl Session {
    /// Reads templates, notice, font roles and the roster, and scans the fonts.
    pub fn open(settings: &Settings) -> Result<Self, Diagnostics> {
        let store = TemplateStore::new(settings.templates.clone())?;
        let notice = Notice::load(&store)?;
        let roster = match &settings.roster {
            Some(path) => Some(Roster::load(path, &RosterSpec::load(&store)?, &notice)?),
            None => None,
        };
        let roles = fonts::load_roles(&store, &settings.font_roles)?;
        let fonts = FontLibrary::scan(&settings.font_paths, settings.system_fonts)?;
        fonts.check_roles(&roles)?;
        let coverage = fonts.coverage(&roles);
        let composer = Composer::new(notice, &store, roles)?;
        let jobs = if settings.jobs == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            settings.jobs
        };
        let fingerprint = reuse::run_fingerprint(&store, settings, &fonts);
        Ok(Self {
            composer,
            engine: Engine::new(fonts, store),
            coverage,
            roster,
            jobs,
            fingerprint,
            inputs: settings.input_paths(),
            timings: timings::Timings::default(),
        })
    }

    /// The inputs of the run besides the applicant folders: the template folder, the font
    /// folders and the roster. No output may overlap them.
    pub fn input_paths(&self) -> &[PathBuf] {
        &self.inputs
    }

    /// The notice this session serves.
    pub fn notice(&self) -> &Notice {
        self.composer.notice()
    }

    /// The roster's warnings (an empty roster, columns that are not read), once per run.
    pub fn roster_warnings(&self) -> Diagnostics {
        self.roster
            .as_ref()
            .map(|r| r.warnings.clone())
            .unwrap_or_default()
    }

    /// Time spent per stage so far.
    pub fn timings(&self) -> &timings::Timings {
        &self.timings
    }

    /// Loads and validates one applicant folder: its `applicant.yaml`, then its texts and
    /// assessment values against the catalogue of its category.
    pub fn check_one(&self, dir: &Path) -> FolderCheck {
        let timings = &self.timings;
        let (applicant, sources, mut diagnostics) = timings.time(Stage::Load, || {
            load::load_applicant(dir, self.roster.as_ref(), &self.notice().limits)
        });
        let rules = Rules {
            notice: self.notice(),
            coverage: &self.coverage,
        };
        if let Some(applicant) = &applicant {
            diagnostics.extend(timings.time(Stage::Validate, || rules.check(applicant)));
            diagnostics.extend(self.check_letters(&rules, applicant));
        }
        let category = sources.as_ref().and_then(|s| s.category.as_ref());
        let catalogue = category.and_then(|c| self.composer.catalogue(&c.value));
        let texts = match (&sources, catalogue) {
            (Some(sources), Some(catalogue)) => {
                let texts = timings.time(Stage::Load, || {
                    load::load_texts(sources, catalogue, self.notice(), &mut diagnostics)
                });
                diagnostics.extend(timings.time(Stage::Validate, || {
                    rules.check_texts(sources, &texts, catalogue)
                }));
                texts
            }
            _ => Texts::default(),
        };
        (applicant.map(|a| (a, texts)), diagnostics)
    }

    /// The cross-checks of each letter of the notice's list against its attachments as composed
    /// (none when the applicant's category is unknown, which `check` reports).
    fn check_letters(&self, rules: &Rules, applicant: &Applicant) -> Diagnostics {
        let Ok(data) = self.composer.wording_data(applicant) else {
            return Diagnostics::new();
        };
        let letters = self
            .notice()
            .materials
            .iter()
            .filter(|m| m.key == MaterialKind::Letter);
        let mut found = Diagnostics::new();
        for letter in letters.filter_map(|m| self.composer.letter(applicant, &data, m).ok()) {
            found.extend(rules.check_letter(applicant, &letter.attachments));
        }
        found
    }

    /// The composed dossier of one folder, or every problem that stands in the way.
    pub fn dossier(&self, dir: &Path) -> Result<crate::compose::model::Dossier, Diagnostics> {
        let (loaded, mut diagnostics) = self.check_one(dir);
        match loaded.filter(|_| !diagnostics.has_errors()) {
            Some((applicant, texts)) => self
                .composer
                .dossier(&applicant, &texts)
                .map_err(Diagnostics::from),
            None => {
                diagnostics
                    .push(Diagnostic::error("申报材料有错误，无法组稿").at(Location::file(dir)));
                Err(diagnostics)
            }
        }
    }

    /// The Typst world that lays out `document`, whose model serialises to `data`.
    fn world(&self, document: &Document, data: Vec<u8>) -> DocumentWorld<'_> {
        DocumentWorld::new(&self.engine, document.template, data, document.meta.date)
            .with_evidence(document.sources.iter().map(|s| s.path.clone()).collect())
    }

    /// The catalogue of indicators of the notice's category `category`, if it has one.
    pub fn catalogue(&self, category: &str) -> Option<&crate::load::catalogue::Catalogue> {
        self.composer.catalogue(category)
    }

    /// The letter the templates write for `applicant` when it gives no addressee, title, body
    /// or attachments of its own (the desk shows it in the letter form's empty fields).
    pub fn default_letter(&self, applicant: &Applicant) -> Result<Document, Diagnostic> {
        let mut bare = applicant.clone();
        bare.letter.addressee = None;
        bare.letter.title = None;
        bare.letter.body = None;
        bare.letter.attachments = None;
        let letter = self
            .notice()
            .materials
            .iter()
            .find(|m| m.key == MaterialKind::Letter)
            .ok_or_else(|| Diagnostic::error("notice.yaml 的 materials 中没有申报函（letter）"))?;
        let data = self.composer.wording_data(&bare)?;
        self.composer.letter(&bare, &data, letter)
    }

    /// The values the wording templates receive for the applicant in `dir` (for the guide).
    pub fn wording_values(&self, dir: &Path) -> Result<serde_json::Value, Diagnostics> {
        let (loaded, diagnostics) = self.check_one(dir);
        let (applicant, _) = loaded.ok_or(diagnostics)?;
        let data = self.composer.wording_data(&applicant)?;
        serde_json::to_value(&data).map_err(|e| Diagnostics::from(Diagnostic::error(e.to_string())))
    }

    /// Checks every folder; nothing is written.
    pub fn check(&self, dirs: &[PathBuf]) -> Vec<ApplicantReport> {
        dirs.iter()
            .map(|dir| {
                let (applicant, diagnostics) = self.check_one(dir);
                ApplicantReport {
                    identity: identity(&applicant),
                    diagnostics,
                    ..ApplicantReport::new(dir)
                }
            })
            .collect()
    }
}

pub(crate) fn identity(loaded: &Option<(Applicant, Texts)>) -> Option<(String, String)> {
    loaded
        .as_ref()
        .map(|(a, _)| (a.name.value.clone(), a.category.value.clone()))
}
