//! The desk's assessment tab (材料4): the indicators as read from the workbook, an empty
//! 完成情况 flagged beside its row, and an uploaded evidence file assigned to an indicator with
//! a title: a new `evidence` item in `applicant.yaml` (the rest of the file unchanged, the old
//! one kept), refused for a stale form or a file the folder does not hold, and printed in the
//! evidence index of the built assessment.

mod common;
#[path = "desk/support.rs"]
mod support;

use axum::http::StatusCode;
use support::*;

/// The `<tr id="indicator-N">` row of `page`.
fn row(page: &str, no: u32) -> &str {
    let start = page
        .find(&format!("<tr id=\"indicator-{no}\""))
        .unwrap_or_else(|| panic!("a row for indicator {no}"));
    let rest = &page[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_indicators_show_as_read_with_an_empty_value_flagged() {
    let d = desk(&["洛阳市"], 1 << 20);
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    assert!(row(&page, 1).contains("洛阳市"), "{}", row(&page, 1));
    assert!(!page.contains("（未填写）"));
    assert!(row(&page, 19).contains("2022年度洛阳市高价值发明专利统计报告"));

    let token = csrf(&d.app).await;
    let filled = d.out.join("测评表.xlsx");
    std::fs::create_dir_all(&d.out).unwrap();
    common::workbook_with(&filled, "", "已完成");
    let (_, location) = upload(
        &d.app,
        "/a/洛阳市/upload/workbook",
        &token,
        "填好的.xlsx",
        &std::fs::read(&filled).unwrap(),
    )
    .await;
    assert!(location.contains("已上传为 测评表.xlsx"), "{location}");
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let first = row(&page, 1);
    assert!(first.contains("class=\"has-problem\""), "{first}");
    assert!(
        first.contains("（未填写）") && first.contains("完成情况为空"),
        "{first}"
    );
    assert!(row(&page, 2).contains("已完成"));
    assert!(!row(&page, 2).contains("has-problem"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uploaded_evidence_file_is_assigned_to_an_indicator_and_printed() {
    let d = desk(&["洛阳市"], 1 << 20);
    let token = csrf(&d.app).await;
    let file = d.workspace.join("洛阳市/applicant.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let (_, location) = upload(
        &d.app,
        "/a/洛阳市/upload/evidence",
        &token,
        "统计.png",
        &small_png(),
    )
    .await;
    assert!(location.contains("上传-001.png"), "{location}");
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let version = form_version(&page, &format!("/a/{}/evidence", encode("洛阳市")));
    assert!(page.contains("name=\"file\" value=\"上传-001.png\""));

    let assign = |file: &'static str, version: String| {
        vec![
            ("csrf", token.clone()),
            ("version", version),
            ("file", file.to_string()),
            ("indicator", "20".to_string()),
            ("title", "洛阳市2022年专利转化统计表".to_string()),
        ]
    };
    for (form, refusal) in [
        (
            assign("../applicant.yaml", version.clone()),
            "没有这个佐证材料文件",
        ),
        (assign("01-1.pdf", version.clone()), "没有这个佐证材料文件"),
        (assign("上传-001.png", "0".repeat(64)), "此页已过期，请刷新"),
    ] {
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (_, location) = post(&d.app, "/a/洛阳市/evidence", &fields).await;
        assert!(location.contains(refusal), "{location}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    }

    let form = assign("上传-001.png", version);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location) = post(&d.app, "/a/洛阳市/evidence", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.contains("已将 上传-001.png 列为指标 20"),
        "{location}"
    );
    let after = std::fs::read_to_string(&file).unwrap();
    let item = "  - indicator: 20\n    title: \"洛阳市2022年专利转化统计表\"\n    file: \"evidence/上传-001.png\"\n";
    assert_eq!(
        after,
        before.replacen(
            "    file: evidence/27-1.pdf\n",
            &format!("    file: evidence/27-1.pdf\n{item}"),
            1
        )
    );
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    assert!(row(&page, 20).contains("洛阳市2022年专利转化统计表"));
    assert!(!page.contains("name=\"file\" value=\"上传-001.png\""));

    let out = d.out.join("built");
    let built = common::build_into(&d.workspace, &d.workspace.join("洛阳市"), &out, &[]);
    assert!(built.status.success(), "{}", common::said(&built));
    let pdf = common::files_under(&out)
        .into_iter()
        .find(|f| f.ends_with(".pdf") && f.contains("测评表"))
        .expect("the assessment PDF");
    let text = common::squeeze(&common::pdf_text(&out.join(pdf)));
    assert!(text.contains("洛阳市2022年专利转化统计表"), "{text}");
}
