//! Word tables (`w:tbl`) as rectangular grids of cell texts with their merged areas. A cell
//! spanning columns (`w:gridSpan`) or rows (`w:vMerge` restart, then continue) keeps its text in
//! its first grid cell, leaves the others empty, and is recorded as a [`Span`].

use super::paragraphs::{Aside, Item, Notes, items};
use super::xml::Element;
use crate::load::emphasis;
use crate::load::markdown::Span;

/// A table read from Word.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Rows of cell texts (paragraphs of a cell joined by `\n`), all as wide as the widest row.
    pub rows: Vec<Vec<String>>,
    /// The merged areas, row 0 being the first row.
    pub spans: Vec<Span>,
    /// What the cells hold that is not plain text (images, comments…).
    pub asides: Vec<Aside>,
}

impl Table {
    /// Every cell's text, joined by line breaks (for a table inside a text box or a cell).
    pub fn plain_text(&self) -> String {
        self.rows
            .iter()
            .flatten()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Reads `w:tbl`.
pub fn table(tbl: &Element, notes: &Notes) -> Table {
    let mut table = Table::default();
    // Per grid column, the vertical merge open there (an index into `table.spans`).
    let mut open: Vec<Option<usize>> = Vec::new();
    for (y, row) in rows(tbl).into_iter().enumerate() {
        let mut cells = Vec::new();
        let before = row
            .at(&["trPr", "gridBefore"])
            .and_then(|g| g.attr("val"))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        cells.extend(std::iter::repeat_n(String::new(), before.min(64)));
        for cell in row_cells(row) {
            let properties = cell.child("tcPr");
            let span = properties
                .and_then(|p| p.child_val("gridSpan"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 64);
            let merge = properties.and_then(|p| p.child("vMerge"));
            let continued = merge.is_some_and(|m| m.attr("val").is_none_or(|v| v == "continue"));
            let x = cells.len();
            open.resize(open.len().max(x + 1), None);
            let text = match (continued, open[x]) {
                (true, Some(index)) => {
                    table.spans[index].rows += 1;
                    String::new()
                }
                _ => {
                    open[x] = None;
                    if merge.is_some() || span > 1 {
                        open[x] = merge.is_some().then_some(table.spans.len());
                        table.spans.push(Span {
                            row: y,
                            column: x,
                            rows: 1,
                            columns: span,
                        });
                    }
                    cell_text(cell, notes, &mut table.asides)
                }
            };
            cells.push(text);
            cells.extend(std::iter::repeat_n(String::new(), span - 1));
        }
        table.rows.push(cells);
    }
    let width = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut table.rows {
        row.resize(width, String::new());
    }
    table
}

/// The rows of a table, looking through content controls.
fn rows(tbl: &Element) -> Vec<&Element> {
    let mut found = Vec::new();
    for element in tbl.elements() {
        match element.name.as_str() {
            "tr" => found.push(element),
            "sdt" | "customXml" => {
                let inner = element.child("sdtContent").unwrap_or(element);
                found.extend(rows(inner));
            }
            _ => {}
        }
    }
    found
}

/// The cells of a row, looking through content controls.
fn row_cells(row: &Element) -> Vec<&Element> {
    let mut found = Vec::new();
    for element in row.elements() {
        match element.name.as_str() {
            "tc" => found.push(element),
            "sdt" | "customXml" => {
                let inner = element.child("sdtContent").unwrap_or(element);
                found.extend(row_cells(inner));
            }
            _ => {}
        }
    }
    found
}

/// A cell's paragraphs joined by line breaks; a nested table's cells likewise.
fn cell_text(cell: &Element, notes: &Notes, asides: &mut Vec<Aside>) -> String {
    let mut lines = Vec::new();
    for item in items(cell, notes) {
        match item {
            Item::Paragraph(p) => {
                asides.extend(p.asides);
                lines.push(emphasis::plain(&p.text).trim().to_string());
            }
            Item::Table(inner) => {
                asides.extend(inner.asides.iter().cloned());
                lines.push(inner.plain_text());
            }
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::docx::xml::parse;

    fn cell(text: &str, properties: &str) -> String {
        format!("<w:tc><w:tcPr>{properties}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    }

    #[test]
    fn merged_cells_keep_their_text_once_in_a_rectangular_grid() {
        let xml = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl>",
            cell("指标", r#"<w:gridSpan w:val="2"/>"#),
            cell("完成情况", ""),
            cell("创造", r#"<w:vMerge w:val="restart"/>"#),
            cell("专利", ""),
            cell("35件", ""),
            cell("", "<w:vMerge/>"),
            cell("商标", ""),
            cell("8万件", ""),
        );
        let found = table(&parse(&xml).unwrap(), &Notes::default());
        assert_eq!(
            found.spans,
            vec![
                Span {
                    row: 0,
                    column: 0,
                    rows: 1,
                    columns: 2
                },
                Span {
                    row: 1,
                    column: 0,
                    rows: 2,
                    columns: 1
                }
            ]
        );
        assert_eq!(
            found.rows,
            vec![
                vec!["指标", "", "完成情况"],
                vec!["创造", "专利", "35件"],
                vec!["", "商标", "8万件"],
            ]
        );
    }
}
