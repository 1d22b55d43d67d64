//! No text lost, text as pasted: each case is fed through the real binary, and the produced PDF
//! (poppler) and Word XML are read back. Every character written reaches both documents (in
//! full-width form where the punctuation rule says so), or the run stops with a located error;
//! warnings name their file and line; the input files are unchanged (sha256).

mod common;

use std::io::Read as _;
use std::path::Path;

use common::*;
use sha2::{Digest, Sha256};

const REPORT: &str = "创建工作报告.md";

/// The sha256 of every file under `dir`, by relative path.
fn hashes(dir: &Path) -> Vec<(String, String)> {
    files_under(dir)
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (name, digest)
        })
        .collect()
}

/// The text of `word/document.xml` of a .docx, tags removed, entities decoded.
fn word_text(path: &Path) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml_text(&xml)
}

/// Appends `lines` to the example's report; returns the line number of the first appended line.
fn append_to_report(applicant: &Path, lines: &str) -> (String, usize) {
    let original = std::fs::read_to_string(applicant.join(REPORT)).unwrap();
    let first = original.lines().count() + 2;
    (format!("{original}\n{lines}"), first)
}

/// The appended Markdown of the main case, and what each part must print as.
const PASTED: &str = "\
# 文本检验

我市坚持创新驱动,推进知识产权强市建设(2021-2023年):成效明显.增长3.5个百分点,依据GB/T 9704-2012,见https://a.b/c?d=1。

所谓\"强市\"建设\u{200B}不是口号\u{AD}。终端\u{1B}[31m红字\u{1B}[0m与响铃\u{7}。

1. 第一项
   1. 子项甲
   2. 子项乙
2. 第二项

   第二项的第二段。

3. 第三项，附表如下：

   | 名称 | 数量 |
   |------|------|
   | 专利 | 12 |

4. 第四项见[国家知识产权局](https://www.cnipa.gov.cn)。
";

const PRINTED: [&str; 13] = [
    "我市坚持创新驱动，推进知识产权强市建设（2021-2023年）：成效明显。增长3.5个百分点，依据GB/T9704-2012，见https://a.b/c?d=1。",
    "所谓“强市”建设不是口号。终端红字与响铃。",
    "（1）第一项",
    "①子项甲",
    "②子项乙",
    "（2）第二项",
    "第二项的第二段。",
    "（3）第三项，附表如下：",
    "名称",
    "数量",
    "专利",
    "12",
    "（4）第四项见国家知识产权局（https://www.cnipa.gov.cn）。",
];

#[test]
fn pasted_text_nested_lists_and_gb18030_reach_pdf_and_word() {
    let (dir, applicant) = example("洛阳市");
    let (report, first) = append_to_report(&applicant, PASTED);
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&report);
    assert!(!unmappable);
    std::fs::write(applicant.join(REPORT), &gbk).unwrap();
    workbook_with(
        &applicant.join("测评表.xlsx"),
        "完成\u{1B}[2J目标,达到(120%)",
        "已完成",
    );
    std::fs::write(
        applicant.join("applicant.yaml"),
        std::fs::read_to_string(applicant.join("applicant.yaml"))
            .unwrap()
            .replace("person: 王晓东", "person: \"王\\e]0;x\\a晓东\""),
    )
    .unwrap();
    let before = hashes(&applicant);
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    let told = said(&output);
    assert!(output.status.success(), "{told}");
    assert!(!output.stderr.contains(&0x1B) && !output.stdout.contains(&0x1B));
    assert_eq!(hashes(&applicant), before, "inputs unchanged");

    let report_at = |line: usize| format!("{REPORT}:{line}");
    assert!(told.contains("GB18030") && told.contains("UTF-8"), "{told}");
    let punctuation = told
        .lines()
        .find(|l| l.contains("半角标点"))
        .unwrap_or_default();
    assert!(punctuation.contains(&report_at(first + 2)), "{told}");
    assert!(punctuation.contains("“,”→“，”") && punctuation.contains("“(”→“（”"));
    let invisible = told.lines().find(|l| l.contains("不可见字符")).unwrap();
    assert!(invisible.contains(&report_at(first + 4)) && invisible.contains("U+200B"));
    let control = told
        .lines()
        .find(|l| l.contains("控制字符") && l.contains(REPORT))
        .unwrap();
    assert!(control.contains("\\e[31m") && control.contains(&report_at(first + 4)));
    assert!(
        told.contains("applicant.yaml:13") && told.contains("\\e]0;x"),
        "{told}"
    );
    assert!(
        told.contains("附件3!F2") && told.contains("\\e[2J"),
        "{told}"
    );

    let city = out.join("洛阳市");
    let pdf = squeeze(&body_text(&city.join("材料2-创建工作报告.pdf")));
    let word = squeeze(&word_text(&city.join("材料2-创建工作报告.docx")));
    // pdftotext joins a line that ends in a hyphen to the next without it, so the PDF's text is
    // compared without hyphens (the Word text keeps them).
    let unhyphenated = pdf.replace('-', "");
    for printed in PRINTED {
        let printed = squeeze(printed);
        assert!(
            unhyphenated.contains(&printed.replace('-', "")),
            "PDF lacks {printed}"
        );
        assert!(word.contains(&printed), "Word lacks {printed}");
    }
    assert!(pdf.contains("文本检验") && !pdf.contains('\u{200B}'));
    let assessment = squeeze(&body_text(&city.join("材料4-客观工作成效测评表.pdf")));
    assert!(
        assessment.contains("完成目标，达到（120%）"),
        "{assessment}"
    );
    let letter = squeeze(&body_text(&city.join("材料1-申报函.pdf")));
    assert!(letter.contains("王晓东"), "{letter}");
}

