//! The document model: what every material says, before any layout. The Typst templates and
//! the Word writer are two renderers of it; neither knows the other.

use serde::Serialize;

use crate::load::fonts::FontRoles;
use crate::load::notice::MaterialKind;
use crate::load::numbered::RUN_IN_END;
use crate::load::page::{Orientation, PageSpec};

/// An applicant's dossier: its documents in material order, and the e-mail that carries the
/// Word files.
#[derive(Debug, Clone)]
pub struct Dossier {
    /// Materials 1–4.
    pub documents: Vec<Document>,
    /// The e-mail texts.
    pub email: Email,
    /// The applicant's own files, for its data bundle.
    pub data: DataFiles,
}

/// What goes into an applicant's data bundle (`<申报单位>-申报数据.zip`).
#[derive(Debug, Clone)]
pub struct DataFiles {
    /// The bundle's name, without extension.
    pub name: String,
    /// The files the build read, with their paths inside the applicant folder.
    pub files: Vec<crate::load::InputFile>,
}

/// The e-mail with the Word files.
#[derive(Debug, Clone)]
pub struct Email {
    /// The provincial mailbox.
    pub to: String,
    /// The sender: the applicant's government and the contact's e-mail, when one is given.
    pub from: Option<(String, String)>,
    /// The `Date:` header: the materials' date.
    pub date: String,
    /// The name of the zip and the draft, without extension.
    pub bundle: String,
    /// The subject.
    pub subject: String,
    /// The body text.
    pub body: String,
}

/// One document of a dossier, ready to lay out.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// Which material this is (its number in `notice.yaml`; 0 for the province's index).
    pub material: u8,
    /// What kind of material it is.
    pub kind: MaterialKind,
    /// The material's name, such as 申报函.
    pub material_name: String,
    /// The document's title (`\n` where it breaks).
    pub title: String,
    /// For an attachment of the letter: its label, such as `附件1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_label: Option<String>,
    /// Fonts by role, for the layout.
    pub fonts: FontRoles,
    /// The page specification (`templates/page.yaml`), for both renderers.
    pub page: PageSpec,
    /// For letters: the issuer's name in red and the document number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letterhead: Option<Letterhead>,
    /// 主送机关.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addressee: Option<String>,
    /// The body, in order.
    pub blocks: Vec<Block>,
    /// 附件说明: attachment names, in order.
    pub attachments: Vec<String>,
    /// 署名 and 成文日期.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    /// 附注 lines, each printed in parentheses.
    pub notes: Vec<String>,
    /// Whether page 1 carries a page number (letters: no).
    pub number_first_page: bool,
    /// Evidence files appended after the body, with their index.
    pub evidence: Vec<EvidenceFile>,
    /// Attachments printed after the letter in the same file (a letter's list, for example).
    pub annexes: Vec<Annex>,
    /// The real files behind `evidence`, in the order of their virtual paths, as inspecting
    /// them found them (path and hash).
    #[serde(skip)]
    pub sources: Vec<crate::load::evidence::Inspected>,
    /// PDF metadata.
    pub meta: Meta,
    /// The Typst layout that sets it.
    #[serde(skip)]
    pub template: &'static str,
}

/// An attachment set after a letter, on a new page: its label, title and body.
#[derive(Debug, Clone, Serialize)]
pub struct Annex {
    /// Such as `附件`.
    pub label: String,
    /// Its title.
    pub title: String,
    /// Its body.
    pub blocks: Vec<Block>,
}

/// The red head of a letter (信函格式).
#[derive(Debug, Clone, Serialize)]
pub struct Letterhead {
    /// The issuing body's name.
    pub issuer: String,
    /// 发文字号.
    pub number: String,
}

/// Signature and date.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// 署名.
    pub name: String,
    /// 成文日期, as printed: `2023年8月10日`.
    pub date: String,
    /// Whether a seal will be stamped (the standard places the pair differently).
    pub sealed: bool,
}

/// Document metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// The author, such as the government's name.
    pub author: String,
    /// The document date (`YYYY-MM-DD` in the data Typst reads).
    #[serde(serialize_with = "crate::load::date::as_text::serialize")]
    pub date: crate::load::date::Date,
}

/// When `block` is a heading that runs into `next` (a paragraph): its level, its number and text
/// as printed, and the paragraph's text.
pub fn runs_in<'a>(block: &Block, next: Option<&'a Block>) -> Option<(u8, String, &'a str)> {
    match (block, next) {
        (
            Block::Heading {
                level,
                number,
                text,
            },
            Some(Block::Paragraph { text: paragraph }),
        ) if text.ends_with(RUN_IN_END) => Some((*level, format!("{number}{text}"), paragraph)),
        _ => None,
    }
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    /// A numbered heading (level 1–4), its number already formed (一、 / （一） / 1. / （1））.
    Heading {
        /// 1 to 4.
        level: u8,
        /// The number, such as `一、`.
        number: String,
        /// The heading text.
        text: String,
    },
    /// A paragraph of body text.
    Paragraph {
        /// The text.
        text: String,
    },
    /// A list; each item is set as a paragraph, numbered when `ordered`.
    List {
        /// Numbered (（1）（2）…) or not.
        ordered: bool,
        /// The items.
        items: Vec<String>,
    },
    /// A table whose header row repeats on every page.
    Table(Table),
}

