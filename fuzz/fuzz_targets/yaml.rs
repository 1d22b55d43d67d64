//! The applicant.yaml reading path: the bytes of an `applicant.yaml` become an applicant, or
//! located diagnostics, through the same public function the commands call (YAML parser, field
//! readers, line quoting), under the built-in notice's limits. Nothing the file names is opened
//! here: the file is read alone.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shenbao::load::limits::Limits;
use shenbao::load::{self, applicant::APPLICANT_FILE};
use tempfile::TempDir;

/// One applicant folder per fuzzing process (each input overwrites its `applicant.yaml`), and
/// the limits the commands read it under.
struct Setup {
    folder: TempDir,
    limits: Limits,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| Setup {
        folder: tempfile::tempdir().expect("a temporary folder"),
        limits: Limits::built_in().expect("the built-in limits"),
    })
}

fuzz_target!(|bytes: &[u8]| {
    let setup = setup();
    let dir = setup.folder.path();
    std::fs::write(dir.join(APPLICANT_FILE), bytes).expect("a temporary file");
    let (_applicant, _sources, diagnostics) = load::load_applicant(dir, None, &setup.limits);
    let _ = diagnostics.render();
});
