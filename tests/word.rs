//! Word files of materials 2–4, read back from the DOCX XML: every text of the document model,
//! the East Asian fonts by role, page size, margins and grid as `templates/page.yaml` gives them,
//! heading styles, widow control and the signature kept with the text, merged cells; an edited
//! `page.yaml` changing both the PDF and the Word file; the e-mail bundle; and LibreOffice
//! opening each file.

mod common;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use shenbao::compose::model::{Block, Dossier};
use shenbao::run::{Session, Settings};

fn unzip(path: &Path, part: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(part)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn entries(path: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.to_string())
        .collect()
}

fn build(name: &str) -> (tempfile::TempDir, PathBuf, Dossier) {
    let (dir, applicant) = example(name);
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let session = Session::open(&Settings::default()).unwrap();
    let dossier = session.dossier(&applicant).unwrap();
    (dir, out.join(name), dossier)
}

#[test]
fn word_files_carry_the_model_in_the_fonts_and_page_of_the_standard() {
    for name in ["洛阳市", "许昌市", "西峡县"] {
        let (_dir, out, dossier) = build(name);
        for document in dossier.documents.iter().filter(|d| d.material >= 2) {
            let path = out.join(format!(
                "材料{}-{}.docx",
                document.material, document.material_name
            ));
            let xml = unzip(&path, "word/document.xml");
            // Fonts reach the text directly or through the heading styles.
            let styled = xml.clone() + &unzip(&path, "word/styles.xml");
            let text = squeeze(&xml_text(&xml));
            for expected in document.texts() {
                assert!(
                    text.contains(&squeeze(expected)),
                    "{name} 材料{}: missing {expected:?}",
                    document.material
                );
            }
            for font in ["仿宋_GB2312", "黑体", "方正小标宋简体"] {
                assert!(
                    styled.contains(&format!("w:eastAsia=\"{font}\"")),
                    "{name}: no {font}"
                );
            }
            if document.material != 4 {
                assert!(
                    styled.contains("w:eastAsia=\"楷体_GB2312\""),
                    "{name}: level-2 headings in 楷体"
                );
                assert!(
                    xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""),
                    "{name}: A4 portrait"
                );
                assert!(
                    xml.contains("w:top=\"2098\"") && xml.contains("w:left=\"1587\""),
                    "{name}: 37 mm / 28 mm margins"
                );
            } else {
                assert!(
                    xml.contains("w:orient=\"landscape\""),
                    "{name}: the table is landscape"
                );
                let merged = document
                    .blocks
                    .iter()
                    .filter_map(|b| {
                        if let Block::Table(t) = b {
                            Some(t)
                        } else {
                            None
                        }
                    })
                    .flat_map(|t| t.rows.iter().flatten())
                    .filter(|c| c.rowspan > 1)
                    .count();
                assert!(merged > 0);
                // Every merged cell restarts once, and again on each later segment of a group
                // too tall for one page (where its label is written again).
                assert!(
                    xml.matches("w:vMerge w:val=\"restart\"").count() >= merged,
                    "{name}: merged cells"
                );
                assert!(
                    xml.contains("<w:tblHeader"),
                    "{name}: the header row repeats"
                );
                assert!(
                    !text.contains("佐证材料目录"),
                    "{name}: no evidence in the Word file"
                );
            }
            assert!(
                xml.contains("w:type=\"linesAndChars\"") && xml.contains("w:linePitch=\"579\""),
                "{name}: 22-line grid"
            );
            let footers: String = entries(&path)
                .iter()
                .filter(|e| e.contains("footer"))
                .map(|e| unzip(&path, e))
                .collect();
            assert!(footers.contains("PAGE"), "{name}: page numbers");
            assert!(unzip(&path, "word/settings.xml").contains("w:evenAndOddHeaders"));
        }
    }
}

