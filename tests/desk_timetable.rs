//! The plan tab's timetable (实施步骤): a new applicant's blank years are offered with their
//! years filled in; a save writes the list in place (the key's comment and every other line
//! kept), the loader's "尚未填写" errors go, a bad year is refused with nothing written, and
//! the plan PDF prints the tasks.

mod common;
#[path = "desk/support.rs"]
mod support;

use axum::http::StatusCode;
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_timetable_is_filled_in_the_page_and_printed_in_the_plan() {
    let d = desk(&[], 1 << 20);
    let (_, page) = get(&d.app, "/new").await;
    let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = page[start..start + 64].to_string();
    let (status, _) = post(
        &d.app,
        "/new",
        &[
            ("csrf", &token),
            ("name", "西平县"),
            ("category", "试点县"),
            ("city", "驻马店市"),
            ("government", "西平县人民政府"),
            ("date", "2023-08-10"),
            ("person", "王五"),
            ("phone", "0396-6212345"),
            ("number", "西政函〔2023〕12号"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(&d.app, "/a/西平县").await;
    assert!(
        page.contains("timetable[1].tasks"),
        "init leaves the years blank"
    );
    for (n, year) in [(1, "2024"), (2, "2025"), (3, "2026")] {
        assert!(
            page.contains(&format!("name=\"year-{n}\" value=\"{year}\"")),
            "year {n}"
        );
    }
    let file = d.workspace.join("西平县/applicant.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let version = form_version(&page, "/timetable");
    let mut fields = vec![("csrf", token.as_str()), ("version", version.as_str())];
    let rows = [
        ("2024", "全面启动阶段", "印发试点县建设方案，建立工作专班。"),
        (
            "2025",
            "深化推进阶段",
            "建成县知识产权服务站，开展专利导航。",
        ),
        ("2026", "", "完成各项指标，迎接评估验收。"),
    ];
    let names: Vec<[String; 3]> = (1..=3)
        .map(|n| {
            [
                format!("year-{n}"),
                format!("stage-{n}"),
                format!("tasks-{n}"),
            ]
        })
        .collect();
    for (row, name) in rows.iter().zip(&names) {
        fields.extend([
            (name[0].as_str(), row.0),
            (name[1].as_str(), row.1),
            (name[2].as_str(), row.2),
        ]);
    }
    let mut bad = fields.clone();
    bad.retain(|(k, _)| *k != "year-2");
    bad.push(("year-2", "二〇二五"));
    let (_, location) = post(&d.app, "/a/西平县/timetable", &bad).await;
    assert!(
        location.contains("第2行的年份“二〇二五”应为四位数字"),
        "{location}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    let (_, location) = post(&d.app, "/a/西平县/timetable", &fields).await;
    assert!(location.contains("已保存实施步骤"), "{location}");
    let after = std::fs::read_to_string(&file).unwrap();
    let block = |text: &str| -> (String, String) {
        let start = text.find("timetable:").unwrap();
        let end = start + text[start..].find("\nevidence:").unwrap() + 1;
        (
            text[..start].to_string() + &text[end..],
            text[start..end].to_string(),
        )
    };
    let ((outside_before, _), (outside_after, written)) = (block(&before), block(&after));
    assert_eq!(
        outside_after, outside_before,
        "nothing outside the list changed"
    );
    assert_eq!(
        written,
        before[before.find("timetable:").unwrap()..]
            .lines()
            .next()
            .unwrap()
            .to_string()
            + "\n  - year: 2024\n    stage: \"全面启动阶段\"\n    tasks: \"印发试点县建设方案，建立工作专班。\"\n  - year: 2025\n    stage: \"深化推进阶段\"\n    tasks: \"建成县知识产权服务站，开展专利导航。\"\n  - year: 2026\n    tasks: \"完成各项指标，迎接评估验收。\"\n\n"
    );
    let (_, page) = get(&d.app, "/a/西平县").await;
    assert!(!page.contains("timetable["), "no timetable problem is left");

    // With 西峡县's texts and workbook in place, the plan builds and prints the tasks.
    let example = common::root().join("inputs/西峡县");
    let dir = d.workspace.join("西平县");
    for (from, to) in [
        ("创建工作报告.md", "创建工作报告.md"),
        ("示范工作方案.md", "工作方案.md"),
        ("测评表.xlsx", "测评表.xlsx"),
    ] {
        std::fs::copy(example.join(from), dir.join(to)).unwrap();
    }
    let out = d.out.join("built");
    let built = common::build_into(&d.workspace, &dir, &out, &[]);
    assert!(built.status.success(), "{}", common::said(&built));
    let plan = common::files_under(&out)
        .into_iter()
        .find(|f| f.ends_with(".pdf") && f.contains("工作方案"))
        .expect("the plan PDF");
    let text = common::squeeze(&common::pdf_text(&out.join(plan)));
    for tasks in ["印发试点县建设方案", "建成县知识产权服务站", "迎接评估验收"]
    {
        assert!(text.contains(tasks), "{tasks} in {text}");
    }
}
