//! The Word writer's parts read back as XML: texts, fonts, page, styles, tables, package.

use std::io::{Cursor, Read};

use super::text::signature_gaps;
use super::*;
use crate::compose::model::{Block, Cell, Meta, Signature, Table};
use crate::diagnostics::Severity;
use crate::load::page::{Orientation, built_in};

fn roles() -> FontRoles {
    let store = crate::templates::TemplateStore::new(None).unwrap();
    crate::load::fonts::load_roles(&store, &[]).unwrap()
}

/// The kind of material `number` in the shipped notice.
fn kind_of(number: u8) -> MaterialKind {
    match number {
        1 => MaterialKind::Letter,
        2 => MaterialKind::Report,
        3 => MaterialKind::Plan,
        _ => MaterialKind::Assessment,
    }
}

pub(super) fn document(material: u8, blocks: Vec<Block>) -> Document {
    let meta = Meta {
        author: "某市人民政府".to_string(),
        date: crate::load::date::Date::new(2023, 8, 10).unwrap(),
    };
    let title = "某市国家知识产权强国建设\n试点城市创建工作报告".to_string();
    Document {
        attachment_label: Some(format!("附件{}", material - 1)),
        blocks,
        ..Document::new(
            (material, kind_of(material)),
            format!("材料{material}"),
            title,
            roles(),
            built_in().unwrap(),
            meta,
        )
    }
}

pub(super) fn merged(text: &str, rowspan: u32) -> Cell {
    Cell {
        breakable: true,
        ..Cell::center(text).spanning(rowspan, 1)
    }
}

pub(super) fn merged_table() -> Table {
    Table {
        widths: vec![1.0, 2.0, 1.0, 4.0],
        header: ["一级指标", "二级指标", "序号", "完成情况"]
            .map(Cell::center)
            .to_vec(),
        rows: vec![
            vec![
                merged("创造", 3),
                merged("质量", 2),
                Cell::center("1"),
                Cell::left("第一行\n第二行"),
            ],
            vec![Cell::center("2"), Cell::left("发明专利")],
            vec![merged("数量", 1), Cell::center("3"), Cell::left("商标")],
            vec![
                Cell::left("运用"),
                Cell::left("转化"),
                Cell::center("4"),
                Cell::left("许可"),
            ],
        ],
        size: 10.5,
        note: Some("备注：数据截至2023年6月".to_string()),
    }
}

fn heading(level: u8, number: &str, text: &str) -> Block {
    Block::Heading {
        level,
        number: number.to_string(),
        text: text.to_string(),
    }
}

pub(super) fn sample(material: u8) -> Document {
    let mut doc = document(
        material,
        vec![
            heading(1, "一、", "工作基础"),
            heading(2, "（一）", "制度建设"),
            heading(3, "1.", "政策体系"),
            heading(4, "（1）", "专项政策"),
            Block::Paragraph {
                text: "全市“十四五”期间发明专利拥有量增长 35% & 持续提升。".to_string(),
            },
            Block::List {
                ordered: true,
                items: vec!["健全机制".to_string(), "强化保护".to_string()],
            },
            Block::List {
                ordered: false,
                items: vec!["无编号项".to_string()],
            },
            Block::Table(merged_table()),
            Block::Paragraph {
                text: "最后一段正文。".to_string(),
            },
        ],
    );
    doc.signature = Some(Signature {
        name: "某市人民政府".to_string(),
        date: "2023年8月10日".to_string(),
        sealed: true,
    });
    doc.notes = vec!["联系人：张三，电话：0371-12345678".to_string()];
    doc
}

/// The text of one part of the zip, if it is there.
pub(super) fn try_part(bytes: &[u8], name: &str) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entry = archive.by_name(name).ok()?;
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    Some(text)
}

/// The text of one part of the zip.
fn part(bytes: &[u8], name: &str) -> String {
    try_part(bytes, name).unwrap_or_else(|| panic!("{name} missing"))
}

pub(super) fn written(doc: &Document) -> WordFile {
    write(doc).unwrap()
}

pub(super) fn document_xml(doc: &Document) -> String {
    part(&written(doc).bytes, "word/document.xml")
}

/// The `<w:r>…</w:r>` run holding `text`.
pub(super) fn run_of<'a>(xml: &'a str, text: &str) -> &'a str {
    let at = xml.find(text).unwrap_or_else(|| panic!("{text} missing"));
    let start = xml[..at].rfind("<w:r>").unwrap();
    let end = at + xml[at..].find("</w:r>").unwrap();
    &xml[start..end]
}

