//! The applicant's long texts (work report, work plan) in Markdown, read into located blocks.
//!
//! Headings may be written with or without their numbers (一、 / （一） / 1. / （1））; numbers
//! are stripped here and added consistently when composing. Every character written either reaches
//! a block or is reported with its line: constructs that a 公文 cannot carry (raw HTML, images,
//! code, a heading inside a list) are errors; nested lists, items of several paragraphs and tables
//! inside items are printed in order (see [`list`]); link addresses are printed after their text.

use std::path::Path;

mod list;
mod reader;

use pulldown_cmark::{Options, Parser};

use crate::diagnostics::Diagnostics;
use crate::load::text;
use reader::Reader;

/// A block of Markdown with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkdownBlock {
    /// 1-based line in the file.
    pub line: u32,
    /// What the block is.
    pub kind: BlockKind,
}

/// The blocks the document model can carry.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// A heading, level 1–4, with any written number removed.
    Heading {
        /// 1 to 4 (deeper levels are reported and kept at 4).
        level: u8,
        /// The text without its number.
        text: String,
    },
    /// A paragraph.
    Paragraph(String),
    /// A list; each item is one paragraph.
    List {
        /// Numbered (1. 2. …) or bulleted.
        ordered: bool,
        /// The items' texts.
        items: Vec<String>,
    },
    /// A table: a header row and body rows, all as wide as the header.
    Table {
        /// Header cells.
        header: Vec<String>,
        /// Body rows.
        rows: Vec<Vec<String>>,
        /// Merged areas (from Word; Markdown has none). A merged area's text stands in its
        /// first grid cell, the others covered by it are empty.
        spans: Vec<Span>,
    },
}

/// A merged area of a table grid: row 0 is the header, row 1 the first body row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Its first row.
    pub row: usize,
    /// Its first column.
    pub column: usize,
    /// How many rows it covers.
    pub rows: usize,
    /// How many columns it covers.
    pub columns: usize,
}

/// The widest table (in columns) that fits the 156 mm text block legibly.
pub const MAX_TABLE_COLUMNS: usize = 8;

/// Reads the bytes of `file` (UTF-8, with or without BOM, or GB18030/GBK with a warning) and
/// parses them; a file that cannot be decoded is a located error and yields no blocks.
pub fn read(file: &Path, bytes: &[u8], diagnostics: &mut Diagnostics) -> Vec<MarkdownBlock> {
    match text::decode(file, bytes, diagnostics) {
        Some(text) => parse(file, &text, diagnostics),
        None => Vec::new(),
    }
}

/// Parses `text` (the contents of `file`). Problems go into `diagnostics`; what could be read is
/// returned.
pub fn parse(file: &Path, text: &str, diagnostics: &mut Diagnostics) -> Vec<MarkdownBlock> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let text = &text::clean_lines(file, text, diagnostics);
    let lines = LineIndex::new(text);
    let mut reader = Reader::new(file, &lines, text, diagnostics);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        reader.event(event, range.start);
    }
    reader.finish()
}

/// Which line a byte offset falls on.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    fn line(&self, offset: usize) -> u32 {
        (self.starts.partition_point(|&s| s <= offset)) as u32
    }
}

