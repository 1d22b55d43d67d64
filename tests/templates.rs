//! Templates and fonts a maintainer or an office supplies: overrides with `--templates`, errors
//! located in the overriding file, files outside the template folder refused, fonts remapped by
//! role.

mod common;

use std::path::Path;

use common::*;

/// Builds 洛阳市 with `extra` arguments after writing `files` (name, contents) into a template
/// folder; returns success and what shenbao said.
fn build_with(files: &[(&str, &str)], extra: &[&str]) -> (bool, String, tempfile::TempDir) {
    let (dir, applicant) = example("洛阳市");
    let templates = dir.path().join("我的模板");
    std::fs::create_dir_all(&templates).unwrap();
    for (name, contents) in files {
        std::fs::write(templates.join(name), contents).unwrap();
    }
    let out = dir.path().join("out");
    let mut args = vec![
        "build",
        applicant.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let templates = templates.display().to_string();
    if !files.is_empty() {
        args.extend(["--templates", templates.as_str()]);
    }
    args.extend(extra);
    let output = shenbao(dir.path(), &args);
    (output.status.success(), said(&output), dir)
}

fn built_in(name: &str) -> String {
    std::fs::read_to_string(root().join("templates").join(name)).unwrap()
}

#[test]
fn a_template_cannot_read_outside_the_template_folder() {
    let letter = built_in("letter.typ")
        .replace("#blank-lines(2)", "#read(\"/etc/passwd\")\n#blank-lines(2)");
    let (ok, said, dir) = build_with(&[("letter.typ", &letter)], &[]);
    assert!(!ok);
    assert!(
        said.contains("模板只能读取 templates/ 中的文件和本文档的数据，不能读取 /etc/passwd"),
        "{said}"
    );
    let line = letter
        .lines()
        .position(|l| l.contains("/etc/passwd"))
        .unwrap()
        + 1;
    assert!(
        said.contains(&format!("我的模板/letter.typ:{line}:")),
        "{said}"
    );
    assert!(
        !files_under(&dir.path().join("out"))
            .iter()
            .any(|f| f.contains("材料1"))
    );
}

#[test]
fn a_typst_error_in_an_override_shows_its_line_and_column() {
    let letter = built_in("letter.typ").replace("#blank-lines(2)", "#blank-lines(2\n");
    let (ok, said, _dir) = build_with(&[("letter.typ", &letter)], &[]);
    assert!(!ok);
    assert!(said.contains("排版模板出错"), "{said}");
    assert!(said.contains("我的模板/letter.typ:"), "{said}");
    assert!(
        said.contains("  | #blank-lines(2"),
        "the offending line is shown: {said}"
    );
}

#[test]
fn a_tera_error_in_an_override_shows_its_line_and_column() {
    let wording = format!("{}\n{{% if %}}\n", built_in("letter.tera"));
    let (ok, said, _dir) = build_with(&[("letter.tera", &wording)], &[]);
    assert!(!ok);
    assert!(said.contains("措辞模板出错"), "{said}");
    let line = wording.lines().count();
    assert!(
        said.contains(&format!("我的模板/letter.tera:{line}:")),
        "{said}"
    );
}

/// The shipped `notice.yaml` with the line starting (after its indent) with `key` replaced by
/// `line`: that line's number and the edited text.
fn notice_with(key: &str, line: &str) -> (usize, String) {
    let notice = built_in("notice.yaml");
    let at = |l: &str| l.trim_start().starts_with(key);
    let number = notice.lines().position(at).unwrap() + 1;
    let edited = notice
        .lines()
        .map(|l| if at(l) { line } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    (number, edited)
}

/// The notice's deadline is a checked date: a typo stops the run at its line instead of silently
/// switching the late-submission check off.
#[test]
fn a_deadline_that_is_no_date_is_an_error_at_its_line() {
    let (line, edited) = notice_with("deadline:", "  deadline: 2023-09-31");
    let (ok, said, _dir) = build_with(&[("notice.yaml", &edited)], &[]);
    assert!(!ok);
    assert!(
        said.contains(&format!("我的模板/notice.yaml:{line}:")),
        "{said}"
    );
    assert!(
        said.contains("日期“2023-09-31”不是真实存在的日期"),
        "{said}"
    );
}

/// The document-number pattern is compiled when `notice.yaml` is read: an invalid one is one
/// error at its line, not one per applicant.
#[test]
fn an_invalid_document_number_pattern_is_an_error_at_its_line() {
    let (line, edited) = notice_with("pattern:", "  pattern: \"^([\"");
    let (ok, said, _dir) = build_with(&[("notice.yaml", &edited)], &[]);
    assert!(!ok);
    assert!(
        said.contains(&format!("我的模板/notice.yaml:{line}:")),
        "{said}"
    );
    assert_eq!(said.matches("不是有效的正则表达式").count(), 1, "{said}");
}

#[test]
fn an_override_changes_the_output() {
    let wording = built_in("letter.tera").replace("恳请予以审核推荐。", "恳请省局审核并推荐为盼。");
    let (ok, said, dir) = build_with(&[("letter.tera", &wording)], &[]);
    assert!(ok, "{said}");
    let text = squeeze(&pdf_text(&dir.path().join("out/洛阳市/材料1-申报函.pdf")));
    assert!(text.contains("恳请省局审核并推荐为盼。"));
}

fn title_font(pdf: &Path) -> String {
    let pages = read_pdf(pdf);
    pages[0]
        .runs
        .iter()
        .find(|r| (r.size - 22.0).abs() < 0.5)
        .unwrap()
        .font
        .clone()
}

#[test]
fn roles_can_be_remapped_to_other_fonts() {
    let (dir, applicant) = example("洛阳市");
    let office_fonts = dir.path().join("单位字体");
    std::fs::create_dir_all(&office_fonts).unwrap();
    std::fs::copy(
        root().join("fonts/fandol/FandolKai-Regular.ttf"),
        office_fonts.join("kai.ttf"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = shenbao(
        dir.path(),
        &[
            "build",
            applicant.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--font-path",
            office_fonts.to_str().unwrap(),
            "--font-role",
            "title=FandolKai",
        ],
    );
    assert!(output.status.success(), "{}", said(&output));
    assert!(title_font(&out.join("洛阳市/材料1-申报函.pdf")).contains("FandolKai"));
    let output = shenbao(
        dir.path(),
        &[
            "build",
            applicant.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--font-role",
            "title=方正小标宋简体",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        said(&output).contains("字体角色 title 使用的字体“方正小标宋简体”没有找到"),
        "{}",
        said(&output)
    );
    assert!(said(&output).contains("--font-path"));
    let output = shenbao(
        dir.path(),
        &[
            "build",
            applicant.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--font-role",
            "标题=FandolKai",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(said(&output).contains("可用的角色有"), "{}", said(&output));
}

#[test]
fn a_skipped_heading_level_is_a_warning() {
    let (dir, applicant) = example("洛阳市");
    let report = applicant.join("创建工作报告.md");
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&report, format!("{text}\n\n#### 跳级的标题\n\n内容。\n")).unwrap();
    let output = shenbao(dir.path(), &["check", applicant.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", said(&output));
    assert!(said(&output).contains("警告"), "{}", said(&output));
    assert!(
        said(&output).contains("标题“跳级的标题”跳过了层级"),
        "{}",
        said(&output)
    );
}

#[test]
fn templates_that_never_end_are_stopped_with_a_message() {
    let cases = [
        (
            "letter.typ",
            built_in("letter.typ").replace(
                "#blank-lines(2)",
                "#let i = 0\n#while i >= 0 { i += 1 }\n#blank-lines(2)",
            ),
            "loop seems to be infinite",
        ),
        (
            "letter.typ",
            built_in("letter.typ").replace(
                "#blank-lines(2)",
                "#let f(x) = f(x)\n#f(1)\n#blank-lines(2)",
            ),
            "maximum function call depth exceeded",
        ),
        (
            "letter.tera",
            "{% include \"letter.tera\" %}\n".to_string(),
            "Circular include",
        ),
    ];
    for (name, contents, expected) in cases {
        let started = std::time::Instant::now();
        let (ok, said, _dir) = build_with(&[(name, &contents)], &[]);
        assert!(!ok, "{name}");
        assert!(said.contains(expected), "{name}: {said}");
        assert!(said.contains(&format!("我的模板/{name}")), "{said}");
        assert!(
            started.elapsed().as_secs() < 60,
            "{name} took {:?}",
            started.elapsed()
        );
    }
}

/// The maintainer's path of the guide: export, change the letter's wording and the title size,
/// see it under `watch`.
#[test]
fn export_edit_and_watch_as_a_maintainer() {
    let (dir, applicant) = example("洛阳市");
    let templates = dir.path().join("my-templates");
    let output = shenbao(
        dir.path(),
        &["templates", "export", templates.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", said(&output));
    assert!(
        templates.join("gbt9704.typ").is_file() && templates.join("catalogue/city.yaml").is_file()
    );
    let again = shenbao(
        dir.path(),
        &["templates", "export", templates.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(2), "export never overwrites");
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args([
            "watch",
            applicant.to_str().unwrap(),
            "--material",
            "1",
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["--templates", templates.to_str().unwrap()])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pdf = out.join("洛阳市/材料1-申报函.pdf");
    assert!(wait_for_change(&pdf, None), "the first render");
    std::thread::sleep(std::time::Duration::from_millis(50));
    let before = modified(&pdf);
    let page = templates.join("page.yaml");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(
        text.contains("title-size: 22"),
        "page.yaml sets the title size"
    );
    std::fs::write(&page, text.replacen("title-size: 22", "title-size: 20", 1)).unwrap();
    let wording = templates.join("letter.tera");
    let text = std::fs::read_to_string(&wording).unwrap();
    std::fs::write(
        &wording,
        text.replace("恳请予以审核推荐。", "恳请审核推荐为盼。"),
    )
    .unwrap();
    assert!(wait_for_change(&pdf, before), "re-rendered after the edit");
    let changed = || {
        let title = read_pdf(&pdf)[0]
            .runs
            .iter()
            .any(|r| (r.size - 20.0).abs() < 0.5 && r.font.contains("NotoSerifCJK"));
        title && squeeze(&pdf_text(&pdf)).contains("恳请审核推荐为盼。")
    };
    let started = std::time::Instant::now();
    while !changed() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    assert!(changed(), "the title is 20 pt and the wording changed");
}

/// Every command that checks or renders takes the same template, font and roster options, and
/// `--font-role` is read by the argument parser: a malformed one stops before anything runs.
#[test]
fn the_commands_share_their_template_font_and_roster_options() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["check", "build", "package", "watch", "preview", "import"] {
        let output = shenbao(dir.path(), &[command, "--help"]);
        let help = said(&output);
        for option in [
            "--templates",
            "--font-path",
            "--system-fonts",
            "--font-role",
            "--roster",
        ] {
            assert!(help.contains(option), "{command} lacks {option}: {help}");
        }
    }
    let output = shenbao(dir.path(), &["check", "--font-role", "title"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        said(&output).contains("应写成 角色=字体族"),
        "{}",
        said(&output)
    );
}
