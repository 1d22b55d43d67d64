//! The event reader behind [`super::parse`]: every pulldown-cmark event either adds its text to a
//! block or is reported with its line, so no character is dropped without a word.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::list::{ListBuild, Piece};
use super::{BlockKind, LineIndex, MAX_TABLE_COLUMNS, MarkdownBlock, strip_heading_number};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::emphasis;
use crate::load::{punctuation, text};

/// Text being gathered, with the source line of each stretch of it.
#[derive(Debug, Default)]
pub struct Prose {
    text: String,
    /// `(byte offset in text, line)` where each line's text starts.
    lines: Vec<(usize, u32)>,
}

impl Prose {
    fn push(&mut self, piece: &str, line: u32) {
        if self.lines.last().is_none_or(|&(_, l)| l != line) {
            self.lines.push((self.text.len(), line));
        }
        self.text.push_str(piece);
    }

    /// True when it holds no visible text.
    pub fn is_blank(&self) -> bool {
        emphasis::plain(&self.text).trim().is_empty()
    }

    /// The same text without emphasis marks (for headings and table cells, set in their own
    /// fonts), its lines still known.
    fn without_marks(&self) -> Prose {
        let kept_before = |offset: usize| {
            self.text[..offset]
                .chars()
                .filter(|&c| !emphasis::is_mark(c))
                .map(char::len_utf8)
                .sum()
        };
        Prose {
            text: emphasis::plain(&self.text).into_owned(),
            lines: self
                .lines
                .iter()
                .map(|&(offset, line)| (kept_before(offset), line))
                .collect(),
        }
    }

    fn line_at(&self, offset: usize) -> u32 {
        let index = self.lines.partition_point(|&(start, _)| start <= offset);
        self.lines.get(index.saturating_sub(1)).map_or(0, |l| l.1)
    }
}

/// A block being read (outside a list or inside one of its items).
enum Open {
    Heading {
        level: u8,
        prose: Prose,
        line: u32,
    },
    Paragraph {
        prose: Prose,
        line: u32,
    },
    Table {
        header: Vec<Prose>,
        rows: Vec<Vec<Prose>>,
        cell: Prose,
        in_header: bool,
        line: u32,
    },
}

/// Reads the events of one file into blocks.
pub struct Reader<'a> {
    file: &'a std::path::Path,
    lines: &'a LineIndex,
    text: &'a str,
    blocks: Vec<MarkdownBlock>,
    diagnostics: &'a mut Diagnostics,
    current: Option<Open>,
    list: Option<ListBuild>,
    /// A line break was passed since the last text (Latin words then need a space).
    pending_break: bool,
    /// Open links: their target and the text seen inside them.
    links: Vec<(String, String)>,
}

impl<'a> Reader<'a> {
    /// A reader of `text`, the contents of `file`.
    pub fn new(
        file: &'a std::path::Path,
        lines: &'a LineIndex,
        text: &'a str,
        diagnostics: &'a mut Diagnostics,
    ) -> Self {
        Self {
            file,
            lines,
            text,
            blocks: Vec::new(),
            diagnostics,
            current: None,
            list: None,
            pending_break: false,
            links: Vec::new(),
        }
    }

