//! A Markdown list as it is read, with nesting, items of several paragraphs and tables inside
//! items, turned into model lists that print every item in order.
//!
//! A plain list (one level, one paragraph per item, numbered from 1) stays a numbered or bulleted
//! list for the renderers. Any other list is printed with its numbers written out: the outer
//! level as （1）（2）…, nested numbered levels as ①②…, bulleted items and further paragraphs
//! of an item as indented paragraphs in order; a table inside an item is printed after it.

use super::MarkdownBlock;
use super::reader::Prose;

/// One level of nesting.
#[derive(Debug)]
struct Level {
    ordered: bool,
    /// The number of the last item at this level.
    count: u64,
}

/// An item of a list, or a further paragraph of one (with `number` `None`), and the blocks
/// (tables) that stood in it after its text.
#[derive(Debug)]
struct Entry {
    depth: usize,
    number: Option<u64>,
    prose: Prose,
    blocks_after: Vec<MarkdownBlock>,
}

/// A list being read.
#[derive(Debug)]
pub struct ListBuild {
    /// The line of its first item.
    pub line: u32,
    ordered: bool,
    levels: Vec<Level>,
    entries: Vec<Entry>,
    /// Whether it needs its numbers written out (see the module doc).
    written_numbers: bool,
}

/// One list item or paragraph of the list, ready to print, with its place.
pub struct PrintedItem<'a> {
    /// The number to print before it (empty for none).
    pub marker: String,
    /// Its text as read.
    pub prose: &'a Prose,
}

/// A finished list: runs of items, with blocks (tables) between them.
pub enum Piece<'a> {
    /// Items printed as one model list.
    Items {
        /// Numbered by the renderer.
        ordered: bool,
        /// The items.
        items: Vec<PrintedItem<'a>>,
    },
    /// A block that stood inside an item.
    Block(&'a MarkdownBlock),
}

impl ListBuild {
    /// A list starting at `line`, numbered from `start` when ordered.
    pub fn new(line: u32, start: Option<u64>) -> Self {
        let mut list = Self {
            line,
            ordered: start.is_some(),
            levels: Vec::new(),
            entries: Vec::new(),
            written_numbers: false,
        };
        list.open_level(start);
        list
    }

    /// A nested list inside the current item.
    pub fn open_level(&mut self, start: Option<u64>) {
        if !self.levels.is_empty() || start.is_some_and(|s| s != 1) {
            self.written_numbers = true;
        }
        self.levels.push(Level {
            ordered: start.is_some(),
            count: start.unwrap_or(1).saturating_sub(1),
        });
    }

    /// Ends the innermost level; true when the whole list has ended.
    pub fn close_level(&mut self) -> bool {
        self.levels.pop();
        self.levels.is_empty()
    }

    /// A new item at the current level.
    pub fn item(&mut self) {
        let number = self.levels.last_mut().and_then(|level| {
            level.count += 1;
            level.ordered.then_some(level.count)
        });
        self.push(number);
    }

    fn push(&mut self, number: Option<u64>) {
        self.entries.push(Entry {
            depth: self.levels.len(),
            number,
            prose: Prose::default(),
            blocks_after: Vec::new(),
        });
    }

    /// A paragraph inside the current item: the item's own text when it has none yet, else a
    /// further paragraph printed after it.
    pub fn paragraph(&mut self) {
        let has_text = self
            .entries
            .last()
            .is_none_or(|e| !e.prose.is_blank() || !e.blocks_after.is_empty());
        if has_text {
            self.written_numbers = true;
            self.push(None);
        }
    }

    /// Where the text of the current item goes.
    pub fn text(&mut self) -> &mut Prose {
        if self
            .entries
            .last()
            .is_none_or(|e| !e.blocks_after.is_empty())
        {
            self.paragraph();
        }
        let last = self.entries.len() - 1;
        &mut self.entries[last].prose
    }

    /// A block (a table) that stood inside the current item, printed after it.
    pub fn block(&mut self, block: MarkdownBlock) {
        self.written_numbers = true;
        if self.entries.is_empty() {
            self.push(None);
        }
        let last = self.entries.len() - 1;
        self.entries[last].blocks_after.push(block);
    }

    /// The list as printed, in order.
    pub fn pieces(&self) -> Vec<Piece<'_>> {
        let mut pieces = Vec::new();
        let mut run = Vec::new();
        for entry in &self.entries {
            if !entry.prose.is_blank() {
                let marker = match entry.number {
                    Some(n) if self.written_numbers => marker(entry.depth, n),
                    _ => String::new(),
                };
                run.push(PrintedItem {
                    marker,
                    prose: &entry.prose,
                });
            }
            if !entry.blocks_after.is_empty() {
                self.flush(&mut run, &mut pieces);
                pieces.extend(entry.blocks_after.iter().map(Piece::Block));
            }
        }
        self.flush(&mut run, &mut pieces);
        pieces
    }

    fn flush<'a>(&self, run: &mut Vec<PrintedItem<'a>>, pieces: &mut Vec<Piece<'a>>) {
        if !run.is_empty() {
            pieces.push(Piece::Items {
                ordered: self.ordered && !self.written_numbers,
                items: std::mem::take(run),
            });
        }
    }
}

/// The written number of item `n` at nesting `depth`: （1） for the outer level, ① below it
/// (（21） and on past ⑳).
fn marker(depth: usize, n: u64) -> String {
    match (depth, n) {
        (1, _) | (_, 21..) | (_, 0) => format!("（{n}）"),
        _ => char::from_u32(0x2460 + n as u32 - 1)
            .map(String::from)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_by_depth() {
        assert_eq!(marker(1, 4), "（4）");
        assert_eq!(marker(2, 1), "①");
        assert_eq!(marker(3, 20), "⑳");
        assert_eq!(marker(2, 21), "（21）");
    }
}
