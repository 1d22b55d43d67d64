//! The province's roster reader (申报单位名册): any bytes, saved as an .xlsx, are read into rows
//! or located diagnostics, never a panic or an abort. A roster is one workbook for every
//! applicant, so a crash here stops the whole province's run. A panic raised inside calamine is
//! let through to the catch in `load::sheet` that turns it into the roster's error (see
//! `contain_calamine.rs`); one that escapes still aborts.

#![no_main]

mod contain_calamine;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shenbao::load::notice::Notice;
use shenbao::load::roster::{Roster, RosterSpec};
use shenbao::templates::TemplateStore;
use tempfile::TempDir;

/// The notice and the roster's columns, and a folder for the roster file.
struct Setup {
    notice: Notice,
    spec: RosterSpec,
    folder: TempDir,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| {
        contain_calamine::contain_calamine_panics();
        let store = TemplateStore::new(None).expect("the built-in templates");
        Setup {
            notice: Notice::load(&store).expect("the notice"),
            spec: RosterSpec::load(&store).expect("the roster columns"),
            folder: tempfile::tempdir().expect("a temporary folder"),
        }
    })
}

fuzz_target!(|bytes: &[u8]| {
    let setup = setup();
    let path = setup.folder.path().join("申报单位名册.xlsx");
    std::fs::write(&path, bytes).expect("a temporary file");
    match Roster::load(&path, &setup.spec, &setup.notice) {
        Ok(roster) => drop(roster),
        Err(diagnostics) => drop(diagnostics.render()),
    }
    let _ = std::fs::remove_file(&path);
});
