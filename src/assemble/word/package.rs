//! The package of a Word file: content types, relationships, settings, font table and document
//! properties, zipped so that the same document always gives the same bytes on every system.
//!
//! Every entry is deflated with a fixed time stamp (1980-01-01 00:00, the earliest a zip can
//! hold), a fixed "version made by" host (MS-DOS, as Word writes it) and no file attributes, so
//! neither the clock nor the platform reaches the file. The creation and modification dates in
//! `docProps/core.xml` are the document's own date.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::page::Footer;
use super::xml::Xml;
use crate::diagnostics::Diagnostic;
use crate::load::date::Date;

/// The relationship types of the parts.
const OFFICE_DOCUMENT: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
const CORE_PROPERTIES: &str =
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties";
const EXTENDED_PROPERTIES: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties";
const RELATIONSHIP: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The content type prefix of WordprocessingML parts.
const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";

/// One part of the package.
pub struct Part {
    /// Its name in the zip.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Part {
    /// A part named `name`.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            bytes,
        }
    }
}

/// `[Content_Types].xml`, `_rels/.rels` and `word/_rels/document.xml.rels` for a document with
/// `footers`.
pub fn relationship_parts(footers: &[Footer]) -> Vec<Part> {
    let mut types = Xml::new();
    types.element(
        "Types",
        &[(
            "xmlns",
            &"http://schemas.openxmlformats.org/package/2006/content-types",
        )],
        |xml| {
            xml.empty(
                "Default",
                &[
                    ("Extension", &"rels"),
                    (
                        "ContentType",
                        &"application/vnd.openxmlformats-package.relationships+xml",
                    ),
                ],
            );
            xml.empty(
                "Default",
                &[("Extension", &"xml"), ("ContentType", &"application/xml")],
            );
            let mut over = |part: &str, kind: String| {
                xml.empty(
                    "Override",
                    &[("PartName", &format!("/{part}")), ("ContentType", &kind)],
                );
            };
            over("word/document.xml", format!("{WML}.document.main+xml"));
            over("word/styles.xml", format!("{WML}.styles+xml"));
            over("word/settings.xml", format!("{WML}.settings+xml"));
            over("word/fontTable.xml", format!("{WML}.fontTable+xml"));
            for footer in footers {
                over(footer.part(), format!("{WML}.footer+xml"));
            }
            over(
                "docProps/core.xml",
                "application/vnd.openxmlformats-package.core-properties+xml".to_string(),
            );
            over(
                "docProps/app.xml",
                "application/vnd.openxmlformats-officedocument.extended-properties+xml".to_string(),
            );
        },
    );
    let package = relationships(&[
        ("rId1", OFFICE_DOCUMENT, "word/document.xml"),
        ("rId2", CORE_PROPERTIES, "docProps/core.xml"),
        ("rId3", EXTENDED_PROPERTIES, "docProps/app.xml"),
    ]);
    let styles = format!("{RELATIONSHIP}/styles");
    let settings = format!("{RELATIONSHIP}/settings");
    let font_table = format!("{RELATIONSHIP}/fontTable");
    let footer = format!("{RELATIONSHIP}/footer");
    let mut document = vec![
        ("rId1", styles.as_str(), "styles.xml"),
        ("rId2", settings.as_str(), "settings.xml"),
        ("rId3", font_table.as_str(), "fontTable.xml"),
    ];
    for part in footers {
        let target = part.part().trim_start_matches("word/");
        document.push((part.id(), footer.as_str(), target));
    }
    vec![
        Part::new("[Content_Types].xml", types.into_bytes()),
        Part::new("_rels/.rels", package),
        Part::new("word/_rels/document.xml.rels", relationships(&document)),
    ]
}

/// A relationships part of `(id, type, target)`.
fn relationships(entries: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut xml = Xml::new();
    xml.element(
        "Relationships",
        &[(
            "xmlns",
            &"http://schemas.openxmlformats.org/package/2006/relationships",
        )],
        |xml| {
            for (id, kind, target) in entries {
                xml.empty(
                    "Relationship",
                    &[("Id", id), ("Type", kind), ("Target", target)],
                );
            }
        },
    );
    xml.into_bytes()
}

