//! Applicant data: the rules of the notice and every bad input of the data issue, each with the
//! exact place reported. Workbooks are written here with rust_xlsxwriter in the official layout.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use rust_xlsxwriter::{Format, Workbook};
use shenbao::load::catalogue::Catalogue;
use shenbao::templates::TemplateStore;

/// Runs `shenbao check` on a copy of example `name` after `edit`; returns exit code and output.
fn check_edited(name: &str, edit: impl FnOnce(&Path)) -> (i32, String) {
    let (dir, applicant) = example(name);
    edit(&applicant);
    let output = shenbao(dir.path(), &["check", applicant.to_str().unwrap()]);
    (output.status.code().unwrap_or(-1), said(&output))
}

fn edit_file(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn edit_yaml(applicant: &Path, from: &str, to: &str) {
    edit_file(&applicant.join("applicant.yaml"), from, to);
}

fn catalogue(name: &str) -> Catalogue {
    Catalogue::load(&TemplateStore::new(None).unwrap(), name).unwrap()
}

/// One data row of a workbook: 序号 cell, name cell, 完成情况 cell.
type Row = (String, String, Option<&'static str>);

/// Writes a city-style workbook (序号 | 一级指标 | 二级指标 | 三级指标 | 指标说明 | 完成情况).
fn city_workbook(path: &Path, rows: &[Row]) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("附件3").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            5,
            "国家知识产权强市建设示范城市客观工作成效测评表",
            &Format::new(),
        )
        .unwrap();
    for (col, header) in [
        "序号",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标说明",
        "完成情况",
    ]
    .iter()
    .enumerate()
    {
        sheet.write(1, col as u16, *header).unwrap();
    }
    for (i, (number, name, value)) in rows.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write(row, 0, number.as_str()).unwrap();
        sheet.write(row, 3, name.as_str()).unwrap();
        if let Some(value) = value {
            sheet.write(row, 5, *value).unwrap();
        }
    }
    workbook.save(path).unwrap();
}

/// Every city indicator, in order, with a value.
fn full_rows() -> Vec<Row> {
    catalogue("city")
        .indicators
        .iter()
        .map(|i| (i.no.to_string(), i.name.clone(), Some("已完成")))
        .collect()
}

fn with_workbook(rows: Vec<Row>) -> (i32, String) {
    check_edited("洛阳市", |applicant| {
        city_workbook(&applicant.join("测评表.xlsx"), &rows)
    })
}

#[test]
fn the_examples_pass_check() {
    let output = shenbao(&root(), &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", said(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let reports = json.as_array().unwrap();
    assert_eq!(reports.len(), 6);
    assert!(reports.iter().all(|r| r["ok"] == true));
    let word_drafts = reports
        .iter()
        .find(|r| r["applicant"].as_str().unwrap().contains("许昌市"))
        .unwrap();
    let headings = word_drafts["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["location"]["file"]
                .as_str()
                .unwrap()
                .ends_with("示范工作方案.docx")
        })
        .unwrap();
    assert_eq!(headings["severity"], "warning");
    assert!(
        headings["message"]
            .as_str()
            .unwrap()
            .contains("按样式或大纲级别读出")
    );
}

