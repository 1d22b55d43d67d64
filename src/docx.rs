//! Word files (DOCX) of materials 2–4, written from the document model.
//!
//! The Word file follows the GB/T 9704 layout of the PDF (`templates/gbt9704.typ`): A4 with the
//! standard margins (material 4 landscape, as `templates/assessment.typ`), a document grid of
//! 22 lines × 28 characters of 16 pt, fonts by role as East Asian fonts, tables with repeating
//! header rows and merged cells, and page numbers “— N —” outside on odd and even pages.
//! Evidence is never included: the Word file is for email, the PDF carries the evidence.
//!
//! Like the PDF, headings keep with the next paragraph, the signature stays on one page, and
//! table rows stay whole unless the model marks their cells breakable.
//!
//! docx-rs builds the package. What it cannot write is patched into its XML parts before they
//! are zipped (see [`patch_parts`]), by replacing text that only this module makes docx-rs write:
//! - `w:tblHeader` (header row repeated on every page): docx-rs has no such row property, so it
//!   is added to the first row of every table, which is always the header row;
//! - `w:firstLineChars`: docx-rs writes a first-line indent only in twips, so the indent of
//!   two characters gets its character count added;
//! - schema order: docx-rs writes the children of `w:pPr`, `w:rPr`, `w:sectPr`, `w:tblPr`,
//!   `w:style` and `w:settings` in an order of its own, and Word may skip children out of
//!   order (fonts after sizes, say), so they are sorted (see [`SCHEMA_ORDER`]);
//! - `w14:paraId`: numbered afresh from 1 over footers and body, as docx-rs's per-thread
//!   counter may not start from 1 (see [`renumber_paragraphs`]);
//! - `dc:creator` in docProps/core.xml: docx-rs writes “unknown”; the document's author goes in.
//!
//! Finally the package is zipped again with deflate and a fixed time stamp (see [`recompress`]):
//! docx-rs stores its parts uncompressed, too big for email, and its zip writer would take the
//! clock if the zip crate's `time` feature were ever enabled. The same document therefore always
//! gives the same bytes.

use std::cell::Cell as Counter;
use std::io::{Cursor, Read, Write};

use docx_rs::{
    AlignmentType, BorderType, BreakType, DocGrid, DocGridType, Docx, FieldCharType, Footer,
    InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, PageOrientationType, PageSize,
    Paragraph, Run, RunFonts, SpecialIndentType, TableBorder, TableBorderPosition, TableBorders,
    TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
    XMLDocx,
};

use crate::compose::model::{Block, Cell, Document, Signature, Table};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::fonts::FontRoles;

/// What writing a Word file produced: its bytes and any warnings (e.g. removed control characters).
pub struct WordFile {
    /// The DOCX file.
    pub bytes: Vec<u8>,
    /// Problems that did not stop the file, such as removed control characters.
    pub warnings: Diagnostics,
}

/// Writes `document` (a material 2–4 document of the model) as DOCX; evidence is never included.
pub fn write(document: &Document) -> Result<WordFile, Diagnostic> {
    let page = Page::for_material(document.material)?;
    let writer = Writer {
        fonts: Fonts::from_roles(&document.fonts)?,
        page,
        removed: Counter::new(0),
    };
    let docx = writer.docx(document)?;
    let author = escape_xml(&writer.clean(&document.meta.author));
    let bytes = package(docx, &author)?;
    Ok(WordFile {
        bytes,
        warnings: writer.warnings(document),
    })
}

// ---- Geometry (GB/T 9704-2012 §5) ----

/// Twips (1/20 pt) in a millimetre.
const TWIPS_PER_MM: f64 = 1440.0 / 25.4;
/// Points in a millimetre.
const POINTS_PER_MM: f64 = 72.0 / 25.4;
/// One character of the text block: 28 characters fill 156 mm.
const CHAR_MM: f64 = 156.0 / 28.0;
/// One line of the text block: 22 lines fill 225 mm.
const LINE_MM: f64 = 225.0 / 22.0;
/// Body text, 3号, in points.
const BODY_PT: f64 = 16.0;
/// Title, 2号, in points.
const TITLE_PT: f64 = 22.0;
/// Page numbers, 4号, in points.
const PAGE_NUMBER_PT: f64 = 14.0;
/// From the lower edge of the text block down to the top of the page number.
const PAGE_NUMBER_GAP_MM: f64 = 7.0;
/// `w:firstLineChars` of an indent of two characters (in hundredths of a character).
const TWO_CHARS: &str = "200";
/// The start of the first row's properties in docx-rs's XML of a table: the header row.
const FIRST_ROW: &str = "</w:tblGrid><w:tr><w:trPr>";

/// Millimetres as whole twips.
fn twips(mm: f64) -> i32 {
    (mm * TWIPS_PER_MM).round() as i32
}

/// Points as whole twips.
fn point_twips(pt: f64) -> i32 {
    (pt * 20.0).round() as i32
}

/// Points as Word's half-point font sizes (`w:sz`).
fn half_points(pt: f64) -> usize {
    (pt * 2.0).round().max(2.0) as usize
}

/// A number of text-block characters as twips.
fn chars_twips(chars: f64) -> i32 {
    twips(chars * CHAR_MM)
}

/// The line pitch of the grid in twips: 225 mm / 22 = 579.8, rounded down to 579 so that 22
/// lines fit the text block (Word counts the lines that fit; at 580 only 21 would).
fn line_pitch() -> i32 {
    (LINE_MM * TWIPS_PER_MM).floor() as i32
}

/// The character pitch of the grid as `w:charSpace`. Word sets East Asian characters at the
/// default font size (the body's 16 pt) plus `charSpace` / 4096 pt, so for 28 characters in
/// 156 mm: charSpace = (156 mm / 28 in points − 16) × 4096 = (15.793 − 16) × 4096 ≈ −848
/// (Word shows it as a pitch of 15.8 pt; 28 such characters take 8844 of the 8845 twips).
fn char_space() -> isize {
    ((CHAR_MM * POINTS_PER_MM - BODY_PT) * 4096.0).round() as isize
}

/// A page: size and margins in millimetres.
struct Page {
    width: f64,
    height: f64,
    top: f64,
    bottom: f64,
    left: f64,
    right: f64,
    landscape: bool,
}

/// Materials 2 and 3: portrait A4 with the margins of GB/T 9704 (text block 156 × 225 mm).
const PORTRAIT: Page = Page {
    width: 210.0,
    height: 297.0,
    top: 37.0,
    bottom: 35.0,
    left: 28.0,
    right: 26.0,
    landscape: false,
};

/// Material 4: landscape A4, the text block turned (225 × 156 mm), as `assessment.typ`.
const LANDSCAPE: Page = Page {
    width: 297.0,
    height: 210.0,
    top: 28.0,
    bottom: 26.0,
    left: 37.0,
    right: 35.0,
    landscape: true,
};

