//! One worksheet read under the limits: the workbook's bytes are checked as a zip first (entry
//! count, unpacked size), then an .xlsx sheet is read cell by cell, so that a single value far
//! away (`XFD1048576`) is refused with its cell named instead of making the reader allocate a
//! dense grid of every cell in between. Other formats (.xls, .ods) are read by calamine, whose
//! own caps bound them, and the filled area is checked the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::Path;

use calamine::{Cell, Data, DataRef, Range, Reader, Sheets, Xlsx, open_workbook_auto_from_rs};

use super::limits::Limits;
use super::workbook::{column_name, normalize};
use super::zipped;
use crate::diagnostics::{Diagnostic, Location};

/// Number format codes by (row, column), where the file format exposes them.
pub type Formats = BTreeMap<(u32, u32), String>;

/// A worksheet whose filled area is within the limits.
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// The filled area.
    pub range: Range<Data>,
    /// Number formats of the filled cells.
    pub formats: Formats,
    /// The cells that hold a formula.
    pub formulas: BTreeSet<(u32, u32)>,
}

/// What a workbook is to the user, for messages: `测评表` or `名册`, with how to fix one that
/// does not open.
pub struct Book<'a> {
    /// The workbook's file.
    pub path: &'a Path,
    /// What it is, such as 测评表.
    pub what: &'a str,
    /// How to fix a workbook that does not open.
    pub open_hint: &'a str,
}

