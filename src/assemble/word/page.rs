//! The page of a Word file from `templates/page.yaml`: size, margins, the document grid of
//! 22 lines × 28 characters, the footer distance that puts the page number 7 mm under the text
//! block, and the footers `— N —` themselves (odd pages right, even pages left, one character in).

use super::xml::{R, W, Xml};
use crate::load::page::{MM_PER_POINT, Orientation, PageBox, PageSpec};

/// Twips (1/20 pt) in a millimetre.
const TWIPS_PER_MM: f64 = 1440.0 / 25.4;

/// Millimetres as whole twips.
pub fn twips(mm: f64) -> i32 {
    (mm * TWIPS_PER_MM).round() as i32
}

/// Points as whole twips.
pub fn point_twips(pt: f64) -> i32 {
    (pt * 20.0).round() as i32
}

/// Points as Word's half-point font sizes (`w:sz`).
pub fn half_points(pt: f64) -> u32 {
    (pt * 2.0).round().max(2.0) as u32
}

/// A footer of the section, with the relationship that names its part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer {
    /// Odd pages (Word's `default`): the number on the right.
    Odd,
    /// Even pages: the number on the left.
    Even,
    /// Page 1 when it carries no number: empty.
    First,
}

impl Footer {
    /// The footers of a document whose first page is or is not numbered.
    pub fn all(number_first_page: bool) -> Vec<Footer> {
        let mut footers = vec![Footer::Odd, Footer::Even];
        if !number_first_page {
            footers.push(Footer::First);
        }
        footers
    }

    /// `w:type` of its reference.
    fn kind(self) -> &'static str {
        match self {
            Footer::Odd => "default",
            Footer::Even => "even",
            Footer::First => "first",
        }
    }

    /// The part's name in the package.
    pub fn part(self) -> &'static str {
        match self {
            Footer::Odd => "word/footer1.xml",
            Footer::Even => "word/footer2.xml",
            Footer::First => "word/footer3.xml",
        }
    }

    /// Its relationship id in `word/_rels/document.xml.rels` (after styles, settings, fonts).
    pub fn id(self) -> &'static str {
        match self {
            Footer::Odd => "rId4",
            Footer::Even => "rId5",
            Footer::First => "rId6",
        }
    }
}

/// The geometry of one document's pages, in Word's units.
pub struct Geometry {
    spec: PageSpec,
    page: PageBox,
    orientation: Orientation,
}

impl Geometry {
    /// The pages of `orientation` as `spec` defines them.
    pub fn new(spec: &PageSpec, orientation: Orientation) -> Self {
        Self {
            spec: spec.clone(),
            page: spec.page(orientation),
            orientation,
        }
    }

    /// The page specification.
    pub fn spec(&self) -> &PageSpec {
        &self.spec
    }

    /// The width of the text block in twips.
    pub fn text_width(&self) -> i32 {
        twips(self.page.width) - twips(self.page.margins.left) - twips(self.page.margins.right)
    }

    /// The height of the text block in twips.
    pub fn text_height(&self) -> i32 {
        twips(self.page.height) - twips(self.page.margins.top) - twips(self.page.margins.bottom)
    }

    /// The line pitch of the grid in twips: 225 mm / 22 = 579.8, rounded down to 579 so that 22
    /// lines fit the text block (Word counts the lines that fit; at 580 only 21 would).
    pub fn line_pitch(&self) -> i32 {
        (self.spec.line_pitch() * TWIPS_PER_MM).floor() as i32
    }

    /// The character pitch of the grid as `w:charSpace`. Word sets East Asian characters at the
    /// default font size (the body's 16 pt) plus `charSpace` / 4096 pt, so for 28 characters in
    /// 156 mm: charSpace = (156 mm / 28 in points − 16) × 4096 ≈ −848 (Word shows a pitch of
    /// 15.8 pt; 28 such characters take 8844 of the 8845 twips).
    pub fn char_space(&self) -> i32 {
        ((self.spec.char_width() / MM_PER_POINT - self.spec.body_size) * 4096.0).round() as i32
    }

    /// A number of grid characters as twips.
    pub fn chars(&self, chars: f64) -> i32 {
        twips(chars * self.spec.char_width())
    }

    /// The body size in half points.
    pub fn body_size(&self) -> u32 {
        half_points(self.spec.body_size)
    }

    /// The space a block leaves under itself (a line pitch less the body size), in twips.
    pub fn block_spacing(&self) -> i32 {
        self.line_pitch() - point_twips(self.spec.body_size)
    }