#[test]
fn check_exits_1_on_errors_and_writes_nothing() {
    let (dir, applicant) = example("洛阳市");
    edit_yaml(&applicant, "category: 示范城市", "category: 示范县");
    let before = files_under(dir.path());
    let output = shenbao(dir.path(), &["check", applicant.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        said(&output).contains("申报类别“示范县”不在通知规定的类别中"),
        "{}",
        said(&output)
    );
    assert_eq!(files_under(dir.path()), before);
}

#[test]
fn a_demo_city_must_be_one_of_the_three() {
    let (code, said) = check_edited("许昌市", |a| {
        edit_yaml(a, "category: 试点城市", "category: 示范城市")
    });
    assert_eq!(code, 1);
    assert!(said.contains("许昌市不具备申报“示范城市”的资格"), "{said}");
    assert!(said.contains("濮阳市、洛阳市、南阳市"), "{said}");
    assert!(said.contains("applicant.yaml:"), "{said}");
}

#[test]
fn a_county_names_its_city_which_must_be_in_the_province() {
    let (code, said) = check_edited("西峡县", |a| {
        edit_yaml(a, "city: 南阳市", "# city: 南阳市")
    });
    assert_eq!(code, 1);
    assert!(said.contains("县（市、区）申报须写明所属省辖市"), "{said}");
    let (code, said) = check_edited("西峡县", |a| {
        edit_yaml(a, "city: 南阳市", "city: 襄阳市")
    });
    assert_eq!(code, 1);
    assert!(said.contains("所属城市“襄阳市”不是本省的省辖市"), "{said}");
}

#[test]
fn the_level_must_fit_the_category() {
    let (code, said) = check_edited("西峡县", |a| {
        edit_yaml(a, "category: 试点县", "category: 试点城市")
    });
    assert_eq!(code, 1);
    assert!(
        said.contains("级别为“县”的单位不能申报“试点城市”"),
        "{said}"
    );
}

#[test]
fn the_report_covers_both_parts() {
    let (code, said) = check_edited("洛阳市", |a| {
        edit_file(&a.join("创建工作报告.md"), "# 近三年工作总结", "# 其他情况")
    });
    assert_eq!(code, 0, "a warning: {said}");
    assert!(
        said.contains("创建工作报告.md：缺少一级标题“近三年工作总结”"),
        "{said}"
    );
}

#[test]
fn the_plan_has_the_four_sections_in_order() {
    let (code, said) = check_edited("洛阳市", |a| {
        let plan = a.join("示范工作方案.md");
        edit_file(&plan, "# 实施步骤", "# 第三部分");
        edit_file(&plan, "# 保障条件", "# 实施步骤");
        edit_file(&plan, "# 第三部分", "# 保障条件");
    });
    assert_eq!(code, 0, "a warning: {said}");
    assert!(
        said.contains("工作方案的一级标题顺序与附件2《工作方案参考提纲》不一致"),
        "{said}"
    );
    assert!(
        said.contains("总体要求、重点任务和重大工程、实施步骤、保障条件"),
        "{said}"
    );
    let (code, said) = check_edited("洛阳市", |a| {
        edit_file(&a.join("示范工作方案.md"), "# 保障条件", "# 保障措施")
    });
    assert_eq!(code, 0, "a warning: {said}");
    assert!(said.contains("保障措施 → 保障条件"), "{said}");
}

#[test]
fn an_empty_section_is_an_error_naming_it() {
    let (code, said) = check_edited("西峡县", |a| {
        let report = a.join("创建工作报告.md");
        let text = std::fs::read_to_string(&report).unwrap();
        let cut = text.find("# 近三年工作总结").unwrap();
        std::fs::write(&report, format!("{}# 近三年工作总结\n", &text[..cut])).unwrap();
    });
    assert_eq!(code, 1);
    assert!(said.contains("标题“近三年工作总结”下没有内容"), "{said}");
    assert!(said.contains("创建工作报告.md:"), "{said}");
}

#[test]
fn the_timetable_covers_the_three_following_years() {
    let (code, said) = check_edited("洛阳市", |a| {
        edit_yaml(a, "- year: 2026", "- year: 2027")
    });
    assert_eq!(code, 1);
    assert!(
        said.contains("分年度安排的年份 2027 不在三年期内"),
        "{said}"
    );
    assert!(said.contains("2024年、2025年、2026年"), "{said}");
}

#[test]
fn a_malformed_yaml_date_is_located() {
    let (code, said) = check_edited("洛阳市", |a| {
        edit_yaml(a, "date: 2023-08-10", "date: 2023-8-32")
    });
    assert_eq!(code, 1);
    assert!(said.contains("日期“2023-8-32”不是真实存在的日期"), "{said}");
}

#[test]
fn a_missing_indicator_row_is_named() {
    let mut rows = full_rows();
    rows.remove(6);
    let (code, said) = with_workbook(rows);
    assert_eq!(code, 1);
    assert!(
        said.contains("测评表缺少指标：7 市本级知识产权专项经费投入情况"),
        "{said}"
    );
}

#[test]
fn a_duplicated_row_is_an_error_at_its_cell() {
    let mut rows = full_rows();
    rows.insert(5, rows[4].clone());
    let (code, said) = with_workbook(rows);
    assert_eq!(code, 1);
    assert!(
        said.contains("测评表.xlsx!附件3!F8：指标 5“知识产权管理机构设置情况”出现了两次"),
        "{said}"
    );
    assert!(said.contains("第一次在"), "{said}");
}

#[test]
fn a_name_that_does_not_match_its_number() {
    let mut rows = full_rows();
    rows[11].1 = "知识产权保护满意度".to_string();
    let (code, said) = with_workbook(rows);
    assert_eq!(code, 1);
    assert!(
        said.contains("测评表.xlsx!附件3!D14：序号 12 的指标名称“知识产权保护满意度”与附件3不符"),
        "{said}"
    );
    assert!(
        said.contains("序号 12 应为“知识产权服务业监管情况”"),
        "{said}"
    );
}

#[test]
fn serial_numbers_as_text_or_full_width_match() {
    let mut rows = full_rows();
    rows[11].0 = "１２".to_string();
    rows[12].0 = " 13 ".to_string();
    let (code, said) = with_workbook(rows);
    assert_eq!(code, 0, "{said}");
}

#[test]
fn a_formula_without_cached_value_warns() {
    let fixture = root().join("tests/fixtures/workbooks/公式无缓存.xlsx");
    let (code, said) = check_edited("洛阳市", |a| {
        std::fs::copy(&fixture, a.join("测评表.xlsx")).unwrap();
    });
    assert_eq!(code, 1, "the value would print blank: {said}");
    assert!(
        said.contains("F12：指标 10“知识产权保护满意度”的完成情况为空"),
        "{said}"
    );
    assert!(
        said.contains("测评表.xlsx!附件3!F12：指标 10 的完成情况是公式，但文件中没有保存计算结果"),
        "{said}"
    );
}

#[test]
fn the_county_table_given_to_a_city() {
    let (code, said) = check_edited("洛阳市", |a| {
        std::fs::copy(
            root().join("inputs/西峡县/测评表.xlsx"),
            a.join("测评表.xlsx"),
        )
        .unwrap();
    });
    assert_eq!(code, 1);
    assert!(
        said.contains(
            "表头与附件3《国家知识产权强市建设示范城市客观工作成效测评表》不符：缺少“三级指标”列"
        ),
        "{said}"
    );
    assert!(said.contains("试点县填附件4"), "{said}");
}

#[test]
fn an_empty_workbook() {
    let (code, said) = check_edited("洛阳市", |a| {
        let mut workbook = Workbook::new();
        workbook.add_worksheet();
        workbook.save(a.join("测评表.xlsx")).unwrap();
    });
    assert_eq!(code, 1);
    assert!(
        said.contains("找不到表头（含“序号”和“完成情况”的一行）"),
        "{said}"
    );
    assert!(said.contains("测评表.xlsx"), "{said}");
}

/// A way to spoil a workbook file.
type Corruption = Box<dyn Fn(&Path)>;

#[test]
fn corrupt_locked_and_renamed_workbooks() {
    let locked = root().join("tests/fixtures/workbooks/加密.xlsx");
    let cases: Vec<(&str, Corruption)> = vec![
        (
            "truncated",
            Box::new(|p: &Path| {
                let bytes = std::fs::read(p).unwrap();
                std::fs::write(p, &bytes[..bytes.len() / 2]).unwrap();
            }),
        ),
        (
            "csv",
            Box::new(|p: &Path| std::fs::write(p, "序号,完成情况\n1,已完成\n").unwrap()),
        ),
        (
            "password",
            Box::new(move |p: &Path| {
                std::fs::copy(&locked, p).unwrap();
            }),
        ),
    ];
    for (what, corrupt) in cases {
        let (code, said) = check_edited("洛阳市", |a| corrupt(&a.join("测评表.xlsx")));
        assert_eq!(code, 1, "{what}");
        assert!(said.contains("无法打开测评表工作簿"), "{what}: {said}");
        assert!(said.contains("测评表.xlsx："), "{what}: {said}");
    }
}

#[test]
fn xls_and_ods_read_like_xlsx() {
    for extension in ["xls", "ods"] {
        let (code, said) = check_edited("许昌市", |a| {
            std::fs::remove_file(a.join("测评表.xlsx")).unwrap();
            let fixture = root().join(format!("tests/fixtures/workbooks/许昌市.{extension}"));
            std::fs::copy(fixture, a.join(format!("测评表.{extension}"))).unwrap();
            edit_yaml(
                a,
                "assessment: 测评表.xlsx",
                &format!("assessment: 测评表.{extension}"),
            );
        });
        assert_eq!(code, 0, "{extension}: {said}");
    }
}

#[test]
fn values_may_be_given_inline() {
    let cat = catalogue("county");
    let inline: String = cat
        .indicators
        .iter()
        .map(|i| format!("  {}: 第{}项已完成\n", i.no, i.no))
        .collect();
    let (dir, applicant) = example("西峡县");
    let yaml = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("assessment:"))
        .unwrap()
        .to_string();
    std::fs::write(
        &yaml,
        text.replace(&line, &format!("assessment:\n{inline}")),
    )
    .unwrap();
    std::fs::remove_file(applicant.join("测评表.xlsx")).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let text = squeeze(&pdf_text(&out.join("西峡县/材料4-客观工作成效测评表.pdf")));
    assert!(text.contains("第17项已完成") && text.contains("第25项已完成"));
}

