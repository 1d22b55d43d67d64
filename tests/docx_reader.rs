//! Word drafts (.docx) as the work report and plan: fixtures written here with the zip crate (as
//! Word, WPS and LibreOffice write them), built into PDF and Word files, and the headings, their
//! levels and text read back from both; the messages `check` gives, with their places.

mod common;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const NAMESPACES: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml""#;

/// A .docx with `body` (the inside of `w:body`), `styles` (the inside of `w:styles`) and other
/// parts given whole.
fn docx(body: &str, styles: &str, parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NAMESPACES}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {NAMESPACES}>{styles}</w:styles>"#
    );
    let mut all = vec![
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_string()),
        ("word/document.xml", document),
        ("word/styles.xml", styles),
    ];
    all.extend(parts.iter().map(|(n, c)| (*n, c.to_string())));
    for (name, content) in all {
        zip.start_file(name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn run(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn p(text: &str) -> String {
    format!("<w:p>{}</w:p>", run(text))
}

fn styled(style: &str, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#,
        run(text)
    )
}

fn numbered(style: &str, num: u32, level: u32, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>{}</w:p>"#,
        run(text)
    )
}

fn style(id: &str, name: &str, inside: &str) -> String {
    format!(
        r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/>{inside}</w:style>"#
    )
}

const BODY_TEXT: &str =
    "全市知识产权工作体系不断健全，发明专利拥有量持续增长，知识产权保护社会满意度稳步提升。";

/// A copy of 洛阳市 whose work report is the .docx `bytes`.
fn with_report(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let (dir, applicant) = example("洛阳市");
    std::fs::write(applicant.join("创建工作报告.docx"), bytes).unwrap();
    point(&applicant, "report", "创建工作报告.docx");
    (dir, applicant)
}

/// Points `key:` of the applicant's yaml at `file`.
fn point(applicant: &Path, key: &str, file: &str) {
    let yaml = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{key}:")) {
                format!("{key}: {file}")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&yaml, edited.join("\n") + "\n").unwrap();
}

/// `shenbao check --format json` on `applicant`: exit code and diagnostics.
fn check(applicant: &Path) -> (i32, Vec<serde_json::Value>) {
    let output = shenbao(
        applicant.parent().unwrap(),
        &["check", "--format", "json", applicant.to_str().unwrap()],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", said(&output)));
    let diagnostics = json[0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (output.status.code().unwrap(), diagnostics)
}

/// The diagnostic whose message contains `needle`.
fn find<'a>(diagnostics: &'a [serde_json::Value], needle: &str) -> &'a serde_json::Value {
    diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap_or_default().contains(needle))
        .unwrap_or_else(|| panic!("no message with {needle}: {diagnostics:#?}"))
}

