//! Materials 2–4 read back from the PDFs: heading numbers and fonts, the assessment table (every
//! indicator in order, the header on every page, every 完成情况), the evidence index against the
//! stamped pages; and the bad inputs of the materials issue.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use shenbao::load::catalogue::Catalogue;
use shenbao::templates::TemplateStore;

fn build_example(name: &str, edit: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf) {
    let (dir, applicant) = example(name);
    edit(&applicant);
    let out = dir.path().join("out");
    let output = build_into(dir.path(), &applicant, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let target = out.join(name);
    (dir, target)
}

fn material(out: &Path, prefix: &str) -> PathBuf {
    let name = files_under(out)
        .into_iter()
        .find(|f| f.starts_with(prefix) && f.ends_with(".pdf"))
        .unwrap();
    out.join(name)
}

#[test]
fn headings_are_numbered_and_set_in_their_fonts() {
    let (_dir, out) = build_example("洛阳市", |_| {});
    for prefix in ["材料2", "材料3"] {
        let pages = read_pdf(&material(&out, prefix));
        let runs: Vec<&Run> = pages.iter().flat_map(|p| &p.runs).collect();
        let first = runs
            .iter()
            .find(|r| r.text.starts_with("一、"))
            .expect("a level-1 heading");
        assert!(
            first.font.contains("FandolHei"),
            "{prefix}: level 1 in 黑体: {first:?}"
        );
        let second = runs
            .iter()
            .find(|r| r.text.starts_with("（一）"))
            .expect("a level-2 heading");
        assert!(
            second.font.contains("FandolKai"),
            "{prefix}: level 2 in 楷体: {second:?}"
        );
        let label = runs
            .iter()
            .find(|r| r.text.starts_with("附件"))
            .expect("the attachment label");
        assert!(label.font.contains("FandolHei"));
        assert!(
            runs.iter().any(|r| r.text.starts_with("二、")),
            "{prefix}: headings count on"
        );
    }
    let plan = squeeze(&pdf_text(&material(&out, "材料3")));
    let sections = [
        "一、总体要求",
        "二、重点任务和重大工程",
        "三、实施步骤",
        "四、保障条件",
    ];
    let positions: Vec<usize> = sections
        .iter()
        .map(|s| plan.find(s).unwrap_or_else(|| panic!("{s} missing")))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections in order"
    );
    for year in ["2024年", "2025年", "2026年"] {
        assert!(plan.contains(year), "timetable year {year}");
    }
}

/// A copy of `pdf` with its turned (sideways) table sheets laid back landscape, so the table's
/// text reads in rows; the sheets themselves are checked in `tests/pages.rs`.
fn unturned(pdf: &Path) -> PathBuf {
    let mut document = lopdf::Document::load(pdf).unwrap();
    for id in document.get_pages().into_values() {
        document.get_dictionary_mut(id).unwrap().remove(b"Rotate");
    }
    let copy = pdf.with_extension("unturned.pdf");
    document.save(&copy).unwrap();
    copy
}

/// Pages of the assessment table (before the evidence index).
fn table_pages(pages: &[Page]) -> Vec<&Page> {
    pages
        .iter()
        .take_while(|p| !p.text().contains("佐证材料目录"))
        .collect()
}

/// The text of the last column (完成情况), page after page, top to bottom, without the repeated
/// header (set in 黑体).
fn last_column(pages: &[&Page], first_value: &str) -> String {
    let start = pages
        .iter()
        .flat_map(|p| &p.runs)
        .find(|r| {
            squeeze(&r.text).starts_with(&squeeze(first_value).chars().take(6).collect::<String>())
        })
        .map(|r| r.left)
        .expect("the first 完成情况 is on the page");
    let mut text = String::new();
    for page in pages {
        let mut runs: Vec<&Run> = page
            .runs
            .iter()
            .filter(|r| r.left >= start - 8.0 && r.size < 13.0 && !r.font.contains("FandolHei"))
            .collect();
        runs.sort_by(|a, b| {
            (a.top / 4.0)
                .round()
                .total_cmp(&(b.top / 4.0).round())
                .then(a.left.total_cmp(&b.left))
        });
        for run in runs {
            text.push_str(&run.text);
        }
    }
    squeeze(&text)
}

fn workbook_values(applicant: &Path, catalogue: &Catalogue) -> Vec<(u32, String)> {
    let mut diagnostics = shenbao::diagnostics::Diagnostics::new();
    let entries =
        shenbao::load::workbook::read(&applicant.join("测评表.xlsx"), catalogue, &mut diagnostics);
    entries.into_iter().map(|(n, e)| (n, e.value)).collect()
}