impl Page {
    /// The page of a material; only materials 2–4 have Word files.
    fn for_material(material: u8) -> Result<&'static Page, Diagnostic> {
        match material {
            2 | 3 => Ok(&PORTRAIT),
            4 => Ok(&LANDSCAPE),
            _ => Err(
                Diagnostic::error(format!("材料{material}不能导出为 Word 文件"))
                    .hint("只有材料2–4 提供 Word 文件；申报函请使用 PDF"),
            ),
        }
    }

    /// The width of the text block in twips.
    fn text_width(&self) -> i32 {
        twips(self.width) - twips(self.left) - twips(self.right)
    }

    /// `w:pgSz`, with the orientation for landscape pages.
    fn size(&self) -> PageSize {
        let size = PageSize::new().size(twips(self.width) as u32, twips(self.height) as u32);
        if self.landscape {
            size.orient(PageOrientationType::Landscape)
        } else {
            size
        }
    }

    /// `w:pgMar`; the footer distance puts the top of the page number 7 mm under the text
    /// block (Word measures it from the page edge to the bottom of the footer's one line).
    fn margin(&self) -> PageMargin {
        let footer = twips(self.bottom - PAGE_NUMBER_GAP_MM) - point_twips(PAGE_NUMBER_PT);
        PageMargin::new()
            .top(twips(self.top))
            .bottom(twips(self.bottom))
            .left(twips(self.left))
            .right(twips(self.right))
            .footer(footer)
    }
}

/// The document grid: 22 lines of 28 characters on the text block (fewer lines and more
/// characters on the landscape page, at the same pitches, as in the PDF).
fn doc_grid() -> DocGrid {
    DocGrid::new()
        .grid_type(DocGridType::LinesAndChars)
        .line_pitch(line_pitch() as usize)
        .char_space(char_space())
}

// ---- Fonts ----

/// The Word (East Asian) font names of the roles the materials use.
struct Fonts {
    title: String,
    body: String,
    heading_1: String,
    heading_2: String,
    page_number: String,
}

impl Fonts {
    /// Takes each role's `word` name; every role must be there.
    fn from_roles(roles: &FontRoles) -> Result<Self, Diagnostic> {
        let word = |role: &str| {
            roles.get(role).map(|r| r.word.clone()).ok_or_else(|| {
                Diagnostic::error(format!("字体角色文件中缺少角色“{role}”"))
                    .hint("请在 fonts.yaml 中补上该角色及其 word 字体名")
            })
        };
        Ok(Self {
            title: word("title")?,
            body: word("body")?,
            heading_1: word("heading-1")?,
            heading_2: word("heading-2")?,
            page_number: word("page-number")?,
        })
    }

    /// The font of a heading level: 一、 黑体, （一） 楷体, deeper levels the body font.
    fn heading(&self, level: u8) -> &str {
        match level {
            1 => &self.heading_1,
            2 => &self.heading_2,
            _ => &self.body,
        }
    }
}

/// A font and size (in half points) for a run.
#[derive(Clone, Copy)]
struct Face<'a> {
    font: &'a str,
    size: usize,
}

/// `w:rFonts` naming `font` for every script. Latin letters and digits use the role font too,
/// as in the PDF (whose role fonts set them), so a line never mixes two faces; `w:hint` makes
/// Word use the East Asian font for ambiguous characters such as “” and ——.
fn run_fonts(font: &str) -> RunFonts {
    RunFonts::new()
        .ascii(font)
        .hi_ansi(font)
        .east_asia(font)
        .cs(font)
        .hint("eastAsia")
}

/// A run in `face`, no text yet.
fn styled(face: Face) -> Run {
    Run::new().fonts(run_fonts(face.font)).size(face.size)
}

// ---- Paragraphs ----

/// A paragraph on the line grid: every line exactly one line pitch, no space around.
fn grid_paragraph() -> Paragraph {
    Paragraph::new().line_spacing(
        LineSpacing::new()
            .line(line_pitch())
            .line_rule(LineSpacingType::Exact)
            .before(0)
            .after(0),
    )
}

/// A body paragraph: justified, first line indented two characters.
fn indented(run: Run) -> Paragraph {
    grid_paragraph()
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(chars_twips(2.0))),
            None,
            None,
        )
        .add_run(run)
}

/// A paragraph flush left, without indent.
fn flush(run: Run) -> Paragraph {
    grid_paragraph().align(AlignmentType::Left).add_run(run)
}

/// A centred paragraph.
fn centred(run: Run) -> Paragraph {
    grid_paragraph().align(AlignmentType::Center).add_run(run)
}

/// A paragraph aligned right, `right` twips in from the right edge of the text block.
fn right_aligned(run: Run, right: i32) -> Paragraph {
    grid_paragraph()
        .align(AlignmentType::Right)
        .indent(None, None, Some(right), None)
        .add_run(run)
}

/// An empty line of the grid (blank-lines(1) of the PDF).
fn blank_line() -> Paragraph {
    grid_paragraph()
}

/// A paragraph off the grid whose lines are `line` twips apart (tables, notes under tables).
fn free_paragraph(line: i32) -> Paragraph {
    Paragraph::new().snap_to_grid(false).line_spacing(
        LineSpacing::new()
            .line(line)
            .line_rule(LineSpacingType::Exact)
            .before(0)
            .after(0),
    )
}

// ---- Text ----

/// Whether XML 1.0 forbids `c` (tab, line feed and carriage return are allowed).
fn xml_forbidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}'
    )
}