    /// Handles one event starting at byte `offset`.
    pub fn event(&mut self, event: Event, offset: usize) {
        let line = self.lines.line(offset);
        match event {
            Event::Start(tag) => self.start(tag, line),
            Event::End(end) => self.end(end, line),
            Event::Text(text) | Event::Code(text) => self.push_text(&text, line),
            Event::SoftBreak | Event::HardBreak => self.pending_break = true,
            Event::InlineHtml(_) => {
                self.unsupported(line, "HTML 标记", "删除尖括号标记，只保留文字")
            }
            // Only inside an HTML block, which is reported where it starts.
            Event::Html(_) => {}
            Event::Rule => self.unsupported(line, "分隔线（---）", "删除该行"),
            Event::TaskListMarker(_) => self.unsupported(line, "任务列表", "改为普通列表"),
            Event::FootnoteReference(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {
                self.unsupported(line, "脚注或公式", "改为普通文字")
            }
        }
    }

    /// Closes whatever is still open at the end of the file and returns the blocks read.
    pub fn finish(mut self) -> Vec<MarkdownBlock> {
        self.close();
        if let Some(list) = self.list.take() {
            self.emit_list(list);
        }
        self.blocks
    }

    fn start(&mut self, tag: Tag, line: u32) {
        match tag {
            Tag::Heading { level, .. } => self.open_heading(level as u8, line),
            Tag::Paragraph => match &mut self.list {
                Some(list) if self.current.is_none() => list.paragraph(),
                _ => {
                    self.current = Some(Open::Paragraph {
                        prose: Prose::default(),
                        line,
                    })
                }
            },
            Tag::List(first) => match &mut self.list {
                Some(list) => list.open_level(first),
                None => self.list = Some(ListBuild::new(line, first)),
            },
            Tag::Item => {
                if let Some(list) = &mut self.list {
                    list.item();
                }
            }
            Tag::Table(_) => {
                self.current = Some(Open::Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    cell: Prose::default(),
                    in_header: false,
                    line,
                })
            }
            Tag::TableHead => self.in_table_header(true),
            Tag::TableRow => {
                if let Some(Open::Table { rows, .. }) = &mut self.current {
                    rows.push(Vec::new());
                }
                self.check_row_width(line);
            }
            Tag::Link { dest_url, .. } => self.links.push((dest_url.to_string(), String::new())),
            Tag::Strikethrough => self.diagnostics.push(
                Diagnostic::warning("公文不印删除线，划掉的文字按普通文字印出")
                    .at(Location::line(self.file, line))
                    .hint("若这些文字不要了，请直接删除；否则去掉两侧的 ~~"),
            ),
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
            Tag::FootnoteDefinition(_)
            | Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => {
                self.unsupported(line, "脚注、定义列表或元数据", "改为普通段落")
            }
            Tag::Strong => self.push_mark(emphasis::OPEN, line),
            Tag::Emphasis => self.diagnostics.push(
                Diagnostic::warning("公文不用斜体，*…* 中的文字按正文字体印出")
                    .at(Location::line(self.file, line))
                    .hint("需要强调的文字请写成 **加粗**（印为黑体）；否则去掉两侧的 *"),
            ),
            Tag::TableCell | Tag::Superscript | Tag::Subscript => {}
        }
    }

    fn open_heading(&mut self, level: u8, line: u32) {
        if level > 4 {
            self.diagnostics.push(
                Diagnostic::warning(format!("标题层级 {level} 超过公文的四级，按第四级排版"))
                    .at(Location::line(self.file, line))
                    .hint("公文标题最多四级：一、（一）1.（1）"),
            );
        }
        self.current = Some(Open::Heading {
            level: level.min(4),
            prose: Prose::default(),
            line,
        });
    }

    fn in_table_header(&mut self, value: bool) {
        if let Some(Open::Table { in_header, .. }) = &mut self.current {
            *in_header = value;
        }
    }

    fn end(&mut self, end: TagEnd, line: u32) {
        match end {
            TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Table => self.close(),
            TagEnd::List(_) => {
                if let Some(list) = &mut self.list
                    && list.close_level()
                    && let Some(list) = self.list.take()
                {
                    self.emit_list(list);
                }
            }
            TagEnd::TableHead => self.in_table_header(false),
            TagEnd::TableCell => self.end_cell(),
            TagEnd::Link => self.end_link(line),
            TagEnd::Strong => self.push_mark(emphasis::CLOSE, line),
            _ => {}
        }
    }

    fn end_cell(&mut self) {
        if let Some(Open::Table {
            header,
            rows,
            cell,
            in_header,
            ..
        }) = &mut self.current
        {
            let cell = std::mem::take(cell);
            if *in_header {
                header.push(cell);
            } else if let Some(row) = rows.last_mut() {
                row.push(cell);
            }
        }
    }

