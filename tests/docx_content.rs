//! What a Word draft holds besides headings: merged table cells, bold words and run-in headings,
//! pasted punctuation and broken characters, tracked changes, images, notes, text boxes and
//! comments — each in the produced PDF and Word file, or reported at its paragraph.

mod common;
#[path = "docx/drafts.rs"]
mod drafts;

use common::*;
use drafts::*;

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
    assert_eq!(
        east_asian_fonts(paragraph),
        ["楷体_GB2312", "黑体"],
        "{paragraph}"
    );
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
