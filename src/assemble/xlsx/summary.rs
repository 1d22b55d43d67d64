//! The summary workbook of a recommendation package: every applicant on one row, compared on the
//! assessment table's quantitative indicators, with the numbers as numbers. One sheet per table
//! (附件3 for cities, 附件4 for counties).

use std::sync::LazyLock;

use regex::Regex;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::diagnostics::Diagnostic;
use crate::load::applicant::Applicant;
use crate::load::catalogue::Catalogue;
use crate::load::workbook::Entries;

/// The fixed columns before the indicators.
pub const FIXED_COLUMNS: [&str; 6] = [
    "申报单位",
    "申报类别",
    "所属城市",
    "推荐顺序",
    "成文日期",
    "检查结果",
];

/// One applicant's row.
#[derive(Debug, Clone, Copy)]
pub struct SummaryRow<'a> {
    /// The applicant.
    pub applicant: &'a Applicant,
    /// Its assessment values.
    pub values: &'a Entries,
    /// Its rank in the recommendation of its category, when recommended.
    pub rank: Option<usize>,
    /// How many errors its checks found.
    pub errors: usize,
    /// Whether it was dated after the deadline.
    pub late: bool,
}

/// One sheet: a table and the applicants that filled it in.
pub struct SummarySheet<'a> {
    /// The assessment table.
    pub catalogue: &'a Catalogue,
    /// The categories that use it, for the sheet's name.
    pub categories: Vec<String>,
    /// The rows, in order.
    pub rows: Vec<SummaryRow<'a>>,
}

/// The workbook's bytes.
pub fn workbook(sheets: &[SummarySheet]) -> Result<Vec<u8>, Diagnostic> {
    build(sheets).map_err(|e| {
        Diagnostic::error(format!("无法生成汇总表工作簿（{e}）"))
            .hint("这是程序内部的问题，请连同申报材料一并报告给 shenbao 的维护者")
    })
}

fn build(sheets: &[SummarySheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    for sheet in sheets {
        let worksheet = book.add_worksheet();
        worksheet.set_name(sheet_name(sheet))?;
        write_sheet(worksheet, sheet)?;
    }
    super::save(&mut book)
}

/// `附件3（示范城市、试点城市）`.
pub fn sheet_name(sheet: &SummarySheet) -> String {
    format!(
        "{}（{}）",
        sheet.catalogue.attachment,
        sheet.categories.join("、")
    )
}

/// The header of an indicator column: `6.知识产权专职工作人员编制情况（人）`.
pub fn indicator_header(indicator: &crate::load::catalogue::Indicator) -> String {
    match &indicator.unit {
        Some(unit) => format!("{}.{}（{unit}）", indicator.no, indicator.name),
        None => format!("{}.{}", indicator.no, indicator.name),
    }
}

fn write_sheet(worksheet: &mut Worksheet, sheet: &SummarySheet) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let date = cell.clone().set_num_format("yyyy-mm-dd");
    let percent = cell.clone().set_num_format("0.00%");
    let late = cell.clone().set_font_color(rust_xlsxwriter::Color::Red);
    let late_date = date.clone().set_font_color(rust_xlsxwriter::Color::Red);
    let indicators: Vec<_> = sheet
        .catalogue
        .indicators
        .iter()
        .filter(|i| i.quantitative)
        .collect();
    let headers = FIXED_COLUMNS
        .iter()
        .map(|h| h.to_string())
        .chain(indicators.iter().map(|i| indicator_header(i)));
    for (col, text) in headers.enumerate() {
        worksheet.write_string_with_format(0, col as u16, text, &header)?;
        worksheet.set_column_width(col as u16, if col < 6 { 12 } else { 18 })?;
    }
    worksheet.set_row_height(0, 60)?;
    worksheet.set_freeze_panes(1, 1)?;
    for (index, row) in sheet.rows.iter().enumerate() {
        let r = index as u32 + 1;
        let applicant = row.applicant;
        worksheet.write_string_with_format(r, 0, &applicant.name.value, &cell)?;
        worksheet.write_string_with_format(r, 1, &applicant.category.value, &cell)?;
        let city = applicant
            .city
            .as_ref()
            .filter(|_| applicant.is_county())
            .map_or("", |c| c.value.as_str());
        worksheet.write_string_with_format(r, 2, city, &cell)?;
        match row.rank {
            Some(rank) => worksheet.write_number_with_format(r, 3, rank as f64, &cell)?,
            None => worksheet.write_blank(r, 3, &cell)?,
        };
        let d = applicant.date.value;
        let excel =
            rust_xlsxwriter::ExcelDateTime::from_ymd(d.year as u16, d.month as u8, d.day as u8)?;
        worksheet.write_datetime_with_format(
            r,
            4,
            &excel,
            if row.late { &late_date } else { &date },
        )?;
        worksheet.write_string_with_format(
            r,
            5,
            status(row),
            if row.late { &late } else { &cell },
        )?;
        for (offset, indicator) in indicators.iter().enumerate() {
            let col = 6 + offset as u16;
            let text = row
                .values
                .get(&indicator.no)
                .map_or("", |e| e.value.as_str());
            match quantity(text) {
                Some(Quantity::Number(n)) => {
                    worksheet.write_number_with_format(r, col, n, &cell)?
                }
                Some(Quantity::Percent(n)) => {
                    worksheet.write_number_with_format(r, col, n, &percent)?
                }
                None if text.is_empty() => worksheet.write_blank(r, col, &cell)?,
                None => worksheet.write_string_with_format(r, col, text, &cell)?,
            };
        }
    }
    Ok(())
}

