//! The blank roster workbook of `init --roster`: one row per applicant, its columns from
//! `templates/roster.yaml`.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    XlsxError,
};

use crate::load::notice::Notice;
use crate::load::roster::RosterSpec;

/// Rows of a new roster that carry the data validation lists.
const ROSTER_ROWS: u32 = 500;

/// The roster's headers, drop-down lists for the columns whose values come from the notice, date
/// cells for dates and text cells for the rest (so phone numbers keep their leading 0).
pub fn blank_roster(spec: &RosterSpec, notice: &Notice) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&spec.sheet)?;
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (index, column) in spec.columns.iter().enumerate() {
        let col = index as u16;
        sheet.write_with_format(0, col, &column.header, &header)?;
        sheet.set_column_width(col, if column.date { 12 } else { 16 })?;
        let validation = if let Some(choices) = column.choices {
            sheet.set_column_format(col, &text)?;
            Some(
                DataValidation::new()
                    .allow_list_strings(&choices.values(notice))?
                    .set_error_title("不在可选范围内")?
                    .set_error_message(format!("{}只能从下拉列表中选择", column.header))?,
            )
        } else if column.date {
            sheet.set_column_format(col, &date)?;
            let earliest = ExcelDateTime::from_ymd(2000, 1, 1)?;
            Some(
                DataValidation::new()
                    .allow_date(DataValidationRule::GreaterThan(earliest))
                    .set_error_title("不是日期")?
                    .set_error_message(format!("{}请输入日期，如 2023-8-10", column.header))?,
            )
        } else {
            sheet.set_column_format(col, &text)?;
            None
        };
        if let Some(validation) = validation {
            sheet.add_data_validation(1, col, ROSTER_ROWS, col, &validation)?;
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    super::save(&mut workbook)
}