/// `text` escaped for XML character data and attribute values.
fn escape_xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The width of `text` in text-block characters: ASCII is half width, the rest full width.
fn width_in_chars(text: &str) -> f64 {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

/// Right indents of the signature's name and date in characters (as `signature` in
/// gbt9704.typ). Sealed: the date 4 characters from the right, the name centred over it.
/// Not sealed: the name 2 characters from the right, the date starting 2 characters right of
/// the name's start, but never closer than 2 characters to the right edge.
fn signature_gaps(name: &str, date: &str, sealed: bool) -> (f64, f64) {
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

// ---- The document ----

/// Writes one document: its fonts and page, and a count of removed characters.
struct Writer {
    fonts: Fonts,
    page: &'static Page,
    removed: Counter<usize>,
}

impl Writer {
    /// `text` without the characters XML forbids (counted), tabs as spaces, `\r\n` and lone
    /// `\r` as `\n`.
    fn clean(&self, text: &str) -> String {
        let mut cleaned = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\t' => cleaned.push(' '),
                '\r' if chars.peek() == Some(&'\n') => {}
                '\r' => cleaned.push('\n'),
                c if xml_forbidden(c) => self.removed.set(self.removed.get() + 1),
                c => cleaned.push(c),
            }
        }
        cleaned
    }

    /// The warning about removed characters, if any were.
    fn warnings(&self, document: &Document) -> Diagnostics {
        let mut warnings = Diagnostics::new();
        let removed = self.removed.get();
        if removed > 0 {
            warnings.push(
                Diagnostic::warning(format!(
                    "{}的 Word 文件中删除了 {removed} 个 XML 不允许的控制字符",
                    document.material_name
                ))
                .hint("这些看不见的字符多半是从其他软件复制文字时带进来的；请在源文件中删除它们后重新生成"),
            );
        }
        warnings
    }

    /// A run of `text` in `face`; each `\n` becomes a line break.
    fn run(&self, text: &str, face: Face) -> Run {
        let text = self.clean(text);
        let mut run = styled(face);
        for (index, line) in text.split('\n').enumerate() {
            if index > 0 {
                run = run.add_break(BreakType::TextWrapping);
            }
            run = run.add_text(line);
        }
        run
    }

    /// Body text: the body font at 16 pt.
    fn body(&self) -> Face<'_> {
        Face {
            font: &self.fonts.body,
            size: half_points(BODY_PT),
        }
    }

    /// The whole document: page setup, footers, head, body, signature and notes.
    fn docx(&self, document: &Document) -> Result<Docx, Diagnostic> {
        let mut docx = self.setup(document);
        for paragraph in self.head(document) {
            docx = docx.add_paragraph(paragraph);
        }
        for block in &document.blocks {
            docx = self.block(docx, block)?;
        }
        if let Some(signature) = &document.signature {
            for paragraph in self.signature(signature) {
                docx = docx.add_paragraph(paragraph);
            }
        }
        for note in &document.notes {
            docx = docx.add_paragraph(indented(self.run(&format!("（{note}）"), self.body())));
        }
        Ok(docx)
    }

    /// Page, grid, default fonts, footers and fixed dates.
    fn setup(&self, document: &Document) -> Docx {
        let stamp = core_date(&document.meta.date);
        let mut docx = Docx::new()
            .default_fonts(run_fonts(&self.fonts.body))
            .default_size(half_points(BODY_PT))
            .footer(self.page_number_footer(true))
            .even_footer(self.page_number_footer(false))
            .created_at(&stamp)
            .updated_at(&stamp);
        if !document.number_first_page {
            docx = docx.first_footer(Footer::new().add_paragraph(Paragraph::new()));
        }
        docx.document = docx
            .document
            .page_size(self.page.size())
            .page_margin(self.page.margin())
            .doc_grid(doc_grid());
        docx
    }

    /// The footer “— N —”: odd pages right with one character's space, even pages left.
    fn page_number_footer(&self, odd: bool) -> Footer {
        let face = Face {
            font: &self.fonts.page_number,
            size: half_points(PAGE_NUMBER_PT),
        };
        let field = styled(face)
            .add_field_char(FieldCharType::Begin, false)
            .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
            .add_field_char(FieldCharType::Separate, false)
            .add_text("1")
            .add_field_char(FieldCharType::End, false);
        let one_char = point_twips(PAGE_NUMBER_PT);
        let paragraph = free_paragraph(point_twips(PAGE_NUMBER_PT))
            .add_run(styled(face).add_text("\u{2014} "))
            .add_run(field)
            .add_run(styled(face).add_text(" \u{2014}"));
        let paragraph = if odd {
            paragraph
                .align(AlignmentType::Right)
                .indent(None, None, Some(one_char), None)
        } else {
            paragraph
                .align(AlignmentType::Left)
                .indent(Some(one_char), None, None, None)
        };
        Footer::new().add_paragraph(paragraph)
    }

    /// 附件N flush left in 黑体, a blank line, the title centred, a blank line.
    fn head(&self, document: &Document) -> Vec<Paragraph> {
        let mut paragraphs = Vec::new();
        if let Some(label) = &document.attachment_label {
            let face = Face {
                font: &self.fonts.heading_1,
                size: half_points(BODY_PT),
            };
            paragraphs.extend([flush(self.run(label, face)), blank_line()]);
        }
        let title = Face {
            font: &self.fonts.title,
            size: half_points(TITLE_PT),
        };
        paragraphs.extend([centred(self.run(&document.title, title)), blank_line()]);
        paragraphs
    }

    /// One block of the body.
    fn block(&self, docx: Docx, block: &Block) -> Result<Docx, Diagnostic> {
        Ok(match block {
            Block::Heading {
                level,
                number,
                text,
            } => {
                let face = Face {
                    font: self.fonts.heading(*level),
                    size: half_points(BODY_PT),
                };
                let heading = indented(self.run(&format!("{number}{text}"), face));
                docx.add_paragraph(heading.keep_next(true))
            }
            Block::Paragraph { text } => docx.add_paragraph(indented(self.run(text, self.body()))),
            Block::List { ordered, items } => {
                items.iter().enumerate().fold(docx, |docx, (index, item)| {
                    let text = if *ordered {
                        format!("（{}）{item}", index + 1)
                    } else {
                        item.clone()
                    };
                    docx.add_paragraph(indented(self.run(&text, self.body())))
                })
            }
            Block::Table(table) => self.table(docx, table)?,
        })
    }

    /// Name and date, right-aligned, after one blank line (two when sealed), kept together.
    fn signature(&self, signature: &Signature) -> Vec<Paragraph> {
        let (name_gap, date_gap) =
            signature_gaps(&signature.name, &signature.date, signature.sealed);
        let blanks = if signature.sealed { 2 } else { 1 };
        let mut paragraphs: Vec<Paragraph> =
            (0..blanks).map(|_| blank_line().keep_next(true)).collect();
        let name = right_aligned(
            self.run(&signature.name, self.body()),
            chars_twips(name_gap),
        );
        paragraphs.push(name.keep_next(true));
        paragraphs.push(right_aligned(
            self.run(&signature.date, self.body()),
            chars_twips(date_gap),
        ));
        paragraphs
    }

    // ---- Tables ----

    /// A table, the block spacing after it (as the PDF's), and its note. Rows stay on one page
    /// unless all their cells are breakable.
    fn table(&self, docx: Docx, table: &Table) -> Result<Docx, Diagnostic> {
        let columns = grid_columns(table, self.page.text_width())?;
        let size = half_points(f64::from(table.size));
        let mut rows = vec![self.header_row(table, &columns, size)?];
        let mut spans = vec![0; columns.len()];
        for (index, row) in table.rows.iter().enumerate() {
            let cells = place_cells(row, &mut spans)
                .ok_or_else(|| too_many_cells(index + 1, columns.len()))?;
            let word_row = TableRow::new(
                cells
                    .iter()
                    .zip(&columns)
                    .map(|(slot, width)| self.body_cell(*slot, *width, size))
                    .collect(),
            );
            rows.push(if row.iter().all(|cell| cell.breakable) {
                word_row
            } else {
                word_row.cant_split()
            });
        }
        let spacing = free_paragraph(line_pitch() - point_twips(BODY_PT));
        let mut docx = docx
            .add_table(word_table(rows, columns, size))
            .add_paragraph(spacing);
        if let Some(note) = &table.note {
            let face = Face {
                font: &self.fonts.body,
                size,
            };
            let paragraph = free_paragraph(ems(size, 1.4))
                .align(AlignmentType::Both)
                .add_run(self.run(note, face));
            docx = docx.add_paragraph(paragraph);
        }
        Ok(docx)
    }

    /// The header row, centred in 黑体 and kept whole; the `w:tblHeader` patch finds it as the
    /// first row of the table.
    fn header_row(
        &self,
        table: &Table,
        columns: &[usize],
        size: usize,
    ) -> Result<TableRow, Diagnostic> {
        if table.header.len() > columns.len() {
            return Err(too_many_cells(0, columns.len()));
        }
        let face = Face {
            font: &self.fonts.heading_1,
            size,
        };
        let cells = columns.iter().enumerate().map(|(index, width)| {
            let text = table.header.get(index).map_or("", |c| c.text.as_str());
            let paragraph = self.cell_paragraph(text, face).align(AlignmentType::Center);
            cell_frame(*width).add_paragraph(paragraph)
        });
        Ok(TableRow::new(cells.collect()).cant_split())
    }

    /// One grid slot of a body row: a cell of the model, the continuation of a cell merged
    /// from above, or an empty cell filling a short row.
    fn body_cell(&self, slot: Slot, width: usize, size: usize) -> TableCell {
        let face = Face {
            font: &self.fonts.body,
            size,
        };
        match slot {
            Slot::Cell(cell) => {
                let align = if cell.center {
                    AlignmentType::Center
                } else {
                    AlignmentType::Left
                };
                let paragraph = self.cell_paragraph(&cell.text, face).align(align);
                let frame = cell_frame(width).add_paragraph(paragraph);
                if cell.rowspan > 1 {
                    frame.vertical_merge(VMergeType::Restart)
                } else {
                    frame
                }
            }
            Slot::Covered => cell_frame(width)
                .vertical_merge(VMergeType::Continue)
                .add_paragraph(self.cell_paragraph("", face)),
            Slot::Empty => cell_frame(width).add_paragraph(self.cell_paragraph("", face)),
        }
    }

    /// The paragraph of a cell: off the grid, lines 1.4 em apart as in the PDF.
    fn cell_paragraph(&self, text: &str, face: Face) -> Paragraph {
        free_paragraph(ems(face.size, 1.4)).add_run(self.run(text, face))
    }
}

