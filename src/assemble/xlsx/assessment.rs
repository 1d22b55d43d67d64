//! The blank assessment workbook that `init` writes and the desk serves: the table of 附件3 or
//! 附件4 in the notice's layout, its columns from the catalogue.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::load::catalogue::{Catalogue, ColumnSource};

/// The assessment table in the notice's layout, 完成情况 and 佐证材料 left blank: title row,
/// header row, merged 一级/二级 cells, the 备注 row.
pub fn blank_workbook(catalogue: &Catalogue) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&catalogue.attachment)?;
    let evidence = &catalogue.evidence_column;
    let last = catalogue.columns.len() as u16;
    let cell = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let centred = cell.clone().set_align(FormatAlign::Center);
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let bold = centred.clone().set_bold();
    sheet.merge_range(0, 0, 0, last, &catalogue.title, &title)?;
    for (col, column) in catalogue.columns.iter().enumerate() {
        sheet.write_with_format(1, col as u16, &column.header, &bold)?;
        sheet.set_column_width(col as u16, column.xlsx_width)?;
    }
    sheet.write_with_format(1, last, &evidence.header, &bold)?;
    sheet.set_column_width(last, evidence.xlsx_width)?;
    let first_row = 2u32;
    for (index, indicator) in catalogue.indicators.iter().enumerate() {
        let row = first_row + index as u32;
        for (col, column) in catalogue.columns.iter().enumerate() {
            let col = col as u16;
            if column.source == ColumnSource::No {
                sheet.write_number_with_format(row, col, f64::from(indicator.no), &centred)?;
            } else {
                let value = column.text(indicator).unwrap_or_default();
                sheet.write_with_format(row, col, value, &cell)?;
            }
        }
        sheet.write_with_format(row, last, "", &cell)?;
    }
    merge_groups(sheet, catalogue, first_row, &centred)?;
    let note_row = first_row + catalogue.indicators.len() as u32;
    sheet.merge_range(
        note_row,
        0,
        note_row,
        last,
        &catalogue.note,
        &Format::new().set_text_wrap(),
    )?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_repeat_rows(1, 1)?;
    sheet.set_freeze_panes(2, 0)?;
    super::save(&mut workbook)
}

/// Merges the cells of each column that merges (一级指标, 二级指标 as a group) over the rows
/// that share a value, as the notice's table does.
fn merge_groups(
    sheet: &mut Worksheet,
    catalogue: &Catalogue,
    first_row: u32,
    format: &Format,
) -> Result<(), XlsxError> {
    let indicators = &catalogue.indicators;
    for (col, column) in catalogue.columns.iter().enumerate() {
        if !column.merges() {
            continue;
        }
        let mut start = 0;
        while start < indicators.len() {
            let Some(value) = column.text(&indicators[start]) else {
                break;
            };
            let end = (start..indicators.len())
                .take_while(|&i| column.text(&indicators[i]) == Some(value))
                .last()
                .unwrap_or(start);
            if end > start {
                sheet.merge_range(
                    first_row + start as u32,
                    col as u16,
                    first_row + end as u32,
                    col as u16,
                    value,
                    format,
                )?;
            }
            start = end + 1;
        }
    }
    Ok(())
}