/// Builds `applicant`; the texts (whitespace removed) of material `prefix`'s PDF and Word file.
fn built(dir: &Path, applicant: &Path, prefix: &str) -> (String, String) {
    let out = dir.join("out");
    let output = build_into(dir, applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let folder = out.join(applicant.file_name().unwrap());
    let file = |extension: &str| {
        files_under(&folder)
            .into_iter()
            .find(|f| f.starts_with(prefix) && f.ends_with(extension))
            .map(|f| folder.join(f))
            .unwrap_or_else(|| panic!("no {prefix}…{extension} in {:?}", files_under(&folder)))
    };
    let pdf = Command::new("pdftotext")
        .arg(file(".pdf"))
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(file(".docx")).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    (
        squeeze(&String::from_utf8_lossy(&pdf.stdout)),
        squeeze(&xml_text(&xml)),
    )
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn xml_text(xml: &str) -> String {
    let mut text = String::new();
    let mut inside = false;
    for c in xml.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            _ if !inside => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Asserts that both files contain every one of `texts`, in this order.
fn in_order(pdf: &str, word: &str, texts: &[&str]) {
    for (name, file) in [("PDF", pdf), ("Word", word)] {
        let mut from = 0;
        for text in texts {
            let at = file[from..]
                .find(text)
                .unwrap_or_else(|| panic!("{name}: {text} missing after byte {from}: {file}"));
            from += at + text.len();
        }
    }
}

fn paragraph_of(diagnostic: &serde_json::Value) -> &str {
    diagnostic["location"]["paragraph"]
        .as_str()
        .unwrap_or_default()
}

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
fn merged_table_cells_keep_their_text_and_are_reported() {
    let cell = |text: &str, properties: &str| {
        format!("<w:tc><w:tcPr>{properties}</w:tcPr>{}</w:tc>", p(text))
    };
    let table = format!(
        "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl>",
        cell("指标", r#"<w:gridSpan w:val="2"/>"#),
        cell("2022年", ""),
        cell("创造", r#"<w:vMerge w:val="restart"/>"#),
        cell("有效发明专利", ""),
        cell("3486件", ""),
        cell("", "<w:vMerge/>"),
        cell("注册商标", ""),
        cell("6.58万件", ""),
    );
    let styles = style("1", "heading 1", "");
    let body = [
        styled("1", "申报条件符合情况"),
        p(BODY_TEXT),
        table,
        styled("1", "近三年工作总结"),
        p(BODY_TEXT),
    ]
    .concat();
    let (dir, applicant) = with_report(&docx(&body, &styles, &[]));
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("合并")),
        "merged cells are printed merged, nothing to report: {diagnostics:#?}"
    );
    let (pdf, word) = built(dir.path(), &applicant, "材料2");
    in_order(
        &pdf,
        &word,
        &["一、申报条件符合情况", "指标", "二、近三年工作总结"],
    );
    for text in [
        "2022年",
        "创造",
        "有效发明专利",
        "3486件",
        "注册商标",
        "6.58万件",
    ] {
        assert_eq!(
            pdf.matches(text).count(),
            1,
            "{text} once in the PDF: {pdf}"
        );
        assert_eq!(word.matches(text).count(), 1, "{text} once in Word: {word}");
    }
    // The PDF: 指标 is centred over the first two columns, 创造 between its two rows.
    let folder = dir.path().join("out").join(applicant.file_name().unwrap());
    let pages = read_pdf(&folder.join("材料2-创建工作报告.pdf"));
    let runs: Vec<&Run> = pages.iter().flat_map(|p| &p.runs).collect();
    let at = |text: &str| {
        *runs
            .iter()
            .find(|r| r.text.trim() == text)
            .unwrap_or_else(|| panic!("{text}: {runs:#?}"))
    };
    let (label, year) = (at("指标"), at("2022年"));
    let (group, first, second) = (at("创造"), at("有效发明专利"), at("注册商标"));
    let label_centre = label.left + label.width / 2.0;
    assert!(
        group.left + group.width < label_centre && label_centre < first.left,
        "指标 spans the first two columns: {label:?} {group:?} {first:?}"
    );
    assert!(year.left > first.left, "{year:?}");
    assert!(
        first.top < group.top && group.top < second.top,
        "创造 is centred on its two rows: {group:?} {first:?} {second:?}"
    );
    // The Word file: one cell spanning two grid columns, a vertical merge over two rows.
    let xml = document_xml(&folder, "材料2");
    let header = &xml[xml.find("<w:tblHeader").unwrap()..];
    let header = &header[..header.find("</w:tr>").unwrap()];
    assert_eq!(header.matches("<w:tc>").count(), 2, "{header}");
    assert!(header.contains(r#"<w:gridSpan w:val="2" />"#), "{header}");
    assert_eq!(xml.matches(r#"<w:vMerge w:val="restart" />"#).count(), 1);
    assert_eq!(xml.matches(r#"<w:vMerge w:val="continue" />"#).count(), 1);
}

/// `word/document.xml` of material `prefix`'s Word file in `folder`.
fn document_xml(folder: &Path, prefix: &str) -> String {
    let name = files_under(folder)
        .into_iter()
        .find(|f| f.starts_with(prefix) && f.ends_with(".docx"))
        .unwrap_or_else(|| panic!("no {prefix}….docx in {}", folder.display()));
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(folder.join(name)).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The `w:p` element of `xml` that holds `text`.
fn word_paragraph<'a>(xml: &'a str, text: &str) -> &'a str {
    let at = xml.find(text).unwrap_or_else(|| panic!("{text} missing"));
    let start = xml[..at].rfind("<w:p>").unwrap();
    &xml[start..at + xml[at..].find("</w:p>").unwrap()]
}

fn bold(text: &str) -> String {
    format!(r#"<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

#[test]
fn bold_text_and_run_in_headings_print_as_written_in_pdf_and_word() {
    let styles = style("1", "heading 1", "");
    let body = [
        styled("1", "申报条件符合情况"),
        format!(
            "<w:p>{}{}{}</w:p>",
            bold("（一）组织保障。"),
            run("市委市政府成立领导小组，"),
            bold("一是加强组织领导")
        ),
        p(BODY_TEXT),
        styled("1", "近三年工作总结"),
        p(BODY_TEXT),
    ]
    .concat();
    let (dir, applicant) = with_report(&docx(&body, &styles, &[]));
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let (pdf, word) = built(dir.path(), &applicant, "材料2");
    in_order(
        &pdf,
        &word,
        &["（一）组织保障。市委市政府成立领导小组，一是加强组织领导"],
    );
    let folder = dir.path().join("out").join(applicant.file_name().unwrap());
    let pages = read_pdf(&folder.join("材料2-创建工作报告.pdf"));
    let runs: Vec<&Run> = pages.iter().flat_map(|p| &p.runs).collect();
    let run_of = |text: &str| {
        *runs
            .iter()
            .find(|r| r.text.contains(text))
            .unwrap_or_else(|| panic!("{text}: {runs:#?}"))
    };
    let (heading, plain, strong) = (run_of("组织保障"), run_of("成立领导小组"), run_of("一是"));
    assert!(heading.font.contains("FandolKai"), "{heading:?}");
    assert!(plain.font.contains("FandolFang"), "{plain:?}");
    assert!(
        strong.font.contains("FandolHei"),
        "bold is set in 黑体: {strong:?}"
    );
    assert!((heading.top - plain.top).abs() < 2.0, "run in on one line");
    let xml = document_xml(&folder, "材料2");
    let paragraph = word_paragraph(&xml, "成立领导小组");
    assert!(paragraph.contains("组织保障"), "one paragraph: {paragraph}");
    assert!(
        !paragraph.contains("<w:pStyle"),
        "a body paragraph: {paragraph}"
    );
    let fonts: Vec<&str> = paragraph
        .split("w:eastAsia=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(fonts, ["楷体_GB2312", "黑体"], "{paragraph}");
}

#[test]
fn pasted_punctuation_and_broken_characters_in_a_docx_are_reported_at_their_paragraph() {
    let styles = style("1", "heading 1", "");
    let body = [
        styled("1", "申报条件符合情况"),
        p("全市专利,商标(地理标志)稳步增长:成效明显"),
        p("发明专利\u{200B}拥有量稳步提升"),
        styled("1", "近三年工作总结"),
        p("全市知识产权\u{FFFD}保护体系不断健全"),
    ]
    .concat();
    let (_dir, applicant) = with_report(&docx(&body, &styles, &[]));
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 1, "U+FFFD is an error: {diagnostics:#?}");
    let punctuation = find(&diagnostics, "半角标点与汉字相邻");
    assert_eq!(paragraph_of(punctuation), "第2段「全市专利，商标（地理……」");
    let invisible = find(&diagnostics, "不可见字符 U+200B");
    assert_eq!(paragraph_of(invisible), "第3段「发明专利拥有量稳步提……」");
    let broken = find(&diagnostics, "乱码");
    assert_eq!(broken["severity"], "error");
    assert_eq!(paragraph_of(broken), "第5段「全市知识产权保护体系……」");
}

#[test]
fn tracked_changes_images_notes_boxes_and_comments_are_reported_where_they_are() {
    let image = r#"<w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#;
    let text_box = r#"<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>框中说明文字</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>框中说明文字</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"#;
    let styles = style("1", "heading 1", "");
    let body = [
        styled("1", "申报条件符合情况"),
        format!(
            r#"<w:p>{}<w:ins w:id="1" w:author="甲">{}</w:ins><w:del w:id="2" w:author="乙"><w:r><w:delText>已删去的旧数据</w:delText></w:r></w:del>{image}</w:p>"#,
            run("近三年来，全市知识产权工作"),
            run("取得新进展")
        ),
        format!(
            r#"<w:p>{}<w:r><w:footnoteReference w:id="1"/></w:r>{}<w:r><w:commentReference w:id="0"/></w:r></w:p>"#,
            run("发明专利拥有量达到3486件"),
            run("。")
        ),
        format!("<w:p>{}{text_box}</w:p>", run("详见说明。")),
        styled("1", "近三年工作总结"),
        p(BODY_TEXT),
    ]
    .concat();
    let footnotes = r#"<?xml version="1.0"?><w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1"><w:p><w:r><w:t>数据来源于统计公报</w:t></w:r></w:p></w:footnote></w:footnotes>"#;
    let comments = r#"<?xml version="1.0"?><w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0"><w:p><w:r><w:t>请核实数据</w:t></w:r></w:p></w:comment></w:comments>"#;
    let bytes = docx(
        &body,
        &styles,
        &[
            ("word/footnotes.xml", footnotes),
            ("word/comments.xml", comments),
        ],
    );
    let (dir, applicant) = with_report(&bytes);
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:#?}");
    let place = "第2段「近三年来，全市知识产……」";
    assert_eq!(
        paragraph_of(find(&diagnostics, "删除的文字「已删去的旧数据」未排入")),
        place
    );
    assert_eq!(paragraph_of(find(&diagnostics, "图片未排入正文")), place);
    let note = find(&diagnostics, "脚注（尾注）「数据来源于统计公报」");
    assert_eq!(paragraph_of(note), "第3段「发明专利拥有量达到3……」");
    assert_eq!(
        paragraph_of(find(&diagnostics, "批注「请核实数据」未排入")),
        paragraph_of(note)
    );
    assert_eq!(
        paragraph_of(find(&diagnostics, "文本框中的文字「框中说明文字」")),
        "第4段「详见说明。」"
    );
    let (pdf, word) = built(dir.path(), &applicant, "材料2");
    in_order(
        &pdf,
        &word,
        &[
            "近三年来，全市知识产权工作取得新进展",
            "发明专利拥有量达到3486件（注：数据来源于统计公报）。",
            "详见说明。",
            "框中说明文字",
        ],
    );
    for file in [&pdf, &word] {
        assert!(!file.contains("已删去的旧数据"));
        assert!(!file.contains("请核实数据"));
    }
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
