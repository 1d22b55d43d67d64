//! The applicant.yaml reading path: the bytes of an `applicant.yaml` become an applicant, or
//! located diagnostics, through the same public function the commands call (YAML parser, field
//! readers, line quoting). Nothing the file names is opened here: the file is read alone.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shenbao::load::{self, applicant::APPLICANT_FILE};
use tempfile::TempDir;

/// One applicant folder per fuzzing process; each input overwrites its `applicant.yaml`.
static FOLDER: OnceLock<TempDir> = OnceLock::new();

fuzz_target!(|bytes: &[u8]| {
    let dir = FOLDER
        .get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
        .path();
    std::fs::write(dir.join(APPLICANT_FILE), bytes).expect("a temporary file");
    let (_applicant, _sources, diagnostics) = load::load_applicant(dir, None);
    let _ = diagnostics.render();
});
