//! The assessment table's columns are data: a template folder whose `catalogue/city.yaml` adds a
//! column changes the blank workbook, the reader of the filled one, the PDF table and the Word
//! table, with no change of code.

mod common;

use std::io::Read as _;
use std::path::{Path, PathBuf};

use calamine::Reader as _;
use common::*;
use shenbao::load::catalogue::{Catalogue, ColumnSource};
use shenbao::templates::TemplateStore;

/// A template folder whose city catalogue has a 分值 column (after 三级指标) with a value for
/// every indicator: 10 for the first, 5 for the others.
fn templates_with_a_score_column(dir: &Path) -> PathBuf {
    let city = std::fs::read_to_string(root().join("templates/catalogue/city.yaml")).unwrap();
    let name_column = "  - { header: 三级指标, source: name, width: 1.9, xlsx_width: 24 }\n";
    assert!(city.contains(name_column));
    let mut edited = city.replace(
        name_column,
        &format!("{name_column}  - {{ header: 分值, source: field, width: 0.8, xlsx_width: 8 }}\n"),
    );
    let mut first = true;
    edited = edited
        .lines()
        .map(|line| match line.starts_with("    name: ") {
            true => {
                let score = if std::mem::take(&mut first) { 10 } else { 5 };
                format!("{line}\n    fields: {{ 分值: \"{score}\" }}")
            }
            false => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let folder = dir.join("templates");
    std::fs::create_dir_all(folder.join("catalogue")).unwrap();
    std::fs::write(folder.join("catalogue/city.yaml"), edited).unwrap();
    folder
}

/// 洛阳市's workbook laid out by `catalogue`: every header, the numbers, the names and 已完成.
fn workbook_for(catalogue: &Catalogue, path: &Path) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("附件3").unwrap();
    for (col, column) in catalogue.columns.iter().enumerate() {
        let col = col as u16;
        sheet.write(0, col, column.header.as_str()).unwrap();
        for (i, indicator) in catalogue.indicators.iter().enumerate() {
            let row = 1 + i as u32;
            let text = match column.source {
                ColumnSource::No => indicator.no.to_string(),
                ColumnSource::Value => format!("第{}项已完成", indicator.no),
                _ => column.text(indicator).unwrap_or_default().to_string(),
            };
            sheet.write(row, col, text).unwrap();
        }
    }
    workbook.save(path).unwrap();
}

#[test]
fn a_new_catalogue_column_reaches_workbook_pdf_and_word() {
    let dir = tempfile::tempdir().unwrap();
    let templates = templates_with_a_score_column(dir.path());
    let store = TemplateStore::new(Some(templates.clone())).unwrap();
    let catalogue = Catalogue::load(&store, "city").unwrap();
    assert_eq!(catalogue.headers()[4], "分值");

    let blank = shenbao::init::blank_workbook(&catalogue).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(blank)).unwrap();
    let sheet = book.worksheet_range("附件3").unwrap();
    let header: Vec<String> = (0..8)
        .map(|c| {
            sheet
                .get_value((1, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(header[4], "分值", "{header:?}");
    assert_eq!(header[7], "佐证材料", "{header:?}");
    assert_eq!(sheet.get_value((2, 4)).unwrap().to_string(), "10");

    let applicant = dir.path().join("洛阳市");
    copy_dir(&root().join("inputs/洛阳市"), &applicant);
    workbook_for(&catalogue, &applicant.join("测评表.xlsx"));
    let out = dir.path().join("out");
    let output = build_with_templates(dir.path(), &applicant, &out, &templates);
    assert!(output.status.success(), "{}", said(&output));
    let pdf = squeeze(&pdf_text(&out.join("洛阳市/材料4-客观工作成效测评表.pdf")));
    // The turned table pages come out of poppler in no reading order: count, don't read along.
    let table_pages = pdf.matches("完成情况").count();
    assert!(table_pages >= 2, "{pdf}");
    assert_eq!(
        pdf.matches("分值").count(),
        table_pages,
        "the new header on every table page"
    );
    let last = catalogue.indicators.len();
    assert!(pdf.contains("第1项已完成") && pdf.contains(&format!("第{last}项已完成")));
    let docx = std::fs::File::open(out.join("洛阳市/材料4-客观工作成效测评表.docx")).unwrap();
    let mut xml = String::new();
    zip::ZipArchive::new(docx)
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let text = xml_text(&xml);
    assert!(text.contains("三级指标分值指标说明完成情况"), "{text}");
    assert_eq!(
        xml.matches("<w:tc>").count() % 7,
        0,
        "seven columns in every row"
    );
}

#[test]
fn the_filled_workbook_must_have_the_new_column() {
    let dir = tempfile::tempdir().unwrap();
    let templates = templates_with_a_score_column(dir.path());
    let (_scratch, applicant) = example("洛阳市");
    let out = dir.path().join("out");
    let output = build_with_templates(dir.path(), &applicant, &out, &templates);
    assert!(!output.status.success());
    assert!(said(&output).contains("缺少“分值”列"), "{}", said(&output));
}
