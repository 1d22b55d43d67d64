//! The applicant's long texts (work report, work plan) in Markdown, read into located blocks.
//!
//! Headings may be written with or without their numbers (一、 / （一） / 1. / （1））; numbers
//! are stripped here and added consistently when composing. Constructs that a 公文 cannot carry
//! (raw HTML, images, code) are reported with their line.

use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};

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
    /// A table: a header row and body rows.
    Table {
        /// Header cells.
        header: Vec<String>,
        /// Body rows.
        rows: Vec<Vec<String>>,
    },
}

/// The widest table (in columns) that fits the 156 mm text block legibly.
pub const MAX_TABLE_COLUMNS: usize = 8;

/// Parses `text` (the contents of `file`). Problems go into `diagnostics`; what could be read is
/// returned.
pub fn parse(file: &Path, text: &str, diagnostics: &mut Diagnostics) -> Vec<MarkdownBlock> {
    let lines = LineIndex::new(text);
    let mut reader = Reader {
        file,
        lines: &lines,
        text,
        blocks: Vec::new(),
        current: None,
        diagnostics,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        reader.event(event, range.start);
    }
    reader.blocks
}

/// Which line a byte offset falls on.
struct LineIndex {
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

/// A block being read.
enum Open {
    Heading {
        level: u8,
        text: String,
        line: u32,
    },
    Paragraph {
        text: String,
        line: u32,
    },
    List {
        ordered: bool,
        items: Vec<String>,
        line: u32,
        depth: usize,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        cell: String,
        in_header: bool,
        line: u32,
    },
}

struct Reader<'a> {
    file: &'a Path,
    lines: &'a LineIndex,
    text: &'a str,
    blocks: Vec<MarkdownBlock>,
    current: Option<Open>,
    diagnostics: &'a mut Diagnostics,
}

