//! The roster workbook (`--roster`): the blank one `init --roster` writes, the fields it fills in
//! for every command, disagreements with `applicant.yaml` naming both places, and every bad
//! roster the issue lists, each with its message, all in one run.

mod common;

use std::io::Read as _;
use std::path::Path;

use calamine::{Reader, open_workbook_auto};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use common::*;

/// The standard headers.
const HEADERS: [&str; 11] = ROSTER_HEADERS;

/// One cell of a test roster.
enum Value<'a> {
    Text(&'a str),
    Date(u16, u8, u8),
}

/// Writes a roster with `headers` and `rows` to `path`.
fn write_roster(path: &Path, headers: &[&str], rows: &[Vec<Value>]) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("申报单位名册").unwrap();
    for (col, header) in headers.iter().enumerate() {
        sheet.write(0, col as u16, *header).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            let (r, col) = (r as u32 + 1, col as u16);
            match value {
                Value::Text("") => {}
                Value::Text(text) => {
                    sheet.write(r, col, *text).unwrap();
                }
                Value::Date(y, m, d) => {
                    let day = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    sheet
                        .write_datetime_with_format(r, col, &day, &date)
                        .unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

/// 新郑市's row, as its `applicant.yaml` has it.
fn xinzheng<'a>() -> Vec<Value<'a>> {
    use Value::*;
    vec![
        Text("新郑市"),
        Text("县"),
        Text("试点县"),
        Text("郑州市"),
        Text("新郑市人民政府"),
        Text("新政函〔2023〕77号"),
        Date(2023, 8, 11),
        Text("赵丽娟"),
        Text("0371-62696518"),
        Text("新郑市市场监督管理局（新郑市知识产权局）"),
        Text(""),
    ]
}

/// 新郑市's folder with every field the roster gives taken out of its `applicant.yaml`.
fn bare_xinzheng() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, applicant) = example("新郑市");
    let file = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| {
            let field = line.trim_start().split(':').next().unwrap_or("");
            let top = ["name", "level", "city", "category", "government", "date"];
            let nested = ["person", "phone", "office", "number"];
            !(top.contains(&field) && !line.starts_with(' ')
                || nested.contains(&field) && line.starts_with("  "))
        })
        .collect();
    std::fs::write(&file, kept.join("\n")).unwrap();
    (dir, applicant)
}

