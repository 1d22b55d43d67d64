//! The assessment workbook reader (测评表): any bytes, named with the extension their first bytes
//! suggest (.xls for an OLE file, .ods for an OpenDocument zip, .xlsx otherwise; the reader goes
//! by the bytes, the name only shows in messages), are read as the loader reads them
//! (`load::workbook::read_bytes`, under the notice's limits) against the city catalogue into
//! entries and located diagnostics, never a panic or an abort. A panic raised inside calamine is
//! let through to the catch in `load::sheet` that turns it into the workbook's error (see
//! `contain_calamine.rs`); one that escapes still aborts.

#![no_main]

mod contain_calamine;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shenbao::diagnostics::Diagnostics;
use shenbao::load::{catalogue::Catalogue, notice::Notice, workbook};
use shenbao::templates::TemplateStore;
use tempfile::TempDir;

/// The catalogue the workbook is matched against, the notice (its limits), and a folder the
/// workbook's name points into.
struct Setup {
    catalogue: Catalogue,
    notice: Notice,
    folder: TempDir,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| {
        contain_calamine::contain_calamine_panics();
        let store = TemplateStore::new(None).expect("the built-in templates");
        Setup {
            catalogue: Catalogue::load(&store, "city").expect("the city catalogue"),
            notice: Notice::load(&store).expect("the notice"),
            folder: tempfile::tempdir().expect("a temporary folder"),
        }
    })
}

/// The extension the workbook would have, from its first bytes.
fn extension(bytes: &[u8]) -> &'static str {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
    const ODS: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet";
    if bytes.starts_with(OLE) {
        "xls"
    } else if bytes.get(30..30 + ODS.len()) == Some(ODS) {
        "ods"
    } else {
        "xlsx"
    }
}

fuzz_target!(|bytes: &[u8]| {
    let setup = setup();
    let path: PathBuf = setup
        .folder
        .path()
        .join(format!("测评表.{}", extension(bytes)));
    let mut diagnostics = Diagnostics::new();
    let _entries = workbook::read_bytes(
        &path,
        bytes,
        &setup.catalogue,
        &setup.notice.limits,
        &mut diagnostics,
    );
    let _ = diagnostics.render();
});
