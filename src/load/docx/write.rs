//! A minimal .docx of located blocks, for drafts an office goes on writing in Word or WPS (the
//! skeletons of `shenbao init --docx`): headings in the styles `标题 1`–`标题 4` (named
//! `heading N`, as Word expects, so this reader and Word's navigation pane both find them),
//! paragraphs, list items as paragraphs, tables. Layout is left to Word; the PDF is made by
//! shenbao.

use std::io::Write;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};

use crate::load::markdown::{BlockKind, MarkdownBlock};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const NAMESPACE: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The fonts of the four heading levels (GB/T 9704: 黑体, 楷体, 仿宋, 仿宋), body in 仿宋.
const HEADING_FONTS: [&str; 4] = ["黑体", "楷体_GB2312", "仿宋_GB2312", "仿宋_GB2312"];

/// The .docx bytes of the Markdown `text`, to be written to `target` (named in errors).
pub fn from_markdown(target: &Path, text: &str) -> Result<Vec<u8>, Diagnostic> {
    let mut ignored = Diagnostics::new();
    let blocks = crate::load::markdown::parse(target, text, &mut ignored);
    document(&blocks).map_err(|e| {
        Diagnostic::error(format!("无法生成 Word 文件（{e}）")).at(Location::file(target))
    })
}

/// The .docx bytes of `blocks`.
pub fn document(blocks: &[MarkdownBlock]) -> Result<Vec<u8>, String> {
    let mut body = String::new();
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { level, text } => {
                body.push_str(&paragraph(Some(&level.to_string()), text))
            }
            BlockKind::Paragraph(text) => body.push_str(&paragraph(None, text)),
            BlockKind::List { items, .. } => {
                for item in items {
                    body.push_str(&paragraph(None, item));
                }
            }
            BlockKind::Table { header, rows, .. } => body.push_str(&table(header, rows)),
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{NAMESPACE}"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
    );
    let files = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", PACKAGE_RELS.to_string()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/styles.xml", styles()),
        ("word/document.xml", document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in files {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(content.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    zip.finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| e.to_string())
}

/// The styles: body text, and headings with numeric ids `1`–`4` named `heading N` (as Chinese
/// Word and WPS write them).
fn styles() -> String {
    let mut styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{NAMESPACE}"><w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/><w:pPr><w:ind w:firstLineChars="200"/></w:pPr><w:rPr>{}<w:sz w:val="32"/></w:rPr></w:style>"#,
        fonts("仿宋_GB2312")
    );
    for (index, font) in HEADING_FONTS.iter().enumerate() {
        let level = index + 1;
        styles.push_str(&format!(
            r#"<w:style w:type="paragraph" w:styleId="{level}"><w:name w:val="heading {level}"/><w:basedOn w:val="a"/><w:next w:val="a"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val="{index}"/></w:pPr><w:rPr>{}</w:rPr></w:style>"#,
            fonts(font)
        ));
    }
    styles.push_str("</w:styles>");
    styles
}

fn fonts(font: &str) -> String {
    format!(r#"<w:rFonts w:ascii="{font}" w:eastAsia="{font}" w:hAnsi="{font}"/>"#)
}

fn paragraph(style: Option<&str>, text: &str) -> String {
    let style = style.map_or_else(String::new, |s| {
        format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)
    });
    let runs: Vec<String> = text
        .split('\n')
        .map(|line| format!(r#"<w:t xml:space="preserve">{}</w:t>"#, escape(line)))
        .collect();
    format!("<w:p>{style}<w:r>{}</w:r></w:p>", runs.join("<w:br/>"))
}

fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let row = |cells: &[String]| {
        let cells: String = cells
            .iter()
            .map(|c| format!("<w:tc>{}</w:tc>", paragraph(None, c)))
            .collect();
        format!("<w:tr>{cells}</w:tr>")
    };
    let body: String = std::iter::once(row(header))
        .chain(rows.iter().map(|r| row(r)))
        .collect();
    format!(
        r#"<w:tbl><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>{body}</w:tbl>"#
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
