//! The province's documents: the recommendation letter (推荐函) to the national office with the
//! recommendation list attached, and the index of the recommendation package.

use serde::Serialize;
use tera::Context;

use super::model::{Annex, Block, Cell, Document, Letterhead, Meta, Signature, Table};
use super::{Composer, wording};
use crate::diagnostics::Diagnostic;
use crate::load::notice::MaterialKind;
use crate::load::page::Orientation;
use crate::load::province::Province;

/// One recommended applicant, as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Recommended {
    /// The category's short name (试点县).
    pub category: String,
    /// Its rank within the category, from 1.
    pub rank: usize,
    /// 申报单位.
    pub name: String,
    /// For a county, its city.
    pub city: Option<String>,
}

/// One file of the package, as its index lists it.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// Whose file it is (the province's own files name the office).
    pub owner: String,
    /// What it is, such as 材料2-创建工作报告.
    pub what: String,
    /// Its path inside the package.
    pub path: String,
    /// Pages, for PDFs.
    pub pages: Option<usize>,
    /// Its sha256, hex.
    pub sha256: String,
}

/// One category of the letter's wording.
#[derive(Serialize)]
struct Group {
    category: String,
    full_name: String,
    names: String,
}

impl Composer {
    /// The recommendation letter of `province` for `list`, with the list attached; `received`
    /// is how many applicants applied.
    pub fn recommendation(
        &self,
        province: &Province,
        list: &[Recommended],
        received: usize,
    ) -> Result<Document, Diagnostic> {
        let info = &self.notice.recommendation;
        let mut context = Context::new();
        context.insert("office", &province.office.value);
        context.insert("year", &self.notice.notice.year);
        context.insert("recommendation", info);
        context.insert("received", &received);
        context.insert("groups", &self.groups(list));
        let origin = |what: &str| format!("templates/notice.yaml（recommendation.{what}）");
        let title = self
            .wording
            .render_inline(&origin("title"), &info.title, &context)?;
        let list_title =
            self.wording
                .render_inline(&origin("list_title"), &info.list_title, &context)?;
        let body = self.wording.render("recommendation.tera", &context)?;
        let title = self.title_lines(&title, Orientation::Portrait);
        Ok(Document {
            letterhead: Some(Letterhead {
                issuer: province.office.value.clone(),
                number: province.number.value.clone(),
            }),
            addressee: Some(info.addressee.clone()),
            blocks: wording::paragraphs(&body)
                .into_iter()
                .map(|text| Block::Paragraph { text })
                .collect(),
            attachments: vec![list_title.clone()],
            signature: Some(Signature {
                name: province.office.value.clone(),
                date: province.date.value.chinese(),
                sealed: province.sealed,
            }),
            notes: vec![format!(
                "联系人：{}，联系电话：{}",
                province.contact.person.value, province.contact.phone.value
            )],
            number_first_page: false,
            annexes: vec![Annex {
                label: "附件".into(),
                title: list_title,
                blocks: vec![Block::Table(self.list_table(list))],
            }],
            ..Document::new(
                (1, MaterialKind::Letter),
                "推荐函".into(),
                title,
                self.fonts.clone(),
                self.page.clone(),
                meta(province),
            )
        })
    }

    /// The index of the package: every file with its owner, pages and sha256.
    pub fn package_index(&self, province: &Province, rows: &[IndexRow]) -> Document {
        let table = Table {
            widths: vec![0.45, 1.0, 2.4, 0.45, 2.6],
            header: ["序号", "单位", "文件", "页数", "SHA-256"]
                .map(Cell::center)
                .to_vec(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    vec![
                        Cell::center((i + 1).to_string()),
                        Cell::center(row.owner.clone()),
                        Cell::left(format!("{}\n{}", row.what, row.path)),
                        Cell::center(row.pages.map_or(String::new(), |p| p.to_string())),
                        Cell::left(split_hash(&row.sha256)),
                    ]
                })
                .collect(),
            size: 9.0,
            note: None,
        };
        let intro = format!(
            "本目录列出{}报送的推荐材料中的全部文件（本目录除外），共{}个。SHA-256为文件内容的校验值，可用于核对电子文件是否完整、未被改动。",
            province.office.value,
            rows.len()
        );
        Document {
            blocks: vec![
                Block::Paragraph { text: intro },
                Block::Table(table.settle_breaks()),
            ],
            ..Document::new(
                (0, MaterialKind::Report),
                self.notice.recommendation.index.clone(),
                self.notice.recommendation.index.clone(),
                self.fonts.clone(),
                self.page.clone(),
                meta(province),
            )
        }
    }

    /// The categories in the order the list first names them, each with its names.
    fn groups(&self, list: &[Recommended]) -> Vec<Group> {
        let mut order: Vec<&str> = Vec::new();
        for category in list.iter().map(|r| r.category.as_str()) {
            if !order.contains(&category) {
                order.push(category);
            }
        }
        order
            .into_iter()
            .map(|name| Group {
                category: name.to_string(),
                full_name: self
                    .notice
                    .categories
                    .get(name)
                    .map_or_else(|| name.to_string(), |c| c.full_name.clone()),
                names: list
                    .iter()
                    .filter(|r| r.category == name)
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect()
    }

    /// The attached list: 序号, category (merged over its rows), applicant, city.
    fn list_table(&self, list: &[Recommended]) -> Table {
        let mut rows = Vec::new();
        for group in self.groups(list) {
            let members: Vec<&Recommended> = list
                .iter()
                .filter(|r| r.category == group.category)
                .collect();
            for (i, member) in members.iter().enumerate() {
                let mut row = vec![Cell::center((rows.len() + 1).to_string())];
                if i == 0 {
                    row.push(Cell {
                        rowspan: members.len() as u32,
                        ..Cell::center(group.full_name.clone())
                    });
                }
                row.push(Cell::center(member.name.clone()));
                row.push(Cell::center(member.city.clone().unwrap_or_default()));
                rows.push(row);
            }
        }
        Table {
            widths: vec![0.5, 3.3, 1.1, 1.3],
            header: ["序号", "推荐类别", "申报单位", "所属省辖市"]
                .map(Cell::center)
                .to_vec(),
            rows,
            size: 14.0,
            note: None,
        }
        .settle_breaks()
    }
}

fn meta(province: &Province) -> Meta {
    Meta {
        author: province.office.value.clone(),
        date: province.date.value,
    }
}

/// A sha256 in two lines of 32, so that it fits a table column.
fn split_hash(hash: &str) -> String {
    match (hash.get(..32), hash.get(32..)) {
        (Some(head), Some(tail)) if !tail.is_empty() => format!("{head}\n{tail}"),
        _ => hash.to_string(),
    }
}
