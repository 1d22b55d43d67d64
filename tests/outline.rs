//! Real plans and letters: a plan laid out as cities publish them (一、指导思想 二、工作目标
//! 三、重点任务 四、保障措施) passes with warnings naming the mapping onto 附件2; the report's two
//! parts likewise; run-in headings in Markdown; and the reviewer's cross-checks on the letter
//! and the assessment, each with its message and place.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn find<'a>(diagnostics: &'a [serde_json::Value], needle: &str) -> &'a serde_json::Value {
    diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap_or_default().contains(needle))
        .unwrap_or_else(|| panic!("no message with {needle}: {diagnostics:#?}"))
}

fn pdf_text(path: &Path) -> String {
    let output = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

const CITY_PLAN: &str = "# 指导思想

坚持以习近平新时代中国特色社会主义思想为指导，全面提升知识产权创造、运用、保护、管理和服务水平。

# 工作目标

到2026年底，全市每万人口高价值发明专利拥有量达到8件。

# 重点任务

## 提升知识产权创造质量

支持龙头企业建设高价值专利培育中心。

## 强化知识产权保护

健全行政执法与刑事司法衔接机制。

# 保障措施

成立由市政府主要领导任组长的领导小组，统筹推进示范城市建设。
";

#[test]
fn a_city_plan_with_its_own_sections_passes_with_the_mapping_named() {
    let (dir, applicant) = example("洛阳市");
    std::fs::write(applicant.join("示范工作方案.md"), CITY_PLAN).unwrap();
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let mapping = find(
        &diagnostics,
        "工作方案的一级标题与附件2《工作方案参考提纲》写法不同",
    );
    assert_eq!(mapping["severity"], "warning");
    assert!(
        mapping["message"].as_str().unwrap().ends_with(
            "按以下对应检查：指导思想、工作目标 → 总体要求；重点任务 → 重点任务和重大工程；保障措施 → 保障条件"
        ),
        "{mapping}"
    );
    assert_eq!(mapping["location"]["line"], 1);
    let missing = find(&diagnostics, "“总体要求”下缺少“基本原则”");
    assert_eq!(missing["severity"], "warning");
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("实施步骤")),
        "the timetable supplies 实施步骤: {diagnostics:#?}"
    );
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let text = pdf_text(&out.join("洛阳市/材料3-示范工作方案.pdf"));
    let order = [
        "一、指导思想",
        "二、工作目标",
        "三、重点任务",
        "四、实施步骤",
        "2024年",
        "五、保障措施",
    ];
    let mut from = 0;
    for part in order {
        let at = text[from..]
            .find(part)
            .unwrap_or_else(|| panic!("{part}: {text}"));
        from += at + part.len();
    }
}

#[test]
fn an_outline_section_with_nothing_for_it_is_a_warning_listing_the_outline() {
    let (_dir, applicant) = example("洛阳市");
    let plan = applicant.join("示范工作方案.md");
    let text = std::fs::read_to_string(&plan).unwrap();
    let cut = text.find("# 保障条件").unwrap();
    std::fs::write(&plan, &text[..cut]).unwrap();
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let missing = find(&diagnostics, "缺少一级标题“保障条件”");
    assert_eq!(missing["severity"], "warning");
    assert!(
        missing["hint"]
            .as_str()
            .unwrap()
            .contains("总体要求、重点任务和重大工程、实施步骤、保障条件"),
        "{missing}"
    );
}

#[test]
fn the_report_parts_are_matched_by_synonyms() {
    let (_dir, applicant) = example("洛阳市");
    let report = applicant.join("创建工作报告.md");
    let text = std::fs::read_to_string(&report)
        .unwrap()
        .replace("# 申报条件符合情况", "# 基本情况")
        .replace("# 近三年工作总结", "# 主要做法和成效");
    std::fs::write(&report, text).unwrap();
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let mapping = find(
        &diagnostics,
        "创建工作报告的一级标题与通知对创建工作报告的要求写法不同",
    );
    assert!(
        mapping["message"]
            .as_str()
            .unwrap()
            .ends_with("基本情况 → 申报条件符合情况；主要做法和成效 → 近三年工作总结"),
        "{mapping}"
    );
}

