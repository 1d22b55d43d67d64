//! Body items become located blocks: headings decided, numbers rendered, line breaks split into
//! paragraphs, text boxes set after their paragraph, and every aside and guessed heading
//! reported with the paragraph's place.

use std::path::Path;

use super::headings::{self, Heading};
use super::numbering::Numbering;
use super::paragraphs::{Aside, Paragraph};
use super::styles::Styles;
use super::tables::Table;
use super::{excerpt, paragraph_place};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::emphasis;
use crate::load::markdown::{BlockKind, MAX_TABLE_COLUMNS, MarkdownBlock};
use crate::load::punctuation;

/// Level names for messages.
const LEVELS: [&str; 4] = ["一级", "二级", "三级", "四级"];

/// The blocks read so far, and what to report.
pub struct Assembly<'a> {
    file: &'a Path,
    styles: &'a Styles,
    numbering: Numbering,
    blocks: Vec<MarkdownBlock>,
    found: Diagnostics,
    /// Headings read from settings (outline level or style), for the summary: place, level, rule.
    set_headings: Vec<String>,
    rules: Vec<(u32, String)>,
    count: u32,
}

impl<'a> Assembly<'a> {
    /// Starts reading the body of `file`.
    pub fn new(file: &'a Path, styles: &'a Styles, numbering: Numbering) -> Self {
        Self {
            file,
            styles,
            numbering,
            blocks: Vec::new(),
            found: Diagnostics::new(),
            set_headings: Vec::new(),
            rules: Vec::new(),
            count: 0,
        }
    }

    fn here(&self, text: &str) -> Location {
        Location::paragraph(self.file, paragraph_place(self.count, text))
    }