/// `em` times the font size `size` (in half points), in twips.
fn ems(size: usize, em: f64) -> i32 {
    point_twips(size as f64 / 2.0 * em)
}

/// A Word table of `rows` on `columns`: full width, fixed layout, 0.5 pt single borders and
/// the PDF's cell insets (0.35 em across, 0.45 em down) at the type size `size` (half points).
fn word_table(rows: Vec<TableRow>, columns: Vec<usize>, size: usize) -> docx_rs::Table {
    let across = ems(size, 0.35) as usize;
    let down = ems(size, 0.45) as usize;
    docx_rs::Table::new(rows)
        .set_grid(columns)
        .width(5000, WidthType::Pct)
        .layout(TableLayoutType::Fixed)
        .set_borders(borders())
        .margins(TableCellMargins::new().margin(down, across, down, across))
}

/// Single black borders of 4 eighths of a point all round and inside.
fn borders() -> TableBorders {
    [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::with_empty(), |borders, position| {
        borders.set(
            TableBorder::new(position)
                .border_type(BorderType::Single)
                .size(4)
                .color("000000"),
        )
    })
}

/// An empty cell `width` twips wide, its content centred vertically.
fn cell_frame(width: usize) -> TableCell {
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
}

/// The column widths in twips, proportional to `Table.widths` and filling `total` exactly
/// (WPS ignores widths given only on cells, so they go into `w:gridCol`).
fn grid_columns(table: &Table, total: i32) -> Result<Vec<usize>, Diagnostic> {
    let weights: Vec<f64> = table
        .widths
        .iter()
        .map(|&w| {
            if w.is_finite() && w > 0.0 {
                f64::from(w)
            } else {
                1.0
            }
        })
        .collect();
    if weights.is_empty() {
        return Err(Diagnostic::error("Word 文件中的表格没有列")
            .hint("这是程序内部的表格数据错误，请报告此问题"));
    }
    let sum: f64 = weights.iter().sum();
    let mut edge = 0.0;
    let mut previous = 0;
    Ok(weights
        .iter()
        .map(|weight| {
            edge += weight / sum * f64::from(total);
            let next = edge.round() as usize;
            let width = next - previous;
            previous = next;
            width
        })
        .collect())
}

/// What fills one column of a body row.
#[derive(Clone, Copy)]
enum Slot<'a> {
    /// A cell of the model, starting here.
    Cell(&'a Cell),
    /// Covered by a cell of a row above that spans rows.
    Covered,
    /// Nothing: the row has fewer cells than the table has columns.
    Empty,
}

/// Lays the cells of a row onto the columns: columns still covered by a cell spanning rows
/// from above are skipped (the model omits those cells), the others take the row's cells in
/// order. `spans` holds, per column, how many more rows are covered; it is updated for the
/// next row. None when the row has more cells than free columns.
fn place_cells<'a>(row: &'a [Cell], spans: &mut [u32]) -> Option<Vec<Slot<'a>>> {
    let mut cells = row.iter();
    let slots = spans
        .iter_mut()
        .map(|span| {
            if *span > 0 {
                *span -= 1;
                return Slot::Covered;
            }
            match cells.next() {
                Some(cell) => {
                    *span = cell.rowspan.saturating_sub(1);
                    Slot::Cell(cell)
                }
                None => Slot::Empty,
            }
        })
        .collect();
    cells.next().is_none().then_some(slots)
}

/// The error for a row with more cells than the table has columns (row 0 is the header).
fn too_many_cells(row: usize, columns: usize) -> Diagnostic {
    let place = if row == 0 {
        "表头".to_string()
    } else {
        format!("第 {row} 行")
    };
    Diagnostic::error(format!("表格{place}的单元格多于 {columns} 列"))
        .hint("这是程序内部的表格数据错误，请报告此问题")
}

// ---- Package ----

/// `YYYY-MM-DD` as the W3CDTF time stamp of docProps/core.xml (midnight UTC); anything else
/// gives the epoch, so the file never depends on the clock.
fn core_date(date: &str) -> String {
    let valid = date.len() == 10
        && date.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        });
    let day = if valid { date } else { "1970-01-01" };
    format!("{day}T00:00:00Z")
}

/// An error of the DOCX machinery itself.
fn internal(error: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("生成 Word 文件失败：{error}")).hint("这是程序内部错误，请报告此问题")
}

/// Builds the parts, patches them and zips them.
fn package(docx: Docx, author: &str) -> Result<Vec<u8>, Diagnostic> {
    let mut parts = docx.build();
    patch_parts(&mut parts, author)?;
    let mut stored = Cursor::new(Vec::new());
    parts.pack(&mut stored).map_err(internal)?;
    recompress(stored.into_inner())
}