#[test]
fn the_assessment_tables_hold_every_indicator_and_value() {
    let store = TemplateStore::new(None).unwrap();
    for (name, table) in [("洛阳市", "city"), ("许昌市", "city"), ("西峡县", "county")] {
        let catalogue = Catalogue::load(&store, table).unwrap();
        let (_dir, out) = build_example(name, |_| {});
        let pdf = material(&out, "材料4");
        let pages = read_pdf(&unturned(&pdf));
        let table = table_pages(&pages);
        assert!(table.len() >= 2, "{name}: the table runs over pages");
        for page in &table {
            assert!(page.width > page.height, "{name}: the table is landscape");
            let header = page
                .find("完成情况")
                .unwrap_or_else(|| panic!("{name}: no header on page {}", page.number));
            assert!(header.font.contains("FandolHei"), "{name}: header in 黑体");
            assert!(
                page.find("指标说明").is_some(),
                "{name}: header on page {}",
                page.number
            );
        }
        let all = squeeze(&table.iter().map(|p| p.text()).collect::<String>());
        let mut from = 0;
        for indicator in &catalogue.indicators {
            let at = all[from..]
                .find(&squeeze(&indicator.name))
                .unwrap_or_else(|| {
                    panic!(
                        "{name}: indicator {} {} missing or out of order",
                        indicator.no, indicator.name
                    )
                });
            from += at;
        }
        let values = workbook_values(&root().join("inputs").join(name), &catalogue);
        let first = values
            .iter()
            .find(|(_, v)| !v.is_empty())
            .unwrap()
            .1
            .clone();
        let column = last_column(&table, &first);
        for (number, value) in values.iter().filter(|(_, v)| !v.is_empty()) {
            assert!(
                column.contains(&squeeze(value)),
                "{name}: 完成情况 of {number} missing: {value}"
            );
        }
        assert!(all.contains(&squeeze(&catalogue.note)), "{name}: the 备注");
    }
}

/// Pages where each evidence stamp appears, by label.
fn stamps(pages: &[Page]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for page in pages {
        for run in &page.runs {
            if let Some(label) = run.text.trim().strip_prefix("佐证材料 ") {
                found.push((label.trim().to_string(), page.number));
            }
        }
    }
    found
}

/// The index rows: label and the page number printed beside it.
fn index_rows(pages: &[Page]) -> Vec<(String, usize)> {
    let index = pages
        .iter()
        .find(|p| p.text().contains("佐证材料目录"))
        .expect("an evidence index");
    let labels = index.runs.iter().filter(|r| {
        let t = r.text.trim();
        t.split_once('-')
            .is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok())
    });
    labels
        .map(|label| {
            let number = index
                .runs
                .iter()
                .filter(|r| r.left > index.width * 0.8 && (r.top - label.top).abs() < 4.0)
                .find_map(|r| r.text.trim().parse::<usize>().ok())
                .unwrap_or_else(|| panic!("no page number beside {}", label.text));
            (label.text.trim().to_string(), number)
        })
        .collect()
}

#[test]
fn the_evidence_index_points_at_the_stamped_pages() {
    for name in ["洛阳市", "许昌市", "西峡县"] {
        let (_dir, out) = build_example(name, |_| {});
        let pages = read_pdf(&material(&out, "材料4"));
        let rows = index_rows(&pages);
        let stamped = stamps(&pages);
        assert!(!rows.is_empty(), "{name}: index rows");
        for (label, page) in &rows {
            let first = stamped
                .iter()
                .find(|(l, _)| l == label)
                .unwrap_or_else(|| panic!("{name}: {label} never stamped"));
            assert_eq!(
                first.1, *page,
                "{name}: index says {label} on page {page}, stamped on {}",
                first.1
            );
        }
        let yaml = std::fs::read_to_string(root().join("inputs").join(name).join("applicant.yaml"))
            .unwrap();
        let listed = yaml
            .lines()
            .filter(|l| l.trim_start().starts_with("file: evidence/"))
            .count();
        assert_eq!(rows.len(), listed, "{name}: every evidence file is indexed");
    }
}

fn append_evidence(applicant: &Path, indicator: u32, title: &str, file: &str) {
    let yaml = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let entry = format!("  - indicator: {indicator}\n    title: {title}\n    file: {file}\n");
    std::fs::write(&yaml, format!("{}\n{entry}", text.trim_end())).unwrap();
}