/// The `<w:p>…</w:p>` paragraph holding `text`.
pub(super) fn paragraph_of<'a>(xml: &'a str, text: &str) -> &'a str {
    let at = xml.find(text).unwrap_or_else(|| panic!("{text} missing"));
    let start = xml[..at].rfind("<w:p>").unwrap();
    let end = at + xml[at..].find("</w:p>").unwrap();
    &xml[start..end]
}

/// The `<w:style …>…</w:style>` of `id`.
fn style_of<'a>(styles: &'a str, id: &str) -> &'a str {
    let at = styles
        .find(&format!(r#"w:styleId="{id}""#))
        .unwrap_or_else(|| panic!("style {id} missing"));
    let start = styles[..at].rfind("<w:style ").unwrap();
    let end = at + styles[at..].find("</w:style>").unwrap();
    &styles[start..end]
}

/// The value of attribute `name` in `xml` after `element`.
fn attribute<'a>(xml: &'a str, element: &str, name: &str) -> Option<&'a str> {
    let at = xml.find(element)?;
    let tag = &xml[at..at + xml[at..].find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The East Asian font and size that reach the run of `text`: the run's own, else its
/// paragraph style's, else the document defaults.
fn effective_face(file: &[u8], text: &str) -> (String, String) {
    let xml = part(file, "word/document.xml");
    let styles = part(file, "word/styles.xml");
    let run = run_of(&xml, text);
    let defaults = &styles[styles.find("<w:docDefaults>").unwrap()..];
    let style =
        attribute(paragraph_of(&xml, text), "<w:pStyle", "w:val").map(|id| style_of(&styles, id));
    let find = |element: &str, name: &str| {
        attribute(run, element, name)
            .or_else(|| style.and_then(|s| attribute(s, element, name)))
            .or_else(|| attribute(defaults, element, name))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(find("<w:rFonts", "w:hint"), "eastAsia", "{text}");
    assert_eq!(
        find("<w:rFonts", "w:ascii"),
        find("<w:rFonts", "w:eastAsia")
    );
    (find("<w:rFonts", "w:eastAsia"), find("<w:sz ", "w:val"))
}

/// Checks that `xml` parses as XML with every element closed in order.
fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("malformed at {}: {error}", reader.buffer_position()),
        }
    }
}

pub(super) fn count(xml: &str, pattern: &str) -> usize {
    xml.matches(pattern).count()
}

#[test]
fn every_text_is_in_the_document() {
    let doc = sample(2);
    let xml = document_xml(&doc);
    for text in doc.texts() {
        for line in text.split('\n') {
            let escaped = line.replace('&', "&amp;").replace('<', "&lt;");
            assert!(xml.contains(&escaped), "missing: {line}");
        }
    }
    assert!(xml.contains("附件1"));
    assert!(xml.contains("一、工作基础"));
    assert!(xml.contains("（1）健全机制"));
    assert!(xml.contains("（2）强化保护"));
    assert!(xml.contains("（联系人：张三，电话：0371-12345678）"));
}

#[test]
fn runs_use_the_east_asian_font_of_their_role() {
    let file = written(&sample(2)).bytes;
    let cases = [
        ("试点城市创建工作报告", "方正小标宋简体", "44"),
        ("附件1", "黑体", "32"),
        ("一、工作基础", "黑体", "32"),
        ("（一）制度建设", "楷体_GB2312", "32"),
        ("1.政策体系", "仿宋_GB2312", "32"),
        ("（1）专项政策", "仿宋_GB2312", "32"),
        ("发明专利拥有量", "仿宋_GB2312", "32"),
        ("一级指标", "黑体", "21"),
        ("发明专利<", "仿宋_GB2312", "21"),
        ("2023年8月10日", "仿宋_GB2312", "32"),
    ];
    for (text, font, size) in cases {
        assert_eq!(
            effective_face(&file, text),
            (font.to_string(), size.to_string()),
            "{text}"
        );
    }
    let xml = part(&file, "word/document.xml");
    assert!(!xml.contains("Theme="), "no theme fonts");
}

