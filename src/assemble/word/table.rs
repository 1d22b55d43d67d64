//! Tables of a Word file: the full text width on a fixed grid of `w:gridCol` widths in the model's
//! proportions, single 0.5 pt borders, the PDF's cell insets, a header row in 黑体 repeated on
//! every page (`w:tblHeader`), and cells merged across rows (`w:vMerge`) and columns
//! (`w:gridSpan`).
//!
//! Continued pages show their group labels. Word repeats only the header row, so a merged
//! 一级/二级指标 cell would show its label on the page where the merge starts only. The rows are
//! therefore cut into *segments* that Word keeps on one page (every row of a segment but the last
//! keeps with the next): a segment starts wherever every merged label starts anew, and a group
//! taller than `word-group-height` of the page (estimated from the text, the column widths and
//! the type size) is cut into several segments. Each segment begins with its labels: a merged
//! cell crossing into a new segment restarts its `w:vMerge` there with the label written again.
//! A page can then break only where a segment begins, so every page's first row names its
//! groups; the price is some white space at the foot of a page before a group that does not fit.

use super::Writer;
use super::page::point_twips;
use super::text::{Face, Para, width_in_chars};
use super::xml::Xml;
use crate::compose::model::{Cell, Table};
use crate::diagnostics::Diagnostic;

