//! The body of materials 2 and 3: Markdown blocks become model blocks, and headings get their
//! GB/T 9704 numbers (一、 / （一） / 1. / （1）) from their level, counted afresh under each
//! higher heading.

use super::model::{Block, Cell, Table};
use crate::load::markdown::{BlockKind, MarkdownBlock, Span};
use crate::load::numbered::chinese_number;

/// Type size of tables inside the body (4号).
pub const BODY_TABLE_SIZE: f32 = 14.0;

/// Numbers headings by level as they come.
#[derive(Debug, Default)]
pub struct HeadingNumbers {
    counts: [u32; 4],
}

impl HeadingNumbers {
    /// The number of the next heading at `level` (1–4).
    pub fn next(&mut self, level: u8) -> String {
        let index = (level.clamp(1, 4) - 1) as usize;
        self.counts[index] += 1;
        for deeper in &mut self.counts[index + 1..] {
            *deeper = 0;
        }
        let n = self.counts[index];
        match index {
            0 => format!("{}、", chinese_number(n)),
            1 => format!("（{}）", chinese_number(n)),
            2 => format!("{n}."),
            _ => format!("（{n}）"),
        }
    }
}

/// Turns Markdown blocks into numbered model blocks, continuing `numbers`.
pub fn blocks(markdown: &[MarkdownBlock], numbers: &mut HeadingNumbers) -> Vec<Block> {
    markdown
        .iter()
        .map(|block| match &block.kind {
            BlockKind::Heading { level, text } => Block::Heading {
                level: *level,
                number: numbers.next(*level),
                text: text.clone(),
            },
            BlockKind::Paragraph(text) => Block::Paragraph { text: text.clone() },
            BlockKind::List { ordered, items } => Block::List {
                ordered: *ordered,
                items: items.clone(),
            },
            BlockKind::Table {
                header,
                rows,
                spans,
            } => Block::Table(
                Table {
                    widths: vec![1.0; header.len()],
                    header: merged_row(header, 0, spans, |t| Cell::center(t)),
                    rows: rows
                        .iter()
                        .enumerate()
                        .map(|(y, row)| merged_row(row, y + 1, spans, |t| Cell::left(t)))
                        .collect(),
                    size: BODY_TABLE_SIZE,
                    note: None,
                }
                .settle_breaks(),
            ),
        })
        .collect()
}

/// The cells of grid row `y` (0 is the header): a merged area's first cell spans it, the grid
/// cells it covers are left out.
fn merged_row(
    texts: &[String],
    y: usize,
    spans: &[Span],
    cell: impl Fn(&str) -> Cell,
) -> Vec<Cell> {
    let covers = |s: &Span, x: usize| {
        (s.row..s.row + s.rows).contains(&y) && (s.column..s.column + s.columns).contains(&x)
    };
    texts
        .iter()
        .enumerate()
        .filter_map(|(x, text)| match spans.iter().find(|s| covers(s, x)) {
            Some(s) if s.row == y && s.column == x => {
                Some(cell(text).spanning(s.rows as u32, s.columns as u32))
            }
            Some(_) => None,
            None => Some(cell(text)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_numbered_by_level() {
        let mut numbers = HeadingNumbers::default();
        let seen: Vec<String> = [1, 2, 2, 3, 4, 3, 1, 2]
            .iter()
            .map(|l| numbers.next(*l))
            .collect();
        assert_eq!(
            seen,
            [
                "一、",
                "（一）",
                "（二）",
                "1.",
                "（1）",
                "2.",
                "二、",
                "（一）"
            ]
        );
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(14), "十四");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(31), "三十一");
    }
}
