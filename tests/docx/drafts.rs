//! Word drafts written for the tests with the zip crate (as Word, WPS and LibreOffice write
//! them), put into a copy of an example as its work report, built, and read back: the texts of
//! the PDF and the Word file, and the messages `check` gives with their places.

#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

pub const NAMESPACES: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml""#;

/// A .docx with `body` (the inside of `w:body`), `styles` (the inside of `w:styles`) and other
/// parts given whole.
pub fn docx(body: &str, styles: &str, parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NAMESPACES}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {NAMESPACES}>{styles}</w:styles>"#
    );
    let mut all = vec![
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_string()),
        ("word/document.xml", document),
        ("word/styles.xml", styles),
    ];
    all.extend(parts.iter().map(|(n, c)| (*n, c.to_string())));
    for (name, content) in all {
        zip.start_file(name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub fn run(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

pub fn p(text: &str) -> String {
    format!("<w:p>{}</w:p>", run(text))
}

pub fn styled(style: &str, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#,
        run(text)
    )
}

pub fn numbered(style: &str, num: u32, level: u32, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>{}</w:p>"#,
        run(text)
    )
}

pub fn style(id: &str, name: &str, inside: &str) -> String {
    format!(
        r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/>{inside}</w:style>"#
    )
}

pub const BODY_TEXT: &str =
    "全市知识产权工作体系不断健全，发明专利拥有量持续增长，知识产权保护社会满意度稳步提升。";

/// A copy of 洛阳市 whose work report is the .docx `bytes`.
pub fn with_report(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let (dir, applicant) = example("洛阳市");
    std::fs::write(applicant.join("创建工作报告.docx"), bytes).unwrap();
    point(&applicant, "report", "创建工作报告.docx");
    (dir, applicant)
}

/// Points `key:` of the applicant's yaml at `file`.
pub fn point(applicant: &Path, key: &str, file: &str) {
    let yaml = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{key}:")) {
                format!("{key}: {file}")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&yaml, edited.join("\n") + "\n").unwrap();
}

/// The diagnostic whose message contains `needle`.
pub fn find<'a>(diagnostics: &'a [serde_json::Value], needle: &str) -> &'a serde_json::Value {
    diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap_or_default().contains(needle))
        .unwrap_or_else(|| panic!("no message with {needle}: {diagnostics:#?}"))
}

/// Builds `applicant`; the texts (whitespace removed) of material `prefix`'s PDF and Word file.
pub fn built(dir: &Path, applicant: &Path, prefix: &str) -> (String, String) {
    let out = dir.join("out");
    let output = build_into(dir, applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let folder = out.join(applicant.file_name().unwrap());
    let file = |extension: &str| {
        files_under(&folder)
            .into_iter()
            .find(|f| f.starts_with(prefix) && f.ends_with(extension))
            .map(|f| folder.join(f))
            .unwrap_or_else(|| panic!("no {prefix}…{extension} in {:?}", files_under(&folder)))
    };
    let pdf = Command::new("pdftotext")
        .arg(file(".pdf"))
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(file(".docx")).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    (
        squeeze(&String::from_utf8_lossy(&pdf.stdout)),
        squeeze(&xml_text(&xml)),
    )
}

pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that both files contain every one of `texts`, in this order.
pub fn in_order(pdf: &str, word: &str, texts: &[&str]) {
    for (name, file) in [("PDF", pdf), ("Word", word)] {
        let mut from = 0;
        for text in texts {
            let at = file[from..]
                .find(text)
                .unwrap_or_else(|| panic!("{name}: {text} missing after byte {from}: {file}"));
            from += at + text.len();
        }
    }
}

pub fn paragraph_of(diagnostic: &serde_json::Value) -> &str {
    diagnostic["location"]["paragraph"]
        .as_str()
        .unwrap_or_default()
}

/// `word/document.xml` of material `prefix`'s Word file in `folder`.
pub fn document_xml(folder: &Path, prefix: &str) -> String {
    let name = files_under(folder)
        .into_iter()
        .find(|f| f.starts_with(prefix) && f.ends_with(".docx"))
        .unwrap_or_else(|| panic!("no {prefix}….docx in {}", folder.display()));
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(folder.join(name)).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The `w:p` element of `xml` that holds `text`.
pub fn word_paragraph<'a>(xml: &'a str, text: &str) -> &'a str {
    let at = xml.find(text).unwrap_or_else(|| panic!("{text} missing"));
    let start = xml[..at].rfind("<w:p>").unwrap();
    &xml[start..at + xml[at..].find("</w:p>").unwrap()]
}

pub fn bold(text: &str) -> String {
    format!(r#"<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}