    /// A link prints its text and, when the text does not show it, its address in brackets.
    fn end_link(&mut self, line: u32) {
        let Some((target, seen)) = self.links.pop() else {
            return;
        };
        let bare = target.trim_start_matches("mailto:");
        if !target.is_empty() && !target.starts_with('#') && seen.trim() != bare {
            self.push_text(&format!("（{target}）"), line);
        }
    }

    /// Where new text goes: the open block, else the current list item.
    fn target(&mut self) -> Option<&mut Prose> {
        match &mut self.current {
            Some(Open::Heading { prose, .. } | Open::Paragraph { prose, .. }) => Some(prose),
            Some(Open::Table { cell, .. }) => Some(cell),
            None => self.list.as_mut().map(ListBuild::text),
        }
    }

    /// Starts or ends emphasis in the text being gathered.
    fn push_mark(&mut self, mark: char, line: u32) {
        if let Some(prose) = self.target() {
            prose.push(mark.encode_utf8(&mut [0; 4]), line);
        }
    }

    fn push_text(&mut self, raw: &str, line: u32) {
        let cleaned = text::clean(raw, &Location::line(self.file, line), self.diagnostics);
        for (_, seen) in &mut self.links {
            seen.push_str(&cleaned);
        }
        let pending_break = std::mem::take(&mut self.pending_break);
        let Some(prose) = self.target() else {
            return;
        };
        let latin_before = prose
            .text
            .trim_end_matches(emphasis::is_mark)
            .ends_with(|c: char| c.is_ascii_graphic());
        let latin_after = cleaned.starts_with(|c: char| c.is_ascii_graphic());
        if pending_break && latin_before && latin_after {
            prose.push(" ", line);
        }
        prose.push(&cleaned, line);
    }

    fn close(&mut self) {
        let Some(open) = self.current.take() else {
            return;
        };
        let block = match open {
            Open::Heading { level, prose, line } => {
                if self.list.is_some() {
                    return self.heading_in_list(&prose, line);
                }
                let text = self.printed_heading(&prose);
                (line, BlockKind::Heading { level, text })
            }
            Open::Paragraph { prose, line } => {
                if prose.is_blank() {
                    return;
                }
                (line, BlockKind::Paragraph(self.printed(&prose)))
            }
            Open::Table {
                header, rows, line, ..
            } => (line, self.table(header, rows, line)),
        };
        let block = MarkdownBlock {
            line: block.0,
            kind: block.1,
        };
        match &mut self.list {
            Some(list) => list.block(block),
            None => self.blocks.push(block),
        }
    }

    fn heading_in_list(&mut self, prose: &Prose, line: u32) {
        let source = self.source_line(line);
        self.diagnostics.push(
            Diagnostic::error(format!(
                "标题“{}”写在列表项中，公文的标题不能放在列表里，无法排版",
                emphasis::plain(&prose.text).trim()
            ))
            .at(Location::line(self.file, line))
            .with_source_line(source)
            .hint("请把这个标题移出列表：删除它前面的“- ”或“1. ”和缩进，并在标题前后各空一行"),
        );
    }

    fn table(&mut self, header: Vec<Prose>, rows: Vec<Vec<Prose>>, line: u32) -> BlockKind {
        if header.len() > MAX_TABLE_COLUMNS {
            self.diagnostics.push(
                Diagnostic::error(format!(
                    "表格有 {} 列，超出版心宽度（最多 {MAX_TABLE_COLUMNS} 列）",
                    header.len()
                ))
                .at(Location::line(self.file, line))
                .hint("请拆分表格、合并列，或把宽表放入测评表或佐证材料"),
            );
        }
        let header: Vec<String> = header
            .iter()
            .map(|c| self.printed(&c.without_marks()))
            .collect();
        let rows = rows
            .iter()
            .map(|row| {
                let mut cells: Vec<String> = row
                    .iter()
                    .map(|c| self.printed(&c.without_marks()))
                    .collect();
                cells.resize(header.len().max(cells.len()), String::new());
                cells
            })
            .collect();
        BlockKind::Table {
            header,
            rows,
            spans: Vec::new(),
        }
    }