/// What fills one column of a body row.
#[derive(Debug, Clone, Copy)]
enum Slot<'a> {
    /// A cell of the model, starting here.
    Start(&'a Cell),
    /// Covered by this cell of a row above that spans rows (its first column).
    Covered(&'a Cell),
    /// Covered by the cell to its left that spans columns (no cell of its own in Word).
    Spanned,
    /// Nothing: the row has fewer cells than the table has columns.
    Empty,
}

/// Where a body row stands among its segments.
struct RowPlace<'r, 'a> {
    /// The following row when it is in the same segment (merged cells continue into it).
    next: Option<&'r Vec<Slot<'a>>>,
    /// The first row of a segment: covered cells restart their merge with their label.
    restart: bool,
    /// Kept on the page of the next row (or of the note after the last row).
    keep: bool,
    /// Every cell may break across pages, so the row may too.
    breakable: bool,
}

/// A table's sizes in twips and half points.
struct Metrics {
    /// Type size in points.
    size: f64,
    /// Distance of a cell's lines.
    line: i32,
    /// Left and right cell inset.
    inset_x: i32,
    /// Top and bottom cell inset.
    inset_y: i32,
}

impl Writer {
    /// A table, the block spacing after it (as the PDF's), and its note, which keeps with the
    /// table's last row. Rows stay on one page unless all their cells are breakable.
    pub(super) fn table(&self, xml: &mut Xml, table: &Table) -> Result<(), Diagnostic> {
        let columns = grid_columns(table, self.geometry.text_width())?;
        let metrics = self.metrics(table);
        let header = place_cells(&table.header, &mut vec![(0, None, false); columns.len()])
            .ok_or_else(|| too_many_cells(0, columns.len()))?;
        let mut rows = Vec::with_capacity(table.rows.len());
        let mut spans = vec![(0, None, false); columns.len()];
        for (index, row) in table.rows.iter().enumerate() {
            rows.push(
                place_cells(row, &mut spans)
                    .ok_or_else(|| too_many_cells(index + 1, columns.len()))?,
            );
        }
        let heights: Vec<i32> = rows
            .iter()
            .map(|row| row_height(row, &columns, &metrics))
            .collect();
        let header_height = row_height(&header, &columns, &metrics);
        let page = f64::from(self.geometry.text_height() - header_height);
        let budget = (page * self.geometry.spec().table.word_group_height) as i32;
        let starts = segment_starts(&rows, &heights, budget);
        let has_note = table.note.is_some();
        xml.element("w:tbl", &[], |xml| {
            self.table_properties(xml, &columns, &metrics);
            self.header_row(xml, &header, &columns, &metrics);
            for (index, row) in rows.iter().enumerate() {
                let continued = starts.get(index + 1) == Some(&false);
                let place = RowPlace {
                    next: rows.get(index + 1).filter(|_| continued),
                    restart: starts[index],
                    keep: continued || (index + 1 == rows.len() && has_note),
                    breakable: table.rows[index].iter().all(|cell| cell.breakable),
                };
                self.body_row(xml, row, &place, &columns, &metrics);
            }
        });
        let spacing = Para::free(self.geometry.block_spacing(), "left").keep_next(has_note);
        self.paragraph(xml, spacing, "", Face::default());
        if let Some(note) = &table.note {
            let face = Face {
                font: None,
                size: Some(super::page::half_points(metrics.size)),
            };
            self.paragraph(xml, Para::free(metrics.line, "both"), note, face);
        }
        Ok(())
    }

    /// The type size and cell geometry of `table` from the page specification.
    fn metrics(&self, table: &Table) -> Metrics {
        let spec = self.geometry.spec().table;
        let size = f64::from(table.size);
        Metrics {
            size,
            line: point_twips(size * (1.0 + spec.leading)),
            inset_x: point_twips(size * spec.inset_x),
            inset_y: point_twips(size * spec.inset_y),
        }
    }

    /// `w:tblPr` and `w:tblGrid`: full width, fixed layout, borders, cell margins, columns.
    fn table_properties(&self, xml: &mut Xml, columns: &[i32], metrics: &Metrics) {
        let border = (self.geometry.spec().table.stroke * 8.0).round().max(2.0) as i32;
        xml.element("w:tblPr", &[], |xml| {
            xml.empty("w:tblW", &[("w:w", &5000), ("w:type", &"pct")]);
            xml.element("w:tblBorders", &[], |xml| {
                for side in [
                    "w:top",
                    "w:left",
                    "w:bottom",
                    "w:right",
                    "w:insideH",
                    "w:insideV",
                ] {
                    xml.empty(
                        side,
                        &[
                            ("w:val", &"single"),
                            ("w:sz", &border),
                            ("w:space", &0),
                            ("w:color", &"000000"),
                        ],
                    );
                }
            });
            xml.empty("w:tblLayout", &[("w:type", &"fixed")]);
            xml.element("w:tblCellMar", &[], |xml| {
                for (side, width) in [
                    ("w:top", metrics.inset_y),
                    ("w:left", metrics.inset_x),
                    ("w:bottom", metrics.inset_y),
                    ("w:right", metrics.inset_x),
                ] {
                    xml.empty(side, &[("w:w", &width), ("w:type", &"dxa")]);
                }
            });
        });
        xml.element("w:tblGrid", &[], |xml| {
            for width in columns {
                xml.empty("w:gridCol", &[("w:w", width)]);
            }
        });
    }

    /// The header row, centred in 黑体, kept whole and repeated on every page.
    fn header_row(&self, xml: &mut Xml, header: &[Slot], columns: &[i32], metrics: &Metrics) {
        let face = Face {
            font: Some(&self.fonts.heading_1),
            size: Some(super::page::half_points(metrics.size)),
        };
        xml.element("w:tr", &[], |xml| {
            xml.element("w:trPr", &[], |xml| {
                xml.empty("w:cantSplit", &[]);
                xml.empty("w:tblHeader", &[]);
            });
            for (column, slot) in header.iter().enumerate() {
                let cell = match slot {
                    Slot::Start(cell) => Some(*cell),
                    Slot::Spanned => continue,
                    _ => None,
                };
                let text = cell.map_or("", |c| c.text.as_str());
                let frame = Frame::of(cell, column, columns);
                cell_frame(xml, frame, None, |xml| {
                    self.paragraph(xml, Para::free(metrics.line, "center"), text, face);
                });
            }
        });
    }

    /// One body row, merged and kept as `place` says.
    fn body_row(
        &self,
        xml: &mut Xml,
        row: &[Slot],
        place: &RowPlace,
        columns: &[i32],
        metrics: &Metrics,
    ) {
        let face = Face {
            font: None,
            size: Some(super::page::half_points(metrics.size)),
        };
        xml.element("w:tr", &[], |xml| {
            if !place.breakable {
                xml.element("w:trPr", &[], |xml| xml.empty("w:cantSplit", &[]));
            }
            for (column, slot) in row.iter().enumerate() {
                let continues = |cell: &Cell| {
                    place.next.is_some_and(
                        |n| matches!(n[column], Slot::Covered(c) if std::ptr::eq(c, cell)),
                    )
                };
                let (cell, merge) = match *slot {
                    Slot::Start(cell) => (Some(cell), continues(cell).then_some("restart")),
                    Slot::Covered(cell) if place.restart => {
                        (Some(cell), continues(cell).then_some("restart"))
                    }
                    Slot::Covered(cell) => (Some(cell), Some("continue")),
                    Slot::Spanned => continue,
                    Slot::Empty => (None, None),
                };
                let frame = Frame::of(cell, column, columns);
                let cell = cell.filter(|_| merge != Some("continue"));
                let align = if cell.is_some_and(|c| c.center) {
                    "center"
                } else {
                    "left"
                };
                let text = cell.map_or("", |c| c.text.as_str());
                cell_frame(xml, frame, merge, |xml| {
                    let para = Para::free(metrics.line, align).keep_next(place.keep);
                    self.paragraph(xml, para, text, face);
                });
            }
        });
    }
}

/// The width of a Word cell and the grid columns it spans.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// In twips.
    width: i32,
    /// Grid columns.
    span: usize,
}