/// Adds what docx-rs cannot write and puts property elements in schema order (see the module
/// documentation).
fn patch_parts(parts: &mut XMLDocx, author: &str) -> Result<(), Diagnostic> {
    let first_line = format!(r#" w:firstLine="{}""#, chars_twips(2.0));
    let mut paragraph_id = 0;
    for footer in &mut parts.footers {
        *footer = patch(footer, |xml| {
            renumber_paragraphs(&in_schema_order(xml), &mut paragraph_id)
        })?;
    }
    parts.document = patch(&parts.document, |xml| {
        renumber_paragraphs(&in_schema_order(xml), &mut paragraph_id)
            .replace(FIRST_ROW, &format!("{FIRST_ROW}<w:tblHeader />"))
            .replace(
                &first_line,
                &format!(r#"{first_line} w:firstLineChars="{TWO_CHARS}""#),
            )
    })?;
    parts.styles = patch(&parts.styles, in_schema_order)?;
    parts.settings = patch(&parts.settings, in_schema_order)?;
    parts.doc_props.core = patch(&parts.doc_props.core, |xml| {
        xml.replace(
            "<dc:creator>unknown</dc:creator>",
            &format!("<dc:creator>{author}</dc:creator>"),
        )
        .replace(
            "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
            &format!("<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"),
        )
    })?;
    Ok(())
}

/// The schema order (ECMA-376 part 1) of the children docx-rs writes into these elements. It
/// writes them in an order of its own (sizes before fonts, `w:rPr` first in `w:pPr`, footer
/// references last in `w:sectPr`, `w:evenAndOddHeaders` after `w:compat`); Word reads such
/// children in sequence and may drop those out of order.
const SCHEMA_ORDER: [(&str, &[&str]); 6] = [
    (
        "w:pPr",
        &[
            "w:keepNext",
            "w:snapToGrid",
            "w:spacing",
            "w:ind",
            "w:jc",
            "w:rPr",
        ],
    ),
    ("w:rPr", &["w:rFonts", "w:sz", "w:szCs"]),
    (
        "w:tblPr",
        &[
            "w:tblW",
            "w:jc",
            "w:tblBorders",
            "w:tblLayout",
            "w:tblCellMar",
        ],
    ),
    (
        "w:sectPr",
        &[
            "w:footerReference",
            "w:pgSz",
            "w:pgMar",
            "w:cols",
            "w:titlePg",
            "w:docGrid",
        ],
    ),
    ("w:style", &["w:name", "w:qFormat", "w:pPr", "w:rPr"]),
    (
        "w:settings",
        &[
            "w:zoom",
            "w:defaultTabStop",
            "w:evenAndOddHeaders",
            "w:compat",
        ],
    ),
];

/// `xml` with the children of every element of [`SCHEMA_ORDER`] in schema order.
fn in_schema_order(xml: &str) -> String {
    SCHEMA_ORDER
        .iter()
        .fold(xml.to_string(), |xml, (parent, order)| {
            sort_children(&xml, parent, order)
        })
}

/// `xml` with the children of each `parent` element sorted by their place in `order`
/// (unknown ones last), keeping their order otherwise. `parent` must not nest in itself.
fn sort_children(xml: &str, parent: &str, order: &[&str]) -> String {
    let open = format!("<{parent}");
    let close = format!("</{parent}>");
    let mut sorted = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let Some(tag_end) = rest[at..].find('>').map(|end| at + end + 1) else {
            break;
        };
        let same_name = matches!(rest.as_bytes().get(at + open.len()), Some(b'>' | b' '));
        sorted.push_str(&rest[..tag_end]);
        rest = &rest[tag_end..];
        if !same_name || sorted.ends_with("/>") {
            continue;
        }
        let Some(end) = rest.find(&close) else {
            break;
        };
        let content = &rest[..end];
        let mut children = child_elements(content);
        if children.iter().map(|child| child.len()).sum::<usize>() == content.len() {
            children.sort_by_key(|child| {
                let name = element_name(child);
                order
                    .iter()
                    .position(|known| *known == name)
                    .unwrap_or(order.len())
            });
            sorted.extend(children);
        } else {
            sorted.push_str(content);
        }
        rest = &rest[end..];
    }
    sorted.push_str(rest);
    sorted
}

/// The top-level elements of `content`, a sequence of elements without text between them.
fn child_elements(content: &str) -> Vec<&str> {
    let mut children = Vec::new();
    let (mut depth, mut start, mut at) = (0usize, 0, 0);
    while let Some(open) = content[at..].find('<').map(|offset| at + offset) {
        let Some(close) = content[open..].find('>').map(|offset| open + offset + 1) else {
            break;
        };
        let tag = &content[open..close];
        if depth == 0 {
            start = open;
        }
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
        if depth == 0 {
            children.push(&content[start..close]);
        }
        at = close;
    }
    children
}

/// The qualified name of the element that `element` starts with.
fn element_name(element: &str) -> &str {
    element
        .trim_start_matches('<')
        .split([' ', '/', '>'])
        .next()
        .unwrap_or_default()
}

/// `xml` with the paragraph ids (`w14:paraId`) numbered on from `last`. docx-rs numbers
/// paragraphs from a per-thread counter that only its build resets, so a document that failed
/// half-way on the same thread would shift the numbers of the next one.
fn renumber_paragraphs(xml: &str, last: &mut u32) -> String {
    const ID: &str = r#" w14:paraId=""#;
    let mut pieces = xml.split(ID);
    let mut renumbered = pieces.next().unwrap_or_default().to_string();
    for piece in pieces {
        *last += 1;
        renumbered.push_str(&format!(r#"{ID}{last:08X}""#));
        renumbered.push_str(piece.split_once('"').map_or(piece, |(_, after)| after));
    }
    renumbered
}

/// Applies `change` to an XML part.
fn patch(part: &[u8], change: impl FnOnce(&str) -> String) -> Result<Vec<u8>, Diagnostic> {
    let xml = std::str::from_utf8(part).map_err(internal)?;
    Ok(change(xml).into_bytes())
}

/// Zips docx-rs's package again: every file deflated, in the same order, with the fixed time
/// stamp 1980-01-01 00:00; directory entries are left out.
fn recompress(stored: Vec<u8>) -> Result<Vec<u8>, Diagnostic> {
    let mut archive = zip::ZipArchive::new(Cursor::new(stored)).map_err(internal)?;
    let mut zipped = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::DEFAULT);
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(internal)?;
        if entry.is_dir() {
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(internal)?;
        let name = entry.name().map_err(internal)?.into_owned();
        zipped.start_file(name, options).map_err(internal)?;
        zipped.write_all(&data).map_err(internal)?;
    }
    Ok(zipped.finish().map_err(internal)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::model::Meta;
    use crate::diagnostics::Severity;

    fn roles() -> FontRoles {
        let store = crate::templates::TemplateStore::new(None).unwrap();
        crate::layout::fonts::load_roles(&store, &[]).unwrap()
    }

    fn document(material: u8, blocks: Vec<Block>) -> Document {
        let meta = Meta {
            author: "某市人民政府".to_string(),
            date: "2023-08-10".to_string(),
        };
        let title = "某市国家知识产权强国建设\n试点城市创建工作报告".to_string();
        Document {
            attachment_label: Some(format!("附件{}", material - 1)),
            blocks,
            ..Document::new(
                material,
                format!("材料{material}"),
                title,
                roles(),
                crate::load::page::built_in().unwrap(),
                meta,
            )
        }
    }

    fn merged_table() -> Table {
        let merged = |text: &str, rowspan| Cell {
            text: text.to_string(),
            rowspan,
            center: true,
            breakable: true,
        };
        Table {
            widths: vec![1.0, 2.0, 1.0, 4.0],
            header: ["一级指标", "二级指标", "序号", "完成情况"]
                .map(Cell::center)
                .to_vec(),
            rows: vec![
                vec![
                    merged("创造", 3),
                    merged("质量", 2),
                    Cell::center("1"),
                    Cell::left("第一行\n第二行"),
                ],
                vec![Cell::center("2"), Cell::left("发明专利")],
                vec![merged("数量", 1), Cell::center("3"), Cell::left("商标")],
                vec![
                    Cell::left("运用"),
                    Cell::left("转化"),
                    Cell::center("4"),
                    Cell::left("许可"),
                ],
            ],
            size: 10.5,
            note: Some("备注：数据截至2023年6月".to_string()),
        }
    }

    fn sample(material: u8) -> Document {
        let mut doc = document(
            material,
            vec![
                Block::Heading {
                    level: 1,
                    number: "一、".to_string(),
                    text: "工作基础".to_string(),
                },
                Block::Heading {
                    level: 2,
                    number: "（一）".to_string(),
                    text: "制度建设".to_string(),
                },
                Block::Heading {
                    level: 3,
                    number: "1.".to_string(),
                    text: "政策体系".to_string(),
                },
                Block::Heading {
                    level: 4,
                    number: "（1）".to_string(),
                    text: "专项政策".to_string(),
                },
                Block::Paragraph {
                    text: "全市“十四五”期间发明专利拥有量增长 35% & 持续提升。".to_string(),
                },
                Block::List {
                    ordered: true,
                    items: vec!["健全机制".to_string(), "强化保护".to_string()],
                },
                Block::List {
                    ordered: false,
                    items: vec!["无编号项".to_string()],
                },
                Block::Table(merged_table()),
            ],
        );
        doc.signature = Some(Signature {
            name: "某市人民政府".to_string(),
            date: "2023年8月10日".to_string(),
            sealed: true,
        });
        doc.notes = vec!["联系人：张三，电话：0371-12345678".to_string()];
        doc
    }

    /// The text of one part of the zip, if it is there.
    fn try_part(bytes: &[u8], name: &str) -> Option<String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut entry = archive.by_name(name).ok()?;
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        Some(text)
    }

    /// The text of one part of the zip.
    fn part(bytes: &[u8], name: &str) -> String {
        try_part(bytes, name).unwrap_or_else(|| panic!("{name} missing"))
    }

    fn written(doc: &Document) -> WordFile {
        write(doc).unwrap()
    }

    fn document_xml(doc: &Document) -> String {
        part(&written(doc).bytes, "word/document.xml")
    }

    /// The `<w:r>…</w:r>` run holding `text`.
    fn run_of<'a>(xml: &'a str, text: &str) -> &'a str {
        let at = xml.find(text).unwrap_or_else(|| panic!("{text} missing"));
        let start = xml[..at].rfind("<w:r>").unwrap();
        let end = at + xml[at..].find("</w:r>").unwrap();
        &xml[start..end]
    }

    /// The `<w:p …>…</w:p>` paragraph holding `text`.
    fn paragraph_of<'a>(xml: &'a str, text: &str) -> &'a str {
        let at = xml.find(text).unwrap_or_else(|| panic!("{text} missing"));
        let start = xml[..at].rfind("<w:p ").unwrap();
        let end = at + xml[at..].find("</w:p>").unwrap();
        &xml[start..end]
    }

    /// Checks that the tags of `xml` open and close in balance.
    fn assert_well_formed(xml: &str) {
        let mut open: Vec<&str> = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find('<') {
            let end = start + rest[start..].find('>').expect("unclosed tag");
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') || tag.ends_with('/') {
                continue;
            }
            let name = tag
                .trim_start_matches('/')
                .split_whitespace()
                .next()
                .unwrap();
            if tag.starts_with('/') {
                assert_eq!(open.pop(), Some(name), "mismatched closing tag");
            } else {
                open.push(name);
            }
        }
        assert!(open.is_empty(), "unclosed elements: {open:?}");
    }

    fn count(xml: &str, pattern: &str) -> usize {
        xml.matches(pattern).count()
    }

    #[test]
    fn every_text_is_in_the_document() {
        let doc = sample(2);
        let xml = document_xml(&doc);
        for text in doc.texts() {
            for line in text.split('\n') {
                assert!(xml.contains(&escape_xml(line)), "missing: {line}");
            }
        }
        assert!(xml.contains("附件1"));
        assert!(xml.contains("一、工作基础"));
        assert!(xml.contains("（1）健全机制"));
        assert!(xml.contains("（2）强化保护"));
        assert!(xml.contains("（联系人：张三，电话：0371-12345678）"));
    }

    #[test]
    fn runs_use_the_east_asian_font_of_their_role() {
        let xml = document_xml(&sample(2));
        let cases = [
            ("试点城市创建工作报告", "方正小标宋简体", 44),
            ("附件1", "黑体", 32),
            ("一、工作基础", "黑体", 32),
            ("（一）制度建设", "楷体_GB2312", 32),
            ("1.政策体系", "仿宋_GB2312", 32),
            ("（1）专项政策", "仿宋_GB2312", 32),
            ("发明专利拥有量", "仿宋_GB2312", 32),
            ("一级指标", "黑体", 21),
            ("发明专利<", "仿宋_GB2312", 21),
            ("2023年8月10日", "仿宋_GB2312", 32),
        ];
        for (text, font, size) in cases {
            let run = run_of(&xml, text);
            assert!(
                run.contains(&format!(r#"w:eastAsia="{font}""#)),
                "{text}: {run}"
            );
            assert!(
                run.contains(&format!(r#"w:ascii="{font}""#)),
                "{text}: {run}"
            );
            assert!(
                run.contains(&format!(r#"w:hAnsi="{font}""#)),
                "{text}: {run}"
            );
            assert!(run.contains(r#"w:hint="eastAsia""#), "{text}: {run}");
            assert!(
                run.contains(&format!(r#"<w:sz w:val="{size}" />"#)),
                "{text}: {run}"
            );
        }
        assert!(!xml.contains("Theme="), "no theme fonts");
    }

    #[test]
    fn document_defaults_are_the_body_role() {
        let styles = part(&written(&sample(2)).bytes, "word/styles.xml");
        let defaults = &styles[styles.find("<w:docDefaults>").unwrap()..];
        assert!(defaults.contains(r#"w:eastAsia="仿宋_GB2312""#));
        assert!(defaults.contains(r#"<w:sz w:val="32" />"#));
        assert!(!styles.contains("Theme="));
    }

    #[test]
    fn portrait_page_margins_and_grid() {
        let xml = document_xml(&sample(2));
        assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#));
        assert!(xml.contains(r#"w:top="2098""#));
        assert!(xml.contains(r#"w:bottom="1984""#));
        assert!(xml.contains(r#"w:left="1587""#));
        assert!(xml.contains(r#"w:right="1474""#));
        assert!(xml.contains(r#"w:footer="1307""#));
        assert!(xml.contains(
            r#"<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-848" />"#
        ));
        assert!(xml.contains(r#"w:line="579" w:lineRule="exact""#));
        assert!(!xml.contains("landscape"));
    }

    #[test]
    fn grid_pitches_follow_the_standard() {
        assert_eq!(line_pitch(), 579);
        assert_eq!(char_space(), -848);
        let pitch_pt = BODY_PT + char_space() as f64 / 4096.0;
        assert!((pitch_pt * 28.0 / POINTS_PER_MM - 156.0).abs() < 0.01);
        // Word fits whole lines and characters into the text block: 22 and 28, no fewer.
        let height = twips(297.0) - twips(37.0) - twips(35.0);
        assert_eq!(height / line_pitch(), 22);
        assert_eq!(
            (f64::from(PORTRAIT.text_width()) / (pitch_pt * 20.0)) as i32,
            28
        );
    }

    #[test]
    fn material_4_is_landscape() {
        let xml = document_xml(&sample(4));
        assert!(xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape" />"#));
        assert!(xml.contains(r#"w:top="1587""#));
        assert!(xml.contains(r#"w:bottom="1474""#));
        assert!(xml.contains(r#"w:left="2098""#));
        assert!(xml.contains(r#"w:right="1984""#));
        assert!(xml.contains(r#"w:type="linesAndChars""#));
    }

    #[test]
    fn body_paragraphs_are_indented_two_characters() {
        let xml = document_xml(&sample(3));
        for text in [
            "一、工作基础",
            "发明专利拥有量",
            "（1）健全机制",
            "无编号项",
        ] {
            let paragraph = paragraph_of(&xml, text);
            assert!(
                paragraph.contains(r#"w:firstLineChars="200""#),
                "{paragraph}"
            );
        }
        assert!(paragraph_of(&xml, "发明专利拥有量").contains(r#"<w:jc w:val="both" />"#));
        let title = paragraph_of(&xml, "试点城市创建工作报告");
        assert!(title.contains(r#"<w:jc w:val="center" />"#));
        assert!(title.contains(r#"<w:br w:type="textWrapping" />"#));
        assert!(!paragraph_of(&xml, "附件2").contains("firstLine"));
    }

    #[test]
    fn sealed_signature_sits_four_characters_in() {
        let xml = document_xml(&sample(2));
        let date = paragraph_of(&xml, "2023年8月10日");
        assert!(date.contains(r#"<w:jc w:val="right" />"#));
        assert!(date.contains(&format!(r#"w:right="{}""#, chars_twips(4.0))));
        let (name_gap, date_gap) = signature_gaps("某市人民政府", "2023年8月10日", true);
        // The date is 6.5 characters wide (digits are half width), the name 6.
        assert_eq!((name_gap, date_gap), (4.25, 4.0));
        assert!(
            paragraph_of(&xml, "某市人民政府<")
                .contains(&format!(r#"w:right="{}""#, chars_twips(4.25)))
        );
        let (name_gap, date_gap) = signature_gaps("某市人民政府", "2023年8月10日", false);
        assert_eq!((name_gap, date_gap), (4.5, 2.0));
        let (name_gap, date_gap) = signature_gaps("某某市某某县人民政府", "2023年8月10日", false);
        assert_eq!((name_gap, date_gap), (2.0, 3.5));
    }

    #[test]
    fn tables_repeat_headers_and_merge_rows() {
        let xml = document_xml(&sample(2));
        let table = &xml[xml.find("<w:tbl>").unwrap()..xml.find("</w:tbl>").unwrap()];
        assert_eq!(count(table, "<w:tblHeader />"), 1);
        assert!(table.contains(r#"<w:tblW w:w="5000" w:type="pct" />"#));
        assert_eq!(count(table, "<w:gridCol "), 4);
        assert_eq!(count(table, r#"<w:vMerge w:val="restart" />"#), 2);
        assert_eq!(count(table, r#"<w:vMerge w:val="continue" />"#), 3);
        assert!(table.contains(r#"<w:sz w:val="4" />"#) || table.contains(r#"w:sz="4""#));
        let rows: Vec<&str> = table.split("<w:tr>").skip(1).collect();
        assert_eq!(rows.len(), 5);
        for row in &rows {
            assert_eq!(count(row, "<w:tc>"), 4, "every row fills the grid: {row}");
        }
        // Row 2 continues both merged cells in columns 1 and 2, row 3 the first only.
        let merges = |row: &str| -> Vec<bool> {
            row.split("<w:tc>")
                .skip(1)
                .map(|cell| cell.contains(r#"w:vMerge w:val="continue""#))
                .collect()
        };
        assert_eq!(merges(rows[2]), [true, true, false, false]);
        assert_eq!(merges(rows[3]), [true, false, false, false]);
        assert_eq!(merges(rows[4]), [false, false, false, false]);
        assert!(run_of(table, "第一行").contains(r#"<w:br w:type="textWrapping" />"#));
        assert!(paragraph_of(table, ">1<").contains(r#"<w:jc w:val="center" />"#));
        assert!(xml.contains("备注：数据截至2023年6月"));
        // The header row and rows with unbreakable cells stay whole.
        assert_eq!(count(table, "<w:cantSplit />"), 5);
    }

    #[test]
    fn rows_of_breakable_cells_may_split() {
        let mut table = merged_table();
        for cell in &mut table.rows[3] {
            cell.breakable = true;
        }
        let xml = document_xml(&document(4, vec![Block::Table(table)]));
        let rows: Vec<&str> = xml.split("<w:tr>").skip(1).collect();
        assert!(rows[3].contains("<w:cantSplit />"));
        assert!(!rows[4].contains("<w:cantSplit />"));
    }

    #[test]
    fn headings_and_the_signature_keep_with_the_next_paragraph() {
        let xml = document_xml(&sample(2));
        for text in ["一、工作基础", "（1）专项政策", "某市人民政府<"] {
            assert!(
                paragraph_of(&xml, text).contains("<w:keepNext />"),
                "{text}"
            );
        }
        assert!(!paragraph_of(&xml, "发明专利拥有量").contains("keepNext"));
    }

    #[test]
    fn property_children_are_in_schema_order() {
        let mut unnumbered = sample(3);
        unnumbered.number_first_page = false;
        let files = [sample(2), unnumbered, sample(4)].map(|doc| written(&doc).bytes);
        let names = ["word/document.xml", "word/styles.xml", "word/settings.xml"];
        let footers = ["word/footer1.xml", "word/footer2.xml", "word/footer3.xml"];
        for (file, name) in files
            .iter()
            .flat_map(|f| names.iter().chain(&footers).map(move |n| (f, n)))
        {
            let Some(xml) = try_part(file, name) else {
                continue;
            };
            for (parent, order) in SCHEMA_ORDER {
                let open = format!("<{parent}");
                for (at, _) in xml.match_indices(&open) {
                    let rest = &xml[at..];
                    let tag_end = rest.find('>').unwrap() + 1;
                    if !matches!(rest.as_bytes()[open.len()], b'>' | b' ')
                        || rest[..tag_end].ends_with("/>")
                    {
                        continue;
                    }
                    let end = rest.find(&format!("</{parent}>")).unwrap();
                    let ranks: Vec<usize> = child_elements(&rest[tag_end..end])
                        .iter()
                        .map(|child| {
                            let name = element_name(child);
                            let rank = order.iter().position(|known| *known == name);
                            rank.unwrap_or_else(|| panic!("{name} in {parent} has no place"))
                        })
                        .collect();
                    assert!(ranks.is_sorted(), "{parent} in {name}: {}", &rest[..end]);
                }
            }
        }
    }

    #[test]
    fn grid_columns_are_proportional_and_fill_the_width() {
        let columns = grid_columns(&merged_table(), 8845).unwrap();
        assert_eq!(columns.iter().sum::<usize>(), 8845);
        assert_eq!(columns[0] * 2, columns[1] + columns[1] % 2);
        assert!(columns[3] > 3 * columns[0]);
    }

    #[test]
    fn table_rows_with_too_many_cells_are_refused() {
        let mut table = merged_table();
        table.rows[1].push(Cell::left("多余"));
        let doc = document(4, vec![Block::Table(table)]);
        assert!(write(&doc).is_err());
    }

    #[test]
    fn footers_number_pages_outside() {
        let file = written(&sample(2));
        let settings = part(&file.bytes, "word/settings.xml");
        assert!(settings.contains("<w:evenAndOddHeaders /><w:compat>"));
        assert_eq!(count(&settings, "evenAndOddHeaders"), 1);
        let xml = part(&file.bytes, "word/document.xml");
        assert!(xml.contains(r#"<w:footerReference w:type="default""#));
        assert!(xml.contains(r#"<w:footerReference w:type="even""#));
        let footers = [
            part(&file.bytes, "word/footer1.xml"),
            part(&file.bytes, "word/footer2.xml"),
        ];
        for footer in &footers {
            assert!(footer.contains("<w:instrText>PAGE</w:instrText>"));
            assert!(footer.contains(">\u{2014} <") && footer.contains("> \u{2014}<"));
            assert!(footer.contains(r#"w:eastAsia="宋体""#));
            assert!(footer.contains(r#"<w:sz w:val="28" />"#));
        }
        let odd = footers
            .iter()
            .find(|f| f.contains(r#"w:val="right""#))
            .unwrap();
        assert!(odd.contains(r#"w:right="280""#));
        let even = footers
            .iter()
            .find(|f| f.contains(r#"w:val="left""#))
            .unwrap();
        assert!(even.contains(r#"w:left="280""#));
    }

    #[test]
    fn control_characters_are_removed_with_one_warning() {
        let mut doc = sample(2);
        doc.blocks.push(Block::Paragraph {
            text: "甲\u{1}乙\u{B}丙\u{FFFF}丁\t戊".to_string(),
        });
        doc.notes.push("附\u{0}注".to_string());
        let file = written(&doc);
        let xml = part(&file.bytes, "word/document.xml");
        assert!(xml.contains("甲乙丙丁 戊"));
        assert!(xml.contains("（附注）"));
        assert!(!xml.chars().any(xml_forbidden));
        assert_eq!(file.warnings.len(), 1);
        let warning = file.warnings.iter().next().unwrap();
        assert_eq!(warning.severity, Severity::Warning);
        assert!(warning.message.contains("删除了 4 个"));
        assert!(warning.hint.is_some());
        assert!(written(&sample(2)).warnings.is_empty());
    }

    #[test]
    fn parts_are_present_and_well_formed() {
        let file = written(&sample(4));
        for name in [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/_rels/document.xml.rels",
            "word/document.xml",
            "word/styles.xml",
            "word/settings.xml",
            "word/footer1.xml",
            "word/footer2.xml",
            "docProps/core.xml",
        ] {
            assert_well_formed(&part(&file.bytes, name));
        }
        let core = part(&file.bytes, "docProps/core.xml");
        assert!(core.contains("2023-08-10T00:00:00Z"));
        assert!(core.contains("<dc:creator>某市人民政府</dc:creator>"));
    }

    #[test]
    fn an_unnumbered_first_page_has_an_empty_first_footer() {
        let mut doc = sample(3);
        doc.number_first_page = false;
        let file = written(&doc);
        let xml = part(&file.bytes, "word/document.xml");
        assert!(xml.contains("<w:titlePg />"));
        assert!(xml.contains(r#"<w:footerReference w:type="first""#));
        let footers: Vec<String> = (1..=3)
            .map(|n| part(&file.bytes, &format!("word/footer{n}.xml")))
            .collect();
        assert_eq!(footers.iter().filter(|f| f.contains("PAGE")).count(), 2);
        assert!(!written(&sample(3)).bytes.is_empty());
        assert!(!part(&written(&sample(3)).bytes, "word/document.xml").contains("titlePg"));
    }

    #[test]
    fn output_is_deterministic() {
        let doc = sample(3);
        let first = written(&doc).bytes;
        assert!(
            first == written(&doc).bytes,
            "same document, different bytes"
        );
        // A document that fails half-way does not shift the next one's paragraph ids.
        let mut broken = merged_table();
        broken.rows[0].push(Cell::left("多余"));
        assert!(write(&document(4, vec![Block::Table(broken)])).is_err());
        assert!(
            first == written(&doc).bytes,
            "bytes changed after a failed document"
        );
        let xml = part(&first, "word/footer1.xml");
        assert!(xml.contains(r#"w14:paraId="00000001""#));
    }

    #[test]
    fn only_materials_2_to_4_are_written() {
        for material in 2..=4 {
            assert!(write(&document(material, Vec::new())).is_ok());
        }
        let mut letter = document(2, Vec::new());
        letter.material = 1;
        let error = write(&letter).err().unwrap();
        assert!(error.message.contains("材料1"));
    }

    #[test]
    fn a_table_of_200_rows_is_written() {
        let mut table = merged_table();
        table.rows = (1..=200)
            .map(|n| {
                vec![
                    Cell::center(format!("一级{n}")),
                    Cell::left(format!("二级{n}")),
                    Cell::center(n.to_string()),
                    Cell::left(format!("第{n}行完成情况")),
                ]
            })
            .collect();
        let start = std::time::Instant::now();
        let xml = document_xml(&document(4, vec![Block::Table(table)]));
        assert!(start.elapsed().as_secs() < 10);
        assert_eq!(count(&xml, "<w:tr>"), 201);
        assert!(xml.contains("第1行完成情况") && xml.contains("第200行完成情况"));
        assert_eq!(count(&xml, "<w:tblHeader />"), 1);
        assert_well_formed(&xml);
    }

    #[test]
    fn a_paragraph_of_5000_characters_is_written() {
        let text: String = "知识产权强国建设".chars().cycle().take(5000).collect();
        let doc = document(2, vec![Block::Paragraph { text: text.clone() }]);
        let file = written(&doc);
        let xml = part(&file.bytes, "word/document.xml");
        assert!(xml.contains(&text));
        assert!(file.bytes.len() < xml.len(), "parts are compressed");
    }
}
