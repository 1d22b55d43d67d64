//! The evidence checks (佐证材料): any bytes, saved as an evidence file inside an applicant folder,
//! go through the check that `check` runs on evidence (file type by its first bytes, a PDF opened
//! and its pages counted), and end as located diagnostics, never a panic or an abort.
//!
//! The one call into shenbao is [`check_evidence`]; point it at another checker to fuzz that.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shenbao::diagnostics::{Diagnostics, Location};
use shenbao::layout::fonts::{self, Coverage, FontLibrary};
use shenbao::load::applicant::{Evidence, Sources};
use shenbao::load::catalogue::Catalogue;
use shenbao::load::fields::Located;
use shenbao::load::notice::Notice;
use shenbao::load::{Texts, applicant::APPLICANT_FILE};
use shenbao::templates::TemplateStore;
use shenbao::validate::{self, Rules};
use tempfile::TempDir;

/// What the check needs besides the file: the notice, the fonts' coverage, the city catalogue,
/// and an applicant folder holding `evidence/`.
struct Setup {
    notice: Notice,
    coverage: Coverage,
    catalogue: Catalogue,
    folder: TempDir,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| {
        let store = TemplateStore::new(None).expect("the built-in templates");
        let roles = fonts::load_roles(&store, &[]).expect("the font roles");
        let library = FontLibrary::scan(&[]).expect("the bundled fonts");
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(folder.path().join("evidence")).expect("an evidence folder");
        Setup {
            notice: Notice::load(&store).expect("the notice"),
            coverage: library.coverage(&roles),
            catalogue: Catalogue::load(&store, "city").expect("the city catalogue"),
            folder,
        }
    })
}

/// The extension an office would give `bytes`, from their first bytes.
fn extension(bytes: &[u8]) -> &'static str {
    match validate::file_type(bytes) {
        Some("PDF") => "pdf",
        Some("JPEG") => "jpg",
        Some("PNG") => "png",
        _ => "bin",
    }
}

/// `applicant.yaml`'s sources with one evidence file, `evidence/<written>`, for indicator 1.
fn sources(dir: &Path, written: &str) -> Sources {
    let file = dir.join(APPLICANT_FILE);
    let at = |line| Location::line(&file, line);
    Sources {
        dir: dir.to_path_buf(),
        file: file.clone(),
        category: None,
        report: None,
        plan: None,
        assessment: None,
        timetable: Vec::new(),
        evidence: vec![Evidence {
            indicator: Located::new(1, at(1)),
            title: Located::new("佐证材料".to_string(), at(1)),
            file: Located::new(dir.join(written), at(1)),
            written: written.to_string(),
        }],
    }
}

/// Runs today's evidence check on the file `written` of the applicant folder.
fn check_evidence(setup: &Setup, written: &str) -> Diagnostics {
    let rules = Rules {
        notice: &setup.notice,
        coverage: &setup.coverage,
    };
    let sources = sources(setup.folder.path(), written);
    rules.check_texts(&sources, &Texts::default(), &setup.catalogue)
}

fuzz_target!(|bytes: &[u8]| {
    let setup = setup();
    let written = format!("evidence/佐证.{}", extension(bytes));
    let path: PathBuf = setup.folder.path().join(&written);
    std::fs::write(&path, bytes).expect("a temporary file");
    let _ = check_evidence(setup, &written).render();
    let _ = std::fs::remove_file(&path);
});