/// Runs `check` on 新郑市 with `extra` appended to its report: exit code, what it said, and the
/// line of the first appended line.
fn check_report(extra: &str) -> (i32, String, usize) {
    let (dir, applicant) = example("新郑市");
    let (report, first) = append_to_report(&applicant, extra);
    std::fs::write(applicant.join(REPORT), report).unwrap();
    let output = shenbao(dir.path(), &["check", applicant.to_str().unwrap()]);
    (output.status.code().unwrap_or(-1), said(&output), first)
}

#[test]
fn a_heading_inside_a_list_is_a_located_error() {
    let (code, told, first) = check_report("- 甲项\n- ## 乙标题\n- 丙项\n");
    assert_eq!(code, 1, "{told}");
    let line = told.lines().find(|l| l.contains("乙标题")).unwrap();
    assert!(line.contains(&format!("{REPORT}:{}", first + 1)), "{told}");
    assert!(told.contains("移出列表"), "{told}");
}

#[test]
fn a_misdecoded_character_is_garbled_text_not_a_font_problem() {
    let (code, told, first) = check_report("知识产权\u{FFFD}\u{FFFD}工作。\n");
    assert_eq!(code, 1, "{told}");
    let line = told.lines().find(|l| l.contains("乱码")).unwrap();
    assert!(line.contains(&format!("{REPORT}:{first}")), "{told}");
    assert!(!told.contains("没有任何可用字体能显示"), "{told}");
}

#[test]
fn a_table_row_wider_than_its_header_is_an_error() {
    let (code, told, first) =
        check_report("| 名称 | 数量 |\n|---|---|\n| 专利 | 12 | 多出的格 |\n");
    assert_eq!(code, 1, "{told}");
    let line = told.lines().find(|l| l.contains("多于表头")).unwrap();
    assert!(line.contains(&format!("{REPORT}:{}", first + 2)), "{told}");
}

#[test]
fn a_file_in_neither_utf8_nor_gb18030_is_located() {
    let (dir, applicant) = example("新郑市");
    std::fs::write(applicant.join(REPORT), b"# \xE6\x80\xBB\n\n\xFF\xFE\x80\n").unwrap();
    let output = shenbao(dir.path(), &["check", applicant.to_str().unwrap()]);
    let told = said(&output);
    assert_eq!(output.status.code(), Some(1), "{told}");
    let line = told.lines().find(|l| l.contains("GB18030")).unwrap();
    assert!(line.contains(&format!("{REPORT}:3")), "{told}");
}

#[test]
fn a_bom_does_not_hide_the_first_heading() {
    let (dir, applicant) = example("新郑市");
    let report = std::fs::read_to_string(applicant.join(REPORT)).unwrap();
    let heading = report
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap()
        .to_string();
    std::fs::write(applicant.join(REPORT), format!("\u{FEFF}{report}")).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let pdf = squeeze(&body_text(&out.join("新郑市/材料2-创建工作报告.pdf")));
    let heading = squeeze(shenbao::load::markdown::strip_heading_number(&heading));
    assert!(pdf.contains(&format!("一、{heading}")), "{pdf}");
    assert!(!pdf.contains('#'), "{pdf}");
}