/// A table of the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Relative column widths.
    pub widths: Vec<f32>,
    /// The header row.
    pub header: Vec<Cell>,
    /// The body rows; a cell spanning rows appears only in its first row, a cell spanning
    /// columns stands for all of them.
    pub rows: Vec<Vec<Cell>>,
    /// Type size in points.
    pub size: f32,
    /// A note printed under the table (such as the 备注).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The text; line breaks are kept.
    pub text: String,
    /// Rows it spans.
    pub rowspan: u32,
    /// Columns it spans.
    pub colspan: u32,
    /// Whether it is centred (else aligned left).
    pub center: bool,
    /// Whether its row may break across pages (only rows too long to keep together).
    pub breakable: bool,
}

impl Cell {
    /// A left-aligned cell of one row.
    pub fn left(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            rowspan: 1,
            colspan: 1,
            center: false,
            breakable: false,
        }
    }

    /// A centred cell of one row.
    pub fn center(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            rowspan: 1,
            colspan: 1,
            center: true,
            breakable: false,
        }
    }

    /// The same cell spanning `rows` rows and `columns` columns.
    pub fn spanning(self, rows: u32, columns: u32) -> Self {
        Self {
            rowspan: rows.max(1),
            colspan: columns.max(1),
            ..self
        }
    }
}

/// Rows with more text than this (in characters) may break across pages; shorter rows stay whole.
pub const UNBREAKABLE_ROW_CHARS: usize = 400;

impl Table {
    /// Marks the rows too long to keep on one page as breakable, and cells spanning several rows
    /// as breakable (a merged group may be taller than a page); other rows stay whole.
    pub fn settle_breaks(mut self) -> Self {
        for row in &mut self.rows {
            let long =
                row.iter().map(|c| c.text.chars().count()).sum::<usize>() > UNBREAKABLE_ROW_CHARS;
            for cell in row {
                cell.breakable = long || cell.rowspan > 1;
            }
        }
        self
    }
}

/// One evidence file, appended after the body and listed in the evidence index.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceFile {
    /// Its label, such as `19-2`.
    pub label: String,
    /// The indicator it supports.
    pub indicator: u32,
    /// The indicator's name.
    pub indicator_name: String,
    /// Its title.
    pub title: String,
    /// The virtual path Typst reads it from (`/data/evidence/<n>.<ext>`).
    pub path: String,
    /// `pdf` or `image`.
    pub kind: String,
    /// Pages (PDF) or 1 (image).
    pub pages: usize,
}

impl Document {
    /// A document of `material` with its title, fonts, page and metadata, and nothing else yet:
    /// no letterhead, body, attachments, signature, notes or evidence; page 1 numbered.
    pub fn new(
        (material, kind): (u8, MaterialKind),
        material_name: String,
        title: String,
        fonts: FontRoles,
        page: PageSpec,
        meta: Meta,
    ) -> Self {
        Self {
            material,
            kind,
            material_name,
            title,
            attachment_label: None,
            fonts,
            page,
            letterhead: None,
            addressee: None,
            blocks: Vec::new(),
            attachments: Vec::new(),
            signature: None,
            notes: Vec::new(),
            number_first_page: true,
            evidence: Vec::new(),
            annexes: Vec::new(),
            sources: Vec::new(),
            meta,
            template: kind.template(),
        }
    }

    /// How its pages are turned: the assessment table is set landscape.
    pub fn orientation(&self) -> Orientation {
        self.kind.orientation()
    }

    /// Every text of the document, in reading order (for checks and tests).
    pub fn texts(&self) -> Vec<&str> {
        let mut texts = vec![self.title.as_str()];
        if let Some(head) = &self.letterhead {
            texts.extend([head.issuer.as_str(), head.number.as_str()]);
        }
        texts.extend(self.addressee.as_deref());
        texts.extend(block_texts(&self.blocks));
        texts.extend(self.attachments.iter().map(String::as_str));
        if let Some(signature) = &self.signature {
            texts.extend([signature.name.as_str(), signature.date.as_str()]);
        }
        texts.extend(self.notes.iter().map(String::as_str));
        for annex in &self.annexes {
            texts.extend([annex.label.as_str(), annex.title.as_str()]);
            texts.extend(block_texts(&annex.blocks));
        }
        texts
    }
}

/// The texts of `blocks`, in reading order.
fn block_texts(blocks: &[Block]) -> Vec<&str> {
    let mut texts = Vec::new();
    for block in blocks {
        match block {
            Block::Heading { text, .. } | Block::Paragraph { text } => texts.push(text.as_str()),
            Block::List { items, .. } => texts.extend(items.iter().map(String::as_str)),
            Block::Table(table) => {
                let cells = table.header.iter().chain(table.rows.iter().flatten());
                texts.extend(cells.map(|c| c.text.as_str()));
                texts.extend(table.note.as_deref());
            }
        }
    }
    texts
}
