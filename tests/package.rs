//! The provincial centre's package (`shenbao package`), read back from the files it writes: the
//! recommendation letter and its list against `province.yaml`, the summary workbook against the
//! applicants' own tables, the index's sha256 against the files; and every rule across
//! applicants, each with its message and with nothing written.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use sha2::{Digest, Sha256};

use common::*;

/// A scratch copy of `inputs/` (the example province and all its applicants).
fn province_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("inputs"), &dir.path().join("inputs"));
    let province = dir.path().join("inputs").join("河南省");
    (dir, province)
}

fn package(cwd: &Path, out: &Path) -> std::process::Output {
    shenbao(
        cwd,
        &["package", "inputs/河南省", "-o", out.to_str().unwrap()],
    )
}

/// Replaces `old` by `new` in a text file, which must contain it.
fn edit(path: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(old), "{} lacks {old:?}", path.display());
    std::fs::write(path, text.replacen(old, new, 1)).unwrap();
}

/// Edits a line of `province.yaml`.
fn edit_province(province: &Path, old: &str, new: &str) {
    edit(&province.join("province.yaml"), old, new);
}

/// Runs a package that must stop: exit 1, the message said, and no file written.
fn refused(cwd: &Path, expected: &[&str]) -> String {
    let out = cwd.join("out");
    let output = package(cwd, &out);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    for message in expected {
        assert!(text.contains(message), "expected {message:?} in:\n{text}");
    }
    assert!(text.contains("推荐材料未生成"), "{text}");
    assert!(files_under(&out).is_empty(), "{:?}", files_under(&out));
    text
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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

/// The index lists every file of the package with the sha256 of its bytes, and nothing else;
/// the index PDF shows the same list.
fn index_matches_files(out: &Path) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let listed: Vec<String> = files
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let mut on_disk = files_under(out);
    on_disk.retain(|p| p != "manifest.json");
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(
        sorted, on_disk,
        "the index lists exactly the files of the package"
    );
    let index_text = squeeze(&pdf_text(&out.join("推荐材料目录.pdf")));
    for file in files {
        let path = file["path"].as_str().unwrap();
        let bytes = std::fs::read(out.join(path)).unwrap();
        assert_eq!(file["sha256"].as_str().unwrap(), sha256(&bytes), "{path}");
        if path != "推荐材料目录.pdf" {
            assert!(
                index_text.contains(&sha256(&bytes)),
                "{path}'s sha256 in the index PDF"
            );
        }
        if path.ends_with(".pdf") {
            let pages = read_pdf(&out.join(path)).len() as u64;
            assert_eq!(file["pages"].as_u64(), Some(pages), "{path}");
        }
    }
    let applicants = manifest["applicants"].as_array().unwrap();
    let puyang = applicants.iter().find(|a| a["name"] == "濮阳市").unwrap();
    assert!(puyang["included"].is_null() && puyang["rank"].is_null());
    let xixia = applicants.iter().find(|a| a["name"] == "西峡县").unwrap();
    assert_eq!(xixia["rank"], 1);
    assert_eq!(xixia["included"], "西峡县");
}

#[test]
fn two_demo_cities_exceed_the_quota() {
    let (dir, province) = province_copy();
    edit_province(
        &province,
        "示范城市: [洛阳市]",
        "示范城市: [洛阳市, 濮阳市]",
    );
    refused(
        dir.path(),
        &["推荐的示范城市有 2 个，超过名额 1 个", "删去濮阳市"],
    );
}

#[test]
fn a_demo_city_outside_the_three_is_refused() {
    let (dir, province) = province_copy();
    edit_province(&province, "示范城市: [洛阳市]", "示范城市: [许昌市]");
    edit_province(&province, "试点城市: [许昌市]", "试点城市: []");
    refused(
        dir.path(),
        &["许昌市不能被推荐为示范城市：按通知，只有濮阳市、洛阳市、南阳市可以申报"],
    );
}

#[test]
fn two_counties_of_one_city_are_refused() {
    let (dir, province) = province_copy();
    edit_province(&province, "roster: 申报单位名册.xlsx", "");
    edit(
        &dir.path().join("inputs/新郑市/applicant.yaml"),
        "city: 郑州市",
        "city: 南阳市",
    );
    refused(dir.path(), &["同属南阳市：每个城市只能推荐 1 个县"]);
}

