//! The rules of the provincial package across applicants (quotas, eligible cities, one category
//! each, missing or failing applicants, broken files, reuse of a previous package), each with its
//! message and, where the package stops, with nothing written.

mod common;
#[path = "package/setup.rs"]
mod setup;

use common::*;
use setup::*;

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
