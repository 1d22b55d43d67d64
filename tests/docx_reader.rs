//! Word drafts (.docx) as the work report and plan: the headings and their levels, read by each
//! rule (outline level, style, numbering, typed number), in the produced PDF and Word file; Word
//! files from LibreOffice and from `init --docx`; formats refused and damaged files.

mod common;
#[path = "docx/drafts.rs"]
mod drafts;

use std::path::Path;

use common::*;
use drafts::*;

#[test]
fn numeric_style_ids_named_heading_n_are_headings() {
    let styles = style("1", "heading 1", "") + &style("2", "heading 2", "");
    let body = [
        styled("1", "申报条件符合情况"),
        p(BODY_TEXT),
        styled("1", "近三年工作总结"),
        styled("2", "强化制度建设"),
        p(BODY_TEXT),
        styled("2", "加强知识产权保护"),
        p("全市开展专项执法行动12次。"),
    ]
    .concat();
    let (dir, applicant) = with_report(&docx(&body, &styles, &[]));
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let summary = find(&diagnostics, "按样式或大纲级别读出 4 个标题");
    let message = summary["message"].as_str().unwrap();
    assert!(
        message.contains("第1段「申报条件符合情况」一级（样式“heading 1”）"),
        "{message}"
    );
    assert!(message.contains("第4段「强化制度建设」二级"), "{message}");
    let (pdf, word) = built(dir.path(), &applicant, "材料2");
    in_order(
        &pdf,
        &word,
        &[
            "一、申报条件符合情况",
            "全市知识产权工作体系不断健全",
            "二、近三年工作总结",
            "（一）强化制度建设",
            "（二）加强知识产权保护",
            "全市开展专项执法行动12次。",
        ],
    );
}

#[test]
fn a_custom_chinese_style_with_an_outline_level_through_based_on() {
    let styles = style(
        "a5",
        "公文一级标题",
        r#"<w:pPr><w:outlineLvl w:val="0"/></w:pPr>"#,
    ) + &style(
        "a6",
        "公文二级标题基础",
        r#"<w:pPr><w:outlineLvl w:val="1"/></w:pPr>"#,
    ) + &style("a7", "公文二级标题", r#"<w:basedOn w:val="a6"/>"#);
    let body = [
        styled("a5", "申报条件符合情况"),
        p(BODY_TEXT),
        styled("a5", "近三年工作总结"),
        styled("a7", "（一）强化制度建设"),
        p(BODY_TEXT),
    ]
    .concat();
    let (dir, applicant) = with_report(&docx(&body, &styles, &[]));
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let message = find(&diagnostics, "按样式或大纲级别读出 3 个标题")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("第4段「强化制度建设」二级（样式“公文二级标题”的大纲级别）"),
        "{message}"
    );
    let (pdf, word) = built(dir.path(), &applicant, "材料2");
    in_order(
        &pdf,
        &word,
        &[
            "一、申报条件符合情况",
            "二、近三年工作总结",
            "（一）强化制度建设",
        ],
    );
    assert!(
        !pdf.contains("（一）（一）"),
        "the typed number is not doubled"
    );
}