impl Frame {
    /// The frame of `cell` (none: an empty slot) standing in grid column `column`.
    fn of(cell: Option<&Cell>, column: usize, columns: &[i32]) -> Self {
        let span = cell.map_or(1, |c| c.colspan.max(1) as usize);
        let end = (column + span).min(columns.len());
        Self {
            width: columns[column..end].iter().sum(),
            span: end - column,
        }
    }
}

/// A cell of `frame`, its content centred vertically, merged as `merge` says.
fn cell_frame(xml: &mut Xml, frame: Frame, merge: Option<&str>, content: impl FnOnce(&mut Xml)) {
    xml.element("w:tc", &[], |xml| {
        xml.element("w:tcPr", &[], |xml| {
            xml.empty("w:tcW", &[("w:w", &frame.width), ("w:type", &"dxa")]);
            if frame.span > 1 {
                xml.val("w:gridSpan", &frame.span);
            }
            if let Some(merge) = merge {
                xml.val("w:vMerge", &merge);
            }
            xml.val("w:vAlign", &"center");
        });
        content(xml);
    });
}

/// The column widths in twips, proportional to `Table.widths` and filling `total` exactly
/// (WPS ignores widths given only on cells, so they go into `w:gridCol`).
pub fn grid_columns(table: &Table, total: i32) -> Result<Vec<i32>, Diagnostic> {
    let weights: Vec<f64> = table
        .widths
        .iter()
        .map(|&w| {
            if w.is_finite() && w > 0.0 {
                f64::from(w)
            } else {
                1.0
            }
        })
        .collect();
    if weights.is_empty() {
        return Err(Diagnostic::error("Word 文件中的表格没有列")
            .hint("这是程序内部的表格数据错误，请报告此问题"));
    }
    let sum: f64 = weights.iter().sum();
    let mut edge = 0.0;
    let mut previous = 0;
    Ok(weights
        .iter()
        .map(|weight| {
            edge += weight / sum * f64::from(total);
            let next = edge.round() as i32;
            let width = next - previous;
            previous = next;
            width
        })
        .collect())
}

/// Per grid column: how many more rows a cell from above covers, which cell, and whether the
/// column is that cell's first.
type Cover<'a> = (u32, Option<&'a Cell>, bool);

