//! `--emit-typst DIR`: each document's Typst sources and data written out as compiled, so that
//! `typst compile --root <folder> <folder>/main.typ` gives the same pages (and the benchmark can
//! compare against the Typst command line).

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};
use crate::files::OutputDir;
use crate::templates::TemplateStore;

/// Writes `folder/main.typ` (the material's template), every other `.typ` template,
/// `folder/data/document.json` and each evidence file at its virtual path under `folder`.
pub fn write(
    folder: &OutputDir,
    store: &TemplateStore,
    template: &str,
    data: &[u8],
    evidence: &[(&str, &Path)],
) -> Result<(), Diagnostic> {
    let mut names: Vec<String> = TemplateStore::built_in_names();
    names.extend(store.override_names());
    for name in names.iter().filter(|n| n.ends_with(".typ")) {
        folder.write_nested(name, &store.require(name)?.bytes)?;
    }
    folder.write("main.typ", &store.require(template)?.bytes)?;
    folder.write_nested("data/document.json", data)?;
    for (virtual_path, source) in evidence {
        let bytes = std::fs::read(source).map_err(|e| {
            Diagnostic::error(format!("无法读取佐证材料（{e}）")).at(Location::file(source))
        })?;
        folder.write_nested(virtual_path.trim_start_matches('/'), &bytes)?;
    }
    Ok(())
}