impl Book<'_> {
    /// Reads the sheet named `preferred` (compared without spaces), or the first sheet, from the
    /// workbook's `bytes`.
    pub fn sheet(
        &self,
        bytes: &[u8],
        preferred: &str,
        limits: &Limits,
    ) -> Result<Sheet, Diagnostic> {
        if zipped::is_zip(bytes)
            && let Err(problem) = zipped::check(bytes, limits)
        {
            return Err(Diagnostic::error(format!("{}工作簿{}", self.what, problem.describe()))
                .at(Location::file(self.path))
                .hint("请在 Excel 或 WPS 中打开后另存为新文件，删去无关的工作表和内容；上限见 templates/notice.yaml 的 limits 一节"));
        }
        let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|error| {
            Diagnostic::error(format!("无法打开{}工作簿（{error}）", self.what))
                .at(Location::file(self.path))
                .hint(self.open_hint)
        })?;
        let names = workbook.sheet_names().to_vec();
        let name = names
            .iter()
            .find(|n| normalize(n) == preferred)
            .or_else(|| names.first())
            .cloned()
            .unwrap_or_default();
        let read = match &mut workbook {
            Sheets::Xlsx(xlsx) => self.sparse(xlsx, &name, limits),
            other => self.dense(other, &name, limits),
        };
        read.map_err(|problem| problem.at_file(self.path))
    }

    /// An .xlsx sheet read cell by cell: only filled cells are kept, and the area they span is
    /// checked before any grid is built.
    fn sparse(
        &self,
        xlsx: &mut Xlsx<Cursor<&[u8]>>,
        name: &str,
        limits: &Limits,
    ) -> Result<Sheet, SheetProblem> {
        let unreadable =
            |error: calamine::XlsxError| SheetProblem::Unreadable(self.unreadable(name, &error));
        let mut reader = xlsx.worksheet_cells_reader(name).map_err(unreadable)?;
        let mut cells: Vec<Cell<Data>> = Vec::new();
        let mut styled: Vec<((u32, u32), usize)> = Vec::new();
        let mut area = Area::default();
        while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(unreadable)? {
            if matches!(cell.get_value(), DataRef::Empty) {
                continue;
            }
            let position = cell.get_position();
            area.include(position);
            if area.cells() > limits.sheet_cells {
                return Err(self.too_wide(name, position, &area, limits));
            }
            styled.push((position, style));
            cells.push(Cell::new(position, Data::from(cell.get_value().clone())));
        }
        let palette = reader.styles().to_vec();
        drop(reader);
        let formats = styled
            .into_iter()
            .filter_map(|(position, style)| {
                let format = palette.get(style)?.number_format.as_ref()?;
                Some((position, format.format_code.clone()))
            })
            .collect();
        let mut formulas = BTreeSet::new();
        let mut reader = xlsx.worksheet_cells_reader(name).map_err(unreadable)?;
        while let Some(cell) = reader.next_formula().map_err(unreadable)? {
            if !cell.get_value().is_empty() {
                formulas.insert(cell.get_position());
            }
        }
        Ok(Sheet {
            name: name.to_string(),
            range: Range::from_sparse(cells),
            formats,
            formulas,
        })
    }

    /// A sheet of another format, read whole by calamine and then checked.
    fn dense(
        &self,
        workbook: &mut Sheets<Cursor<&[u8]>>,
        name: &str,
        limits: &Limits,
    ) -> Result<Sheet, SheetProblem> {
        let range = workbook
            .worksheet_range(name)
            .map_err(|e| SheetProblem::Unreadable(self.unreadable(name, &e)))?;
        let mut area = Area::default();
        for (row, col, _) in range.used_cells() {
            let (row0, col0) = range.start().unwrap_or((0, 0));
            let position = (row0 + row as u32, col0 + col as u32);
            area.include(position);
            if area.cells() > limits.sheet_cells {
                return Err(self.too_wide(name, position, &area, limits));
            }
        }
        let formats = workbook
            .worksheet_style(name)
            .map(|styles| {
                styles
                    .cells()
                    .filter_map(|(row, col, style)| {
                        Some((
                            (row, col),
                            style.number_format.as_ref()?.format_code.clone(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let formulas = workbook
            .worksheet_formula(name)
            .map(|formulas| {
                let (row0, col0) = formulas.start().unwrap_or((0, 0));
                formulas
                    .cells()
                    .filter(|(_, _, f)| !f.is_empty())
                    .map(|(r, c, _)| (row0 + r as u32, col0 + c as u32))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Sheet {
            name: name.to_string(),
            range,
            formats,
            formulas,
        })
    }

    fn unreadable(&self, name: &str, error: &dyn std::fmt::Display) -> String {
        format!("无法读取{}工作表“{name}”（{error}）", self.what)
    }

    fn too_wide(&self, name: &str, far: (u32, u32), area: &Area, limits: &Limits) -> SheetProblem {
        let cell = format!("{name}!{}{}", column_name(far.1), far.0 + 1);
        SheetProblem::TooWide(
            Diagnostic::error(format!(
                "{}的单元格 {} 离其余内容太远：有内容的区域 {} 跨 {} 个单元格，超过上限 {}",
                self.what,
                cell,
                area.name(),
                area.cells(),
                limits.sheet_cells
            ))
            .at(Location::cell(self.path, cell))
            .hint("请删除该单元格（及表格以外的其他内容）后保存；表格应从左上角连续填写"),
        )
    }
}

/// A problem with one sheet: either already located, or a message for the whole file.
enum SheetProblem {
    Unreadable(String),
    TooWide(Diagnostic),
}

impl SheetProblem {
    fn at_file(self, path: &Path) -> Diagnostic {
        match self {
            SheetProblem::Unreadable(message) => {
                Diagnostic::error(message).at(Location::file(path))
            }
            SheetProblem::TooWide(diagnostic) => diagnostic,
        }
    }
}

/// The bounding box of the filled cells seen so far.
#[derive(Default)]
struct Area {
    bounds: Option<((u32, u32), (u32, u32))>,
}

impl Area {
    fn include(&mut self, (row, col): (u32, u32)) {
        self.bounds = Some(match self.bounds {
            None => ((row, col), (row, col)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(row), c0.min(col)), (r1.max(row), c1.max(col))),
        });
    }

    fn cells(&self) -> u64 {
        self.bounds.map_or(0, |((r0, c0), (r1, c1))| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }

    fn name(&self) -> String {
        self.bounds
            .map_or_else(String::new, |((r0, c0), (r1, c1))| {
                format!(
                    "{}{}:{}{}",
                    column_name(c0),
                    r0 + 1,
                    column_name(c1),
                    r1 + 1
                )
            })
    }
}