/// `通过`, `未通过（3 个错误）`, with `，逾期` for late submissions.
fn status(row: &SummaryRow) -> String {
    let mut text = if row.errors == 0 {
        "通过".to_string()
    } else {
        format!("未通过（{} 个错误）", row.errors)
    };
    if row.late {
        text.push_str("，逾期");
    }
    text
}

/// The number a 完成情况 states.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    /// A plain number.
    Number(f64),
    /// A percentage, as a fraction (1.23% is 0.0123).
    Percent(f64),
}

/// One number, then a unit of up to four characters (not a date word or punctuation), then an
/// optional note in brackets, and nothing else.
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*([%％])?\s*(?:[^\d\s%％.,，、；;：:。（(年月日][^\d\s（(]{0,3})?\s*(?:[（(].*[）)])?\s*$",
    )
    .expect("valid pattern")
});

/// The number a 完成情况 states when it is one quantity (`28`, `12人`, `1,234.5万元`, `1.35%`,
/// `18名（其中……）`); `None` for anything else, such as a numbered list (`1.……；2.……`) or a
/// year (`2022年……`), which the summary keeps as text.
pub fn quantity(text: &str) -> Option<Quantity> {
    let found = QUANTITY.captures(text)?;
    let value: f64 = found.get(1)?.as_str().replace(',', "").parse().ok()?;
    Some(match found.get(2) {
        Some(_) => Quantity::Percent(value / 100.0),
        None => Quantity::Number(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_from_the_text() {
        assert_eq!(quantity("28"), Some(Quantity::Number(28.0)));
        assert_eq!(quantity("1,234.5万元"), Some(Quantity::Number(1234.5)));
        let Some(Quantity::Percent(share)) = quantity("1.35%") else {
            panic!("not a percentage")
        };
        assert!((share - 0.0135).abs() < 1e-12);
        assert_eq!(
            quantity("18名（其中专利代理师6名）"),
            Some(Quantity::Number(18.0))
        );
        assert_eq!(quantity("暂无"), None);
        assert_eq!(quantity("1.每万人口高价值发明专利3.12件；2.……"), None);
        assert_eq!(quantity("1.2022年度撤回率98%"), None);
        assert_eq!(quantity("2022年已建成"), None);
    }
}
