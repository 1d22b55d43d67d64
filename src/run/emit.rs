//! `--emit-typst DIR`: each document's Typst sources and data written out as compiled, so that
//! `typst compile --root <folder> <folder>/main.typ` gives the same pages (and the benchmark can
//! compare against the Typst command line).

use std::path::Path;

use crate::assemble::write_atomically;
use crate::diagnostics::{Diagnostic, Location};
use crate::templates::TemplateStore;

/// Writes `folder/main.typ` (the material's template), every other `.typ` template,
/// `folder/data/document.json` and each evidence file at its virtual path under `folder`.
pub fn write(
    folder: &Path,
    store: &TemplateStore,
    template: &str,
    data: &[u8],
    evidence: &[(&str, &Path)],
) -> Result<(), Diagnostic> {
    let mut names: Vec<String> = TemplateStore::built_in_names();
    names.extend(store.override_names());
    for name in names.iter().filter(|n| n.ends_with(".typ")) {
        write_atomically(&folder.join(name), &store.require(name)?.bytes)?;
    }
    write_atomically(&folder.join("main.typ"), &store.require(template)?.bytes)?;
    write_atomically(&folder.join("data/document.json"), data)?;
    for (virtual_path, source) in evidence {
        let bytes = std::fs::read(source).map_err(|e| {
            Diagnostic::error(format!("无法读取佐证材料（{e}）")).at(Location::file(source))
        })?;
        write_atomically(&folder.join(virtual_path.trim_start_matches('/')), &bytes)?;
    }
    Ok(())
}