fn evidence_case(path: &str, prepare: impl FnOnce(&Path)) -> String {
    let (code, said) = check_edited("洛阳市", |a| {
        prepare(a);
        edit_yaml(a, "file: evidence/01-1.pdf", &format!("file: {path}"));
    });
    assert_eq!(code, 1, "{path}: {said}");
    said
}

#[test]
fn evidence_outside_the_folder_is_refused() {
    for path in ["../../etc/passwd", "/etc/passwd"] {
        let said = evidence_case(path, |_| {});
        assert!(
            said.contains(&format!("佐证材料“{path}”位于申报目录之外")),
            "{said}"
        );
    }
    let said = evidence_case("evidence/link.pdf", |a| {
        std::os::unix::fs::symlink("/etc/passwd", a.join("evidence/link.pdf")).unwrap();
    });
    assert!(
        said.contains("佐证材料“evidence/link.pdf”位于申报目录之外"),
        "{said}"
    );
    assert!(said.contains("applicant.yaml:"), "{said}");
}

#[test]
fn evidence_must_exist_and_be_a_pdf_jpeg_or_png() {
    let said = evidence_case("evidence/none.pdf", |_| {});
    assert!(said.contains("佐证材料“evidence/none.pdf”不存在"), "{said}");
    let said = evidence_case("evidence/notes.pdf", |a| {
        std::fs::write(a.join("evidence/notes.pdf"), "plain text").unwrap()
    });
    assert!(said.contains("不是 PDF、JPEG、PNG 文件"), "{said}");
    let said = evidence_case("evidence/broken.pdf", |a| {
        std::fs::write(a.join("evidence/broken.pdf"), "%PDF-1.7\ngarbage").unwrap()
    });
    assert!(
        said.contains("佐证材料“evidence/broken.pdf”是损坏的 PDF"),
        "{said}"
    );
}

