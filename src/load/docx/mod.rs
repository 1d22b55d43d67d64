//! The work report and plan as Word or WPS drafts (.docx), read into the same located blocks the
//! Markdown reader gives, so that validation, composition, PDF and Word output do not care which
//! the office wrote. A small reader of our own on `zip` + `quick-xml`: tolerant of elements it
//! does not know (skipped), never panicking, every part read under a size cap.
//!
//! A block's `line` is the number of its paragraph in the body (tables count as one paragraph),
//! and messages name the paragraph as `第12段「近三年来，全市……」`. Whatever is not printed as
//! written (images, comments, tracked deletions, text boxes, footnotes, guessed
//! headings) is reported with its place and what happens to it.

mod assembly;
mod headings;
mod numbering;
mod paragraphs;
mod styles;
mod tables;
pub mod write;
mod xml;

use std::io::Read;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::emphasis;
use crate::load::markdown::{BlockKind, MarkdownBlock};
use assembly::Assembly;
use numbering::Numbering;
use paragraphs::{Item, Notes};
use styles::Styles;

/// No part of a .docx larger than this (uncompressed) is read.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Word formats that cannot be read and must be saved again as .docx.
const REFUSED: [&str; 6] = ["doc", "wps", "docm", "dot", "dotm", "wpt"];

/// Whether `path` names a .docx file (by its extension).
pub fn is_docx(path: &Path) -> bool {
    extension(path).as_deref() == Some("docx")
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_lowercase())
}

/// The error for a Word format other than .docx (`.doc`, `.wps`, `.docm`…), or `None`.
pub fn refusal(path: &Path) -> Option<Diagnostic> {
    let extension = extension(path)?;
    REFUSED.contains(&extension.as_str()).then(|| {
        Diagnostic::error(format!("不能读取 .{extension} 格式的文件，只能读取 .docx 或 .md"))
            .hint("请在 WPS/Word 中另存为 .docx（“文件→另存为→Word 文档 (*.docx)”），并把 applicant.yaml 中的文件名改为 .docx")
    })
}

/// The place of `block` for messages: a line of a Markdown file, or a paragraph of a .docx.
pub fn place(file: &Path, block: &MarkdownBlock) -> Location {
    if !is_docx(file) {
        return Location::line(file, block.line);
    }
    let text = match &block.kind {
        BlockKind::Heading { text, .. } | BlockKind::Paragraph(text) => text.clone(),
        BlockKind::List { items, .. } => items.concat(),
        BlockKind::Table { header, .. } => header.concat(),
    };
    Location::paragraph(file, paragraph_place(block.line, &text))
}

/// `第12段「近三年来，全市……」`.
pub fn paragraph_place(number: u32, text: &str) -> String {
    format!("第{number}段「{}」", excerpt(text, 10))
}

/// The first `chars` characters of `text`, with `……` when it goes on.
pub fn excerpt(text: &str, chars: usize) -> String {
    let text: String = emphasis::plain(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() <= chars {
        text
    } else {
        format!("{}……", text.chars().take(chars).collect::<String>())
    }
}

/// Reads the .docx `file`, whose contents are `bytes` (already read under their cap and
/// checked as a zip); problems in it go into `diagnostics`.
pub fn read(file: &Path, bytes: &[u8], diagnostics: &mut Diagnostics) -> Vec<MarkdownBlock> {
    read_with_rules(file, bytes, diagnostics).0
}

/// The rule that made each heading of the .docx `bytes` a heading (a style, an outline level,
/// a number), by paragraph number: what the desk shows beside the outline.
pub fn heading_rules(file: &Path, bytes: &[u8]) -> Vec<(u32, String)> {
    read_with_rules(file, bytes, &mut Diagnostics::new()).1
}

fn read_with_rules(
    file: &Path,
    bytes: &[u8],
    diagnostics: &mut Diagnostics,
) -> (Vec<MarkdownBlock>, Vec<(u32, String)>) {
    let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(error) => {
            diagnostics.push(damaged(file, &format!("不是 .docx（zip）文件：{error}")));
            return Default::default();
        }
    };
    match parts(&mut archive) {
        Ok(parts) => assemble(file, &parts, diagnostics),
        Err(problem) => {
            diagnostics.push(damaged(file, &problem));
            Default::default()
        }
    }
}

fn damaged(file: &Path, problem: &str) -> Diagnostic {
    Diagnostic::error(format!("无法读取 Word 文件：{problem}"))
        .at(Location::file(file))
        .hint("请用 WPS/Word 打开该文件，另存为 .docx 后再试")
}

/// The parsed parts of a .docx that the reader uses.
struct Parts {
    document: xml::Element,
    styles: Styles,
    numbering: Numbering,
    notes: Notes,
}

fn parts<R: Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>) -> Result<Parts, String> {
    let document = part(archive, "word/document.xml")?
        .ok_or_else(|| "缺少 word/document.xml，不是 Word 文档".to_string())?;
    let optional = |archive: &mut zip::ZipArchive<R>, name| -> Result<xml::Element, String> {
        Ok(part(archive, name)?.unwrap_or_default())
    };
    let styles = optional(archive, "word/styles.xml")?;
    let numbering = optional(archive, "word/numbering.xml")?;
    let notes = Notes {
        footnotes: Notes::texts(&optional(archive, "word/footnotes.xml")?, "footnote"),
        endnotes: Notes::texts(&optional(archive, "word/endnotes.xml")?, "endnote"),
        comments: Notes::texts(&optional(archive, "word/comments.xml")?, "comment"),
    };
    Ok(Parts {
        document,
        styles: Styles::parse(&styles),
        numbering: Numbering::parse(&numbering),
        notes,
    })
}

/// The part `name`, parsed; `None` when the archive has no such part.
fn part<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Option<xml::Element>, String> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(error) => return Err(format!("{name}：{error}")),
    };
    let mut bytes = Vec::new();
    entry
        .take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}：{e}"))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(format!("{name} 解压后超过 {} MB", MAX_PART_BYTES >> 20));
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    xml::parse(text)
        .map(Some)
        .map_err(|problem| format!("{name} 格式错误（{problem}）"))
}

fn assemble(
    file: &Path,
    parts: &Parts,
    diagnostics: &mut Diagnostics,
) -> (Vec<MarkdownBlock>, Vec<(u32, String)>) {
    let body = parts.document.child("body").cloned().unwrap_or_default();
    let mut assembly = Assembly::new(file, &parts.styles, parts.numbering.clone());
    for item in paragraphs::items(&body, &parts.notes) {
        match item {
            Item::Paragraph(paragraph) => assembly.paragraph(paragraph),
            Item::Table(table) => assembly.table(table),
        }
    }
    assembly.finish(diagnostics)
}
