//! The roster (申报单位名册): one workbook row per applicant with its identity and letter fields,
//! kept by the provincial centre or a city gathering its counties. Read with calamine, it fills in
//! the fields an `applicant.yaml` leaves out; a field given in both places must agree.
//!
//! Which header feeds which field is data: `templates/roster.yaml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Range};
use serde::{Deserialize, Serialize};

use super::cells::{date_cell, not_a_choice, phone_cell};
use super::date::Date;
use super::fields::{Located, nearest};
use super::limits::{FileKind, Limits};
use super::sheet::Book;
use super::workbook::{column_name, normalize};
use super::yaml::{Node, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::files::folder_name;
use crate::load::notice::Notice;
use crate::templates::TemplateStore;

/// The roster's layout, from `templates/roster.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterSpec {
    /// The sheet's name in a new roster.
    pub sheet: String,
    /// The columns, in the order a new roster lists them.
    pub columns: Vec<ColumnSpec>,
    /// Headers that may appear and are not read.
    #[serde(default)]
    pub ignored: Vec<String>,
}

/// One column of the roster.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// The header text.
    pub header: String,
    /// The `applicant.yaml` field it stands for, dotted (`contact.phone`).
    pub field: String,
    /// Whether a roster may lack this column.
    #[serde(default)]
    pub optional: bool,
    /// The list its values must come from.
    #[serde(default)]
    pub choices: Option<Choices>,
    /// Whether its cells are dates.
    #[serde(default)]
    pub date: bool,
    /// Whether its cells are phone numbers (a number typed without text format gets its leading
    /// 0 back, see [`super::cells::phone_cell`]).
    #[serde(default)]
    pub phone: bool,
}

/// A list of allowed values, taken from the notice.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Choices {
    /// The categories (示范城市, 试点城市, 试点县).
    Categories,
    /// The levels (市, 县).
    Levels,
    /// The province's cities.
    Cities,
}

impl RosterSpec {
    /// Reads `roster.yaml` from the template store.
    pub fn load(store: &TemplateStore) -> Result<Self, Diagnostic> {
        let file = store.require("roster.yaml")?;
        super::yaml::read_template(&file, "名册格式文件")
    }
}

impl Choices {
    /// The allowed values under `notice`.
    pub fn values(self, notice: &Notice) -> Vec<String> {
        match self {
            Choices::Categories => notice.categories.keys().cloned().collect(),
            Choices::Levels => {
                let mut levels: Vec<String> = notice
                    .categories
                    .values()
                    .map(|c| c.level.to_string())
                    .collect();
                levels.sort();
                levels.dedup();
                levels
            }
            Choices::Cities => notice.cities.clone(),
        }
    }
}

/// A roster that was read without errors.
#[derive(Debug, Clone)]
pub struct Roster {
    /// The workbook.
    pub file: PathBuf,
    /// The applicants, in row order.
    pub rows: Vec<Row>,
    /// What is odd about the roster but does not stop its use.
    pub warnings: Diagnostics,
}

/// One applicant's row.
#[derive(Debug, Clone)]
pub struct Row {
    /// 名称.
    pub name: Located<String>,
    /// The filled-in cells other than the name, by field.
    pub values: Vec<RosterValue>,
}

/// One filled-in cell.
#[derive(Debug, Clone)]
pub struct RosterValue {
    /// The `applicant.yaml` field, dotted.
    pub field: String,
    /// The column's header.
    pub header: String,
    /// The value (dates as `YYYY-MM-DD`) and its cell.
    pub value: Located<String>,
    /// Whether it is a date.
    pub date: bool,
}