    /// Adds a block, its text printed by the punctuation rule (one warning per block).
    fn push(&mut self, kind: BlockKind) {
        let mut fixes = Vec::new();
        let mut printed = |text: &str| {
            let (printed, found) = punctuation::normalise(text);
            fixes.extend(found);
            printed
        };
        let kind = match kind {
            BlockKind::Heading { level, text } => BlockKind::Heading {
                level,
                text: printed(&text),
            },
            BlockKind::Paragraph(text) => BlockKind::Paragraph(printed(&text)),
            BlockKind::List { ordered, items } => BlockKind::List {
                ordered,
                items: items.iter().map(|i| printed(i)).collect(),
            },
            BlockKind::Table {
                header,
                rows,
                spans,
            } => BlockKind::Table {
                header: header.iter().map(|c| printed(c)).collect(),
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(|c| printed(c)).collect())
                    .collect(),
                spans,
            },
        };
        if !fixes.is_empty() {
            let block = MarkdownBlock {
                line: self.count,
                kind: kind.clone(),
            };
            let place = super::place(self.file, &block);
            self.found.push(punctuation::warning(&fixes, place));
        }
        self.blocks.push(MarkdownBlock {
            line: self.count,
            kind,
        });
    }

    /// Pushes each line of `text` (emphasis carried across line breaks) as a paragraph.
    fn push_lines(&mut self, text: &str) {
        for line in emphasis::lines(text) {
            let line = emphasis::trim(&line);
            if !line.is_empty() {
                self.push(BlockKind::Paragraph(line));
            }
        }
    }

    /// One body paragraph.
    pub fn paragraph(&mut self, paragraph: Paragraph) {
        let numbering = paragraph
            .numbering
            .clone()
            .or_else(|| self.styles.numbering(paragraph.style.as_deref()));
        let number = numbering.and_then(|(id, level)| self.numbering.next(&id, level));
        let text = paragraph.text.trim();
        let place = emphasis::plain(text).trim().to_string();
        if place.is_empty() && paragraph.asides.is_empty() {
            return;
        }
        self.count += 1;
        if self.blocks.is_empty() && self.styles.is_title(paragraph.style.as_deref()) {
            self.found.push(
                Diagnostic::warning("文档标题未排入正文")
                    .at(self.here(&place))
                    .hint("标题由程序按通知生成，正文从第一个标题或段落开始"),
            );
        } else if let Some(heading) = headings::decide(&paragraph, number.as_ref(), self.styles) {
            self.heading(heading, &place);
        } else if !place.is_empty() {
            let prefix = number.map(|n| n.text).unwrap_or_default();
            self.push_lines(&format!("{prefix}{text}"));
        }
        for aside in &paragraph.asides {
            self.aside(aside, &place);
        }
        self.changes(&paragraph.asides, &place);
    }

    fn heading(&mut self, heading: Heading, place: &str) {
        let level = heading.level.clamp(1, 4);
        if heading.level > 4 {
            self.found.push(
                Diagnostic::warning(format!(
                    "标题层级 {} 超过公文的四级，按第四级排版",
                    heading.level
                ))
                .at(self.here(place))
                .hint("公文标题最多四级：一、（一）1.（1）"),
            );
        }
        let name = LEVELS[usize::from(level) - 1];
        self.rules.push((self.count, heading.rule.describe()));
        if heading.rule.guessed() {
            self.found.push(
                Diagnostic::warning(format!(
                    "按{}认作{name}标题“{}”",
                    heading.rule.describe(),
                    heading.text
                ))
                .at(self.here(place))
                .hint(format!(
                    "请确认；是标题的，建议在 Word 中套用“标题 {level}”样式；不是标题的，请改写该段开头的编号"
                )),
            );
        } else {
            self.set_headings.push(format!(
                "{}{name}（{}）",
                paragraph_place(self.count, &heading.text),
                heading.rule.describe()
            ));
        }
        self.push(BlockKind::Heading {
            level,
            text: heading.text,
        });
        if let Some(rest) = heading.run_in {
            self.push(BlockKind::Paragraph(rest));
        }
    }

    fn aside(&mut self, aside: &Aside, place: &str) {
        let (message, hint) = match aside {
            Aside::Image => (
                "图片未排入正文".to_string(),
                "公文正文不插入图片；如是证明材料，请导出为 PDF 或 JPEG，列入 applicant.yaml 的 evidence",
            ),
            Aside::TextBox(text) => {
                self.push_lines(text);
                (
                    format!(
                        "文本框中的文字「{}」已作为单独段落排在本段之后",
                        excerpt(&emphasis::plain(text), 20)
                    ),
                    "公文正文不用文本框；请核对排入的位置，或在 Word 中把文字移到正文段落里",
                )
            }
            Aside::Note(text) => (
                format!(
                    "脚注（尾注）「{}」已以“（注：……）”排在引用处",
                    excerpt(text, 20)
                ),
                "公文正文不用脚注；请核对，或把说明写入正文",
            ),
            Aside::Comment(text) => (
                format!("批注「{}」未排入", excerpt(text, 20)),
                "批注是修改意见，不属于正文；处理完毕后可在 Word 中删除批注",
            ),
            Aside::Cleaned(findings) => {
                let here = self.here(place);
                self.found.extend(findings.diagnostics(&here));
                return;
            }
            Aside::Deleted(_) | Aside::Inserted => return,
        };
        self.found
            .push(Diagnostic::warning(message).at(self.here(place)).hint(hint));
    }

    /// Tracked changes of one paragraph, in one warning.
    fn changes(&mut self, asides: &[Aside], place: &str) {
        let deleted: Vec<&str> = asides
            .iter()
            .filter_map(|a| match a {
                Aside::Deleted(text) if !text.is_empty() => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let inserted = asides.contains(&Aside::Inserted);
        if deleted.is_empty() && !inserted {
            return;
        }
        let mut message = "含未处理的修订：插入的文字已排入".to_string();
        if !deleted.is_empty() {
            message = format!(
                "含未处理的修订：插入的文字已排入，删除的文字「{}」未排入",
                excerpt(&deleted.concat(), 20)
            );
        }
        self.found.push(
            Diagnostic::warning(message)
                .at(self.here(place))
                .hint("请在 Word 中“审阅→接受/拒绝修订”处理全部修订后再检查"),
        );
    }

    /// One body table: its first row is the header.
    pub fn table(&mut self, table: Table) {
        let Some((header, rows)) = table.rows.split_first() else {
            return;
        };
        self.count += 1;
        let place = header.concat();
        let mut spans = table.spans.clone();
        for span in spans.iter_mut().filter(|s| s.row == 0 && s.rows > 1) {
            span.rows = 1;
            self.found.push(
                Diagnostic::warning(
                    "表头的合并单元格向下延伸到表体：表头只排第一行，表体中被合并的格留空",
                )
                .at(self.here(&place))
                .hint("请在 Word 中拆分该单元格，表头只占一行"),
            );
        }
        if header.len() > MAX_TABLE_COLUMNS {
            self.found.push(
                Diagnostic::error(format!(
                    "表格有 {} 列，超出版心宽度（最多 {MAX_TABLE_COLUMNS} 列）",
                    header.len()
                ))
                .at(self.here(&place))
                .hint("请拆分表格、合并列，或把宽表放入测评表或佐证材料"),
            );
        }
        for aside in &table.asides {
            self.aside(aside, &place);
        }
        self.changes(&table.asides, &place);
        self.push(BlockKind::Table {
            header: header.to_vec(),
            rows: rows.to_vec(),
            spans,
        });
    }

    /// The blocks, with the problems and the list of headings read from settings reported; and
    /// the rule that found each heading, by paragraph number.
    pub fn finish(
        mut self,
        diagnostics: &mut Diagnostics,
    ) -> (Vec<MarkdownBlock>, Vec<(u32, String)>) {
        if !self.set_headings.is_empty() {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "按样式或大纲级别读出 {} 个标题：{}",
                    self.set_headings.len(),
                    self.set_headings.join("；")
                ))
                .at(Location::file(self.file))
                .hint(
                    "请核对标题及其层级；层级不对的，请在 Word 中改用相应的“标题 1”至“标题 4”样式",
                ),
            );
        }
        if self.blocks.is_empty() {
            self.found.push(
                Diagnostic::error("Word 文件中没有读到任何正文")
                    .at(Location::file(self.file))
                    .hint("请确认文件内容写在正文中（而非页眉、页脚或文本框中）"),
            );
        }
        diagnostics.extend(std::mem::take(&mut self.found));
        (self.blocks, self.rules)
    }
}
