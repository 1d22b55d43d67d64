//! `shenbao init`: a new applicant folder to fill in, with a commented `applicant.yaml` (whose
//! first line points editors at the JSON Schema written beside it), the two Markdown texts with
//! the sections the notice asks for, an `evidence/` folder, and the blank assessment workbook in
//! the official layout; or, with `--roster`, a blank roster workbook. Existing files are never
//! overwritten.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};
use tera::Context;

use crate::compose::wording::Wording;
use crate::diagnostics::{Diagnostic, Location};
use crate::files::write_atomically;
use crate::load::catalogue::{Catalogue, ColumnSource};
use crate::load::notice::Notice;
use crate::load::roster::RosterSpec;
use crate::templates::TemplateStore;

/// The files `init` writes, by name in the new folder and template source.
const TEXT_FILES: [(&str, &str); 3] = [
    ("applicant.yaml", "init/applicant.yaml"),
    ("创建工作报告.md", "init/report.md"),
    ("工作方案.md", "init/plan.md"),
];

/// The workbook's name in a new folder.
pub const WORKBOOK: &str = "测评表.xlsx";

/// Where a new folder keeps the JSON Schema of its `applicant.yaml`, relative to the folder (so
/// the `# yaml-language-server: $schema=` line works offline, wherever the program is installed).
pub const SCHEMA: &str = ".shenbao/applicant.schema.json";

/// Creates the applicant folder `dir` for `category`, its report and plan as Markdown or, with
/// `word`, as .docx; returns the files written.
pub fn init(
    dir: &Path,
    category: &str,
    store: &TemplateStore,
    word: bool,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let notice = Notice::load(store)?;
    let Some(info) = notice.categories.get(category) else {
        let known: Vec<&str> = notice.categories.keys().map(String::as_str).collect();
        return Err(
            Diagnostic::error(format!("申报类别“{category}”不在通知规定的类别中"))
                .hint(format!("--category 只能是：{}", known.join("、"))),
        );
    };
    let name_of = |name: &str| match name.strip_suffix(".md") {
        Some(stem) if word => format!("{stem}.docx"),
        _ => name.to_string(),
    };
    let mut targets: Vec<PathBuf> = TEXT_FILES
        .iter()
        .map(|(name, _)| dir.join(name_of(name)))
        .collect();
    targets.push(dir.join(WORKBOOK));
    targets.push(dir.join(SCHEMA));
    if let Some(existing) = targets.iter().find(|p| p.exists()) {
        return Err(
            Diagnostic::error("目标目录中已有同名文件，为避免覆盖，未写入任何文件")
                .at(Location::file(existing))
                .hint("请换一个新目录，或先移走已有文件"),
        );
    }
    let catalogue = Catalogue::load(store, &info.catalogue)?;
    let mut context = Context::new();
    context.insert("level", &info.level);
    context.insert("category", category);
    let first = notice.notice.year + 1;
    context.insert(
        "years",
        &(first..first + notice.plan_years).collect::<Vec<_>>(),
    );
    context.insert("text_extension", if word { "docx" } else { "md" });
    context.insert("schema", SCHEMA);
    let mut wording = Wording::new(store);
    for (name, source) in TEXT_FILES {
        wording.load(source)?;
        let text = wording.render(source, &context)?;
        let target = dir.join(name_of(name));
        if target.extension().is_some_and(|e| e == "docx") {
            let docx = crate::load::docx::write::from_markdown(&target, &text)?;
            write_atomically(&target, &docx)?;
        } else {
            write_atomically(&target, text.as_bytes())?;
        }
    }
    let workbook = blank_workbook(&catalogue)
        .map_err(|e| Diagnostic::error(format!("无法生成测评表工作簿（{e}）")))?;
    write_atomically(&dir.join(WORKBOOK), &workbook)?;
    write_atomically(
        &dir.join(SCHEMA),
        crate::load::schema::applicant_schema_text(&notice).as_bytes(),
    )?;
    std::fs::create_dir_all(dir.join("evidence")).map_err(|e| {
        Diagnostic::error(format!("无法创建 evidence 目录（{e}）")).at(Location::file(dir))
    })?;
    Ok(targets)
}

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
    workbook
        .save_to_buffer()
        .map(crate::assemble::zip_host::unix_host)
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

/// Rows of a new roster that carry the data validation lists.
const ROSTER_ROWS: u32 = 500;

/// Writes a blank roster to `path`: the headers of `templates/roster.yaml`, drop-down lists for
/// the columns whose values come from the notice, date cells for dates, and text cells for the
/// rest (so phone numbers keep their leading 0). An existing file is never overwritten.
pub fn roster(path: &Path, store: &TemplateStore) -> Result<PathBuf, Diagnostic> {
    if path.exists() {
        return Err(Diagnostic::error("名册文件已存在，为避免覆盖，未写入")
            .at(Location::file(path))
            .hint("请换一个文件名，或先移走已有文件"));
    }
    let notice = Notice::load(store)?;
    let spec = RosterSpec::load(store)?;
    let bytes = blank_roster(&spec, &notice)
        .map_err(|e| Diagnostic::error(format!("无法生成名册工作簿（{e}）")))?;
    write_atomically(path, &bytes)?;
    Ok(path.to_path_buf())
}

fn blank_roster(spec: &RosterSpec, notice: &Notice) -> Result<Vec<u8>, XlsxError> {
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
    workbook
        .save_to_buffer()
        .map(crate::assemble::zip_host::unix_host)
}
