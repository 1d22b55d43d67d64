//! Word files of materials 2–4, read back from the DOCX XML: every text of the document model,
//! the East Asian fonts by role, page size, margins and grid, merged cells; the e-mail bundle; and
//! LibreOffice opening each file.

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

/// The text of a WordprocessingML part: tags removed, entities decoded.
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
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
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
                    xml.contains(&format!("w:eastAsia=\"{font}\"")),
                    "{name}: no {font}"
                );
            }
            if document.material != 4 {
                assert!(
                    xml.contains("w:eastAsia=\"楷体_GB2312\""),
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
                assert_eq!(
                    xml.matches("w:vMerge w:val=\"restart\"").count(),
                    merged,
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
