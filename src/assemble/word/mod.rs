//! Word files (DOCX) of materials 2–4: a second renderer of the document model, beside the
//! Typst templates. Evidence is never included: the Word file is for e-mail, the PDF carries
//! the evidence.
//!
//! WordprocessingML is written directly with quick-xml into the zip's entries, each element in
//! its schema order by construction:
//! - `page`: size, margins and the 22 × 28 document grid from `templates/page.yaml` (the same
//!   numbers the PDF uses; material 4 is a landscape section), footers `— N —` outside on odd
//!   and even pages;
//! - `styles`: the body font by role as the default, the Normal style as the body paragraph
//!   (widow control on), the built-in heading styles 1–4 for the headings;
//! - `text`: the label, title, body, signature and notes, fonts by role as East Asian fonts;
//! - `table`: tables with a repeating header row, merged cells and labels on continued pages;
//! - `package`: content types, relationships, settings, properties, and a zip whose bytes
//!   depend on the document only.

mod package;
mod page;
mod styles;
mod table;
mod text;
mod xml;

#[cfg(test)]
mod schema_tests;
#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;

use std::cell::Cell as Counter;

use crate::compose::model::Document;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::fonts::FontRoles;
use crate::load::notice::MaterialKind;
use package::Part;
use page::{Footer, Geometry};
use xml::{R, W, Xml};

/// What writing a Word file produced: its bytes and any warnings (e.g. removed control characters).
pub struct WordFile {
    /// The DOCX file.
    pub bytes: Vec<u8>,
    /// Problems that did not stop the file, such as removed control characters.
    pub warnings: Diagnostics,
}

/// Writes `document` (one of the letter's attachments) as DOCX; evidence is never included.
pub fn write(document: &Document) -> Result<WordFile, Diagnostic> {
    if document.kind == MaterialKind::Letter {
        return Err(
            Diagnostic::error(format!("材料{}不能导出为 Word 文件", document.material))
                .hint("只有申报函的附件提供 Word 文件；申报函请使用 PDF"),
        );
    }
    let writer = Writer {
        fonts: Fonts::from_roles(&document.fonts)?,
        geometry: Geometry::new(&document.page, document.orientation()),
        removed: Counter::new(0),
    };
    let parts = writer.parts(document)?;
    Ok(WordFile {
        bytes: package::zip(&parts)?,
        warnings: writer.warnings(document),
    })
}

/// The Word (East Asian) font names of the roles the materials use.
struct Fonts {
    title: String,
    body: String,
    heading_1: String,
    heading_2: String,
    strong: String,
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
            strong: word(crate::load::fonts::STRONG)?,
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

    /// Every font the file names.
    fn all(&self) -> [&str; 6] {
        [
            &self.title,
            &self.body,
            &self.heading_1,
            &self.heading_2,
            &self.strong,
            &self.page_number,
        ]
    }
}

/// Writes one document: its fonts and page, and a count of removed characters.
struct Writer {
    fonts: Fonts,
    geometry: Geometry,
    removed: Counter<usize>,
}

impl Writer {
    /// Every part of the package, in the order they are zipped.
    fn parts(&self, document: &Document) -> Result<Vec<Part>, Diagnostic> {
        let footers = Footer::all(document.number_first_page);
        let mut body = Xml::new();
        let mut result = Ok(());
        body.element("w:document", &[("xmlns:w", &W), ("xmlns:r", &R)], |xml| {
            xml.element("w:body", &[], |xml| {
                result = self.write_text(xml, document);
                self.geometry.write_section(xml, &footers);
            });
        });
        result?;
        let title = without_forbidden(&document.title).0.replace('\n', "");
        let author = without_forbidden(&document.meta.author).0;
        let mut parts = package::relationship_parts(&footers);
        parts.extend(package::property_parts(&title, &author, document.meta.date));
        parts.push(Part::new("word/document.xml", body.into_bytes()));
        parts.push(Part::new(
            "word/styles.xml",
            styles::styles_part(&self.fonts, &self.geometry),
        ));
        parts.push(Part::new("word/settings.xml", package::settings_part()));
        parts.push(Part::new(
            "word/fontTable.xml",
            package::font_table_part(&self.fonts.all()),
        ));
        for footer in footers {
            let bytes = self.geometry.footer_part(footer, &self.fonts.page_number);
            parts.push(Part::new(footer.part(), bytes));
        }
        Ok(parts)
    }

    /// `text` of the body without the characters XML forbids, which are counted for the warning.
    fn clean(&self, text: &str) -> String {
        let (cleaned, removed) = without_forbidden(text);
        self.removed.set(self.removed.get() + removed);
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
}

/// `text` without the characters XML forbids, and how many there were; tabs become spaces,
/// `\r\n` and lone `\r` become `\n`.
fn without_forbidden(text: &str) -> (String, usize) {
    let mut cleaned = String::with_capacity(text.len());
    let mut removed = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => cleaned.push(' '),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => cleaned.push('\n'),
            c if xml_forbidden(c) => removed += 1,
            c => cleaned.push(c),
        }
    }
    (cleaned, removed)
}

/// Whether XML 1.0 forbids `c` (tab, line feed and carriage return are allowed).
fn xml_forbidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}'
    )
}
