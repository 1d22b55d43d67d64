//! The comment-keeping edits of `applicant.yaml`, byte by byte.

use super::*;

const FILE: &str = "# 注释\nname:            # 全称\nlevel: 县   # 市 或 县\ncontact:\n  person: 张三\n  # phone:\n\nletter:\n  number: 旧号   # 字号\n";

#[test]
fn changes_only_the_value() {
    let out = set_scalar(FILE, &["name"], "西平县").unwrap();
    assert_eq!(
        out,
        FILE.replace("name:            # 全称", "name: \"西平县\"   # 全称")
    );
    let out = set_scalar(FILE, &["letter", "number"], "西政函〔2023〕1号").unwrap();
    assert!(
        out.ends_with("  number: \"西政函〔2023〕1号\" # 字号\n"),
        "{out}"
    );
    assert_eq!(out.lines().count(), FILE.lines().count());
}

#[test]
fn adds_a_missing_field_under_its_parent() {
    let out = set_scalar(FILE, &["contact", "phone"], "0396-1234567").unwrap();
    assert!(
        out.contains("  person: 张三\n  phone: \"0396-1234567\"\n\n"),
        "the commented-out field's line is taken: {out}"
    );
    let parsed = yaml::parse(Path::new("a.yaml"), &out).unwrap();
    let (_, found) = walk(&parsed, &["contact", "phone"]).unwrap();
    assert_eq!(found.unwrap().1.as_text().unwrap(), "0396-1234567");
}

#[test]
fn quotes_what_yaml_would_misread() {
    let out = set_scalar(FILE, &["contact", "person"], "李 # 四: \"五\"").unwrap();
    let parsed = yaml::parse(Path::new("a.yaml"), &out).unwrap();
    let (_, found) = walk(&parsed, &["contact", "person"]).unwrap();
    assert_eq!(found.unwrap().1.as_text().unwrap(), "李 # 四: \"五\"");
}

#[test]
fn writes_a_list_under_its_key_and_replaces_it_later() {
    let items = ["第一段：“引号” # 号".to_string(), "第二段".to_string()];
    let out = set_texts(FILE, &["letter", "body"], &items).unwrap();
    assert!(
        out.ends_with("  body:\n    - \"第一段：“引号” # 号\"\n    - \"第二段\"\n"),
        "{out}"
    );
    assert_eq!(texts_at(&out, &["letter", "body"]).unwrap(), items);
    let again = set_texts(&out, &["letter", "body"], &["只一段".to_string()]).unwrap();
    assert_eq!(again, format!("{FILE}  body:\n    - \"只一段\"\n"));
    assert_eq!(lines_of(&again, &["letter", "body"]), Some((10, 11)));
}

#[test]
fn a_list_keeps_its_key_comment_and_what_follows() {
    let text = "letter:\n  body:   # 正文\n    - 旧一\n    - 旧二\n  note: 附\nreport: a.md\n";
    let out = set_texts(text, &["letter", "body"], &["新".to_string()]).unwrap();
    assert_eq!(
        out,
        "letter:\n  body:   # 正文\n    - \"新\"\n  note: 附\nreport: a.md\n"
    );
}

#[test]
fn removing_a_field_comments_its_lines_out_and_touches_nothing_else() {
    let text = "letter:\n  body:\n    - 旧一\n    - 旧二\n\n  note: 附\nreport: a.md\n";
    let out = remove(text, &["letter", "body"]).unwrap();
    assert_eq!(
        out,
        "letter:\n  # body:\n  #   - 旧一\n  #   - 旧二\n\n  note: 附\nreport: a.md\n"
    );
    assert_eq!(remove(&out, &["letter", "title"]).unwrap(), out);
    let again = set_texts(&out, &["letter", "body"], &["新".to_string()]).unwrap();
    assert!(
        again.starts_with("letter:\n  body:\n    - \"新\"\n"),
        "{again}"
    );
    let out = remove(FILE, &["level"]).unwrap();
    assert_eq!(
        out,
        FILE.replace("level: 县   # 市 或 县\n", "# level: 县   # 市 或 县\n")
    );
}

#[test]
fn a_flag_is_written_plain() {
    let out = set_flag(FILE, &["letter", "sealed"], false).unwrap();
    assert!(out.ends_with("  sealed: false\n"), "{out}");
    let parsed = yaml::parse(Path::new("a.yaml"), &out).unwrap();
    let (_, found) = walk(&parsed, &["letter", "sealed"]).unwrap();
    assert_eq!(found.unwrap().1.value, Value::Bool(false));
}

#[test]
fn appends_an_item_to_a_list_or_starts_one() {
    let text = "name: 甲\nevidence:   # 佐证\n  - indicator: 1\n    title: 旧\n    file: evidence/a.pdf\n\nreport: a.md\n";
    let item = [
        ("indicator", "19".to_string()),
        ("title", quoted("新：“材料”")),
        ("file", quoted("evidence/上传-001.pdf")),
    ];
    let out = append_item(text, &["evidence"], &item).unwrap();
    assert_eq!(
        out,
        text.replace(
            "evidence/a.pdf\n",
            "evidence/a.pdf\n  - indicator: 19\n    title: \"新：“材料”\"\n    file: \"evidence/上传-001.pdf\"\n"
        )
    );
    let out = append_item("name: 甲\n", &["evidence"], &item).unwrap();
    assert_eq!(
        out,
        "name: 甲\nevidence:\n  - indicator: 19\n    title: \"新：“材料”\"\n    file: \"evidence/上传-001.pdf\"\n"
    );
    let parsed = yaml::parse(Path::new("a.yaml"), &out).unwrap();
    let (_, found) = walk(&parsed, &["evidence"]).unwrap();
    assert!(matches!(&found.unwrap().1.value, Value::Seq(items) if items.len() == 1));
}

#[test]
fn a_commented_out_field_is_taken_with_its_note_at_its_column() {
    let text = "letter:\n  number: 号\n  # title: 示例标题   # 标题，不填由模板生成\n  # body:            # 正文段落\n  #   - ……\n";
    let out = set_scalar(text, &["letter", "title"], "新").unwrap();
    assert_eq!(
        out,
        text.replace(
            "  # title: 示例标题   # 标题",
            "  title: \"新\"         # 标题"
        )
    );
    let out = set_texts(text, &["letter", "body"], &["一段".to_string()]).unwrap();
    assert!(
        out.contains("  body:              # 正文段落\n    - \"一段\"\n  #   - ……\n"),
        "{out}"
    );
}