#[test]
fn the_email_bundle_holds_the_three_word_files() {
    let (_dir, out, dossier) = build("洛阳市");
    let bundle = out.join("洛阳市-国家知识产权强市建设示范城市-申报材料（电子版）.zip");
    let mut names = entries(&bundle);
    names.sort();
    assert_eq!(
        names,
        [
            "材料2-创建工作报告.docx",
            "材料3-示范工作方案.docx",
            "材料4-客观工作成效测评表.docx"
        ]
    );
    let draft = std::fs::read_to_string(
        out.join("洛阳市-国家知识产权强市建设示范城市-申报材料（电子版）.eml"),
    )
    .unwrap();
    assert!(draft.contains("To: xtglc@126.com"));
    // The materials' date (2023-08-10), so the same dossier gives the same bytes.
    assert!(draft.contains("\r\nDate: Thu, 10 Aug 2023 09:00:00 +0800\r\n"));
    assert!(draft.starts_with("From: =?UTF-8?B?") && draft.contains(" <lyzscq@163.com>\r\n"));
    assert_eq!(draft.matches("Content-Disposition: attachment").count(), 3);
    assert_eq!(
        dossier.email.subject,
        "洛阳市申报国家知识产权强市建设示范城市材料（电子版）"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "docx").count(), 3);
    assert!(kinds.contains(&"bundle") && kinds.contains(&"email"));
    assert_eq!(kinds.iter().filter(|k| **k == "data").count(), 1);
}

#[test]
fn control_characters_are_removed_with_a_warning() {
    let (dir, applicant) = example("洛阳市");
    let report = applicant.join("创建工作报告.md");
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(
        &report,
        format!("{text}\n\n响铃\u{7}字符与换页\u{c}字符。\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    assert!(said(&output).contains("控制字符"), "{}", said(&output));
    let xml = unzip(
        &out.join("洛阳市/材料2-创建工作报告.docx"),
        "word/document.xml",
    );
    assert!(!xml.contains('\u{7}') && !xml.contains('\u{c}'));
    assert!(squeeze(&xml_text(&xml)).contains("响铃字符与换页字符。"));
}

/// LibreOffice, headless, opens every example's Word files and the text comes through.
#[test]
fn libreoffice_reads_the_word_files() {
    for name in ["洛阳市", "许昌市", "西峡县"] {
        let (dir, out, dossier) = build(name);
        let converted = dir.path().join("converted");
        let docx: Vec<PathBuf> = files_under(&out)
            .into_iter()
            .filter(|f| f.ends_with(".docx"))
            .map(|f| out.join(f))
            .collect();
        assert_eq!(docx.len(), 3);
        let status = Command::new("soffice")
            .args([
                "--headless",
                "--convert-to",
                "txt:Text (encoded):UTF8",
                "--outdir",
            ])
            .arg(&converted)
            .args(&docx)
            .env("HOME", dir.path())
            .output()
            .expect(
                "LibreOffice (soffice) is installed; .ci/run installs libreoffice-writer-nogui",
            );
        assert!(status.status.success(), "{}", said(&status));
        for document in dossier.documents.iter().filter(|d| d.material >= 2) {
            let txt = converted.join(format!(
                "材料{}-{}.txt",
                document.material, document.material_name
            ));
            let text = squeeze(&std::fs::read_to_string(&txt).unwrap());
            assert!(
                text.contains(&squeeze(&document.title)),
                "{name}: title lost in LibreOffice"
            );
            let first = document.blocks.iter().find_map(|b| match b {
                Block::Heading { text, .. } | Block::Paragraph { text } => Some(text),
                _ => None,
            });
            if let Some(first) = first {
                assert!(
                    text.contains(&squeeze(first)),
                    "{name}: {first:?} lost in LibreOffice"
                );
            }
        }
    }
}

/// `templates/page.yaml` as the built-in spec, in Word's units.
fn twips(mm: f64) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
}

/// The value of attribute `name` on the first `element` of `xml`.
fn attribute(xml: &str, element: &str, name: &str) -> String {
    let at = xml
        .find(element)
        .unwrap_or_else(|| panic!("{element} missing"));
    let tag = &xml[at..at + xml[at..].find('>').unwrap()];
    let key = format!(" {name}=\"");
    let start = tag
        .find(&key)
        .unwrap_or_else(|| panic!("{name} missing in {tag}"))
        + key.len();
    tag[start..start + tag[start..].find('"').unwrap()].to_string()
}

/// The `<w:p>…</w:p>` paragraph holding `text`.
fn paragraph_of<'a>(xml: &'a str, text: &str) -> &'a str {
    let at = xml.find(text).unwrap_or_else(|| panic!("{text} missing"));
    let start = xml[..at].rfind("<w:p>").unwrap();
    &xml[start..at + xml[at..].find("</w:p>").unwrap()]
}

