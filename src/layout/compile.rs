//! One compilation: a [`DocumentWorld`] in, PDF bytes and page count out, with Typst's errors and
//! warnings turned into located [`Diagnostic`]s that quote the template line.

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::world::DocumentWorld;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// A laid-out document.
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Typst's warnings, located in the templates.
    pub warnings: Diagnostics,
    /// Time spent evaluating and laying out.
    pub compile_time: std::time::Duration,
    /// Time spent exporting the PDF.
    pub export_time: std::time::Duration,
}

/// Lays out and exports one document. `ident` names it stably (for the PDF's identifier), so the
/// same inputs always give the same bytes.
pub fn render_pdf(world: &DocumentWorld, ident: &str) -> Result<Rendered, Diagnostics> {
    let started = std::time::Instant::now();
    let (document, warnings) = layout(world)?;
    let compile_time = started.elapsed();
    let started = std::time::Instant::now();
    let date = world
        .today(None)
        .unwrap_or_else(|| Datetime::from_ymd(2000, 1, 1).unwrap());
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some("shenbao".to_string())),
        timestamp: Some(Timestamp::new_utc(date)),
        ..PdfOptions::default()
    };
    let mut pdf = typst_pdf::pdf(&document, &options).map_err(|errors| convert(world, &errors))?;
    if document
        .pages()
        .iter()
        .any(|page| page.frame.width() > page.frame.height())
    {
        pdf = super::sideways::turn_landscape_pages(pdf).map_err(|e| {
            Diagnostics::from(Diagnostic::error(format!("横排表格页转为竖排时出错：{e}")))
        })?;
    }
    Ok(Rendered {
        pdf,
        pages: document.pages().len(),
        warnings,
        compile_time,
        export_time: started.elapsed(),
    })
}

/// Lays out one document without exporting it.
pub fn layout(world: &DocumentWorld) -> Result<(PagedDocument, Diagnostics), Diagnostics> {
    let result = typst::compile::<PagedDocument>(world);
    let warnings = convert(world, &result.warnings);
    match result.output {
        Ok(document) => Ok((document, warnings)),
        Err(errors) => {
            let mut all = convert(world, &errors);
            all.extend(warnings);
            Err(all)
        }
    }
}

/// Typst's diagnostics as ours, each at the template's `file:line:column` with the line quoted.
pub fn convert(world: &DocumentWorld, diagnostics: &[SourceDiagnostic]) -> Diagnostics {
    let mut out = Diagnostics::new();
    for diagnostic in diagnostics {
        let message = format!("排版模板出错：{}", diagnostic.message);
        let mut ours = match diagnostic.severity {
            TypstSeverity::Error => Diagnostic::error(message),
            TypstSeverity::Warning => Diagnostic::warning(message),
        };
        if let Some((location, line)) = locate(world, diagnostic) {
            ours = ours.at(location).with_source_line(line);
        }
        let hints: Vec<&str> = diagnostic.hints.iter().map(|h| h.v.as_str()).collect();
        if !hints.is_empty() {
            ours = ours.hint(hints.join("；"));
        }
        out.push(ours);
    }
    out
}

fn locate(world: &DocumentWorld, diagnostic: &SourceDiagnostic) -> Option<(Location, String)> {
    let span = diagnostic.span;
    let id = span
        .id()
        .or_else(|| diagnostic.trace.iter().find_map(|t| t.span.id()))?;
    let source = world.source(id).ok()?;
    let range = world
        .range(span)
        .or_else(|| diagnostic.trace.iter().find_map(|t| world.range(t.span)))?;
    let (line, column) = source.lines().byte_to_line_column(range.start)?;
    let text = source
        .lines()
        .text()
        .lines()
        .nth(line)
        .unwrap_or_default()
        .to_string();
    let file = world.engine().origin(id);
    Some((Location::at(file, line as u32 + 1, column as u32 + 1), text))
}