/// Lays the cells of a row onto the columns: columns still covered by a cell spanning rows
/// from above are skipped (the model omits those cells), the others take the row's cells in
/// order, a cell spanning columns taking as many. `spans` is updated for the next row. None
/// when the row has more cells than free columns.
fn place_cells<'a>(row: &'a [Cell], spans: &mut [Cover<'a>]) -> Option<Vec<Slot<'a>>> {
    let mut cells = row.iter();
    let mut slots = Vec::with_capacity(spans.len());
    while slots.len() < spans.len() {
        let x = slots.len();
        if let (1.., Some(cell), first) = spans[x] {
            spans[x].0 -= 1;
            slots.push(if first {
                Slot::Covered(cell)
            } else {
                Slot::Spanned
            });
            continue;
        }
        let Some(cell) = cells.next() else {
            slots.push(Slot::Empty);
            continue;
        };
        let width = (cell.colspan.max(1) as usize).min(spans.len() - x);
        for (offset, cover) in spans[x..x + width].iter_mut().enumerate() {
            *cover = (cell.rowspan.saturating_sub(1), Some(cell), offset == 0);
        }
        slots.push(Slot::Start(cell));
        slots.extend(std::iter::repeat_n(Slot::Spanned, width - 1));
    }
    cells.next().is_none().then_some(slots)
}

/// The estimated height of a row in twips: the tallest of its one-row cells, each with its text
/// wrapped to the column's width (cells spanning rows and covered slots do not count).
fn row_height(row: &[Slot], columns: &[i32], metrics: &Metrics) -> i32 {
    let per_line =
        |width: i32| f64::from(((width - 2 * metrics.inset_x) / point_twips(metrics.size)).max(1));
    row.iter()
        .enumerate()
        .filter_map(|(column, slot)| match slot {
            Slot::Start(cell) if cell.rowspan <= 1 => {
                Some((cell, Frame::of(Some(cell), column, columns).width))
            }
            _ => None,
        })
        .map(|(cell, width)| {
            let lines: f64 = cell
                .text
                .split('\n')
                .map(|line| (width_in_chars(line) / per_line(width)).ceil().max(1.0))
                .sum();
            (lines * f64::from(metrics.line)) as i32 + 2 * metrics.inset_y
        })
        .max()
        .unwrap_or(metrics.line + 2 * metrics.inset_y)
}

/// Which rows begin a segment: every row where no merged cell continues from above, and the
/// row where a segment would grow taller than `budget` twips.
fn segment_starts(rows: &[Vec<Slot>], heights: &[i32], budget: i32) -> Vec<bool> {
    let mut used = 0;
    rows.iter()
        .zip(heights)
        .map(|(row, height)| {
            let natural = !row.iter().any(|slot| matches!(slot, Slot::Covered(_)));
            let start = natural || used + height > budget;
            used = if start { *height } else { used + height };
            start
        })
        .collect()
}

/// The error for a row with more cells than the table has columns (row 0 is the header).
fn too_many_cells(row: usize, columns: usize) -> Diagnostic {
    let place = if row == 0 {
        "表头".to_string()
    } else {
        format!("第 {row} 行")
    };
    Diagnostic::error(format!("表格{place}的单元格多于 {columns} 列"))
        .hint("这是程序内部的表格数据错误，请报告此问题")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(rows: u32) -> Vec<Vec<Cell>> {
        let label = Cell {
            rowspan: rows,
            ..Cell::center("创造")
        };
        let mut table = vec![vec![label, Cell::left("第1项")]];
        table.extend((2..=rows).map(|n| vec![Cell::left(format!("第{n}项"))]));
        table
    }

    #[test]
    fn a_cell_spanning_columns_covers_them_in_its_row_and_below() {
        let rows = [
            vec![Cell::center("指标").spanning(2, 2), Cell::left("甲")],
            vec![Cell::left("乙")],
        ];
        let mut spans = vec![(0, None, false); 3];
        let slots: Vec<Vec<Slot>> = rows
            .iter()
            .map(|row| place_cells(row, &mut spans).unwrap())
            .collect();
        assert!(matches!(
            slots[0][..],
            [Slot::Start(_), Slot::Spanned, Slot::Start(_)]
        ));
        assert!(matches!(
            slots[1][..],
            [Slot::Covered(_), Slot::Spanned, Slot::Start(_)]
        ));
        let frame = Frame::of(Some(&rows[0][0]), 0, &[100, 200, 300]);
        assert_eq!((frame.width, frame.span), (300, 2));
    }

    #[test]
    fn a_group_taller_than_the_budget_is_cut_into_segments() {
        let rows = group(10);
        let mut spans = vec![(0, None, false); 2];
        let slots: Vec<Vec<Slot>> = rows
            .iter()
            .map(|row| place_cells(row, &mut spans).unwrap())
            .collect();
        let starts = segment_starts(&slots, &[100; 10], 350);
        assert_eq!(
            starts,
            [
                true, false, false, true, false, false, true, false, false, true
            ]
        );
        let starts = segment_starts(&slots, &[100; 10], 10_000);
        assert_eq!(starts.iter().filter(|s| **s).count(), 1);
    }

    #[test]
    fn row_heights_grow_with_wrapped_text() {
        let metrics = Metrics {
            size: 10.0,
            line: 280,
            inset_x: 70,
            inset_y: 90,
        };
        let (short_cell, long_cell) = (Cell::left("短"), Cell::left("长".repeat(50)));
        let short = [Slot::Start(&short_cell)];
        let long = [Slot::Start(&long_cell)];
        // 2140 twips less the insets hold 10 characters of 10 pt: 50 characters are 5 lines.
        assert_eq!(row_height(&short, &[2140], &metrics), 280 + 180);
        assert_eq!(row_height(&long, &[2140], &metrics), 5 * 280 + 180);
    }
}