#[test]
fn a_recommended_applicant_that_is_missing_is_refused() {
    let (dir, province) = province_copy();
    edit_province(
        &province,
        "试点县: [西峡县, 新郑市, 林州市]",
        "试点县: [西峡县, 新郑市, 长垣市]",
    );
    refused(dir.path(), &["推荐的“长垣市”没有申报材料"]);
}

#[test]
fn a_recommended_applicant_that_fails_its_checks_stops_the_package() {
    let (dir, _) = province_copy();
    std::fs::remove_file(dir.path().join("inputs/林州市/创建工作报告.md")).unwrap();
    refused(dir.path(), &["推荐的“林州市”未通过检查", "inputs/林州市"]);
}

#[test]
fn a_broken_applicant_not_recommended_is_reported_and_left_out() {
    let (dir, _) = province_copy();
    std::fs::remove_file(dir.path().join("inputs/濮阳市/创建工作报告.md")).unwrap();
    let out = dir.path().join("out");
    let output = package(dir.path(), &out);
    let text = said(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("inputs/濮阳市：检查未通过"), "{text}");
    assert!(
        text.contains("1 个未通过检查的单位未推荐，已略去"),
        "{text}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let puyang = manifest["applicants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "濮阳市")
        .unwrap();
    assert!(puyang["included"].is_null());
    assert!(
        puyang["errors"][0]
            .as_str()
            .unwrap()
            .contains("创建工作报告.md"),
        "{puyang}"
    );
    assert!(!out.join("濮阳市").exists());
}

#[test]
fn one_applicant_in_two_categories_is_refused() {
    let (dir, province) = province_copy();
    edit_province(
        &province,
        "试点县: [西峡县, 新郑市, 林州市]",
        "试点县: [西峡县, 许昌市]",
    );
    refused(dir.path(), &["“许昌市”同时被推荐为试点城市和试点县"]);
}

#[test]
fn a_county_whose_city_is_not_in_the_province_is_refused() {
    let (dir, province) = province_copy();
    edit_province(&province, "roster: 申报单位名册.xlsx", "");
    edit(
        &dir.path().join("inputs/林州市/applicant.yaml"),
        "city: 安阳市",
        "city: 安阳县",
    );
    refused(
        dir.path(),
        &[
            "推荐的“林州市”所属城市“安阳县”不是本省的省辖市",
            "所属城市“安阳县”不是本省的省辖市",
        ],
    );
}

#[test]
fn every_rule_broken_at_once_is_reported_in_one_run() {
    let (dir, province) = province_copy();
    edit_province(
        &province,
        "示范城市: [洛阳市]",
        "示范城市: [洛阳市, 许昌市]",
    );
    edit_province(
        &province,
        "试点县: [西峡县, 新郑市, 林州市]",
        "试点县: [西峡县, 新郑市, 林州市, 长垣市]",
    );
    refused(
        dir.path(),
        &[
            "推荐的示范城市有 2 个",
            "许昌市不能被推荐为示范城市",
            "“许昌市”同时被推荐为示范城市和试点城市",
            "推荐的试点县有 4 个，超过名额 3 个",
            "推荐的“长垣市”没有申报材料",
        ],
    );
}

#[test]
fn a_broken_province_file_is_located() {
    let (dir, province) = province_copy();
    edit_province(&province, "quotas:", "quota:");
    let output = package(dir.path(), &dir.path().join("out"));
    let text = said(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("province.yaml"), "{text}");
    assert!(text.contains("未知字段 quota"), "{text}");
    assert!(text.contains("是否应为 quotas"), "{text}");
}

#[test]
fn a_second_package_drops_what_is_no_longer_recommended_and_reuses_the_rest() {
    let (dir, province) = province_copy();
    let out = dir.path().join("out");
    assert!(package(dir.path(), &out).status.success());
    let letter = out.join("洛阳市").join("材料1-申报函.pdf");
    let before = modified(&letter);
    edit_province(
        &province,
        "试点县: [西峡县, 新郑市, 林州市]",
        "试点县: [西峡县, 新郑市]",
    );
    let output = package(dir.path(), &out);
    assert!(output.status.success(), "{}", said(&output));
    assert!(
        !out.join("林州市").exists(),
        "the dropped county's folder is removed"
    );
    assert_eq!(
        modified(&letter),
        before,
        "unchanged materials are not rendered again"
    );
    index_matches_files(&out);
}

