//! Paragraphs and runs of a Word file, and the document's text in reading order: the 附件 label
//! and title, the body blocks (headings in the named heading styles, paragraphs and lists in the
//! Normal style), the signature and the 附注.
//!
//! The Normal style is the body paragraph (justified, first line indented two characters, one
//! grid line per line, widow control); a paragraph writes only what differs from its style.
//! Like the PDF, headings keep with the next paragraph, the last body paragraph keeps with the
//! signature, and the signature stays on one page.

use super::Writer;
use super::styles::heading_style;
use super::xml::Xml;
use crate::compose::model::{Block, Document, Signature, runs_in};
use crate::diagnostics::Diagnostic;
use crate::load::emphasis;

/// How a paragraph differs from its style.
#[derive(Debug, Default, Clone, Copy)]
pub struct Para {
    /// `w:pStyle`; none is the Normal style.
    pub style: Option<&'static str>,
    /// Kept on the page of the next paragraph.
    pub keep_next: bool,
    /// Off the grid, its lines this many twips apart (tables, their notes, footers).
    pub line: Option<i32>,
    /// An indent other than the style's first-line indent.
    pub indent: Option<Indent>,
    /// `w:jc` other than the style's `both`.
    pub align: Option<&'static str>,
}

/// An indent replacing the body's first-line indent.
#[derive(Debug, Clone, Copy)]
pub enum Indent {
    /// No indent at all.
    Flush,
    /// This many twips in from the right edge.
    Right(i32),
}

impl Para {
    /// A body paragraph: the Normal style as it is.
    pub fn body() -> Self {
        Self::default()
    }

    /// Flush left, no indent.
    pub fn flush() -> Self {
        Self {
            indent: Some(Indent::Flush),
            align: Some("left"),
            ..Self::default()
        }
    }

    /// Centred, no indent.
    pub fn centred() -> Self {
        Self {
            indent: Some(Indent::Flush),
            align: Some("center"),
            ..Self::default()
        }
    }

    /// Aligned right, `right` twips in from the right edge of the text block.
    pub fn right(right: i32) -> Self {
        Self {
            indent: Some(Indent::Right(right)),
            align: Some("right"),
            ..Self::default()
        }
    }

    /// A heading of `level` (1–4) in its named style.
    pub fn heading(level: u8) -> Self {
        Self {
            style: Some(heading_style(level).id),
            ..Self::default()
        }
    }

    /// Off the grid, no indent, lines `line` twips apart, aligned `align`.
    pub fn free(line: i32, align: &'static str) -> Self {
        Self {
            line: Some(line),
            indent: Some(Indent::Flush),
            align: Some(align),
            ..Self::default()
        }
    }

    /// The same paragraph, kept with the next one when `keep` holds.
    pub fn keep_next(self, keep: bool) -> Self {
        Self {
            keep_next: self.keep_next || keep,
            ..self
        }
    }

    /// Writes `w:pPr` in schema order, or nothing when the style says it all.
    fn write(self, xml: &mut Xml) {
        if self.style.is_none()
            && !self.keep_next
            && self.line.is_none()
            && self.indent.is_none()
            && self.align.is_none()
        {
            return;
        }
        xml.element("w:pPr", &[], |xml| {
            if let Some(style) = self.style {
                xml.val("w:pStyle", &style);
            }
            if self.keep_next {
                xml.empty("w:keepNext", &[]);
            }
            if let Some(line) = self.line {
                xml.val("w:snapToGrid", &0);
                write_spacing(xml, line);
            }
            match self.indent {
                Some(Indent::Flush) => xml.empty("w:ind", &NO_FIRST_LINE),
                Some(Indent::Right(right)) => xml.empty(
                    "w:ind",
                    &[("w:right", &right), NO_FIRST_LINE[0], NO_FIRST_LINE[1]],
                ),
                None => {}
            }
            if let Some(align) = self.align {
                xml.val("w:jc", &align);
            }
        });
    }
}

/// The attributes that cancel the style's first-line indent (both, as the character count
/// would win over the twips).
const NO_FIRST_LINE: [(&str, &dyn std::fmt::Display); 2] =
    [("w:firstLine", &0), ("w:firstLineChars", &0)];

