//! The provincial centre's package (`shenbao package`), read back from the files it writes: the
//! recommendation letter and its list against `province.yaml`, the summary workbook against the
//! applicants' own tables, the index's sha256 against the files.

mod common;
#[path = "package/setup.rs"]
mod setup;

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use common::*;
use setup::*;

#[test]
fn the_example_province_packages_with_its_list_workbook_and_index() {
    let (dir, _) = province_copy();
    let out = dir.path().join("out");
    let output = package(dir.path(), &out);
    let text = said(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("推荐材料已生成"), "{text}");
    assert!(
        text.contains("濮阳市的申报材料成文日期为2023年8月18日，晚于截止日期2023年8月17日"),
        "the late submission is flagged: {text}"
    );

    list_matches_province(&out.join("推荐函.pdf"));
    workbook_matches_tables(
        &out.join("申报单位测评指标汇总表.xlsx"),
        &dir.path().join("inputs"),
    );
    index_matches_files(&out);

    assert!(
        !out.join("濮阳市").exists(),
        "the applicant not recommended is left out"
    );
    for name in ["洛阳市", "许昌市", "西峡县", "新郑市", "林州市"] {
        assert!(
            out.join(name).join("材料1-申报函.pdf").is_file(),
            "{name}'s materials are in the package"
        );
    }
}

/// The letter is a GB/T 9704 letter to the national office, and its attached list has one row
/// per recommended applicant, in the order and categories of `province.yaml`.
fn list_matches_province(letter: &Path) {
    let pages = read_pdf(letter);
    let first = &pages[0];
    assert!(first.find("河南省知识产权局").is_some());
    assert!(first.find("豫知函〔2023〕61号").is_some());
    assert!(first.find("国家知识产权局：").is_some());
    let all = squeeze(&body_text(letter));
    assert!(
        all.contains("我局推荐洛阳市为国家知识产权强市建设示范城市"),
        "{all}"
    );
    assert!(
        all.contains("附件：2023年知识产权强国建设试点示范城市、县推荐名单"),
        "{all}"
    );
    assert!(
        all.contains("（联系人：畅向利，联系电话：0371-65928665）"),
        "{all}"
    );
    let signed = pages
        .iter()
        .find(|p| p.find("2023年8月25日").is_some())
        .expect("a page with the date");
    assert!(
        squeeze(&signed.text()).contains("请予审定。"),
        "the signature never stands on a page without body text: {}",
        signed.text()
    );
    let list = pages.last().unwrap();
    assert!(
        list.find("推荐名单").is_some(),
        "the list is on the last page"
    );
    let expected = recommended_rows(&letter.parent().unwrap().parent().unwrap().join("inputs"));
    assert_eq!(expected.len(), 5);
    let mut previous_top = 0.0;
    for (index, (name, city)) in expected.iter().enumerate() {
        let number = (index + 1).to_string();
        let run = list
            .find(name)
            .unwrap_or_else(|| panic!("{name} in the list"));
        assert!(run.top > previous_top, "{name} comes after the one before");
        previous_top = run.top;
        let same_row = |text: &str| {
            list.runs
                .iter()
                .any(|r| r.text.trim() == text && (r.top - run.top).abs() < 4.0)
        };
        assert!(same_row(&number), "{name} is row {number}");
        if let Some(city) = city {
            assert!(same_row(city), "{name}'s city {city} on its row");
        }
    }
    let categories = list.text();
    for category in [
        "国家知识产权强市建设示范城市",
        "国家知识产权强市建设试点城市",
        "国家知识产权强县建设试点县",
    ] {
        assert!(squeeze(&categories).contains(category), "{category}");
    }
    assert!(list.find("濮阳市").is_none(), "濮阳市 is not recommended");
}

/// The recommended applicants in the order `province.yaml` lists them, each with the city its
/// own `applicant.yaml` names (read here line by line, independently of the program).
fn recommended_rows(inputs: &Path) -> Vec<(String, Option<String>)> {
    let province = std::fs::read_to_string(inputs.join("河南省/province.yaml")).unwrap();
    let section = province.split("recommended:").nth(1).unwrap();
    let field = |text: &str, key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.split('#').next().unwrap().trim().to_string())
    };
    section
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .flat_map(|l| {
            let list = l.split_once('[').unwrap().1.split_once(']').unwrap().0;
            list.split(',')
                .map(|n| n.trim().to_string())
                .collect::<Vec<_>>()
        })
        .map(|name| {
            let yaml = std::fs::read_to_string(inputs.join(&name).join("applicant.yaml")).unwrap();
            let city = field(&yaml, "city:");
            (name, city)
        })
        .collect()
}