impl Roster {
    /// Reads the roster at `path`; every problem in it is reported at once.
    pub fn load(path: &Path, spec: &RosterSpec, notice: &Notice) -> Result<Self, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let rows = read_rows(path, spec, notice, &mut diagnostics);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok(Self {
            file: path.to_path_buf(),
            rows,
            warnings: diagnostics,
        })
    }

    /// The row of the applicant in `dir`: the one named as its `applicant.yaml` names it, or as
    /// its folder is named.
    pub fn row_for(&self, dir: &Path, root: &Node) -> Option<&Row> {
        let written = match &root.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_text().as_deref() == Some("name"))
                .and_then(|(_, v)| v.as_text()),
            _ => None,
        };
        let folder = folder_name(dir);
        let find = |name: &str| self.rows.iter().find(|r| r.name.value == name.trim());
        written
            .as_deref()
            .and_then(find)
            .or_else(|| folder.as_deref().and_then(find))
    }

    /// Fills the fields `root` (the parsed `applicant.yaml` of `dir`) leaves out with the
    /// applicant's row, and reports every field the two give differently.
    pub fn overlay(&self, dir: &Path, root: &mut Node, file: &Path, diagnostics: &mut Diagnostics) {
        let Some(row) = self.row_for(dir, root) else {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "名册中没有这个申报单位（按 applicant.yaml 的 name 或目录名“{}”查找）",
                    folder_name(dir).unwrap_or_default()
                ))
                .at(Location::file(&self.file))
                .hint("名册未提供的字段须写在 applicant.yaml 中；或在名册中补上这一行，名称与目录名一致"),
            );
            return;
        };
        let name = RosterValue {
            field: "name".into(),
            header: "名称".into(),
            value: row.name.clone(),
            date: false,
        };
        for value in std::iter::once(&name).chain(&row.values) {
            let path: Vec<&str> = value.field.split('.').collect();
            fill(root, &path, value, file, diagnostics);
        }
    }
}

/// Puts `value` at `path` under `node` unless the YAML already has it; reports a disagreement.
fn fill(
    node: &mut Node,
    path: &[&str],
    value: &RosterValue,
    file: &Path,
    diagnostics: &mut Diagnostics,
) {
    let Value::Map(entries) = &mut node.value else {
        return;
    };
    let Some((key, rest)) = path.split_first() else {
        return;
    };
    let origin = value.value.location.clone();
    let index = match entries
        .iter()
        .position(|(k, _)| k.as_text().as_deref() == Some(*key))
    {
        Some(index) => index,
        None => {
            entries.push((
                Node::from_elsewhere(Value::Str(key.to_string()), origin.clone()),
                Node::from_elsewhere(Value::Null, origin.clone()),
            ));
            entries.len() - 1
        }
    };
    let target = &mut entries[index].1;
    if !rest.is_empty() {
        if target.value == Value::Null {
            target.value = Value::Map(Vec::new());
        }
        return fill(target, rest, value, file, diagnostics);
    }
    if target.value == Value::Null {
        *target = Node::from_elsewhere(Value::Str(value.value.value.clone()), origin);
        return;
    }
    if let Some(written) = target.as_text()
        && !agree(&written, &value.value.value, value.date)
    {
        diagnostics.push(
            Diagnostic::error(format!(
                "{}在名册与 applicant.yaml 中不一致：名册为“{}”，applicant.yaml 中 {} 为“{}”",
                value.header,
                value.value.value,
                value.field,
                written.trim()
            ))
            .at(target.location(file))
            .hint(format!(
                "名册中的值在 {}；请把两处改成一致，或删去 applicant.yaml 中的 {}（由名册提供）",
                value.value.location, value.field
            )),
        );
    }
}

/// Whether a YAML value and a roster value say the same (dates compared as dates).
fn agree(written: &str, roster: &str, date: bool) -> bool {
    if date && let (Ok(a), Ok(b)) = (Date::parse(written), Date::parse(roster)) {
        return a == b;
    }
    normalize(written) == normalize(roster)
}

/// The sheet being read, for cell locations.
struct Sheet<'a> {
    path: &'a Path,
    name: String,
    range: Range<Data>,
}

impl Sheet<'_> {
    fn cell(&self, row: u32, col: u32) -> Location {
        Location::cell(
            self.path,
            format!("{}!{}{}", self.name, column_name(col), row + 1),
        )
    }

    fn data(&self, row: u32, col: u32) -> &Data {
        let (row0, col0) = self.range.start().unwrap_or((0, 0));
        if row < row0 || col < col0 {
            return &Data::Empty;
        }
        self.range
            .get(((row - row0) as usize, (col - col0) as usize))
            .unwrap_or(&Data::Empty)
    }

    fn text(&self, row: u32, col: u32) -> String {
        super::workbook::display(self.data(row, col), None)
            .trim()
            .to_string()
    }
}