/// `w:spacing` of exactly `line` twips per line and nothing before or after.
pub fn write_spacing(xml: &mut Xml, line: i32) {
    xml.empty(
        "w:spacing",
        &[
            ("w:before", &0),
            ("w:after", &0),
            ("w:line", &line),
            ("w:lineRule", &"exact"),
        ],
    );
}

/// `w:rFonts` naming `font` for every script. Latin letters and digits use the role font too,
/// as in the PDF (whose role fonts set them), so a line never mixes two faces; `w:hint` makes
/// Word use the East Asian font for ambiguous characters such as “” and ——.
pub fn write_fonts(xml: &mut Xml, font: &str) {
    xml.empty(
        "w:rFonts",
        &[
            ("w:ascii", &font),
            ("w:hAnsi", &font),
            ("w:eastAsia", &font),
            ("w:cs", &font),
            ("w:hint", &"eastAsia"),
        ],
    );
}

/// `w:rPr` with `font` and `size` (half points) where given; nothing when both are inherited.
pub fn run_properties(xml: &mut Xml, font: Option<&str>, size: Option<u32>) {
    if font.is_none() && size.is_none() {
        return;
    }
    xml.element("w:rPr", &[], |xml| {
        if let Some(font) = font {
            write_fonts(xml, font);
        }
        if let Some(size) = size {
            xml.val("w:sz", &size);
            xml.val("w:szCs", &size);
        }
    });
}

/// A run's font and size; `None` takes the style's.
#[derive(Debug, Default, Clone, Copy)]
pub struct Face<'a> {
    /// The East Asian font name.
    pub font: Option<&'a str>,
    /// The size in half points.
    pub size: Option<u32>,
}

impl Writer {
    /// A paragraph of one run of `text` in `face`; each `\n` becomes a line break.
    pub(super) fn paragraph(&self, xml: &mut Xml, para: Para, text: &str, face: Face) {
        self.paragraph_of_runs(xml, para, &[(text, face)]);
    }

    /// A paragraph of several texts, each in its face; emphasised stretches take the font of
    /// the `strong` role.
    fn paragraph_of_runs(&self, xml: &mut Xml, para: Para, texts: &[(&str, Face)]) {
        xml.element("w:p", &[], |xml| {
            para.write(xml);
            for &(text, face) in texts {
                for (piece, strong) in emphasis::segments(text) {
                    let face = if strong {
                        Face {
                            font: Some(&self.fonts.strong),
                            ..face
                        }
                    } else {
                        face
                    };
                    self.run(xml, piece, face);
                }
            }
        });
    }

    /// One run of `text` in `face`; each `\n` becomes a line break.
    fn run(&self, xml: &mut Xml, text: &str, face: Face) {
        let text = self.clean(text);
        if text.is_empty() {
            return;
        }
        xml.element("w:r", &[], |xml| {
            run_properties(xml, face.font, face.size);
            for (index, line) in text.split('\n').enumerate() {
                if index > 0 {
                    xml.empty("w:br", &[]);
                }
                if !line.is_empty() {
                    xml.text_element("w:t", &[("xml:space", &"preserve")], line);
                }
            }
        });
    }

    /// An empty line of the grid (blank-lines(1) of the PDF).
    fn blank_line(&self, xml: &mut Xml, keep_next: bool) {
        self.paragraph(xml, Para::body().keep_next(keep_next), "", Face::default());
    }

    /// The document's text: head, body, signature, notes.
    pub(super) fn write_text(&self, xml: &mut Xml, document: &Document) -> Result<(), Diagnostic> {
        self.head(xml, document);
        let keep_last = document.signature.is_some();
        let blocks = &document.blocks;
        let mut index = 0;
        while index < blocks.len() {
            let joined = runs_in(&blocks[index], blocks.get(index + 1));
            let end = index + if joined.is_some() { 2 } else { 1 };
            let keep = keep_last && end == blocks.len();
            match joined {
                Some((level, heading, text)) => self.run_in(xml, level, &heading, text, keep),
                None => self.block(xml, &blocks[index], keep)?,
            }
            index = end;
        }
        if let Some(signature) = &document.signature {
            self.signature(xml, signature);
        }
        for note in &document.notes {
            self.paragraph(xml, Para::body(), &format!("（{note}）"), Face::default());
        }
        Ok(())
    }