/// The section properties of every Word file are the numbers of `templates/page.yaml`, the
/// headings are in the named heading styles, widow control is on, and the last paragraph of
/// materials 2 and 3 keeps with the signature.
#[test]
fn word_files_follow_page_yaml_and_keep_the_signature_with_the_text() {
    let spec = shenbao::load::page::built_in().unwrap();
    let (_dir, out, dossier) = build("许昌市");
    for document in dossier.documents.iter().filter(|d| d.material >= 2) {
        let path = out.join(format!(
            "材料{}-{}.docx",
            document.material, document.material_name
        ));
        let xml = unzip(&path, "word/document.xml");
        let styles = unzip(&path, "word/styles.xml");
        let landscape = document.material == 4;
        let (width, height) = if landscape {
            (spec.paper.height, spec.paper.width)
        } else {
            (spec.paper.width, spec.paper.height)
        };
        let margins = if landscape {
            spec.landscape_margins
        } else {
            spec.margins
        };
        assert_eq!(attribute(&xml, "<w:pgSz", "w:w"), twips(width).to_string());
        assert_eq!(attribute(&xml, "<w:pgSz", "w:h"), twips(height).to_string());
        for (name, mm) in [
            ("w:top", margins.top),
            ("w:bottom", margins.bottom),
            ("w:left", margins.left),
            ("w:right", margins.right),
        ] {
            assert_eq!(
                attribute(&xml, "<w:pgMar", name),
                twips(mm).to_string(),
                "{name}"
            );
        }
        let footer = twips(margins.bottom - spec.page_number_gap)
            - (spec.page_number_size * 20.0).round() as i64;
        assert_eq!(attribute(&xml, "<w:pgMar", "w:footer"), footer.to_string());
        let pitch = (spec.line_pitch() * 1440.0 / 25.4).floor() as i64;
        assert_eq!(
            attribute(&xml, "<w:docGrid", "w:linePitch"),
            pitch.to_string()
        );
        let normal = &styles[styles.find(r#"w:styleId="Normal""#).unwrap()..];
        assert_eq!(attribute(normal, "<w:spacing", "w:line"), pitch.to_string());
        assert_eq!(
            attribute(&styles, "<w:sz ", "w:val"),
            ((spec.body_size * 2.0).round() as i64).to_string()
        );
        assert!(styles.contains("<w:pPrDefault><w:pPr><w:widowControl />"));
        assert!(normal.contains("<w:widowControl />"));
        for block in &document.blocks {
            if let Block::Heading {
                level,
                number,
                text,
            } = block
            {
                let paragraph = paragraph_of(&xml, &format!("{number}{text}"));
                assert!(
                    paragraph.contains(&format!(r#"<w:pStyle w:val="Heading{level}" />"#)),
                    "{paragraph}"
                );
                let style = &styles[styles
                    .find(&format!(r#"w:styleId="Heading{level}""#))
                    .unwrap()..];
                assert!(style.contains(&format!(r#"<w:name w:val="heading {level}" />"#)));
                assert!(style.contains(r#"<w:basedOn w:val="Normal" />"#));
                assert!(style.contains(&format!(r#"<w:outlineLvl w:val="{}" />"#, level - 1)));
            }
        }
        let Some(signature) = &document.signature else {
            continue;
        };
        // Every paragraph from the last one of the body to the signer's name keeps with the next.
        let name = xml.find(&format!(">{}<", signature.name)).unwrap();
        let last_text = match document.blocks.last() {
            Some(Block::Paragraph { text }) => text.clone(),
            Some(Block::List { items, .. }) => items.last().unwrap().clone(),
            other => panic!("材料{} ends with {other:?}", document.material),
        };
        let last_line = last_text.lines().last().unwrap();
        let from = xml[..xml.find(last_line).unwrap()].rfind("<w:p>").unwrap();
        let kept = &xml[from..name];
        assert_eq!(
            kept.matches("<w:p>").count(),
            kept.matches("<w:keepNext />").count(),
            "材料{}: {kept}",
            document.material
        );
        assert!(kept.matches("<w:p>").count() >= 3);
    }
}

/// The guide's example: `title-size` in a `page.yaml` of a `--templates` folder changes the
/// title in the PDF and in the Word file; a margin moves the text in both.
#[test]
fn editing_page_yaml_changes_the_pdf_and_the_word_file() {
    let (dir, applicant) = example("许昌市");
    let built_in = std::fs::read_to_string(root().join("templates/page.yaml")).unwrap();
    let edited = built_in
        .replace("title-size: 22 ", "title-size: 26 ")
        .replace("  left: 28\n", "  left: 31\n");
    assert_ne!(edited, built_in);
    let templates = dir.path().join("my-templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("page.yaml"), edited).unwrap();
    let runs = [("standard", None), ("edited", Some(&templates))].map(|(name, templates)| {
        let out = dir.path().join(name);
        let mut extra = Vec::new();
        if let Some(templates) = templates {
            extra.extend(["--templates", templates.to_str().unwrap()]);
        }
        let output = build_into(dir.path(), &applicant, &out, &extra);
        assert!(output.status.success(), "{}", said(&output));
        out.join("许昌市")
    });
    let pdf = |out: &Path| read_pdf(&out.join("材料2-创建工作报告.pdf"));
    let (standard, edited) = (pdf(&runs[0]), pdf(&runs[1]));
    let title = |pages: &[Page]| {
        pages[0]
            .runs
            .iter()
            .filter(|r| r.text.contains("工作报告"))
            .map(|r| r.size)
            .fold(0.0, f64::max)
    };
    assert!(
        (title(&standard) - 22.0).abs() < 0.6,
        "{}",
        title(&standard)
    );
    assert!((title(&edited) - 26.0).abs() < 0.6, "{}", title(&edited));
    let body_left = |pages: &[Page]| pages[0].find("附件1").map(|r| r.left / PT_PER_MM).unwrap();
    assert!(
        (body_left(&standard) - 28.0).abs() < 0.3,
        "{}",
        body_left(&standard)
    );
    assert!(
        (body_left(&edited) - 31.0).abs() < 0.3,
        "{}",
        body_left(&edited)
    );
    let word = |out: &Path| unzip(&out.join("材料2-创建工作报告.docx"), "word/document.xml");
    let (standard, edited) = (word(&runs[0]), word(&runs[1]));
    let title_size = |xml: &str| attribute(paragraph_of(xml, "工作报告"), "<w:sz ", "w:val");
    assert_eq!(title_size(&standard), "44");
    assert_eq!(title_size(&edited), "52");
    assert_eq!(
        attribute(&standard, "<w:pgMar", "w:left"),
        twips(28.0).to_string()
    );
    assert_eq!(
        attribute(&edited, "<w:pgMar", "w:left"),
        twips(31.0).to_string()
    );
}

/// A `page.yaml` that cannot make a page stops the build with the line of the bad value.
#[test]
fn a_broken_page_yaml_is_reported_at_its_line() {
    let (dir, applicant) = example("许昌市");
    let built_in = std::fs::read_to_string(root().join("templates/page.yaml")).unwrap();
    let templates = dir.path().join("my-templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("page.yaml"),
        built_in.replace("  lines: 22\n", "  lines: 0\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = build_into(
        dir.path(),
        &applicant,
        &out,
        &["--templates", templates.to_str().unwrap()],
    );
    assert!(!output.status.success());
    let line = built_in.lines().position(|l| l == "  lines: 22").unwrap() + 1;
    let said = said(&output);
    assert!(said.contains(&format!("page.yaml:{line}")), "{said}");
    assert!(said.contains("grid.lines"), "{said}");
    assert!(!out.join("许昌市").exists());
}