fn read_rows(
    path: &Path,
    spec: &RosterSpec,
    notice: &Notice,
    diagnostics: &mut Diagnostics,
) -> Vec<Row> {
    let Some(sheet) = open_sheet(path, spec, &notice.limits, diagnostics) else {
        return Vec::new();
    };
    let Some((header_row, columns)) = header(&sheet, spec, diagnostics) else {
        return Vec::new();
    };
    let (end_row, _) = sheet.range.end().unwrap_or((0, 0));
    let mut rows: Vec<Row> = Vec::new();
    let mut first_row: BTreeMap<String, Location> = BTreeMap::new();
    for row in header_row + 1..=end_row {
        let Some(read) = read_row(&sheet, row, &columns, notice, diagnostics) else {
            continue;
        };
        if let Some(first) = first_row.get(&read.name.value) {
            diagnostics.push(
                Diagnostic::error(format!("名册中“{}”出现了两行", read.name.value))
                    .at(read.name.location.clone())
                    .hint(format!(
                        "第一次在 {first}；每个申报单位只写一行，请删除或合并重复的一行"
                    )),
            );
            continue;
        }
        first_row.insert(read.name.value.clone(), read.name.location.clone());
        rows.push(read);
    }
    if rows.is_empty() && !diagnostics.has_errors() {
        diagnostics.push(
            Diagnostic::warning("名册中没有任何申报单位")
                .at(sheet.cell(header_row, 0))
                .hint("请在表头下方逐行填写申报单位，一行一个"),
        );
    }
    rows
}

fn open_sheet<'a>(
    path: &'a Path,
    spec: &RosterSpec,
    limits: &Limits,
    diagnostics: &mut Diagnostics,
) -> Option<Sheet<'a>> {
    let init = "可用 `shenbao init --roster 文件.xlsx` 生成空白名册";
    if !path.exists() {
        diagnostics.push(
            Diagnostic::error("名册文件不存在")
                .at(Location::file(path))
                .hint(format!(
                    "请检查 --roster 或 province.yaml 中 roster 的路径；{init}"
                )),
        );
        return None;
    }
    let book = Book {
        path,
        what: "名册",
        open_hint: "名册须为 .xlsx、.xls 或 .ods 文件；可用 `shenbao init --roster 文件.xlsx` 生成空白名册",
    };
    let read = super::confine::read_named(path, FileKind::Workbook, limits)
        .map_err(|problem| problem.hint(book.open_hint))
        .and_then(|bytes| book.sheet(&bytes, &spec.sheet, limits));
    match read {
        Ok(sheet) => Some(Sheet {
            path,
            name: sheet.name,
            range: sheet.range,
        }),
        Err(problem) => {
            diagnostics.push(problem);
            None
        }
    }
}

/// A column of the roster found in its header row.
struct Column<'s> {
    spec: &'s ColumnSpec,
    col: u32,
}

/// Finds the header row (the first of the first ten rows with 名称) and the columns in it;
/// reports missing, repeated and unknown headers.
fn header<'s>(
    sheet: &Sheet,
    spec: &'s RosterSpec,
    diagnostics: &mut Diagnostics,
) -> Option<(u32, Vec<Column<'s>>)> {
    let name_header = spec.columns.first()?.header.as_str();
    let (Some((row0, col0)), Some((end_row, end_col))) = (sheet.range.start(), sheet.range.end())
    else {
        diagnostics.push(
            Diagnostic::error(format!("名册工作表“{}”是空的", sheet.name))
                .at(Location::file(sheet.path))
                .hint(format!(
                    "名册应在第一个工作表（或名为“{}”的工作表）中，第一行为表头：{}",
                    spec.sheet,
                    headers(spec).join("、")
                )),
        );
        return None;
    };
    let Some(row) = (row0..=end_row.min(row0 + 9))
        .find(|&r| (col0..=end_col).any(|c| normalize(&sheet.text(r, c)) == name_header))
    else {
        diagnostics.push(
            Diagnostic::error(format!(
                "在名册工作表“{}”中找不到表头（含“{name_header}”的一行）",
                sheet.name
            ))
            .at(Location::file(sheet.path))
            .hint(format!("表头应为：{}", headers(spec).join("、"))),
        );
        return None;
    };
    let mut columns: Vec<Column> = Vec::new();
    let mut unknown: Vec<(String, u32)> = Vec::new();
    for col in col0..=end_col {
        let text = normalize(&sheet.text(row, col));
        if text.is_empty() || spec.ignored.contains(&text) {
            continue;
        }
        match spec.columns.iter().find(|c| c.header == text) {
            Some(found) if columns.iter().any(|c| c.spec.header == text) => diagnostics.push(
                Diagnostic::error(format!("名册表头中“{}”出现了两次", found.header))
                    .at(sheet.cell(row, col))
                    .hint("请删除重复的一列"),
            ),
            Some(found) => columns.push(Column { spec: found, col }),
            None => unknown.push((text, col)),
        }
    }
    report_missing(sheet, spec, row, &columns, &mut unknown, diagnostics);
    for (text, col) in unknown {
        diagnostics.push(
            Diagnostic::warning(format!("名册中的“{text}”列不会被读取"))
                .at(sheet.cell(row, col))
                .hint(format!("可读取的列：{}", headers(spec).join("、"))),
        );
    }
    Some((row, columns))
}

