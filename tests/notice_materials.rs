//! The materials are data: a template folder whose `notice.yaml` reorders the letter's
//! attachments, or lists one more, changes what is built (file names, 附件 labels, the letter's
//! list of attachments, print sets, Word files and the e-mail bundle) with no change of code.

mod common;

use std::path::Path;

use common::*;

/// A template folder holding the shipped `notice.yaml` with its `materials:` list replaced.
fn templates_with(dir: &Path, materials: &str) -> std::path::PathBuf {
    let notice = std::fs::read_to_string(root().join("templates/notice.yaml")).unwrap();
    let start = notice.find("\nmaterials:\n").expect("a materials list") + 1;
    let end = start + notice[start..].find("\n\n").expect("a blank line after it");
    let folder = dir.join("templates");
    std::fs::create_dir_all(&folder).unwrap();
    let edited = format!("{}{}{}", &notice[..start], materials, &notice[end..]);
    std::fs::write(folder.join("notice.yaml"), edited).unwrap();
    folder
}

/// Builds 洛阳市 with the template folder `templates`; its output folder.
fn built(dir: &Path, templates: &Path) -> std::path::PathBuf {
    let applicant = dir.join("洛阳市");
    copy_dir(&root().join("inputs/洛阳市"), &applicant);
    let out = dir.join("out");
    let output = build_with_templates(dir, &applicant, &out, templates);
    assert!(output.status.success(), "{}", said(&output));
    out.join("洛阳市")
}

/// The first lines of a PDF's first page, without spaces.
fn first_lines(pdf: &Path) -> String {
    squeeze(&pdf_text(pdf)).chars().take(40).collect()
}

#[test]
fn reordered_attachments_change_labels_names_and_the_letter() {
    let dir = tempfile::tempdir().unwrap();
    let templates = templates_with(
        dir.path(),
        r#"materials:
  - number: 1
    key: letter
    name: 申报函
    copies: 3
    word: false
    title: "{{ government }}关于申报{{ category.full_name }}的函"
  - number: 2
    key: plan
    name: "{{ category.plan_name }}"
    copies: 2
    word: true
    title: "{{ name }}{{ category.full_name }}{{ category.plan_name }}"
  - number: 3
    key: report
    name: 创建工作报告
    copies: 1
    word: false
    title: "{{ name }}{{ category.full_name }}创建工作报告"
  - number: 4
    key: assessment
    name: 客观工作成效测评表
    copies: 2
    word: true
    title: "{{ catalogue.title }}""#,
    );
    let out = built(dir.path(), &templates);
    let files = files_under(&out);
    for name in [
        "材料2-示范工作方案.pdf",
        "材料2-示范工作方案.docx",
        "材料3-创建工作报告.pdf",
        "材料4-客观工作成效测评表.docx",
        "印制-材料1（各3份）.pdf",
        "印制-材料2、4（各2份）.pdf",
        "印制-材料3（各1份）.pdf",
    ] {
        assert!(
            files.contains(&name.to_string()),
            "{name} missing: {files:?}"
        );
    }
    assert!(
        !files.contains(&"材料3-创建工作报告.docx".to_string()),
        "{files:?}"
    );
    assert!(first_lines(&out.join("材料2-示范工作方案.pdf")).starts_with("附件1"));
    assert!(first_lines(&out.join("材料3-创建工作报告.pdf")).starts_with("附件2"));
    let letter = squeeze(&pdf_text(&out.join("材料1-申报函.pdf")));
    let plan = letter.find("附件：1.洛阳市国家知识产权强市建设示范城市示范工作方案");
    let report = letter.find("2.洛阳市国家知识产权强市建设示范城市创建工作报告");
    assert!(plan.is_some() && plan < report, "{letter}");
    assert!(
        letter.contains("现将《洛阳市国家知识产权强市建设示范城市示范工作方案》《洛阳市"),
        "{letter}"
    );
}

#[test]
fn a_fifth_material_is_built_printed_and_sent() {
    let dir = tempfile::tempdir().unwrap();
    let notice = std::fs::read_to_string(root().join("templates/notice.yaml")).unwrap();
    let start = notice.find("\nmaterials:\n").unwrap() + 1;
    let end = start + notice[start..].find("\n\n").unwrap();
    let fifth = r#"
  - number: 5
    key: report
    name: 典型经验材料
    copies: 2
    word: true
    title: "{{ name }}知识产权工作典型经验材料""#;
    let templates = templates_with(dir.path(), &format!("{}{fifth}", &notice[start..end]));
    let out = built(dir.path(), &templates);
    let files = files_under(&out);
    for name in [
        "材料5-典型经验材料.pdf",
        "材料5-典型经验材料.docx",
        "印制-材料2、3、4、5（各2份）.pdf",
    ] {
        assert!(
            files.contains(&name.to_string()),
            "{name} missing: {files:?}"
        );
    }
    let fifth = first_lines(&out.join("材料5-典型经验材料.pdf"));
    assert!(
        fifth.starts_with("附件4洛阳市知识产权工作典型经验材料"),
        "{fifth}"
    );
    let letter = squeeze(&pdf_text(&out.join("材料1-申报函.pdf")));
    assert!(
        letter.contains("4.洛阳市知识产权工作典型经验材料"),
        "{letter}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["outputs"].as_array().unwrap().len();
    assert_eq!(
        listed,
        files.len() - 1,
        "every file but the manifest is listed"
    );
    let bundle = files
        .iter()
        .find(|f| f.ends_with("（电子版）.zip"))
        .unwrap();
    let zip = zip::ZipArchive::new(std::fs::File::open(out.join(bundle)).unwrap()).unwrap();
    let sent: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(
        sent.iter().any(|n| n == "材料5-典型经验材料.docx"),
        "{sent:?}"
    );
}