    /// A table row with more cells than its header: Markdown would drop the extra ones.
    fn check_row_width(&mut self, line: u32) {
        let Some(Open::Table { header, .. }) = &self.current else {
            return;
        };
        let written = cell_count(&self.source_line(line));
        if header.is_empty() || written <= header.len() {
            return;
        }
        let header = header.len();
        let source = self.source_line(line);
        self.diagnostics.push(
            Diagnostic::error(format!(
                "表格这一行有 {written} 格，多于表头的 {header} 格，多出的格无法印出"
            ))
            .at(Location::line(self.file, line))
            .with_source_line(source)
            .hint("请在表头补上对应的列，或把多出的内容并入本行的其他格"),
        );
    }

    fn emit_list(&mut self, list: ListBuild) {
        for piece in list.pieces() {
            match piece {
                Piece::Items { ordered, items } => {
                    let texts = items
                        .iter()
                        .map(|item| format!("{}{}", item.marker, self.printed(item.prose)))
                        .collect();
                    self.blocks.push(MarkdownBlock {
                        line: list.line,
                        kind: BlockKind::List {
                            ordered,
                            items: texts,
                        },
                    });
                }
                Piece::Block(block) => self.blocks.push(block.clone()),
            }
        }
    }

    /// The heading's text without its written number, as printed.
    fn printed_heading(&mut self, prose: &Prose) -> String {
        let prose = &prose.without_marks();
        let trimmed = prose.text.trim();
        let body = strip_heading_number(trimmed);
        let start = body.as_ptr() as usize - prose.text.as_ptr() as usize;
        self.printed_range(prose, start, body.len())
    }

    /// The text as printed: punctuation next to Chinese made full-width, each change reported
    /// on its line.
    fn printed(&mut self, prose: &Prose) -> String {
        let trimmed = prose.text.trim_start();
        let start = prose.text.len() - trimmed.len();
        let printed = self.printed_range(prose, start, trimmed.trim_end().len());
        emphasis::trim(&printed)
    }

    fn printed_range(&mut self, prose: &Prose, start: usize, len: usize) -> String {
        let (printed, fixes) = punctuation::normalise(&prose.text[start..start + len]);
        let mut by_line: Vec<(u32, Vec<punctuation::Fix>)> = Vec::new();
        for fix in fixes {
            let line = prose.line_at(start + fix.offset);
            match by_line.last_mut() {
                Some((l, found)) if *l == line => found.push(fix),
                _ => by_line.push((line, vec![fix])),
            }
        }
        for (line, fixes) in by_line {
            let source = self.source_line(line);
            self.diagnostics.push(
                punctuation::warning(&fixes, Location::line(self.file, line))
                    .with_source_line(source),
            );
        }
        printed
    }

    fn source_line(&self, line: u32) -> String {
        self.text
            .lines()
            .nth((line as usize).saturating_sub(1))
            .unwrap_or_default()
            .to_string()
    }

    fn unsupported(&mut self, line: u32, what: &str, fix: &str) {
        let source = self.source_line(line);
        self.diagnostics.push(
            Diagnostic::error(format!("公文正文不支持{what}"))
                .at(Location::line(self.file, line))
                .with_source_line(source)
                .hint(fix),
        );
    }
}

/// How many cells a Markdown table row holds (unescaped `|` outside code, edge pipes ignored).
fn cell_count(row: &str) -> usize {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let mut count = 1;
    let (mut escaped, mut in_code) = (false, false);
    let mut last_was_pipe = false;
    for c in row.chars() {
        last_was_pipe = false;
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '`' => in_code = !in_code,
            '|' if !in_code => {
                count += 1;
                last_was_pipe = true;
            }
            _ => {}
        }
    }
    if last_was_pipe { count - 1 } else { count }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_counted_as_written() {
        assert_eq!(cell_count("| a | b |"), 2);
        assert_eq!(cell_count("a | b | c"), 3);
        assert_eq!(cell_count("| a \\| b | `x|y` |"), 2);
    }
}