fn report_missing(
    sheet: &Sheet,
    spec: &RosterSpec,
    row: u32,
    columns: &[Column],
    unknown: &mut Vec<(String, u32)>,
    diagnostics: &mut Diagnostics,
) {
    let (_, col0) = sheet.range.start().unwrap_or((0, 0));
    for missing in spec
        .columns
        .iter()
        .filter(|c| !c.optional && !columns.iter().any(|f| f.spec.header == c.header))
    {
        let texts: Vec<&str> = unknown.iter().map(|(t, _)| t.as_str()).collect();
        let typo = nearest(&missing.header, &texts).map(str::to_string);
        let (location, hint) = match typo {
            Some(typo) => {
                let col = unknown
                    .iter()
                    .find(|(t, _)| *t == typo)
                    .map_or(col0, |u| u.1);
                unknown.retain(|(t, _)| *t != typo);
                (
                    sheet.cell(row, col),
                    format!("表头“{typo}”应写作“{}”", missing.header),
                )
            }
            None => (
                sheet.cell(row, col0),
                format!(
                    "请在表头行加上“{}”一列；标准表头为：{}（可用 `shenbao init --roster 文件.xlsx` 生成）",
                    missing.header,
                    headers(spec).join("、")
                ),
            ),
        };
        diagnostics.push(
            Diagnostic::error(format!("名册缺少“{}”列", missing.header))
                .at(location)
                .hint(hint),
        );
    }
}

fn headers(spec: &RosterSpec) -> Vec<&str> {
    spec.columns.iter().map(|c| c.header.as_str()).collect()
}

/// Reads one data row; `None` for a blank row or one without a name.
fn read_row(
    sheet: &Sheet,
    row: u32,
    columns: &[Column],
    notice: &Notice,
    diagnostics: &mut Diagnostics,
) -> Option<Row> {
    let filled: Vec<&Column> = columns
        .iter()
        .filter(|c| !sheet.text(row, c.col).is_empty())
        .collect();
    if filled.is_empty() {
        return None;
    }
    let name_column = columns.iter().find(|c| c.spec.field == "name")?;
    let name = sheet.text(row, name_column.col);
    if name.is_empty() {
        diagnostics.push(
            Diagnostic::error(format!("名册第 {} 行填写了内容，但没有名称", row + 1))
                .at(sheet.cell(row, name_column.col))
                .hint("请填写申报单位名称，或删除这一行"),
        );
        return None;
    }
    if let Some(problem) = super::names::file_name_problem(&name) {
        diagnostics.push(
            Diagnostic::error(format!("名册中的名称“{}”{problem}", name.escape_debug()))
                .at(sheet.cell(row, name_column.col))
                .hint(super::names::HINT),
        );
        return None;
    }
    let values = filled
        .into_iter()
        .filter(|c| c.col != name_column.col)
        .filter_map(|column| read_value(sheet, row, column, notice, diagnostics))
        .collect();
    Some(Row {
        name: Located::new(name, sheet.cell(row, name_column.col)),
        values,
    })
}

fn read_value(
    sheet: &Sheet,
    row: u32,
    column: &Column,
    notice: &Notice,
    diagnostics: &mut Diagnostics,
) -> Option<RosterValue> {
    let spec = column.spec;
    let location = sheet.cell(row, column.col);
    let text = if spec.date {
        date_cell(sheet.data(row, column.col), &spec.header)
    } else if spec.phone {
        phone_cell(sheet.data(row, column.col), &spec.header).map(|(text, warning)| {
            if let Some(warning) = warning {
                diagnostics.push(warning.at(location.clone()));
            }
            text
        })
    } else {
        Ok(sheet.text(row, column.col))
    };
    let problem = match (&text, spec.choices) {
        (Err(problem), _) => Some(problem.clone()),
        (Ok(value), Some(choices)) => not_a_choice(value, &spec.header, &choices.values(notice)),
        _ => None,
    };
    if let Some(problem) = problem {
        diagnostics.push(problem.at(location));
        return None;
    }
    Some(RosterValue {
        field: spec.field.clone(),
        header: spec.header.clone(),
        value: Located::new(text.ok()?, location),
        date: spec.date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_agree_however_written() {
        assert!(agree("2023年8月10日", "2023-08-10", true));
        assert!(!agree("2023-08-11", "2023-08-10", true));
        assert!(agree("洛阳市 ", "洛阳市", false));
    }
}