/// Every quantitative indicator of every applicant, as a number equal to the number its own
/// workbook states.
fn workbook_matches_tables(summary: &Path, inputs: &Path) {
    let mut book = open_workbook_auto(summary).unwrap();
    let sheets = book.sheet_names().to_vec();
    assert_eq!(sheets, ["附件3（示范城市、试点城市）", "附件4（试点县）"]);
    let mut compared = 0;
    for sheet in sheets {
        let range = book.worksheet_range(&sheet).unwrap();
        let header = header_row(&range);
        assert_eq!(
            &header[..6],
            [
                "申报单位",
                "申报类别",
                "所属城市",
                "推荐顺序",
                "成文日期",
                "检查结果"
            ]
        );
        for row in range.rows().skip(1) {
            let name = row[0].to_string();
            let own = indicator_values(&inputs.join(&name).join("测评表.xlsx"));
            if name == "濮阳市" {
                assert_eq!(row[3], Data::Empty, "not recommended, no rank");
                assert_eq!(row[5].to_string(), "通过，逾期");
                let Data::DateTime(date) = &row[4] else {
                    panic!("成文日期 is a date cell: {:?}", row[4])
                };
                let (year, month, day, ..) = date.to_ymd_hms_milli();
                assert_eq!((year, month, day), (2023, 8, 18));
            }
            for (col, title) in header.iter().enumerate().skip(6) {
                let number: u32 = title.split('.').next().unwrap().parse().unwrap();
                let stated = first_number(&own[&number]);
                match (&row[col], stated) {
                    (Data::Float(value), Some(expected)) => {
                        assert!(
                            (value - expected).abs() < 1e-9,
                            "{name} {title}: {value} in the summary, {expected} in its table"
                        );
                        compared += 1;
                    }
                    (Data::String(kept), None) => {
                        assert_eq!(
                            kept.trim(),
                            own[&number].trim(),
                            "{name} {title}: text kept"
                        )
                    }
                    (Data::Empty, None) => assert!(own[&number].trim().is_empty()),
                    (cell, stated) => panic!("{name} {title}: {cell:?} vs {stated:?}"),
                }
            }
        }
    }
    assert!(compared > 20, "only {compared} numbers compared");
}

/// 完成情况 by indicator number, read from an applicant's workbook by its header.
fn indicator_values(workbook: &Path) -> std::collections::BTreeMap<u32, String> {
    let mut book = open_workbook_auto(workbook).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let column =
        |row: &[Data], name: &str| row.iter().position(|c| squeeze(&c.to_string()) == name);
    let header = rows
        .iter()
        .position(|r| column(r, "完成情况").is_some())
        .unwrap();
    let value_col = column(rows[header], "完成情况").unwrap();
    let number_col = column(rows[header], "序号").unwrap();
    rows[header + 1..]
        .iter()
        .filter_map(|r| {
            let written: String = squeeze(&r[number_col].to_string())
                .chars()
                .map(|c| match c {
                    '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                    c => c,
                })
                .collect();
            let number = written.parse::<f64>().ok()? as u32;
            Some((number, r[value_col].to_string()))
        })
        .collect()
}

/// The number a 完成情况 states when it is a single quantity — a number, a unit, maybe a note
/// in brackets — read here by peeling the text from the right, independently of the program.
fn first_number(text: &str) -> Option<f64> {
    let mut rest = text.trim();
    if rest.ends_with(['）', ')']) {
        let open = rest.rfind(['（', '('])?;
        rest = rest[..open].trim_end();
    }
    let unit: String = rest
        .chars()
        .rev()
        .take_while(|c| !c.is_ascii_digit() && *c != '%')
        .collect();
    if unit.chars().count() > 4 || unit.contains(['年', '月', '日', '.', '、']) {
        return None;
    }
    rest = rest[..rest.len() - unit.len()].trim_end();
    let percent = rest.ends_with('%');
    let number: f64 = rest
        .trim_end_matches('%')
        .trim()
        .replace(',', "")
        .parse()
        .ok()?;
    Some(if percent { number / 100.0 } else { number })
}
