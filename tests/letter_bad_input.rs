//! Bad input for the letter: each case gets a clear, located Chinese message, and no output
//! file is left behind.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Builds a copy of 洛阳市 whose applicant.yaml went through `edit`; returns what shenbao said,
/// after checking that it failed and wrote nothing.
fn build_broken(edit: impl Fn(&str) -> String) -> String {
    let (dir, applicant) = example("洛阳市");
    let yaml = applicant.join("applicant.yaml");
    let before = std::fs::read_to_string(&yaml).unwrap();
    let edited = edit(&before);
    assert_ne!(before, edited, "the edit changed nothing");
    std::fs::write(&yaml, &edited).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected failure: {}",
        said(&output)
    );
    assert!(
        files_under(&out).is_empty(),
        "files left behind: {:?}",
        files_under(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&yaml).unwrap(),
        edited,
        "input was modified"
    );
    said(&output)
}

/// The 1-based line of the example's applicant.yaml that starts with `prefix`.
fn line_of(prefix: &str) -> usize {
    let text = std::fs::read_to_string(root().join("inputs/洛阳市/applicant.yaml")).unwrap();
    text.lines()
        .position(|l| l.starts_with(prefix))
        .expect("line present")
        + 1
}

fn replace(from: &'static str, to: &'static str) -> impl Fn(&str) -> String {
    move |text: &str| {
        assert!(text.contains(from), "fixture lacks {from:?}");
        text.replacen(from, to, 1)
    }
}

#[test]
fn a_folder_without_applicant_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let empty: PathBuf = dir.path().join("空目录");
    std::fs::create_dir(&empty).unwrap();
    let out = dir.path().join("out");
    let output = shenbao(
        dir.path(),
        &[
            "build",
            empty.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        said(&output).contains("缺少 applicant.yaml"),
        "{}",
        said(&output)
    );
    assert!(
        said(&output).contains("shenbao init"),
        "the message says how to fix it"
    );
    assert!(files_under(&out).is_empty());
}

#[test]
fn a_yaml_syntax_error_gives_line_and_column() {
    let said = build_broken(replace("category: 示范城市", "category: [示范城市"));
    assert!(said.contains("YAML 语法错误"), "{said}");
    assert!(said.contains("applicant.yaml:"), "{said}");
    let located = said
        .lines()
        .find(|l| l.contains("applicant.yaml:"))
        .unwrap();
    let numbers: Vec<&str> = located
        .split("applicant.yaml:")
        .nth(1)
        .unwrap()
        .split('：')
        .next()
        .unwrap()
        .split(':')
        .collect();
    assert_eq!(numbers.len(), 2, "line and column: {located}");
}

#[test]
fn an_unknown_field_names_the_nearest_valid_one() {
    let said = build_broken(replace("government:", "goverment:"));
    assert!(said.contains("未知字段 goverment"), "{said}");
    assert!(said.contains("是否应为 government"), "{said}");
    assert!(
        said.contains("缺少必填字段 government"),
        "all problems in one run: {said}"
    );
}

#[test]
fn a_wrong_type_is_named() {
    let said = build_broken(replace(
        "  number: 洛政函〔2023〕45号",
        "  number: [洛政函〔2023〕45号]",
    ));
    assert!(
        said.contains("字段 letter.number 应为文字，实际是列表"),
        "{said}"
    );
    assert!(
        said.contains(&format!("applicant.yaml:{}:", line_of("  number:"))),
        "{said}"
    );
}