#[test]
fn a_yaml_alias_bomb_is_refused_quickly() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let started = std::time::Instant::now();
    let (code, said) = check_edited("洛阳市", |a| {
        std::fs::write(a.join("applicant.yaml"), &bomb).unwrap()
    });
    assert_eq!(code, 1);
    assert!(said.contains("YAML 语法错误"), "{said}");
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn files_that_are_not_utf8() {
    let gbk = [0xC2u8, 0xE5, 0xD1, 0xF4, 0xCA, 0xD0];
    let (code, said) = check_edited("洛阳市", |a| {
        std::fs::write(a.join("applicant.yaml"), gbk).unwrap()
    });
    assert_eq!(code, 1);
    assert!(said.contains("applicant.yaml 不是 UTF-8 编码"), "{said}");
    let (code, said) = check_edited("洛阳市", |a| {
        std::fs::write(a.join("创建工作报告.md"), gbk).unwrap()
    });
    // Read with a warning; the sections it lacks are warnings of the outline check.
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("创建工作报告.md：文件是 GB18030/GBK 编码，已按该编码读取"),
        "{said}"
    );
}

#[test]
fn init_check_fill_check_build() {
    let dir = tempfile::tempdir().unwrap();
    let folder: PathBuf = dir.path().join("西平县");
    let output = shenbao(
        dir.path(),
        &["init", folder.to_str().unwrap(), "--category", "试点县"],
    );
    assert!(output.status.success(), "{}", said(&output));
    let output = shenbao(dir.path(), &["check", folder.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let first = said(&output);
    assert!(first.contains("字段 name 尚未填写"), "{first}");
    assert!(first.contains("此处尚未填写"), "{first}");
    let again = shenbao(
        dir.path(),
        &["init", folder.to_str().unwrap(), "--category", "试点县"],
    );
    assert_eq!(again.status.code(), Some(2), "init never overwrites");
    // Fill it in with 西峡县's texts and workbook, as an office would.
    let source = root().join("inputs/西峡县");
    for (from, to) in [
        ("创建工作报告.md", "创建工作报告.md"),
        ("示范工作方案.md", "工作方案.md"),
        ("测评表.xlsx", "测评表.xlsx"),
    ] {
        std::fs::copy(source.join(from), folder.join(to)).unwrap();
    }
    let yaml = folder.join("applicant.yaml");
    let mut text = std::fs::read_to_string(&yaml).unwrap();
    for (field, value) in [
        ("name:", "西平县"),
        ("city:", "驻马店市"),
        ("government:", "西平县人民政府"),
        ("date:", "2023-08-11"),
        ("  person:", "李华"),
        ("  phone:", "0396-6221234"),
        ("  number:", "西政函〔2023〕33号"),
        ("    stage:", "推进阶段"),
        ("    tasks:", "落实年度任务。"),
    ] {
        text = text
            .lines()
            .map(|l| {
                if l.starts_with(&format!("{field} ")) || l == field {
                    format!("{field} {value}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    std::fs::write(&yaml, text).unwrap();
    let output = shenbao(dir.path(), &["check", folder.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", said(&output));
    let out = dir.path().join("out");
    let output = shenbao(
        dir.path(),
        &[
            "build",
            folder.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", said(&output));
    assert_eq!(
        files_under(&out.join("西平县"))
            .iter()
            .filter(|f| f.starts_with("材料") && f.ends_with(".pdf"))
            .count(),
        4
    );
}