#[test]
fn typed_numbers_without_heading_styles_are_guessed_and_reported() {
    let body = [
        p("一、申报条件符合情况"),
        p(BODY_TEXT),
        p("二、近三年工作总结"),
        p("（一）强化制度建设"),
        p("一是健全政策体系，出台专项政策9件。"),
        p("2023.08召开全市知识产权工作推进会。"),
        p("（二）加强保护。全市开展专项执法行动12次，查处案件326件。"),
        p("1.快速维权"),
        p(BODY_TEXT),
    ]
    .concat();
    let (dir, applicant) = with_report(&docx(&body, "", &[]));
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let first = find(
        &diagnostics,
        "按手写编号“一、”认作一级标题“申报条件符合情况”",
    );
    assert_eq!(first["severity"], "warning");
    assert_eq!(paragraph_of(first), "第1段「一、申报条件符合情况」");
    assert!(
        first["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("创建工作报告.docx")
    );
    let run_in = find(&diagnostics, "按手写编号“（二）”认作二级标题“加强保护。”");
    assert_eq!(paragraph_of(run_in), "第7段「（二）加强保护。全市……」");
    find(&diagnostics, "按手写编号“1.”认作三级标题“快速维权”");
    assert!(
        !diagnostics.iter().any(|d| {
            let m = d["message"].as_str().unwrap();
            m.contains("一是") || m.contains("2023.08")
        }),
        "{diagnostics:#?}"
    );
    let (pdf, word) = built(dir.path(), &applicant, "材料2");
    in_order(
        &pdf,
        &word,
        &[
            "一、申报条件符合情况",
            "二、近三年工作总结",
            "（一）强化制度建设",
            "一是健全政策体系",
            "2023.08召开",
            "（二）加强保护。",
            "全市开展专项执法行动12次",
            "1.快速维权",
        ],
    );
    assert!(
        pdf.contains("（二）加强保护。全市开展专项执法行动12次"),
        "the run-in heading leads its paragraph in the PDF: {pdf}"
    );
}

const NUMBERING: &str = r#"<?xml version="1.0"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:abstractNum w:abstractNumId="0">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="（%2）"/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"#;

#[test]
fn automatic_numbering_is_rendered_and_short_numbered_paragraphs_are_headings() {
    let styles = style("a3", "List Paragraph", "");
    let body = [
        numbered("a3", 5, 0, "申报条件符合情况"),
        p(BODY_TEXT),
        numbered("a3", 5, 0, "近三年工作总结"),
        numbered("a3", 5, 1, "强化制度建设"),
        numbered("a3", 5, 2, &BODY_TEXT.repeat(2)),
        numbered("a3", 5, 1, "加强知识产权保护"),
        p(BODY_TEXT),
    ]
    .concat();
    let bytes = docx(&body, &styles, &[("word/numbering.xml", NUMBERING)]);
    let (dir, applicant) = with_report(&bytes);
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let second = find(&diagnostics, "按自动编号“二、”认作一级标题“近三年工作总结”");
    assert_eq!(paragraph_of(second), "第3段「近三年工作总结」");
    find(
        &diagnostics,
        "按自动编号“（二）”认作二级标题“加强知识产权保护”",
    );
    let (pdf, word) = built(dir.path(), &applicant, "材料2");
    in_order(
        &pdf,
        &word,
        &[
            "一、申报条件符合情况",
            "二、近三年工作总结",
            "（一）强化制度建设",
            "1.全市知识产权工作体系",
            "（二）加强知识产权保护",
        ],
    );
}

#[test]
fn a_libreoffice_docx_reads_like_the_markdown_it_was_made_from() {
    let session = shenbao::run::Session::open(&shenbao::run::Settings::default()).unwrap();
    let (_markdown_dir, markdown) = example("洛阳市");
    let (dir, word) = example("洛阳市");
    std::fs::copy(
        root().join("tests/fixtures/docx/洛阳市-示范工作方案.docx"),
        word.join("示范工作方案.docx"),
    )
    .unwrap();
    point(&word, "plan", "示范工作方案.docx");
    let plan = |applicant: &Path| session.dossier(applicant).unwrap().documents[2].clone();
    let (from_markdown, from_word) = (plan(&markdown), plan(&word));
    let headings = |d: &shenbao::compose::model::Document| -> Vec<(u8, String, String)> {
        d.blocks
            .iter()
            .filter_map(|b| match b {
                shenbao::compose::model::Block::Heading {
                    level,
                    number,
                    text,
                } => Some((*level, number.clone(), text.clone())),
                _ => None,
            })
            .collect()
    };
    assert!(headings(&from_markdown).len() > 10);
    assert_eq!(headings(&from_word), headings(&from_markdown));
    assert_eq!(from_word.texts(), from_markdown.texts());
    let (pdf, word_text) = built(dir.path(), &word, "材料3");
    in_order(
        &pdf,
        &word_text,
        &[
            "一、总体要求",
            "（一）指导思想",
            "二、重点任务和重大工程",
            "四、保障条件",
        ],
    );
}

#[test]
fn old_word_formats_are_refused_with_the_fix() {
    for extension in ["doc", "wps", "docm"] {
        let (_dir, applicant) = example("洛阳市");
        let name = format!("创建工作报告.{extension}");
        std::fs::write(applicant.join(&name), [0xD0, 0xCF, 0x11, 0xE0]).unwrap();
        point(&applicant, "report", &name);
        let (code, diagnostics) = check(&applicant);
        assert_eq!(code, 1);
        let refused = find(&diagnostics, &format!("不能读取 .{extension} 格式的文件"));
        assert_eq!(refused["severity"], "error");
        assert!(
            refused["hint"]
                .as_str()
                .unwrap()
                .contains("请在 WPS/Word 中另存为 .docx")
        );
        assert!(
            refused["location"]["file"]
                .as_str()
                .unwrap()
                .ends_with("applicant.yaml")
        );
        assert!(refused["location"]["line"].as_u64().is_some());
    }
}

#[test]
fn damaged_docx_files_are_errors_not_crashes() {
    let not_a_zip = b"plain text".to_vec();
    let no_document = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("a.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.finish().unwrap().into_inner()
    };
    let broken_xml = docx("<w:p><w:r><w:t>未闭合</w:r></w:p>", "", &[]);
    for (bytes, why) in [
        (not_a_zip, "不是 .docx（zip）文件"),
        (no_document, "缺少 word/document.xml"),
        (broken_xml, "word/document.xml 格式错误"),
    ] {
        let (_dir, applicant) = with_report(&bytes);
        let (code, diagnostics) = check(&applicant);
        assert_eq!(code, 1);
        let error = find(&diagnostics, why);
        assert!(
            error["location"]["file"]
                .as_str()
                .unwrap()
                .ends_with("创建工作报告.docx")
        );
    }
}

#[test]
fn init_docx_writes_skeletons_this_reader_reads() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("西平县");
    let output = shenbao(
        dir.path(),
        &[
            "init",
            folder.to_str().unwrap(),
            "--category",
            "试点县",
            "--docx",
        ],
    );
    assert!(output.status.success(), "{}", said(&output));
    for name in ["创建工作报告.docx", "工作方案.docx"] {
        assert!(
            folder.join(name).is_file(),
            "{name}: {:?}",
            files_under(&folder)
        );
        assert!(!folder.join(name.replace(".docx", ".md")).exists());
    }
    let yaml = std::fs::read_to_string(folder.join("applicant.yaml")).unwrap();
    assert!(yaml.contains("report: 创建工作报告.docx"), "{yaml}");
    assert!(yaml.contains("plan: 工作方案.docx"), "{yaml}");
    let output = shenbao(
        dir.path(),
        &["check", "--format", "json", folder.to_str().unwrap()],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let diagnostics = json[0]["diagnostics"].as_array().unwrap();
    let unfilled = diagnostics
        .iter()
        .find(|d| {
            d["message"] == "此处尚未填写"
                && d["location"]["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("工作方案.docx")
        })
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    assert!(paragraph_of(unfilled).starts_with("第"), "{unfilled}");
    let headings = diagnostics
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("按样式或大纲级别读出")
                && d["location"]["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("工作方案.docx")
        })
        .unwrap();
    let message = headings["message"].as_str().unwrap();
    for section in ["总体要求", "重点任务和重大工程", "实施步骤", "保障条件"] {
        assert!(message.contains(&format!("「{section}」一级")), "{message}");
    }
}