#[test]
fn a_missing_required_field() {
    let said = build_broken(|text: &str| {
        text.lines()
            .filter(|l| !l.starts_with("  person:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert!(said.contains("缺少必填字段 contact.person"), "{said}");
}

#[test]
fn a_malformed_date() {
    for (bad, problem) in [
        ("2023-02-30", "不是真实存在的日期"),
        ("八月十日", "不是“年-月-日”形式的日期"),
    ] {
        let said = build_broken(|text: &str| {
            text.replacen("date: 2023-08-10", &format!("date: {bad}"), 1)
        });
        assert!(said.contains(problem), "{said}");
        assert!(said.contains("2023-08-10 的形式"), "{said}");
    }
}

#[test]
fn a_level_that_is_neither_city_nor_county_is_an_error_at_its_line() {
    let said = build_broken(replace("level: 市", "level: 省"));
    let line = line_of("level:");
    assert!(said.contains("级别“省”无效"), "{said}");
    assert!(said.contains(&format!("applicant.yaml:{line}:")), "{said}");
    assert!(said.contains("县级市、区也填“县”"), "{said}");
}

#[test]
fn a_document_number_with_wrong_brackets_shows_the_corrected_form() {
    for wrong in ["洛政函[2023]45号", "洛政函(2023)45号", "洛政函（2023）45号"] {
        let said = build_broken(|text: &str| text.replacen("洛政函〔2023〕45号", wrong, 1));
        assert!(
            said.contains(&format!("发文字号“{wrong}”格式不对")),
            "{said}"
        );
        assert!(said.contains("应写为：洛政函〔2023〕45号"), "{said}");
    }
}

#[test]
fn a_character_no_font_covers_names_the_field() {
    let said = build_broken(replace("  person: 王晓东", "  person: 王𪚥东"));
    assert!(said.contains("字段 contact.person 中的字符"), "{said}");
    assert!(said.contains("U+2A6A5"), "{said}");
    assert!(
        said.contains(&format!("applicant.yaml:{}:", line_of("  person:"))),
        "{said}"
    );
}

#[test]
fn an_output_folder_that_cannot_be_written() {
    let (dir, applicant) = example("洛阳市");
    let blocker = dir.path().join("out");
    std::fs::write(&blocker, "a file where the output folder should be").unwrap();
    let target = blocker.join("sub");
    let output = shenbao(
        dir.path(),
        &[
            "build",
            applicant.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", said(&output));
    assert!(
        said(&output).contains("输出目录无法写入"),
        "{}",
        said(&output)
    );
    assert!(said(&output).contains("-o"), "says how to fix it");
    assert_eq!(
        std::fs::read_to_string(&blocker).unwrap(),
        "a file where the output folder should be"
    );
    let leftovers: Vec<String> = files_under(dir.path())
        .into_iter()
        .filter(|f| f.contains(".shenbao"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Text that means something to Typst, Tera, Markdown or HTML is printed exactly as typed.
#[test]
fn applicant_text_is_never_code() {
    let hostile = [
        r#"#read("/etc/passwd")"#,
        "] #set page(fill: red) [",
        "{{ x }}",
        "{% if %}",
        "$x$",
        "*",
        "_",
        "<a>",
        "@b",
        "\\",
    ];
    let (dir, applicant) = example("洛阳市");
    let yaml = applicant.join("applicant.yaml");
    let body: String = hostile
        .iter()
        .map(|t| format!("    - '甲{}乙'\n", t.replace('\'', "''")))
        .collect();
    let text = std::fs::read_to_string(&yaml)
        .unwrap()
        .replace("  # body:", &format!("  body:\n{body}  # was body:"));
    std::fs::write(&yaml, text).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let pdf = out.join("洛阳市").join("材料1-申报函.pdf");
    // Pasted half-width punctuation beside Chinese prints full-width (the text-as-pasted rule);
    // compare without that difference.
    let half_width = |text: &str| -> String {
        text.chars()
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                '“' | '”' => '"',
                '‘' | '’' => '\'',
                c => c,
            })
            .collect()
    };
    let text = half_width(&squeeze(&pdf_text(&pdf)));
    for typed in hostile {
        assert!(
            text.contains(&half_width(&squeeze(&format!("甲{typed}乙")))),
            "{typed:?} not printed as typed"
        );
    }
    assert!(!text.contains("root:x:0:0"), "a file was read");
    let pages = read_pdf(&pdf);
    assert!(
        pages
            .iter()
            .all(|p| p.runs.iter().all(|r| !r.font.is_empty()))
    );
    assert!(!Path::new(&out.join("洛阳市").join("passwd")).exists());
}
