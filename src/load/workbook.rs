//! The assessment workbook (测评表) as an office fills it in the official layout, read with
//! calamine (.xlsx, .xls, .ods): title row, header row, merged 一级/二级 cells, the 备注 row,
//! extra columns, blank rows, untidy headers, numbers stored as text, full-width digits.
//!
//! Rows are matched to the catalogue by 序号 and indicator name, never by position.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, Range};

use super::confine;
use super::limits::{FileKind, Limits};
use super::sheet::{Book, Formats};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::catalogue::{Catalogue, ColumnSource};

/// One filled-in row: the 完成情况 of an indicator, and the evidence labels written beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// 完成情况, as the cell shows it (line breaks kept, numbers in their displayed form).
    pub value: String,
    /// Where it came from.
    pub location: Location,
}

/// The values of a workbook, by indicator number.
pub type Entries = BTreeMap<u32, Entry>;

/// Reads the workbook at `path` against `catalogue`, under the built-in limits.
pub fn read(path: &Path, catalogue: &Catalogue, diagnostics: &mut Diagnostics) -> Entries {
    match Limits::built_in() {
        Ok(limits) => read_limited(path, catalogue, &limits, diagnostics),
        Err(problem) => {
            diagnostics.push(problem);
            Entries::new()
        }
    }
}

/// Reads the workbook at `path` (a file the user named, or one already confined to its folder)
/// against `catalogue`, under `limits`.
pub fn read_limited(
    path: &Path,
    catalogue: &Catalogue,
    limits: &Limits,
    diagnostics: &mut Diagnostics,
) -> Entries {
    match confine::read_named(path, FileKind::Workbook, limits) {
        Ok(bytes) => read_bytes(path, &bytes, catalogue, limits, diagnostics),
        Err(problem) => {
            diagnostics.push(problem.hint("测评表须为 .xlsx、.xls 或 .ods 文件"));
            Entries::new()
        }
    }
}

/// Reads the workbook `bytes` (the contents of `path`) against `catalogue`, under `limits`.
pub fn read_bytes(
    path: &Path,
    bytes: &[u8],
    catalogue: &Catalogue,
    limits: &Limits,
    diagnostics: &mut Diagnostics,
) -> Entries {
    let book = Book {
        path,
        what: "测评表",
        open_hint: "测评表须为 .xlsx、.xls 或 .ods 文件；请确认文件存在且未损坏",
    };
    let sheet = match book.sheet(bytes, &catalogue.attachment, limits) {
        Ok(sheet) => sheet,
        Err(problem) => {
            diagnostics.push(problem);
            return Entries::new();
        }
    };
    let sheet_ref = SheetRef {
        path,
        sheet: &sheet.name,
        formulas: sheet.formulas,
    };
    read_rows(
        &sheet.range,
        &sheet.formats,
        catalogue,
        &sheet_ref,
        diagnostics,
    )
}

struct SheetRef<'a> {
    path: &'a Path,
    sheet: &'a str,
    formulas: std::collections::BTreeSet<(u32, u32)>,
}

impl SheetRef<'_> {
    fn cell(&self, row: u32, col: u32) -> Location {
        Location::cell(
            self.path,
            format!("{}!{}{}", self.sheet, column_name(col), row + 1),
        )
    }
}

/// The columns the reader needs, found by their header text.
struct Columns {
    number: u32,
    name: Option<u32>,
    value: u32,
}

fn read_rows(
    range: &Range<Data>,
    formats: &Formats,
    catalogue: &Catalogue,
    sheet: &SheetRef,
    diagnostics: &mut Diagnostics,
) -> Entries {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let cell = |row: u32, col: u32| -> String {
        range
            .get(((row - row0) as usize, (col - col0) as usize))
            .map(|data| display(data, formats.get(&(row, col))))
            .unwrap_or_default()
    };
    let (end_row, end_col) = range.end().unwrap_or((0, 0));
    let Some((header_row, columns, missing)) = find_header(range, catalogue, &cell) else {
        diagnostics.push(
            Diagnostic::error(format!(
                "在工作表“{}”中找不到表头（含“{}”和“{}”的一行）",
                sheet.sheet,
                header_of(catalogue, ColumnSource::No),
                header_of(catalogue, ColumnSource::Value)
            ))
            .at(Location::file(sheet.path))
            .hint(format!(
                "请使用{}的原表格式：{}",
                catalogue.attachment,
                catalogue.headers().join("、")
            )),
        );
        return Entries::new();
    };
    if !missing.is_empty() {
        diagnostics.push(
            Diagnostic::error(format!("表头与{}《{}》不符：缺少“{}”列", catalogue.attachment, catalogue.title, missing.join("”“")))
                .at(sheet.cell(header_row, columns.number))
                .hint("示范城市、试点城市填附件3（城市表），试点县填附件4（县表）；可用 `shenbao init` 生成对应的空白表"),
        );
        return Entries::new();
    }
    let mut entries = Entries::new();
    for row in header_row + 1..=end_row {
        let first = (col0..=end_col)
            .map(|c| normalize(&cell(row, c)))
            .find(|t| !t.is_empty());
        match first {
            None => continue,
            Some(text) if text.starts_with(&catalogue.end_marker) => break,
            Some(_) => {}
        }
        let number_text = cell(row, columns.number);
        let Some(number) = parse_number(&number_text) else {
            diagnostics.push(
                Diagnostic::error(format!("序号“{}”不是数字", number_text.trim()))
                    .at(sheet.cell(row, columns.number))
                    .hint("序号须为 1、2、3…… 的整数"),
            );
            continue;
        };
        let Some(indicator) = catalogue.indicators.iter().find(|i| i.no == number) else {
            diagnostics.push(
                Diagnostic::error(format!(
                    "{}中没有序号为 {number} 的指标",
                    catalogue.attachment
                ))
                .at(sheet.cell(row, columns.number))
                .hint(format!("序号应在 1 到 {} 之间", catalogue.indicators.len())),
            );
            continue;
        };
        if let Some(name_col) = columns.name {
            let written = normalize(&cell(row, name_col));
            if !written.is_empty() && written != normalize(&indicator.name) {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "序号 {number} 的指标名称“{written}”与{}不符",
                        catalogue.attachment
                    ))
                    .at(sheet.cell(row, name_col))
                    .hint(format!(
                        "序号 {number} 应为“{}”；请核对序号与指标名称是否错行",
                        indicator.name
                    )),
                );
                continue;
            }
        }
        let location = sheet.cell(row, columns.value);
        if let Some(previous) = entries.get(&number) {
            diagnostics.push(
                Diagnostic::error(format!("指标 {number}“{}”出现了两次", indicator.name))
                    .at(location)
                    .hint(format!("第一次在 {}；请删除重复的一行", previous.location)),
            );
            continue;
        }
        let value = super::text::prose(cell(row, columns.value).trim(), &location, diagnostics);
        if value.is_empty() && sheet.formulas.contains(&(row, columns.value)) {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "指标 {number} 的完成情况是公式，但文件中没有保存计算结果"
                ))
                .at(location.clone())
                .hint("请在 Excel 或 WPS 中打开并保存一次，或把公式改为数值"),
            );
        }
        entries.insert(number, Entry { value, location });
    }
    entries
}

