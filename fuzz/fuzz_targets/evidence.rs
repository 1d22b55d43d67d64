//! The evidence inspection (佐证材料): any bytes, saved as an evidence file inside an applicant
//! folder, go through `load::evidence::inspect_all`, which `check` runs on evidence (kind by its
//! first bytes, images decoded under the pixel caps, PDFs parsed under the page cap), and end as
//! located diagnostics, never a panic or an abort.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shenbao::diagnostics::{Diagnostics, Location};
use shenbao::load::applicant::{APPLICANT_FILE, Evidence, Sources};
use shenbao::load::evidence::{self, EvidenceKind};
use shenbao::load::fields::Located;
use shenbao::load::notice::Notice;
use shenbao::templates::TemplateStore;
use tempfile::TempDir;

/// What the inspection needs besides the file: the notice (types and limits) and an applicant
/// folder holding `evidence/`.
struct Setup {
    notice: Notice,
    folder: TempDir,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| {
        let store = TemplateStore::new(None).expect("the built-in templates");
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(folder.path().join("evidence")).expect("an evidence folder");
        Setup {
            notice: Notice::load(&store).expect("the notice"),
            folder,
        }
    })
}

/// The extension an office would give `bytes`, from their first bytes.
fn extension(bytes: &[u8]) -> &'static str {
    EvidenceKind::sniff(bytes).map_or("bin", EvidenceKind::extension)
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

/// Inspects the file `written` of the applicant folder as `check` does.
fn check_evidence(setup: &Setup, written: &str) -> Diagnostics {
    let sources = sources(setup.folder.path(), written);
    let mut diagnostics = Diagnostics::new();
    let notice = &setup.notice;
    evidence::inspect_all(&sources, &notice.evidence_types, &notice.limits, &mut diagnostics);
    diagnostics
}

fuzz_target!(|bytes: &[u8]| {
    let setup = setup();
    let written = format!("evidence/佐证.{}", extension(bytes));
    let path: PathBuf = setup.folder.path().join(&written);
    std::fs::write(&path, bytes).expect("a temporary file");
    let _ = check_evidence(setup, &written).render();
    let _ = std::fs::remove_file(&path);
});
