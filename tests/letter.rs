//! Material 1, the application letter, read back from the produced PDFs: page size, fonts by
//! role, the text block, the 22 × 28 grid, page numbers, the document number and the date.

mod common;

use std::path::Path;

use common::*;

/// A4 in points, as poppler rounds it.
const A4: (f64, f64) = (595.0, 842.0);
/// The text block: left 28 mm, top 37 mm, 156 × 225 mm.
const BLOCK: (f64, f64, f64, f64) = (28.0, 37.0, 28.0 + 156.0, 37.0 + 225.0);

fn build(applicant: &Path, out: &Path) {
    let output = shenbao(
        applicant.parent().unwrap(),
        &[
            "build",
            applicant.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "build failed: {}", said(&output));
}

fn letter_of(out: &Path, name: &str) -> Vec<Page> {
    read_pdf(&out.join(name).join("材料1-申报函.pdf"))
}

/// Body text: everything but the red letterhead and the page numbers.
fn body_runs(page: &Page) -> impl Iterator<Item = &Run> {
    page.runs
        .iter()
        .filter(|r| r.size >= 15.5 && r.size <= 16.5)
}

/// Typst sets a full-width closing mark at the end of a line in half its width; poppler still
/// reports the whole advance. The ink stays inside the block.
fn hanging(run: &Run) -> f64 {
    let closing = run.text.ends_with([
        '）', '》', '”', '’', '，', '。', '、', '；', '：', '！', '？', '〕',
    ]);
    if closing { run.size / 2.0 } else { 0.0 }
}

/// Likewise a full-width opening mark at the start of a line.
fn leading(run: &Run) -> f64 {
    let opening = run.text.starts_with(['（', '《', '“', '‘', '〔']);
    if opening { run.size / 2.0 } else { 0.0 }
}

#[test]
fn the_examples_letters_follow_the_standard() {
    for name in ["洛阳市", "许昌市", "西峡县"] {
        let (dir, applicant) = example(name);
        let out = dir.path().join("out");
        build(&applicant, &out);
        let pages = letter_of(&out, name);
        assert!(!pages.is_empty());
        for page in &pages {
            assert!(
                (page.width - A4.0).abs() <= 1.0 && (page.height - A4.1).abs() <= 1.0,
                "{name}: not A4"
            );
            for run in body_runs(page) {
                assert!(
                    run.font.contains("FandolFang"),
                    "{name}: body run {run:?} not in the body font"
                );
                let (left, right) = (
                    (run.left + leading(run)) / PT_PER_MM,
                    (run.left + run.width - hanging(run)) / PT_PER_MM,
                );
                let (top, bottom) = (run.top / PT_PER_MM, (run.top + run.height) / PT_PER_MM);
                assert!(
                    left >= BLOCK.0 - 1.0 && right <= BLOCK.2 + 1.0,
                    "{name}: {run:?} outside the block horizontally"
                );
                assert!(
                    top >= BLOCK.1 - 1.0 && bottom <= BLOCK.3 + 1.0,
                    "{name}: {run:?} outside the block vertically"
                );
            }
        }
        let first = &pages[0];
        let title: Vec<&Run> = first
            .runs
            .iter()
            .filter(|r| (r.size - 22.0).abs() < 0.5)
            .collect();
        assert!(!title.is_empty(), "{name}: no 22 pt title");
        assert!(
            title.iter().all(|r| r.font.contains("NotoSerifCJK")),
            "{name}: title not in the title font: {title:?}"
        );
        assert!(
            !first.text().contains("— 1 —"),
            "{name}: page 1 carries a page number"
        );
        let number = first
            .runs
            .iter()
            .find(|r| r.text.contains('〔'))
            .expect("document number");
        assert!(number.text.contains("〔2023〕"), "{name}: {number:?}");
        let right_edge = (number.left + number.width) / PT_PER_MM;
        assert!(
            (right_edge - BLOCK.2).abs() <= 1.0,
            "{name}: number not flush right: {right_edge} mm"
        );
        let all: String = pages.iter().map(Page::text).collect();
        assert!(
            all.contains("2023年8月"),
            "{name}: date not as 2023年8月…日"
        );
        assert!(
            !all.contains("2023年08月"),
            "{name}: leading zero in the date"
        );
        if let Some(second) = pages.get(1) {
            let label = second
                .find("— 2 —")
                .unwrap_or_else(|| panic!("{name}: no page number on page 2"));
            assert!(
                label.left < A4.0 / 2.0,
                "{name}: page 2's number is not on the left"
            );
            assert!(
                (label.size - 14.0).abs() < 0.5,
                "{name}: page number not 4号"
            );
        }
    }
}

#[test]
fn a_full_page_holds_22_lines_of_28_characters() {
    let (dir, applicant) = example("洛阳市");
    let yaml = applicant.join("applicant.yaml");
    let paragraph =
        "知识产权强国建设试点示范城市县申报推荐工作通知要求结合本地实际情况认真组织开展申报工作";
    let body: String = (0..12)
        .map(|_| format!("    - {paragraph}{paragraph}\n"))
        .collect();
    let text = std::fs::read_to_string(&yaml)
        .unwrap()
        .replace("  # body:", &format!("  body:\n{body}  # was body:"));
    std::fs::write(&yaml, text).unwrap();
    let out = dir.path().join("out");
    build(&applicant, &out);
    let pages = letter_of(&out, "洛阳市");
    assert!(
        pages.len() >= 3,
        "expected a full middle page, got {} pages",
        pages.len()
    );
    let full = &pages[1];
    let mut tops: Vec<i64> = body_runs(full).map(|r| r.top.round() as i64).collect();
    tops.sort_unstable();
    tops.dedup();
    assert_eq!(tops.len(), 22, "lines on a full page: {tops:?}");
    let widest = body_runs(full)
        .map(|r| r.text.chars().count())
        .max()
        .unwrap();
    assert_eq!(widest, 28, "characters on a full line");
    let label = full.find("— 2 —").expect("page number on page 2");
    assert!(label.left < A4.0 / 2.0);
    let odd = pages[2].find("— 3 —").expect("page number on page 3");
    assert!(odd.left > A4.0 / 2.0, "odd page numbers sit on the right");
}

/// GB/T 9704 7.3.5.1: with a seal, the date ends four characters from the right edge of the text
/// block and the signature is centred over the date.
#[test]
fn the_sealed_signature_sits_right_with_the_name_centred_over_the_date() {
    let (dir, applicant) = example("洛阳市");
    let out = dir.path().join("out");
    build(&applicant, &out);
    let pages = letter_of(&out, "洛阳市");
    let last = pages.last().unwrap();
    let date = last
        .find("2023年8月10日")
        .expect("the date on the last page");
    let name = last
        .find("洛阳市人民政府")
        .expect("the signature on the last page");
    let char_width = 156.0 / 28.0;
    let date_end = (date.left + date.width) / PT_PER_MM;
    assert!(
        (date_end - (BLOCK.2 - 4.0 * char_width)).abs() < 2.0,
        "the date ends at {date_end:.1} mm"
    );
    let centre = |run: &Run| (run.left + run.width / 2.0) / PT_PER_MM;
    assert!(
        (centre(name) - centre(date)).abs() < 2.0,
        "signature centre {:.1} mm, date centre {:.1} mm",
        centre(name),
        centre(date)
    );
    assert!(name.top < date.top, "the signature stands above the date");
    assert!(
        squeeze(&last.text()).contains("恳请予以审核推荐。"),
        "the signature's page carries body text (GB/T 9704 7.3.5): {}",
        last.text()
    );
}

#[test]
fn the_note_never_stands_alone_on_a_page() {
    // As many paragraphs of the office's own as it takes to push the 附注 past page 1.
    let (dir, applicant) = example("洛阳市");
    let yaml = applicant.join("applicant.yaml");
    let original = std::fs::read_to_string(&yaml).unwrap();
    // One line each, so that every line boundary of page 1 is tried.
    let paragraph = "我市将以示范城市建设为契机，推动高质量发展。";
    let mut spilled = false;
    for count in 1..=8 {
        let body: String = (0..count).map(|_| format!("    - {paragraph}\n")).collect();
        let text = original.replace(
            "  # body:",
            &format!("  note: 此件主动公开\n  body:\n{body}  # body:"),
        );
        std::fs::write(&yaml, text).unwrap();
        let out = dir.path().join(format!("out-{count}"));
        build(&applicant, &out);
        let pages = letter_of(&out, "洛阳市");
        let with_note = pages
            .iter()
            .find(|p| p.text().contains("此件主动公开"))
            .expect("the note is printed");
        assert!(
            with_note.text().contains("2023年8月10日"),
            "{count} paragraphs: page {} holds the note without the date: {}",
            with_note.number,
            with_note.text()
        );
        spilled |= pages.len() > 1;
    }
    assert!(
        spilled,
        "some body length takes the letter to a second page"
    );
}