impl Reader<'_> {
    fn event(&mut self, event: Event, offset: usize) {
        let line = self.lines.line(offset);
        match event {
            Event::Start(tag) => self.start(tag, line),
            Event::End(end) => self.end(end, line),
            Event::Text(text) | Event::Code(text) => self.push_text(&text),
            Event::SoftBreak | Event::HardBreak => {}
            Event::InlineHtml(_) => {
                self.unsupported(line, "HTML 标记", "删除尖括号标记，只保留文字")
            }
            Event::Html(_) => {}
            Event::Rule => self.unsupported(line, "分隔线（---）", "删除该行"),
            Event::TaskListMarker(_) => self.unsupported(line, "任务列表", "改为普通列表"),
            Event::FootnoteReference(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {
                self.unsupported(line, "脚注或公式", "改为普通文字")
            }
        }
    }

    fn start(&mut self, tag: Tag, line: u32) {
        match tag {
            Tag::Heading { level, .. } => {
                let level = level as u8;
                if level > 4 {
                    self.diagnostics.push(
                        Diagnostic::warning(format!(
                            "标题层级 {level} 超过公文的四级，按第四级排版"
                        ))
                        .at(Location::line(self.file, line))
                        .hint("公文标题最多四级：一、（一）1.（1）"),
                    );
                }
                self.current = Some(Open::Heading {
                    level: level.min(4),
                    text: String::new(),
                    line,
                });
            }
            Tag::Paragraph => match &mut self.current {
                Some(Open::List { items, .. }) => items.push(String::new()),
                _ => {
                    self.current = Some(Open::Paragraph {
                        text: String::new(),
                        line,
                    })
                }
            },
            Tag::List(first) => match &mut self.current {
                Some(Open::List { depth, .. }) => *depth += 1,
                _ => {
                    self.current = Some(Open::List {
                        ordered: first.is_some(),
                        items: Vec::new(),
                        line,
                        depth: 1,
                    })
                }
            },
            Tag::Item => {
                if let Some(Open::List { items, .. }) = &mut self.current {
                    items.push(String::new());
                }
            }
            Tag::Table(_) => {
                self.current = Some(Open::Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    cell: String::new(),
                    in_header: false,
                    line,
                })
            }
            Tag::TableHead => {
                if let Some(Open::Table { in_header, .. }) = &mut self.current {
                    *in_header = true;
                }
            }
            Tag::TableRow => {
                if let Some(Open::Table { rows, .. }) = &mut self.current {
                    rows.push(Vec::new());
                }
            }
            Tag::Image { .. } => self.unsupported(
                line,
                "图片",
                "公文正文不插入图片；请作为佐证材料列入 applicant.yaml 的 evidence",
            ),
            Tag::CodeBlock(_) => {
                self.unsupported(line, "代码块", "删除 ``` 或行首缩进，改为普通段落")
            }
            Tag::HtmlBlock => self.unsupported(line, "HTML 块", "删除 HTML 标记，只保留文字"),
            Tag::BlockQuote(_) => self.unsupported(line, "引用块（>）", "删除行首的 >"),
            Tag::FootnoteDefinition(_) | Tag::MetadataBlock(_) | Tag::DefinitionList => {
                self.unsupported(line, "脚注或元数据", "改为普通段落")
            }
            _ => {}
        }
    }

    fn end(&mut self, end: TagEnd, line: u32) {
        match end {
            TagEnd::Heading(_) | TagEnd::Paragraph
                if !matches!(self.current, Some(Open::List { .. })) =>
            {
                self.close()
            }
            TagEnd::List(_) => {
                if let Some(Open::List { depth, .. }) = &mut self.current {
                    *depth -= 1;
                    if *depth == 0 {
                        self.close();
                    }
                }
            }
            TagEnd::TableHead => {
                if let Some(Open::Table { in_header, .. }) = &mut self.current {
                    *in_header = false;
                }
            }
            TagEnd::TableCell => {
                if let Some(Open::Table {
                    header,
                    rows,
                    cell,
                    in_header,
                    ..
                }) = &mut self.current
                {
                    let text = std::mem::take(cell).trim().to_string();
                    if *in_header {
                        header.push(text);
                    } else if let Some(row) = rows.last_mut() {
                        row.push(text);
                    }
                }
            }
            TagEnd::Table => {
                if let Some(Open::Table { header, .. }) = &self.current
                    && header.len() > MAX_TABLE_COLUMNS
                {
                    self.diagnostics.push(
                        Diagnostic::error(format!(
                            "表格有 {} 列，超出版心宽度（最多 {MAX_TABLE_COLUMNS} 列）",
                            header.len()
                        ))
                        .at(Location::line(self.file, line))
                        .hint("请拆分表格、合并列，或把宽表放入测评表或佐证材料"),
                    );
                }
                self.close();
            }
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        match &mut self.current {
            Some(Open::Heading { text: t, .. } | Open::Paragraph { text: t, .. }) => {
                t.push_str(text)
            }
            Some(Open::List { items, .. }) => {
                if let Some(item) = items.last_mut() {
                    item.push_str(text)
                }
            }
            Some(Open::Table { cell, .. }) => cell.push_str(text),
            None => {}
        }
    }

    fn close(&mut self) {
        let Some(open) = self.current.take() else {
            return;
        };
        let (line, kind) = match open {
            Open::Heading { level, text, line } => (
                line,
                BlockKind::Heading {
                    level,
                    text: strip_heading_number(text.trim()).to_string(),
                },
            ),
            Open::Paragraph { text, line } => (line, BlockKind::Paragraph(text.trim().to_string())),
            Open::List {
                ordered,
                items,
                line,
                ..
            } => (
                line,
                BlockKind::List {
                    ordered,
                    items: items
                        .into_iter()
                        .map(|i| i.trim().to_string())
                        .filter(|i| !i.is_empty())
                        .collect(),
                },
            ),
            Open::Table {
                header, rows, line, ..
            } => (line, BlockKind::Table { header, rows }),
        };
        if matches!(&kind, BlockKind::Paragraph(t) if t.is_empty()) {
            return;
        }
        self.blocks.push(MarkdownBlock { line, kind });
    }

    fn unsupported(&mut self, line: u32, what: &str, fix: &str) {
        let source = self
            .text
            .lines()
            .nth(line as usize - 1)
            .unwrap_or_default()
            .to_string();
        self.diagnostics.push(
            Diagnostic::error(format!("公文正文不支持{what}"))
                .at(Location::line(self.file, line))
                .with_source_line(source)
                .hint(fix),
        );
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
