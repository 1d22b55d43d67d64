//! The assessment workbook reader (测评表): any bytes, saved under the extension their first bytes
//! suggest (.xls for an OLE file, .ods for an OpenDocument zip, .xlsx otherwise), are read against
//! the city catalogue into entries and located diagnostics, never a panic or an abort.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shenbao::diagnostics::Diagnostics;
use shenbao::load::{catalogue::Catalogue, workbook};
use shenbao::templates::TemplateStore;
use tempfile::TempDir;

/// The catalogue the workbook is matched against, and a folder for the workbook file.
struct Setup {
    catalogue: Catalogue,
    folder: TempDir,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| {
        let store = TemplateStore::new(None).expect("the built-in templates");
        Setup {
            catalogue: Catalogue::load(&store, "city").expect("the city catalogue"),
            folder: tempfile::tempdir().expect("a temporary folder"),
        }
    })
}

/// The extension calamine should read `bytes` as, from their first bytes.
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

fn workbook_file(bytes: &[u8]) -> PathBuf {
    let path = setup()
        .folder
        .path()
        .join(format!("测评表.{}", extension(bytes)));
    std::fs::write(&path, bytes).expect("a temporary file");
    path
}

fuzz_target!(|bytes: &[u8]| {
    let path = workbook_file(bytes);
    let mut diagnostics = Diagnostics::new();
    let _entries = workbook::read(&path, &setup().catalogue, &mut diagnostics);
    let _ = diagnostics.render();
    let _ = std::fs::remove_file(&path);
});
