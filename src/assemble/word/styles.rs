//! `word/styles.xml`: the document defaults (the body font by role at 3号, East Asian hint,
//! Chinese language), the Normal style as the GB/T 9704 body paragraph, and the built-in heading
//! styles 1–4 for the four heading levels.
//!
//! The heading styles are Word's built-in ones, recognised by their `w:name` (`heading 1` …
//! `heading 4`, style ids `Heading1` …): Word and WPS show them under their localised names
//! (标题 1 … 标题 4) in the style gallery and list their paragraphs in the navigation pane, so
//! no alias is added (it would show twice, as “标题 1,标题 1”). Each carries its outline level
//! explicitly (`w:outlineLvl`), which LibreOffice and other readers use for the outline, and
//! repeats the body paragraph's spacing and indent so that no application's own heading
//! defaults (bold, larger, spaced) leak in.

use super::Fonts;
use super::page::Geometry;
use super::text::{write_fonts, write_spacing};
use super::xml::{W, Xml};

/// A named heading style.
pub struct HeadingStyle {
    /// `w:styleId`.
    pub id: &'static str,
    /// `w:name`, by which Word recognises the built-in style.
    pub name: &'static str,
}

/// The heading styles of levels 1–4.
static HEADING_STYLES: [HeadingStyle; 4] = [
    HeadingStyle {
        id: "Heading1",
        name: "heading 1",
    },
    HeadingStyle {
        id: "Heading2",
        name: "heading 2",
    },
    HeadingStyle {
        id: "Heading3",
        name: "heading 3",
    },
    HeadingStyle {
        id: "Heading4",
        name: "heading 4",
    },
];

/// The style of heading `level` (1–4; deeper levels take level 4's).
pub fn heading_style(level: u8) -> &'static HeadingStyle {
    &HEADING_STYLES[usize::from(level.clamp(1, 4)) - 1]
}

/// The styles part.
pub fn styles_part(fonts: &Fonts, geometry: &Geometry) -> Vec<u8> {
    let mut xml = Xml::new();
    let size = geometry.body_size();
    xml.element("w:styles", &[("xmlns:w", &W)], |xml| {
        xml.element("w:docDefaults", &[], |xml| {
            xml.element("w:rPrDefault", &[], |xml| {
                xml.element("w:rPr", &[], |xml| {
                    write_fonts(xml, &fonts.body);
                    xml.val("w:sz", &size);
                    xml.val("w:szCs", &size);
                    xml.empty(
                        "w:lang",
                        &[
                            ("w:val", &"en-US"),
                            ("w:eastAsia", &"zh-CN"),
                            ("w:bidi", &"ar-SA"),
                        ],
                    );
                });
            });
            xml.element("w:pPrDefault", &[], |xml| {
                xml.element("w:pPr", &[], |xml| xml.empty("w:widowControl", &[]));
            });
        });
        xml.element(
            "w:style",
            &[
                ("w:type", &"paragraph"),
                ("w:default", &1),
                ("w:styleId", &"Normal"),
            ],
            |xml| {
                xml.val("w:name", &"Normal");
                xml.empty("w:qFormat", &[]);
                xml.element("w:pPr", &[], |xml| {
                    body_paragraph(xml, geometry, false, None)
                });
            },
        );
        for level in 1..=4 {
            heading(xml, fonts, geometry, level);
        }
        xml.element(
            "w:style",
            &[
                ("w:type", &"character"),
                ("w:default", &1),
                ("w:styleId", &"DefaultParagraphFont"),
            ],
            |xml| {
                xml.val("w:name", &"Default Paragraph Font");
                xml.val("w:uiPriority", &1);
                xml.empty("w:semiHidden", &[]);
                xml.empty("w:unhideWhenUsed", &[]);
            },
        );
    });
    xml.into_bytes()
}

/// The body paragraph's properties (in `w:pPr`): widow control, one grid line per line, the
/// first-line indent, justified; headings add keep-with-next and their outline level.
fn body_paragraph(xml: &mut Xml, geometry: &Geometry, keep_next: bool, outline: Option<u8>) {
    if keep_next {
        xml.empty("w:keepNext", &[]);
    }
    xml.empty("w:widowControl", &[]);
    write_spacing(xml, geometry.line_pitch());
    let indent = geometry.spec().first_line_indent;
    xml.empty(
        "w:ind",
        &[
            ("w:firstLine", &geometry.chars(indent)),
            ("w:firstLineChars", &((indent * 100.0).round() as i32)),
        ],
    );
    xml.val("w:jc", &"both");
    if let Some(level) = outline {
        xml.val("w:outlineLvl", &level);
    }
}

/// Heading `level`: the body paragraph kept with the next, at its outline level, in the font
/// of its role (一、 黑体, （一） 楷体, deeper levels the body font), not bold.
fn heading(xml: &mut Xml, fonts: &Fonts, geometry: &Geometry, level: u8) {
    let style = heading_style(level);
    let size = geometry.body_size();
    xml.element(
        "w:style",
        &[("w:type", &"paragraph"), ("w:styleId", &style.id)],
        |xml| {
            xml.val("w:name", &style.name);
            xml.val("w:basedOn", &"Normal");
            xml.val("w:next", &"Normal");
            xml.val("w:uiPriority", &9);
            xml.empty("w:qFormat", &[]);
            xml.element("w:pPr", &[], |xml| {
                body_paragraph(xml, geometry, true, Some(level - 1));
            });
            xml.element("w:rPr", &[], |xml| {
                write_fonts(xml, fonts.heading(level));
                xml.val("w:b", &0);
                xml.val("w:bCs", &0);
                xml.val("w:color", &"000000");
                xml.val("w:sz", &size);
                xml.val("w:szCs", &size);
            });
        },
    );
}