    /// 附件N flush left in 黑体, a blank line, the title centred, a blank line.
    fn head(&self, xml: &mut Xml, document: &Document) {
        if let Some(label) = &document.attachment_label {
            let face = Face {
                font: Some(&self.fonts.heading_1),
                size: None,
            };
            self.paragraph(xml, Para::flush(), label, face);
            self.blank_line(xml, false);
        }
        let title = Face {
            font: Some(&self.fonts.title),
            size: Some(super::page::half_points(self.geometry.spec().title_size)),
        };
        self.paragraph(xml, Para::centred(), &document.title, title);
        self.blank_line(xml, false);
    }

    /// One block of the body; `keep_next` keeps its last paragraph with what follows.
    fn block(&self, xml: &mut Xml, block: &Block, keep_next: bool) -> Result<(), Diagnostic> {
        match block {
            Block::Heading {
                level,
                number,
                text,
            } => self.paragraph(
                xml,
                Para::heading(*level),
                &format!("{number}{text}"),
                Face::default(),
            ),
            Block::Paragraph { text } => {
                self.paragraph(
                    xml,
                    Para::body().keep_next(keep_next),
                    text,
                    Face::default(),
                );
            }
            Block::List { ordered, items } => {
                for (index, item) in items.iter().enumerate() {
                    let text = if *ordered {
                        format!("（{}）{item}", index + 1)
                    } else {
                        item.clone()
                    };
                    let last = index + 1 == items.len();
                    let para = Para::body().keep_next(keep_next && last);
                    self.paragraph(xml, para, &text, Face::default());
                }
            }
            Block::Table(table) => self.table(xml, table)?,
        }
        Ok(())
    }

    /// A heading run into its paragraph: the heading in its level's font, then the text.
    fn run_in(&self, xml: &mut Xml, level: u8, heading: &str, text: &str, keep_next: bool) {
        let heading_face = Face {
            font: Some(self.fonts.heading(level)),
            size: None,
        };
        let texts = [(heading, heading_face), (text, Face::default())];
        self.paragraph_of_runs(xml, Para::body().keep_next(keep_next), &texts);
    }

    /// Name and date, right-aligned, after one blank line (two when sealed), kept together.
    fn signature(&self, xml: &mut Xml, signature: &Signature) {
        let (name_gap, date_gap) =
            signature_gaps(&signature.name, &signature.date, signature.sealed);
        let blanks = if signature.sealed { 2 } else { 1 };
        for _ in 0..blanks {
            self.blank_line(xml, true);
        }
        let name = Para::right(self.geometry.chars(name_gap)).keep_next(true);
        self.paragraph(xml, name, &signature.name, Face::default());
        let date = Para::right(self.geometry.chars(date_gap));
        self.paragraph(xml, date, &signature.date, Face::default());
    }
}

/// The width of `text` in text-block characters: ASCII is half width, the rest full width.
pub fn width_in_chars(text: &str) -> f64 {
    text.chars()
        .filter(|&c| !c.is_control() && !emphasis::is_mark(c))
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

/// Right indents of the signature's name and date in characters (as `signature` in
/// gbt9704.typ). Sealed: the date 4 characters from the right, the name centred over it.
/// Not sealed: the name 2 characters from the right, the date starting 2 characters right of
/// the name's start, but never closer than 2 characters to the right edge.
pub fn signature_gaps(name: &str, date: &str, sealed: bool) -> (f64, f64) {
    let (name_width, date_width) = (width_in_chars(name), width_in_chars(date));
    if sealed {
        (4.0 + (date_width - name_width) / 2.0, 4.0)
    } else {
        let date_gap = 2.0 + name_width - 2.0 - date_width;
        if date_gap < 2.0 {
            (2.0 + 2.0 - date_gap, 2.0)
        } else {
            (2.0, date_gap)
        }
    }
}
