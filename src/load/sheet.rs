//! One worksheet read under the limits: the workbook's bytes are checked as a zip first (entry
//! count, unpacked size), then an .xlsx sheet is read cell by cell, so that a single value far
//! away (`XFD1048576`) is refused with its cell named instead of making the reader allocate a
//! dense grid of every cell in between. Other formats (.xls, .ods) are read by calamine, and the
//! filled area is checked the same way; an .xls is first walked the way calamine will read it
//! (compound-file sectors, sheet records, the area its cells span), since calamine trusts it.
//! A panic inside calamine makes the workbook's error.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::Path;

use calamine::{Cell, Data, DataRef, Range, Reader, Sheets, Xlsx, open_workbook_auto_from_rs};

use super::limits::Limits;
use super::workbook::{column_name, normalize};
use super::xls::ole_problem;
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
        if let Some(problem) = ole_problem(bytes, limits.sheet_cells) {
            return Err(
                Diagnostic::error(format!("无法打开{}工作簿（{problem}）", self.what))
                    .at(Location::file(self.path))
                    .hint(self.open_hint),
            );
        }
        // calamine's readers, its .xls one above all, panic on some malformed records (a length
        // or an offset taken on trust): such a workbook is damaged, and said to be.
        crate::guard::guarded(|| self.read(bytes, preferred, limits)).unwrap_or_else(|panic| {
            Err(Diagnostic::error(format!(
                "无法打开{}工作簿（文件已损坏：{panic}）",
                self.what
            ))
            .at(Location::file(self.path))
            .hint(self.open_hint))
        })
    }

    /// The sheet as calamine reads it from `bytes` that passed the checks of [`Self::sheet`].
    fn read(&self, bytes: &[u8], preferred: &str, limits: &Limits) -> Result<Sheet, Diagnostic> {
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
pub(super) struct Area {
    bounds: Option<((u32, u32), (u32, u32))>,
}

impl Area {
    /// Widens the box to hold the cell at (row, column).
    pub(super) fn include(&mut self, (row, col): (u32, u32)) {
        self.bounds = Some(match self.bounds {
            None => ((row, col), (row, col)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(row), c0.min(col)), (r1.max(row), c1.max(col))),
        });
    }

    /// How many cells the box holds.
    pub(super) fn cells(&self) -> u64 {
        self.bounds.map_or(0, |((r0, c0), (r1, c1))| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }

    /// The box as a range such as `A1:F40`.
    pub(super) fn name(&self) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::xls::{PAST_END, damaged};

    /// The header of an OLE file of 512-byte sectors, naming no FAT or DIFAT sector yet.
    fn ole_header() -> Vec<u8> {
        let mut header = vec![0; 512];
        header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
        header[30] = 0x09;
        header[32] = 0x06;
        header[68..72].copy_from_slice(&u32::MAX.to_le_bytes());
        for entry in header[76..].chunks_exact_mut(4) {
            entry.copy_from_slice(&u32::MAX.to_le_bytes());
        }
        header
    }

    fn open(bytes: &[u8]) -> Result<Sheet, Diagnostic> {
        let book = Book {
            path: Path::new("测评表.xls"),
            what: "测评表",
            open_hint: "请重新保存",
        };
        book.sheet(bytes, "", &Limits::built_in().unwrap())
    }

    fn refusal(bytes: &[u8]) -> String {
        match open(bytes) {
            Ok(_) => panic!("a damaged .xls was opened"),
            Err(refused) => refused.message,
        }
    }

    /// Found by the workbook fuzz target (while minimising its first find), reduced: the DIFAT
    /// goes on in sector 1 of a file that ends with its header. calamine sliced `[512..0]` and
    /// panicked.
    #[test]
    fn a_sector_past_the_end_is_refused() {
        let mut file = ole_header();
        file[68..72].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(ole_problem(&file, 1), Some(damaged(PAST_END)));
        assert!(refusal(&file).contains("文件结构已损坏"));
    }

    /// The workbook fuzz target's first find (982 bytes), reduced: the FAT is sector 0, of which
    /// the file holds one byte. calamine asserted a whole number of words and panicked.
    #[test]
    fn an_allocation_table_cut_short_is_refused() {
        let mut file = ole_header();
        file[76..80].copy_from_slice(&0u32.to_le_bytes());
        file.push(0);
        assert!(refusal(&file).contains("扇区分配表被截断"));
    }

    /// A directory chain that comes back to itself: calamine read it until memory ran out.
    #[test]
    fn a_looping_chain_is_refused() {
        let mut file = ole_header();
        file[76..80].copy_from_slice(&0u32.to_le_bytes());
        file.extend([0; 512]);
        assert!(refusal(&file).contains("扇区链形成循环"));
    }

    /// A sound .xls of the official layout (the fixture of the integration tests).
    const XLS: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/workbooks/许昌市.xls"
    ));

    /// The workbook fuzz target's second find: that .xls with its sheet's DIMENSIONS record
    /// saying the first row is 262144, after the last (35). calamine's row count wrapped round,
    /// it asked for 1.2 TB for the cells and aborted.
    #[test]
    fn a_sheet_range_upside_down_is_refused() {
        let mut xls = XLS.to_vec();
        let record = xls.windows(4).position(|w| w == [0x00, 0x02, 0x0E, 0x00]);
        let first_row = record.unwrap() + 4;
        xls[first_row..first_row + 4].copy_from_slice(&0x0004_0000u32.to_le_bytes());
        assert!(refusal(&xls).contains("DIMENSIONS"));
    }

    /// The workbook fuzz target's third find: that .xls with one cell moved to row 65536,
    /// column IV. calamine lays the sheet out as a grid of all the cells between, here 16 million
    /// (half a gigabyte); the fuzzer's inputs, with columns past IV, asked for up to 130 GB.
    #[test]
    fn a_cell_far_away_is_refused() {
        let mut xls = XLS.to_vec();
        let record = xls.windows(4).position(|w| w == [0xFD, 0x00, 0x0A, 0x00]);
        let cell = record.unwrap() + 4;
        xls[cell..cell + 4].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0x00]);
        assert!(
            refusal(&xls).contains("个单元格，超过上限 1000000"),
            "{}",
            refusal(&xls)
        );
    }

    /// The workbook fuzz target's fourth find: that .xls with the globals' BOF record cut to one
    /// byte. calamine's `parse_bof` sliced two and panicked; the panic is the file's error.
    #[test]
    fn a_panic_in_calamine_is_the_workbook_s_error() {
        let mut xls = XLS.to_vec();
        let record = xls.windows(4).position(|w| w == [0x09, 0x08, 0x10, 0x00]);
        let length = record.unwrap() + 2;
        xls[length] = 1;
        assert_eq!(ole_problem(&xls, 1_000_000), None);
        assert!(refusal(&xls).contains("文件已损坏：range end index 2 out of range"));
    }

    #[test]
    fn a_sound_xls_passes() {
        assert_eq!(ole_problem(XLS, 1_000_000), None);
        assert!(open(XLS).is_ok());
        assert_eq!(ole_problem(b"PK\x03\x04", 1), None);
    }
}