#[test]
fn an_output_folder_among_the_inputs_is_refused_and_nothing_is_touched() {
    let (dir, _) = province_copy();
    let inputs = dir.path().join("inputs");
    let before = files_under(&inputs);
    let output = shenbao(dir.path(), &["package", "inputs/河南省", "-o", "inputs"]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("输出目录与申报材料目录重叠"), "{text}");
    let output = shenbao(dir.path(), &["build", "inputs/洛阳市", "-o", "inputs"]);
    assert!(said(&output).contains("输出目录与申报材料目录重叠"));
    assert_eq!(files_under(&inputs), before, "the inputs are untouched");
}

#[test]
fn a_city_that_writes_a_city_field_is_not_taken_for_a_county() {
    let (dir, province) = province_copy();
    edit_province(&province, "roster: 申报单位名册.xlsx", "");
    edit(
        &dir.path().join("inputs/许昌市/applicant.yaml"),
        "level: 市",
        "city: 郑州市\nlevel: 市",
    );
    let output = package(dir.path(), &dir.path().join("out"));
    let text = said(&output);
    assert!(output.status.success(), "{text}");
    assert!(!text.contains("同属郑州市"), "{text}");
}

#[test]
fn a_recommended_applicant_whose_file_cannot_be_read_is_reported_as_failing() {
    let (dir, province) = province_copy();
    edit_province(&province, "roster: 申报单位名册.xlsx", "");
    edit(
        &dir.path().join("inputs/许昌市/applicant.yaml"),
        "date: 2023-08-11",
        "date: 2023-08-41",
    );
    let text = refused(dir.path(), &["推荐的“许昌市”未通过检查"]);
    assert!(!text.contains("没有申报材料"), "{text}");
}

#[test]
fn an_empty_recommendation_is_refused() {
    let (dir, province) = province_copy();
    edit_province(&province, "示范城市: [洛阳市]", "示范城市: []");
    edit_province(&province, "试点城市: [许昌市]", "试点城市: []");
    edit_province(&province, "试点县: [西峡县, 新郑市, 林州市]", "试点县: []");
    refused(dir.path(), &["推荐名单是空的"]);
}

#[test]
fn two_folders_of_one_applicant_are_refused() {
    let (dir, _) = province_copy();
    copy_dir(
        &dir.path().join("inputs/洛阳市"),
        &dir.path().join("inputs/洛阳市（旧）"),
    );
    refused(dir.path(), &["“洛阳市”有两个申报目录"]);
}

#[test]
fn roster_rows_without_a_folder_and_a_missing_roster_are_reported() {
    let (dir, province) = province_copy();
    std::fs::remove_dir_all(dir.path().join("inputs/濮阳市")).unwrap();
    let output = package(dir.path(), &dir.path().join("out"));
    let text = said(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("名册中的“濮阳市”没有对应的申报目录"),
        "{text}"
    );
    edit_province(&province, "roster: 申报单位名册.xlsx", "roster: 名册.xlsx");
    let output = package(dir.path(), &dir.path().join("out"));
    let text = said(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("名册文件“inputs/河南省/名册.xlsx”不存在"),
        "{text}"
    );
    assert!(
        text.contains("province.yaml:"),
        "located in province.yaml: {text}"
    );
}

#[test]
fn a_package_that_stops_half_way_leaves_no_index() {
    let (dir, _) = province_copy();
    let out = dir.path().join("out");
    assert!(package(dir.path(), &out).status.success());
    std::fs::remove_dir_all(out.join("西峡县")).unwrap();
    std::fs::write(out.join("西峡县"), "not a folder").unwrap();
    let output = package(dir.path(), &out);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("推荐的“西峡县”的材料未能全部生成"), "{text}");
    assert!(
        !out.join("manifest.json").exists(),
        "no index describes a package that was not finished"
    );
}