#[test]
fn a_run_in_heading_in_markdown_leads_its_paragraph() {
    let (dir, applicant) = example("洛阳市");
    let report = applicant.join("创建工作报告.md");
    let text = std::fs::read_to_string(&report).unwrap().replacen(
        "## 申报资格情况\n\n",
        "（一）申报资格情况。洛阳市**符合申报条件**，",
        1,
    );
    std::fs::write(&report, text).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let text = pdf_text(&out.join("洛阳市/材料2-创建工作报告.pdf"));
    assert!(
        text.contains("（一）申报资格情况。洛阳市符合申报条件，"),
        "{text}"
    );
    assert!(text.contains("（二）党委政府重视和工作保障情况"), "{text}");
    let pages = read_pdf(&out.join("洛阳市/材料2-创建工作报告.pdf"));
    let runs: Vec<&Run> = pages.iter().flat_map(|p| &p.runs).collect();
    let heading = runs
        .iter()
        .position(|r| r.text.starts_with("（一）申报资格情况。"))
        .unwrap_or_else(|| panic!("{runs:#?}"));
    assert!(
        runs[heading].font.contains("FandolKai"),
        "{:?}",
        runs[heading]
    );
    let body = runs[heading..]
        .iter()
        .find(|r| r.text.contains("洛阳市"))
        .unwrap();
    assert!(body.font.contains("FandolFang"), "{body:?}");
    assert!(
        (body.top - runs[heading].top).abs() < 2.0,
        "on the same line"
    );
    let strong = runs[heading..]
        .iter()
        .find(|r| r.text.contains("符合申报条件"))
        .unwrap();
    assert!(
        strong.font.contains("FandolHei"),
        "**…** in 黑体: {strong:?}"
    );
    // The Word file sets it the same way: one body paragraph, the heading in 楷体, then the
    // text, the bold words in 黑体.
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip::ZipArchive::new(
            std::fs::File::open(out.join("洛阳市/材料2-创建工作报告.docx")).unwrap(),
        )
        .unwrap()
        .by_name("word/document.xml")
        .unwrap(),
        &mut xml,
    )
    .unwrap();
    let at = xml.find("（一）申报资格情况。").unwrap();
    let start = xml[..at].rfind("<w:p>").unwrap();
    let paragraph = &xml[start..at + xml[at..].find("</w:p>").unwrap()];
    assert!(paragraph.contains("洛阳市"), "{paragraph}");
    assert!(!paragraph.contains("<w:pStyle"), "{paragraph}");
    assert_eq!(
        east_asian_fonts(paragraph),
        ["楷体_GB2312", "黑体"],
        "{paragraph}"
    );
}

#[test]
fn letter_citations_must_match_the_attachment_titles() {
    let (_dir, applicant) = example("许昌市");
    let yaml = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap().replace(
        "现将《许昌市国家知识产权强市建设试点城市创建工作报告》",
        "现将《许昌市创建国家知识产权强市建设试点城市工作报告》",
    );
    std::fs::write(&yaml, &text).unwrap();
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let cited = find(
        &diagnostics,
        "申报函正文所引《许昌市创建国家知识产权强市建设试点城市工作报告》与附件标题《许昌市国家知识产权强市建设试点城市创建工作报告》不一致",
    );
    assert_eq!(cited["severity"], "warning");
    let line = text.lines().position(|l| l.contains("现将《")).unwrap() + 1;
    assert_eq!(cited["location"]["line"], line as u64);
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("十四五")),
        "other documents may be cited"
    );
}

#[test]
fn request_wording_in_a_letter_is_a_warning() {
    let (_dir, applicant) = example("许昌市");
    let yaml = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml)
        .unwrap()
        .replace("恳请予以推荐。", "恳请予以推荐。妥否，请批示。");
    std::fs::write(&yaml, &text).unwrap();
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let wording = find(&diagnostics, "申报函中用了请示的结束语“妥否，请批示”");
    let line = text.lines().position(|l| l.contains("请批示")).unwrap() + 1;
    assert_eq!(wording["location"]["line"], line as u64);
    assert!(wording["hint"].as_str().unwrap().contains("特此函达"));
}

#[test]
fn an_empty_value_in_the_assessment_is_an_error_with_the_fix() {
    let (_dir, applicant) = example("西峡县");
    let workbook = applicant.join("测评表.xlsx");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&workbook).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = String::new();
        std::io::Read::read_to_string(&mut entry, &mut content).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let start = content.find(r#"<c r="E19""#).unwrap();
            let end = content[start..].find("</c>").unwrap() + start + 4;
            content.replace_range(start..end, r#"<c r="E19" s="4" t="n" />"#);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, content.as_bytes()).unwrap();
    }
    std::fs::write(&workbook, out.finish().unwrap().into_inner()).unwrap();
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 1);
    let empty = find(
        &diagnostics,
        "指标 17“专利代理机构或分支机构数量”的完成情况为空",
    );
    assert_eq!(empty["severity"], "error");
    assert_eq!(empty["location"]["cell"], "附件4!E19");
    assert!(
        empty["hint"]
            .as_str()
            .unwrap()
            .contains("确无数据的，写明“无”及原因")
    );
}