/// The header of the catalogue's column showing `source` (the loader makes sure there is one).
fn header_of(catalogue: &Catalogue, source: ColumnSource) -> &str {
    catalogue.column(source).map_or("", |c| c.header.as_str())
}

/// The header row, the columns found in it, and the catalogue's columns missing from it.
fn find_header(
    range: &Range<Data>,
    catalogue: &Catalogue,
    cell: &dyn Fn(u32, u32) -> String,
) -> Option<(u32, Columns, Vec<String>)> {
    let (row0, col0) = range.start()?;
    let (end_row, end_col) = range.end()?;
    for row in row0..=end_row.min(row0 + 10) {
        let find = |name: &str| (col0..=end_col).find(|&c| normalize(&cell(row, c)) == name);
        let of = |source| catalogue.column(source).and_then(|c| find(&c.header));
        if let (Some(number), Some(value)) = (of(ColumnSource::No), of(ColumnSource::Value)) {
            let name = of(ColumnSource::Name);
            let missing = catalogue
                .headers()
                .into_iter()
                .filter(|header| find(header).is_none())
                .map(str::to_string)
                .collect();
            return Some((
                row,
                Columns {
                    number,
                    name,
                    value,
                },
                missing,
            ));
        }
    }
    None
}

/// A cell as it shows: text as typed, numbers in their number format.
pub(crate) fn display(data: &Data, format: Option<&String>) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.replace("\r\n", "\n"),
        Data::Int(i) => format_number(*i as f64, format.map(String::as_str)),
        Data::Float(f) => format_number(*f, format.map(String::as_str)),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => {
            let (year, month, day, ..) = d.to_ymd_hms_milli();
            format!("{year}年{month}月{day}日")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Formats `value` as Excel would with the format code `code` (decimals, percent, thousands).
pub fn format_number(value: f64, code: Option<&str>) -> String {
    let code = code
        .unwrap_or("General")
        .split(';')
        .next()
        .unwrap_or("General");
    if code.eq_ignore_ascii_case("general") || code == "@" {
        let text = format!("{value}");
        return text;
    }
    let percent = code.contains('%');
    let decimals = code
        .split('.')
        .nth(1)
        .map_or(0, |d| d.chars().filter(|c| *c == '0' || *c == '#').count());
    let shown = if percent { value * 100.0 } else { value };
    let mut text = format!("{shown:.decimals$}");
    if code.contains(',') {
        text = thousands(&text);
    }
    if percent {
        text.push('%');
    }
    text
}

fn thousands(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (whole, fraction) = rest
        .split_once('.')
        .map_or((rest, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Header and name text compared without spaces, line breaks or full-width spaces.
pub fn normalize(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `12`, `12.0`, `１２`, ` 12 ` → 12.
fn parse_number(text: &str) -> Option<u32> {
    let ascii: String = normalize(text)
        .chars()
        .map(|c| {
            if ('０'..='９').contains(&c) {
                char::from(b'0' + (c as u32 - '０' as u32) as u8)
            } else {
                c
            }
        })
        .collect();
    let value: f64 = ascii.parse().ok()?;
    (value.fract() == 0.0 && value >= 1.0).then_some(value as u32)
}

/// `A`, `B`, …, `Z`, `AA` for a 0-based column.
pub fn column_name(col: u32) -> String {
    let mut name = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        name.insert(0, char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_shown_form() {
        assert_eq!(format_number(0.0123, Some("0.00%")), "1.23%");
        assert_eq!(format_number(6.8, Some("0.00")), "6.80");
        assert_eq!(format_number(82.6, Some("0.0")), "82.6");
        assert_eq!(format_number(1234567.0, Some("#,##0")), "1,234,567");
        assert_eq!(format_number(12.0, None), "12");
    }

    #[test]
    fn serial_numbers_in_any_width() {
        assert_eq!(parse_number("１２"), Some(12));
        assert_eq!(parse_number(" 7 "), Some(7));
        assert_eq!(parse_number("7.0"), Some(7));
        assert_eq!(parse_number("七"), None);
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(5), "F");
        assert_eq!(column_name(26), "AA");
    }
}