/// `word/settings.xml`: odd and even footers differ, Chinese punctuation is not compressed
/// (the grid spaces it, as in the PDF), and Word 2013+ layout rules apply.
pub fn settings_part() -> Vec<u8> {
    let mut xml = Xml::new();
    xml.element("w:settings", &[("xmlns:w", &super::xml::W)], |xml| {
        xml.val("w:defaultTabStop", &420);
        xml.empty("w:evenAndOddHeaders", &[]);
        xml.val("w:characterSpacingControl", &"doNotCompress");
        xml.element("w:compat", &[], |xml| {
            xml.empty(
                "w:compatSetting",
                &[
                    ("w:name", &"compatibilityMode"),
                    ("w:uri", &"http://schemas.microsoft.com/office/word"),
                    ("w:val", &15),
                ],
            );
        });
        xml.empty(
            "w:themeFontLang",
            &[("w:val", &"en-US"), ("w:eastAsia", &"zh-CN")],
        );
    });
    xml.into_bytes()
}

/// `word/fontTable.xml`: the role fonts as GB2312 fonts (character set 86), so that a computer
/// without one of them substitutes a Chinese font.
pub fn font_table_part(fonts: &[&str]) -> Vec<u8> {
    let mut names: Vec<&str> = fonts.to_vec();
    names.sort_unstable();
    names.dedup();
    let mut xml = Xml::new();
    xml.element("w:fonts", &[("xmlns:w", &super::xml::W)], |xml| {
        for name in names {
            xml.element("w:font", &[("w:name", &name)], |xml| {
                xml.val("w:charset", &"86");
                xml.val("w:family", &"auto");
                xml.val("w:pitch", &"variable");
            });
        }
    });
    xml.into_bytes()
}

/// `docProps/core.xml` and `docProps/app.xml`: title, author, and the document's date (midnight
/// UTC of `YYYY-MM-DD`; anything else gives the epoch, so the file never depends on the clock).
pub fn property_parts(title: &str, author: &str, date: Date) -> Vec<Part> {
    let stamp = format!("{}T00:00:00Z", date.iso());
    let mut core = Xml::new();
    core.element(
        "cp:coreProperties",
        &[
            (
                "xmlns:cp",
                &"http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
            ),
            ("xmlns:dc", &"http://purl.org/dc/elements/1.1/"),
            ("xmlns:dcterms", &"http://purl.org/dc/terms/"),
            ("xmlns:xsi", &"http://www.w3.org/2001/XMLSchema-instance"),
        ],
        |xml| {
            xml.text_element("dc:title", &[], title);
            xml.text_element("dc:creator", &[], author);
            xml.text_element("cp:lastModifiedBy", &[], author);
            xml.text_element("cp:revision", &[], "1");
            for name in ["dcterms:created", "dcterms:modified"] {
                xml.text_element(name, &[("xsi:type", &"dcterms:W3CDTF")], &stamp);
            }
        },
    );
    let mut app = Xml::new();
    app.element(
        "Properties",
        &[(
            "xmlns",
            &"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
        )],
        |xml| xml.text_element("Application", &[], "shenbao"),
    );
    vec![
        Part::new("docProps/core.xml", core.into_bytes()),
        Part::new("docProps/app.xml", app.into_bytes()),
    ]
}

/// The parts zipped in order, each deflated with the fixed time stamp, host and attributes.
pub fn zip(parts: &[Part]) -> Result<Vec<u8>, Diagnostic> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::DEFAULT)
        .system(System::Dos)
        .external_attributes(0);
    let mut zipped = ZipWriter::new(Cursor::new(Vec::new()));
    for part in parts {
        zipped
            .start_file(part.name.as_str(), options)
            .map_err(internal)?;
        zipped.write_all(&part.bytes).map_err(internal)?;
    }
    Ok(zipped.finish().map_err(internal)?.into_inner())
}

/// An error of the zip machinery itself.
fn internal(error: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("生成 Word 文件失败：{error}")).hint("这是程序内部错误，请报告此问题")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_never_come_from_the_clock() {
        let date = Date::new(2023, 8, 10).unwrap();
        let parts = property_parts("标题", "某市人民政府", date);
        let core = String::from_utf8(parts[0].bytes.clone()).unwrap();
        assert!(core.contains(">2023-08-10T00:00:00Z<"), "{core}");
    }

    #[test]
    fn entries_carry_a_fixed_host_time_and_attributes() {
        let bytes = zip(&[Part::new("a.xml", b"<a/>".to_vec())]).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let entry = archive.by_index(0).unwrap();
        assert_eq!(entry.system(), System::Dos);
        assert_eq!(entry.external_attributes(), 0);
        let time = entry.last_modified().unwrap();
        assert_eq!((time.year(), time.month(), time.day()), (1980, 1, 1));
        assert_eq!(entry.compression(), CompressionMethod::Deflated);
    }
}