/// Removes a written heading number: 一、 （一） 1. 1、 （1） (1) and the like.
pub fn strip_heading_number(text: &str) -> &str {
    let chinese = |c: char| "一二三四五六七八九十百".contains(c);
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let rest = text.trim_start();
    // 一、 / 十二、
    let after: String = rest.chars().take_while(|&c| chinese(c)).collect();
    if !after.is_empty() && rest[after.len()..].starts_with('、') {
        return rest[after.len() + '、'.len_utf8()..].trim_start();
    }
    // （一） （1） (1)
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = rest.strip_prefix(open)
            && let Some(end) = inner.find(close)
            && end > 0
            && inner[..end].chars().all(|c| chinese(c) || digit(c))
        {
            return inner[end + close.len_utf8()..].trim_start();
        }
    }
    // 1. 1、 1．
    let digits: String = rest.chars().take_while(|&c| digit(c)).collect();
    if !digits.is_empty() {
        let tail = &rest[digits.len()..];
        for mark in ['.', '、', '．'] {
            if let Some(after) = tail.strip_prefix(mark) {
                return after.trim_start();
            }
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> (Vec<MarkdownBlock>, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let blocks = parse(Path::new("a.md"), text, &mut diagnostics);
        (blocks, diagnostics)
    }

    #[test]
    fn numbers_written_or_not_are_stripped() {
        for heading in [
            "一、总体要求",
            "（一）总体要求",
            "1.总体要求",
            "（1）总体要求",
            "(2) 总体要求",
            "总体要求",
        ] {
            assert_eq!(strip_heading_number(heading), "总体要求", "{heading}");
        }
    }

    #[test]
    fn headings_paragraphs_and_lists_keep_their_lines() {
        let (found, problems) = blocks("# 一、总体要求\n\n第一段\n接着写。\n\n- 甲\n- 乙\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            found[0],
            MarkdownBlock {
                line: 1,
                kind: BlockKind::Heading {
                    level: 1,
                    text: "总体要求".into()
                }
            }
        );
        assert_eq!(
            found[1],
            MarkdownBlock {
                line: 3,
                kind: BlockKind::Paragraph("第一段接着写。".into())
            }
        );
        assert_eq!(
            found[2].kind,
            BlockKind::List {
                ordered: false,
                items: vec!["甲".into(), "乙".into()]
            }
        );
    }

    #[test]
    fn unsupported_constructs_are_located() {
        let (_, problems) = blocks("段落\n\n<div>x</div>\n\n![图](a.png)\n\n```\ncode\n```\n");
        let lines: Vec<Option<u32>> = problems
            .iter()
            .map(|d| d.location.as_ref().unwrap().line)
            .collect();
        assert_eq!(lines, vec![Some(3), Some(5), Some(7)], "{problems:?}");
    }

    fn items(block: &MarkdownBlock) -> Vec<String> {
        match &block.kind {
            BlockKind::List { items, .. } => items.clone(),
            other => panic!("not a list: {other:?}"),
        }
    }

    #[test]
    fn nested_lists_keep_every_item_in_order_with_their_numbers() {
        let (found, problems) = blocks("1. 甲\n   1. 子一\n   2. 子二\n2. 乙\n   - 点\n3. 丙\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(found.len(), 1);
        assert_eq!(
            items(&found[0]),
            ["（1）甲", "①子一", "②子二", "（2）乙", "点", "（3）丙"]
        );
        assert!(matches!(
            found[0].kind,
            BlockKind::List { ordered: false, .. }
        ));
    }

    #[test]
    fn a_plain_list_stays_numbered_by_the_renderer() {
        let (found, _) = blocks("1. 甲\n2. 乙\n");
        assert_eq!(
            found[0].kind,
            BlockKind::List {
                ordered: true,
                items: vec!["甲".into(), "乙".into()]
            }
        );
    }

    #[test]
    fn further_paragraphs_and_tables_of_an_item_follow_it() {
        let text = "1. 甲\n\n   甲的第二段\n\n2. 乙\n\n   | a | b |\n   |---|---|\n   | 1 | 2 |\n\n3. 丙\n";
        let (found, problems) = blocks(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(items(&found[0]), ["（1）甲", "甲的第二段", "（2）乙"]);
        assert_eq!(
            found[1].kind,
            BlockKind::Table {
                header: vec!["a".into(), "b".into()],
                rows: vec![vec!["1".into(), "2".into()]],
                spans: Vec::new(),
            }
        );
        assert_eq!(items(&found[2]), ["（3）丙"]);
    }

    #[test]
    fn a_heading_in_a_list_is_an_error_and_the_other_items_stay() {
        let (found, problems) = blocks("- 甲\n- ## 乙\n- 丙\n");
        let error = problems.iter().find(|d| d.is_error()).unwrap();
        assert!(error.message.contains("“乙”"), "{error:?}");
        assert_eq!(error.location.as_ref().unwrap().line, Some(2));
        assert_eq!(items(&found[0]), ["甲", "丙"]);
    }

    #[test]
    fn links_print_their_address_and_latin_lines_keep_a_space() {
        let (found, _) = blocks("见[官网](https://a.cn)与<https://b.cn>。\nsee\nthis\n");
        assert_eq!(
            found[0].kind,
            BlockKind::Paragraph("见官网（https://a.cn）与https://b.cn。see this".into())
        );
    }

    #[test]
    fn a_bom_does_not_hide_the_first_heading() {
        let (found, _) = blocks("\u{FEFF}# 总体要求\n");
        assert!(matches!(&found[0].kind, BlockKind::Heading { text, .. } if text == "总体要求"));
    }

    #[test]
    fn pasted_punctuation_is_printed_full_width_and_reported_on_its_line() {
        let (found, problems) = blocks("第一行\n推进,加强(重点)\n");
        assert_eq!(
            found[0].kind,
            BlockKind::Paragraph("第一行推进，加强（重点）".into())
        );
        let warning = problems.iter().next().unwrap();
        assert_eq!(warning.location.as_ref().unwrap().line, Some(2));
    }

    #[test]
    fn a_table_wider_than_the_page_is_an_error() {
        let header = format!(
            "|{}\n|{}\n|{}\n",
            "a|".repeat(10),
            "-|".repeat(10),
            "1|".repeat(10)
        );
        let (_, problems) = blocks(&header);
        assert!(
            problems.iter().any(|d| d.message.contains("超出版心宽度")),
            "{problems:?}"
        );
    }
}