    /// The footer distance: the top of the page number `page-number-gap` under the text block
    /// (Word measures from the page edge to the bottom of the footer's one line).
    fn footer_distance(&self) -> i32 {
        twips(self.page.margins.bottom - self.spec.page_number_gap)
            - point_twips(self.spec.page_number_size)
    }

    /// `w:sectPr`: footers, page size and margins, odd-first-page title page, the grid.
    pub fn write_section(&self, xml: &mut Xml, footers: &[Footer]) {
        xml.element("w:sectPr", &[], |xml| {
            for footer in footers {
                xml.empty(
                    "w:footerReference",
                    &[("w:type", &footer.kind()), ("r:id", &footer.id())],
                );
            }
            let (width, height) = (twips(self.page.width), twips(self.page.height));
            if self.orientation == Orientation::Landscape {
                xml.empty(
                    "w:pgSz",
                    &[
                        ("w:w", &width),
                        ("w:h", &height),
                        ("w:orient", &"landscape"),
                    ],
                );
            } else {
                xml.empty("w:pgSz", &[("w:w", &width), ("w:h", &height)]);
            }
            let footer = self.footer_distance();
            let margins = self.page.margins;
            xml.empty(
                "w:pgMar",
                &[
                    ("w:top", &twips(margins.top)),
                    ("w:right", &twips(margins.right)),
                    ("w:bottom", &twips(margins.bottom)),
                    ("w:left", &twips(margins.left)),
                    ("w:header", &footer),
                    ("w:footer", &footer),
                    ("w:gutter", &0),
                ],
            );
            xml.empty("w:cols", &[("w:space", &0)]);
            if footers.contains(&Footer::First) {
                xml.empty("w:titlePg", &[]);
            }
            xml.empty(
                "w:docGrid",
                &[
                    ("w:type", &"linesAndChars"),
                    ("w:linePitch", &self.line_pitch()),
                    ("w:charSpace", &self.char_space()),
                ],
            );
        });
    }

    /// The part of `footer`: “— N —” in `font` at the page-number size, off the grid, one
    /// character of that size in from the outer edge; the first page's footer is empty.
    pub fn footer_part(&self, footer: Footer, font: &str) -> Vec<u8> {
        let mut xml = Xml::new();
        xml.element("w:ftr", &[("xmlns:w", &W), ("xmlns:r", &R)], |xml| {
            xml.element("w:p", &[], |xml| {
                if footer == Footer::First {
                    return;
                }
                let size = self.spec.page_number_size;
                let one_char = point_twips(size);
                let (align, side) = if footer == Footer::Odd {
                    ("right", "w:right")
                } else {
                    ("left", "w:left")
                };
                xml.element("w:pPr", &[], |xml| {
                    xml.val("w:snapToGrid", &0);
                    xml.empty(
                        "w:spacing",
                        &[
                            ("w:before", &0),
                            ("w:after", &0),
                            ("w:line", &one_char),
                            ("w:lineRule", &"exact"),
                        ],
                    );
                    xml.empty(
                        "w:ind",
                        &[
                            (side, &one_char),
                            ("w:firstLine", &0),
                            ("w:firstLineChars", &0),
                        ],
                    );
                    xml.val("w:jc", &align);
                });
                let face = |xml: &mut Xml| {
                    super::text::run_properties(xml, Some(font), Some(half_points(size)))
                };
                let run = |xml: &mut Xml, text: &str| {
                    xml.element("w:r", &[], |xml| {
                        face(xml);
                        xml.text_element("w:t", &[("xml:space", &"preserve")], text);
                    });
                };
                run(xml, "\u{2014} ");
                field(xml, &face);
                run(xml, " \u{2014}");
            });
        });
        xml.into_bytes()
    }
}

/// The PAGE field: begin, instruction, separator, the shown value 1, end, each its own run.
fn field(xml: &mut Xml, face: &dyn Fn(&mut Xml)) {
    let char_run = |xml: &mut Xml, kind: &str| {
        xml.element("w:r", &[], |xml| {
            face(xml);
            xml.empty("w:fldChar", &[("w:fldCharType", &kind)]);
        });
    };
    char_run(xml, "begin");
    xml.element("w:r", &[], |xml| {
        face(xml);
        xml.text_element("w:instrText", &[], "PAGE");
    });
    char_run(xml, "separate");
    xml.element("w:r", &[], |xml| {
        face(xml);
        xml.text_element("w:t", &[], "1");
    });
    char_run(xml, "end");
}