/// A PDF of `pages` pages, each with its number drawn as a line of boxes.
fn long_pdf(pages: usize) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for n in 0..pages {
        let content = format!("0 0 1 rg 50 {} 100 20 re f", 50 + (n % 30) * 20);
        let stream = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => stream,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => pages as i64 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_200_page_evidence_pdf_and_a_cmyk_jpeg() {
    let (_dir, out) = build_example("西峡县", |a| {
        std::fs::write(a.join("evidence/99-long.pdf"), long_pdf(200)).unwrap();
        std::fs::copy(
            root().join("tests/fixtures/evidence/cmyk.jpg"),
            a.join("evidence/cmyk.jpg"),
        )
        .unwrap();
        append_evidence(a, 20, "高新技术企业名单（200页）", "evidence/99-long.pdf");
        append_evidence(
            a,
            21,
            "规模以上工业企业统计（CMYK 扫描件）",
            "evidence/cmyk.jpg",
        );
    });
    let pages = read_pdf(&material(&out, "材料4"));
    let stamped = stamps(&pages);
    assert_eq!(
        stamped.iter().filter(|(l, _)| l == "20-1").count(),
        200,
        "every page of the long PDF is stamped"
    );
    assert_eq!(stamped.iter().filter(|(l, _)| l == "21-1").count(), 1);
    let rows = index_rows(&pages);
    let long = rows.iter().find(|(l, _)| l == "20-1").unwrap();
    let cmyk = rows.iter().find(|(l, _)| l == "21-1").unwrap();
    assert_eq!(cmyk.1, long.1 + 200, "the index counts the 200 pages");
}

#[test]
fn a_long_paragraph_and_a_three_page_value_lose_nothing() {
    let paragraph: String = "知识产权强国建设持续推进，".repeat(400);
    assert!(paragraph.chars().count() >= 5000);
    let value: String = (1..=120)
        .map(|i| format!("第{i}项：完成知识产权保护工作并形成长效机制。\n"))
        .collect();
    let (_dir, out) = build_example("洛阳市", |a| {
        let report = a.join("创建工作报告.md");
        let text = std::fs::read_to_string(&report).unwrap();
        std::fs::write(
            &report,
            text.replacen(
                "# 近三年工作总结\n",
                &format!("# 近三年工作总结\n\n{paragraph}\n"),
                1,
            ),
        )
        .unwrap();
        let yaml = a.join("applicant.yaml");
        let text = std::fs::read_to_string(&yaml).unwrap();
        let store = TemplateStore::new(None).unwrap();
        let catalogue = Catalogue::load(&store, "city").unwrap();
        let inline: String = catalogue
            .indicators
            .iter()
            .map(|i| {
                if i.no == 5 {
                    format!(
                        "  5: |\n{}",
                        value
                            .lines()
                            .map(|l| format!("    {l}\n"))
                            .collect::<String>()
                    )
                } else {
                    format!("  {}: 已完成\n", i.no)
                }
            })
            .collect();
        let line = text
            .lines()
            .find(|l| l.starts_with("assessment:"))
            .unwrap()
            .to_string();
        std::fs::write(
            &yaml,
            text.replace(&line, &format!("assessment:\n{inline}")),
        )
        .unwrap();
    });
    let report = squeeze(&body_text(&material(&out, "材料2")));
    assert!(
        report.contains(&squeeze(&paragraph)),
        "the 5,000-character paragraph is whole"
    );
    let pages = read_pdf(&unturned(&material(&out, "材料4")));
    let table = table_pages(&pages);
    let column = last_column(&table, "第1项：完成知识产权保护工作");
    assert!(
        column.contains(&squeeze(&value)),
        "the three-page 完成情况 is whole"
    );
    let spread = table
        .iter()
        .filter(|p| p.text().contains("项：完成知识产权保护工作"))
        .count();
    assert!(
        spread >= 3,
        "the long value flows over {spread} pages, expected three or more"
    );
}

#[test]
fn markdown_the_model_cannot_carry_is_refused_with_its_line() {
    let (dir, applicant) = example("洛阳市");
    let report = applicant.join("创建工作报告.md");
    let text = std::fs::read_to_string(&report).unwrap();
    let lines = text.lines().count();
    let extra = "\n\n<div>原始 HTML</div>\n\n![照片](photo.png)\n\n```\ncode\n```\n\n| a | b | c | d | e | f | g | h | i | j |\n|---|---|---|---|---|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 |\n";
    std::fs::write(&report, format!("{}{extra}", text.trim_end())).unwrap();
    let output = shenbao(dir.path(), &["check", applicant.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let said = said(&output);
    for (what, offset) in [("HTML 块", 2), ("图片", 4), ("代码块", 6)] {
        let expected = format!("创建工作报告.md:{}：公文正文不支持{what}", lines + offset);
        assert!(said.contains(&expected), "{expected}\n{said}");
    }
    assert!(said.contains("表格有 10 列，超出版心宽度"), "{said}");
}

#[test]
fn a_small_evidence_image_is_warned_about_by_the_pixels_its_inspection_found() {
    let (_dir, applicant) = example("洛阳市");
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 300, 200);
    encoder.set_color(png::ColorType::Grayscale);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[255; 300 * 200]).unwrap();
    writer.finish().unwrap();
    std::fs::write(applicant.join("evidence/19-1.png"), &bytes).unwrap();
    let (code, diagnostics) = check(&applicant);
    assert_eq!(code, 0, "{diagnostics:?}");
    let warned: Vec<_> = diagnostics
        .iter()
        .filter_map(|d| d["message"].as_str())
        .filter(|m| m.contains("分辨率偏低"))
        .collect();
    assert_eq!(warned.len(), 1, "{diagnostics:?}");
    assert!(warned[0].contains("300×200 像素"), "{}", warned[0]);
}