/// Every word of a PDF with its left and right edge in millimetres (`pdftotext -bbox`).
fn word_boxes(pdf: &Path) -> Vec<(f64, f64, String)> {
    let output = std::process::Command::new("pdftotext")
        .args(["-bbox"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let html = String::from_utf8_lossy(&output.stdout);
    let attribute = |tag: &str, name: &str| -> f64 {
        let key = format!("{name}=\"");
        let start = tag.find(&key).map_or(0, |i| i + key.len());
        let end = tag[start..].find('"').map_or(start, |i| start + i);
        tag[start..end].parse().unwrap_or(f64::NAN)
    };
    html.lines()
        .filter_map(|line| {
            let line = line.trim();
            let tag_end = line.find('>')?;
            let text_end = line.rfind("</word>")?;
            line.starts_with("<word ").then(|| {
                let tag = &line[..tag_end];
                (
                    attribute(tag, "xMin") / PT_PER_MM,
                    attribute(tag, "xMax") / PT_PER_MM,
                    line[tag_end + 1..text_end].to_string(),
                )
            })
        })
        .collect()
}

#[test]
fn a_long_url_breaks_inside_the_text_block() {
    let (dir, applicant) = example("新郑市");
    let url = format!(
        "https://www.example.gov.cn/{}",
        (0..173)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect::<String>()
    );
    assert_eq!(url.len(), 200);
    let (report, _) = append_to_report(&applicant, &format!("# 网址\n\n详见{url}。\n"));
    std::fs::write(applicant.join(REPORT), report).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let pdf = out.join("新郑市/材料2-创建工作报告.pdf");
    assert!(squeeze(&body_text(&pdf)).contains(&format!("详见{url}。")));
    let glyphs: Vec<(f64, f64, String)> = word_boxes(&pdf)
        .into_iter()
        .map(|(left, right, text)| {
            let text = text.strip_prefix("详见").unwrap_or(&text);
            (left, right, text.trim_end_matches('。').to_string())
        })
        // The URL's last letter may go down with the 。 that cannot start a line.
        .filter(|(_, _, text)| !text.is_empty() && url.contains(text.as_str()))
        .collect();
    let printed: usize = glyphs.iter().map(|(_, _, text)| text.len()).sum();
    assert!(printed == url.len() && glyphs.len() >= 2, "{glyphs:?}");
    for (left, right, text) in &glyphs {
        assert!(
            // pdftotext's word boxes of half-width Latin glyphs include their side bearings.
            *left >= 27.95 && *right <= 184.1,
            "{left:.2}–{right:.2} mm: {text}"
        );
    }
    let word = word_text(&out.join("新郑市/材料2-创建工作报告.docx"));
    assert!(word.contains(&url));
}

/// Closing punctuation after a number kept with its unit never starts a line: `（2021-2023年）：`
/// set at every position of a line, no line of the PDF begins with `）` or `：`.
#[test]
fn closing_marks_after_a_kept_number_never_start_a_line() {
    let (dir, applicant) = example("新郑市");
    let paragraphs: Vec<String> = (0..28)
        .map(|k| format!("{}（2021-2023年）：全市专利数量稳步增长。", "全".repeat(k)))
        .collect();
    let (report, _) = append_to_report(
        &applicant,
        &format!("# 年度情况\n\n{}\n", paragraphs.join("\n\n")),
    );
    std::fs::write(applicant.join(REPORT), report).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let pdf = out.join("新郑市/材料2-创建工作报告.pdf");
    let text = pdf_text(&pdf);
    assert!(
        squeeze(&text).contains("（2021-2023年）：全市专利"),
        "{text}"
    );
    // A word that starts at the left edge of the text block starts a line.
    let bad: Vec<(f64, f64, String)> = word_boxes(&pdf)
        .into_iter()
        .filter(|(left, _, text)| *left < 28.6 && text.starts_with(['）', '：', '，', '。']))
        .collect();
    assert!(
        bad.is_empty(),
        "lines starting with a closing mark: {bad:?}"
    );
}

/// A full line stays on the grid when it holds punctuation marks and a kept number: each of them
/// starts a text run of its own, and the template gives back the tracking Typst leaves off a run's
/// last character. Without that the line's 26 characters after the indent would not fit, the last
/// one would move down and the line would spread.
#[test]
fn a_full_line_with_marks_and_a_kept_number_holds_its_characters() {
    let (dir, applicant) = example("新郑市");
    let first_line = "知识产权、专利、商标，（地理标志）“版权”与2023年全";
    let (report, _) = append_to_report(
        &applicant,
        &format!("# 整行\n\n{first_line}市专利稳步增长。\n"),
    );
    std::fs::write(applicant.join(REPORT), report).unwrap();
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let text = pdf_text(&out.join("新郑市/材料2-创建工作报告.pdf"));
    let line = text
        .lines()
        .map(squeeze)
        .find(|l| l.starts_with("知识产权、专利、商标"))
        .unwrap_or_default();
    assert_eq!(line, first_line, "{text}");
}