#[test]
fn headings_are_in_the_named_heading_styles() {
    let file = written(&sample(3)).bytes;
    let xml = part(&file, "word/document.xml");
    let styles = part(&file, "word/styles.xml");
    for (level, text) in [
        (1, "一、工作基础"),
        (2, "（一）制度建设"),
        (3, "1.政策体系"),
        (4, "（1）专项政策"),
    ] {
        let paragraph = paragraph_of(&xml, text);
        assert!(
            paragraph.contains(&format!(r#"<w:pStyle w:val="Heading{level}" />"#)),
            "{paragraph}"
        );
        assert!(
            !paragraph.contains("w:rFonts"),
            "no direct fonts on headings: {paragraph}"
        );
        let style = style_of(&styles, &format!("Heading{level}"));
        assert!(
            style.contains(&format!(r#"<w:name w:val="heading {level}" />"#)),
            "{style}"
        );
        assert!(style.contains(r#"<w:basedOn w:val="Normal" />"#));
        assert!(style.contains(&format!(r#"<w:outlineLvl w:val="{}" />"#, level - 1)));
        assert!(style.contains("<w:keepNext />") && style.contains("<w:qFormat />"));
    }
    assert!(!paragraph_of(&xml, "发明专利拥有量").contains("pStyle"));
}

#[test]
fn widow_control_is_on_for_every_paragraph() {
    let styles = part(&written(&sample(2)).bytes, "word/styles.xml");
    let defaults = &styles[..styles.find("</w:docDefaults>").unwrap()];
    assert!(defaults.contains("<w:pPrDefault><w:pPr><w:widowControl />"));
    assert!(style_of(&styles, "Normal").contains("<w:widowControl />"));
    assert!(style_of(&styles, "Normal").contains(r#"w:default="1""#));
}

#[test]
fn document_defaults_are_the_body_role() {
    let styles = part(&written(&sample(2)).bytes, "word/styles.xml");
    let defaults = &styles[styles.find("<w:docDefaults>").unwrap()..];
    assert!(defaults.contains(r#"w:eastAsia="仿宋_GB2312""#));
    assert!(defaults.contains(r#"<w:sz w:val="32" />"#));
    assert!(!styles.contains("Theme="));
}

#[test]
fn portrait_page_margins_and_grid() {
    let xml = document_xml(&sample(2));
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#));
    assert!(xml.contains(r#"w:top="2098""#));
    assert!(xml.contains(r#"w:bottom="1984""#));
    assert!(xml.contains(r#"w:left="1587""#));
    assert!(xml.contains(r#"w:right="1474""#));
    assert!(xml.contains(r#"w:footer="1307""#));
    assert!(
        xml.contains(
            r#"<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-848" />"#
        )
    );
    assert!(!xml.contains("landscape"));
    let styles = part(&written(&sample(2)).bytes, "word/styles.xml");
    assert!(style_of(&styles, "Normal").contains(r#"w:line="579" w:lineRule="exact""#));
}

#[test]
fn grid_pitches_follow_the_standard() {
    let geometry = Geometry::new(&built_in().unwrap(), Orientation::Portrait);
    assert_eq!(geometry.line_pitch(), 579);
    assert_eq!(geometry.char_space(), -848);
    let pitch_pt = 16.0 + f64::from(geometry.char_space()) / 4096.0;
    assert!((pitch_pt * 28.0 * 25.4 / 72.0 - 156.0).abs() < 0.01);
    // Word fits whole lines and characters into the text block: 22 and 28, no fewer.
    assert_eq!(geometry.text_height() / geometry.line_pitch(), 22);
    assert_eq!(
        (f64::from(geometry.text_width()) / (pitch_pt * 20.0)) as i32,
        28
    );
}

#[test]
fn material_4_is_landscape() {
    let xml = document_xml(&sample(4));
    assert!(xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape" />"#));
    assert!(xml.contains(r#"w:top="1587""#));
    assert!(xml.contains(r#"w:bottom="1474""#));
    assert!(xml.contains(r#"w:left="2098""#));
    assert!(xml.contains(r#"w:right="1984""#));
    assert!(xml.contains(r#"w:type="linesAndChars""#));
}

#[test]
fn body_paragraphs_take_the_indent_of_the_normal_style() {
    let file = written(&sample(3)).bytes;
    let xml = part(&file, "word/document.xml");
    let styles = part(&file, "word/styles.xml");
    let normal = style_of(&styles, "Normal");
    assert!(normal.contains(r#"w:firstLineChars="200""#), "{normal}");
    assert!(normal.contains(r#"<w:jc w:val="both" />"#));
    for text in ["发明专利拥有量", "（1）健全机制", "无编号项"] {
        assert!(!paragraph_of(&xml, text).contains("w:ind"), "{text}");
    }
    let title = paragraph_of(&xml, "试点城市创建工作报告");
    assert!(title.contains(r#"<w:jc w:val="center" />"#));
    assert!(title.contains(r#"w:firstLineChars="0""#));
    assert!(title.contains("<w:br />"));
    assert!(paragraph_of(&xml, "附件2").contains(r#"w:firstLineChars="0""#));
}

#[test]
fn sealed_signature_sits_four_characters_in() {
    let xml = document_xml(&sample(2));
    let geometry = Geometry::new(&built_in().unwrap(), Orientation::Portrait);
    let date = paragraph_of(&xml, "2023年8月10日");
    assert!(date.contains(r#"<w:jc w:val="right" />"#));
    assert!(date.contains(&format!(r#"w:right="{}""#, geometry.chars(4.0))));
    let (name_gap, date_gap) = signature_gaps("某市人民政府", "2023年8月10日", true);
    // The date is 6.5 characters wide (digits are half width), the name 6.
    assert_eq!((name_gap, date_gap), (4.25, 4.0));
    assert!(
        paragraph_of(&xml, "某市人民政府<")
            .contains(&format!(r#"w:right="{}""#, geometry.chars(4.25)))
    );
    let (name_gap, date_gap) = signature_gaps("某市人民政府", "2023年8月10日", false);
    assert_eq!((name_gap, date_gap), (4.5, 2.0));
    let (name_gap, date_gap) = signature_gaps("某某市某某县人民政府", "2023年8月10日", false);
    assert_eq!((name_gap, date_gap), (2.0, 3.5));
}

#[test]
fn the_last_paragraph_keeps_with_the_signature() {
    let xml = document_xml(&sample(2));
    let body_end = xml.find("最后一段正文").unwrap();
    let name = xml.find("某市人民政府<").unwrap();
    let between = &xml[xml[..body_end].rfind("<w:p>").unwrap()..name];
    // The last paragraph and both blank lines keep with the next, up to the name.
    assert_eq!(count(between, "<w:p>"), 4, "{between}");
    assert_eq!(count(between, "<w:keepNext />"), 4, "{between}");
    assert!(paragraph_of(&xml, "某市人民政府<").contains("<w:keepNext />"));
    assert!(!paragraph_of(&xml, "2023年8月10日").contains("keepNext"));
    assert!(!paragraph_of(&xml, "发明专利拥有量").contains("keepNext"));
    // A list that ends the body keeps its last item with the signature.
    let mut doc = sample(2);
    doc.blocks.truncate(6);
    let xml = document_xml(&doc);
    assert!(paragraph_of(&xml, "（2）强化保护").contains("<w:keepNext />"));
    assert!(!paragraph_of(&xml, "（1）健全机制").contains("keepNext"));
}

#[test]
fn grid_columns_are_proportional_and_fill_the_width() {
    let columns = table::grid_columns(&merged_table(), 8845).unwrap();
    assert_eq!(columns.iter().sum::<i32>(), 8845);
    assert_eq!(columns[0] * 2, columns[1] + columns[1] % 2);
    assert!(columns[3] > 3 * columns[0]);
}

#[test]
fn table_rows_with_too_many_cells_are_refused() {
    let mut table = merged_table();
    table.rows[1].push(Cell::left("多余"));
    assert!(write(&document(4, vec![Block::Table(table)])).is_err());
    let mut table = merged_table();
    table.header.push(Cell::left("多余"));
    assert!(write(&document(4, vec![Block::Table(table)])).is_err());
}

#[test]
fn footers_number_pages_outside() {
    let file = written(&sample(2));
    let settings = part(&file.bytes, "word/settings.xml");
    assert_eq!(count(&settings, "<w:evenAndOddHeaders />"), 1);
    let xml = part(&file.bytes, "word/document.xml");
    assert!(xml.contains(r#"<w:footerReference w:type="default" r:id="rId4" />"#));
    assert!(xml.contains(r#"<w:footerReference w:type="even" r:id="rId5" />"#));
    let rels = part(&file.bytes, "word/_rels/document.xml.rels");
    assert!(rels.contains(r#"Id="rId4""#) && rels.contains(r#"Target="footer1.xml""#));
    let footers = [
        part(&file.bytes, "word/footer1.xml"),
        part(&file.bytes, "word/footer2.xml"),
    ];
    for footer in &footers {
        assert!(footer.contains("<w:instrText>PAGE</w:instrText>"));
        assert!(footer.contains(">\u{2014} <") && footer.contains("> \u{2014}<"));
        assert!(footer.contains(r#"w:eastAsia="宋体""#));
        assert!(footer.contains(r#"<w:sz w:val="28" />"#));
    }
    assert!(
        footers[0].contains(r#"<w:jc w:val="right" />"#) && footers[0].contains(r#"w:right="280""#)
    );
    assert!(
        footers[1].contains(r#"<w:jc w:val="left" />"#) && footers[1].contains(r#"w:left="280""#)
    );
}

#[test]
fn control_characters_are_removed_with_one_warning() {
    let mut doc = sample(2);
    doc.blocks.push(Block::Paragraph {
        text: "甲\u{1}乙\u{B}丙\u{FFFF}丁\t戊".to_string(),
    });
    doc.notes.push("附\u{0}注".to_string());
    let file = written(&doc);
    let xml = part(&file.bytes, "word/document.xml");
    assert!(xml.contains("甲乙丙丁 戊"));
    assert!(xml.contains("（附注）"));
    assert!(!xml.chars().any(xml_forbidden));
    assert_eq!(file.warnings.len(), 1);
    let warning = file.warnings.iter().next().unwrap();
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.message.contains("删除了 4 个"));
    assert!(warning.hint.is_some());
    assert!(written(&sample(2)).warnings.is_empty());
}

#[test]
fn parts_are_present_and_well_formed() {
    let file = written(&sample(4));
    for name in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/_rels/document.xml.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "word/footer1.xml",
        "word/footer2.xml",
        "docProps/core.xml",
        "docProps/app.xml",
    ] {
        assert_well_formed(&part(&file.bytes, name));
    }
    let core = part(&file.bytes, "docProps/core.xml");
    assert!(core.contains("2023-08-10T00:00:00Z"));
    assert!(core.contains("<dc:creator>某市人民政府</dc:creator>"));
    let types = part(&file.bytes, "[Content_Types].xml");
    assert_eq!(count(&types, "footer+xml"), 2);
}

#[test]
fn an_unnumbered_first_page_has_an_empty_first_footer() {
    let mut doc = sample(3);
    doc.number_first_page = false;
    let file = written(&doc);
    let xml = part(&file.bytes, "word/document.xml");
    assert!(xml.contains("<w:titlePg />"));
    assert!(xml.contains(r#"<w:footerReference w:type="first" r:id="rId6" />"#));
    let footers: Vec<String> = (1..=3)
        .map(|n| part(&file.bytes, &format!("word/footer{n}.xml")))
        .collect();
    assert_eq!(footers.iter().filter(|f| f.contains("PAGE")).count(), 2);
    assert!(!part(&written(&sample(3)).bytes, "word/document.xml").contains("titlePg"));
}

#[test]
fn output_is_deterministic() {
    let doc = sample(3);
    let first = written(&doc).bytes;
    assert!(
        first == written(&doc).bytes,
        "same document, different bytes"
    );
    let mut broken = merged_table();
    broken.rows[0].push(Cell::left("多余"));
    assert!(write(&document(4, vec![Block::Table(broken)])).is_err());
    assert!(
        first == written(&doc).bytes,
        "bytes changed after a failed document"
    );
}

#[test]
fn only_the_letters_attachments_are_written() {
    for material in 2..=4 {
        assert!(write(&document(material, Vec::new())).is_ok());
    }
    let error = write(&document(1, Vec::new())).err().unwrap();
    assert!(error.message.contains("材料1"));
}

#[test]
fn a_table_of_200_rows_is_written() {
    let mut table = merged_table();
    table.rows = (1..=200)
        .map(|n| {
            vec![
                Cell::center(format!("一级{n}")),
                Cell::left(format!("二级{n}")),
                Cell::center(n.to_string()),
                Cell::left(format!("第{n}行完成情况")),
            ]
        })
        .collect();
    let xml = document_xml(&document(4, vec![Block::Table(table)]));
    assert_eq!(count(&xml, "<w:tr>"), 201);
    assert!(xml.contains("第1行完成情况") && xml.contains("第200行完成情况"));
    assert_eq!(count(&xml, "<w:tblHeader />"), 1);
    assert_well_formed(&xml);
}

#[test]
fn a_paragraph_of_5000_characters_is_written() {
    let text: String = "知识产权强国建设".chars().cycle().take(5000).collect();
    let doc = document(2, vec![Block::Paragraph { text: text.clone() }]);
    let file = written(&doc);
    let xml = part(&file.bytes, "word/document.xml");
    assert!(xml.contains(&text));
    assert!(file.bytes.len() < xml.len(), "parts are compressed");
}