#[test]
fn init_writes_a_blank_roster_with_headers_and_drop_down_lists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名册.xlsx");
    let output = shenbao(dir.path(), &["init", "--roster", "名册.xlsx"]);
    assert!(output.status.success(), "{}", said(&output));
    let mut book = open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names(), ["申报单位名册"]);
    let range = book.worksheet_range("申报单位名册").unwrap();
    let header = header_row(&range);
    assert_eq!(header, HEADERS);
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(
        xml.contains(r#"<formula1>"示范城市,试点县,试点城市"</formula1>"#),
        "{xml}"
    );
    assert!(xml.contains(r#"<formula1>"县,市"</formula1>"#), "{xml}");
    assert!(xml.contains("济源示范区"), "the cities are a list too");
    assert!(xml.contains(r#"type="date""#), "成文日期 only takes dates");
    let again = shenbao(dir.path(), &["init", "--roster", "名册.xlsx"]);
    assert!(
        !again.status.success(),
        "an existing roster is never overwritten"
    );
    assert!(said(&again).contains("名册文件已存在"));
}

#[test]
fn the_roster_fills_in_what_applicant_yaml_leaves_out() {
    let (dir, applicant) = bare_xinzheng();
    let roster = dir.path().join("名册.xlsx");
    write_roster(&roster, &HEADERS, &[xinzheng()]);
    let alone = shenbao(dir.path(), &["check", applicant.to_str().unwrap()]);
    assert!(
        !alone.status.success(),
        "without the roster the fields are missing"
    );
    assert!(said(&alone).contains("缺少必填字段 name"));
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &["--roster", "名册.xlsx"]);
    assert!(output.status.success(), "{}", said(&output));
    let letter = squeeze(&pdf_text(&out.join("新郑市").join("材料1-申报函.pdf")));
    assert!(
        letter.contains("新政函〔2023〕77号"),
        "the number comes from the roster"
    );
    assert!(letter.contains("新郑市人民政府"));
    assert!(letter.contains("2023年8月11日"));
    assert!(
        letter.contains("联系人：赵丽娟，联系电话：0371-62696518"),
        "{letter}"
    );
}

#[test]
fn a_value_given_twice_and_differently_names_both_places() {
    let (dir, applicant) = example("新郑市");
    let roster = dir.path().join("名册.xlsx");
    let mut row = xinzheng();
    row[2] = Value::Text("试点城市");
    write_roster(&roster, &HEADERS, &[row]);
    let output = shenbao(
        dir.path(),
        &[
            "check",
            applicant.to_str().unwrap(),
            "--roster",
            "名册.xlsx",
        ],
    );
    let text = said(&output);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains(
            "申报类别在名册与 applicant.yaml 中不一致：名册为“试点城市”，applicant.yaml 中 category 为“试点县”"
        ),
        "{text}"
    );
    assert!(
        text.contains("新郑市/applicant.yaml:"),
        "the YAML place: {text}"
    );
    assert!(
        text.contains("名册.xlsx!申报单位名册!C2"),
        "the roster cell: {text}"
    );
    assert!(
        text.contains("文号在名册与 applicant.yaml 中不一致"),
        "every disagreement is reported: {text}"
    );
}

fn check_with(dir: &Path, headers: &[&str], rows: &[Vec<Value>]) -> String {
    write_roster(&dir.join("名册.xlsx"), headers, rows);
    let output = shenbao(dir, &["check", "新郑市", "--roster", "名册.xlsx"]);
    let text = said(&output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a bad roster stops the run: {text}"
    );
    text
}

#[test]
fn a_missing_header_is_named() {
    let (dir, _) = example("新郑市");
    let headers: Vec<&str> = HEADERS
        .iter()
        .copied()
        .filter(|h| *h != "申报类别")
        .collect();
    let mut row = xinzheng();
    row.remove(2);
    let text = check_with(dir.path(), &headers, &[row]);
    assert!(text.contains("名册缺少“申报类别”列"), "{text}");
    let mut misspelt = HEADERS;
    misspelt[2] = "申报类型";
    let text = check_with(dir.path(), &misspelt, &[xinzheng()]);
    assert!(text.contains("名册缺少“申报类别”列"), "{text}");
    assert!(text.contains("表头“申报类型”应写作“申报类别”"), "{text}");
    assert!(text.contains("名册.xlsx!申报单位名册!C1"), "{text}");
}

#[test]
fn a_duplicated_applicant_row_is_refused() {
    let (dir, _) = example("新郑市");
    let text = check_with(dir.path(), &HEADERS, &[xinzheng(), xinzheng()]);
    assert!(text.contains("名册中“新郑市”出现了两行"), "{text}");
    assert!(text.contains("名册.xlsx!申报单位名册!A3"), "{text}");
    assert!(
        text.contains("第一次在") && text.contains("申报单位名册!A2"),
        "{text}"
    );
}

#[test]
fn a_misspelt_category_is_refused_with_the_likely_fix() {
    let (dir, _) = example("新郑市");
    let mut row = xinzheng();
    row[2] = Value::Text("试点区");
    let text = check_with(dir.path(), &HEADERS, &[row]);
    assert!(text.contains("申报类别“试点区”不在可选范围内"), "{text}");
    assert!(text.contains("是否应为“试点县”"), "{text}");
    assert!(text.contains("申报单位名册!C2"), "{text}");
}

#[test]
fn a_date_typed_as_text_is_refused() {
    let (dir, _) = example("新郑市");
    let mut row = xinzheng();
    row[6] = Value::Text("2023.8.10");
    let text = check_with(dir.path(), &HEADERS, &[row]);
    assert!(
        text.contains("成文日期“2023.8.10”是文字，不是日期"),
        "{text}"
    );
    assert!(text.contains("申报单位名册!G2"), "{text}");
    assert!(text.contains("设为日期格式"), "{text}");
}

#[test]
fn every_roster_problem_is_reported_in_one_run() {
    let (dir, _) = example("新郑市");
    let mut bad = xinzheng();
    bad[0] = Value::Text("林州市");
    bad[2] = Value::Text("示范市");
    bad[6] = Value::Text("2023.8.10");
    let text = check_with(dir.path(), &HEADERS, &[xinzheng(), bad, xinzheng()]);
    for expected in [
        "申报类别“示范市”不在可选范围内",
        "成文日期“2023.8.10”是文字",
        "名册中“新郑市”出现了两行",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
}

#[test]
fn the_example_roster_agrees_with_every_example_applicant() {
    let output = shenbao(
        &root(),
        &["check", "--roster", "inputs/河南省/申报单位名册.xlsx"],
    );
    let text = said(&output);
    assert!(output.status.success(), "{text}");
    assert!(!text.contains("不一致"), "{text}");
}

#[test]
fn an_empty_roster_or_one_with_only_headers_is_reported() {
    let (dir, _) = example("新郑市");
    let text = check_with(dir.path(), &[], &[]);
    assert!(text.contains("名册工作表“申报单位名册”是空的"), "{text}");
    write_roster(&dir.path().join("名册.xlsx"), &HEADERS, &[]);
    let output = shenbao(dir.path(), &["check", "新郑市", "--roster", "名册.xlsx"]);
    let text = said(&output);
    assert!(text.contains("名册中没有任何申报单位"), "{text}");
    assert!(
        text.contains("名册中没有这个申报单位"),
        "the applicant learns the roster had no row for it: {text}"
    );
}
