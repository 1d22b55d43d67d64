//! The pages a reviewing clerk reads, measured on the PDFs of the six shipped examples (poppler
//! positions in points from the displayed page's top-left corner): the signature never stands
//! without body text, continued table pages repeat their group labels, the table sheets are
//! portrait with the page number where the other pages have it, evidence pages share the text
//! block, the letter's first page is full, and no 3号 glyph passes the text block.

mod common;
#[path = "pages/read.rs"]
mod read;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use read::*;
use shenbao::load::catalogue::Catalogue;
use shenbao::templates::TemplateStore;

/// The shipped examples (the province folder builds a package, not a dossier).
const EXAMPLES: [&str; 6] = ["新郑市", "林州市", "洛阳市", "濮阳市", "西峡县", "许昌市"];

/// The text block of GB/T 9704, in millimetres from the portrait page's left and top edges.
const BLOCK_LEFT: f64 = 28.0;
const BLOCK_RIGHT: f64 = 184.0;
const BLOCK_TOP: f64 = 37.0;
const BLOCK_BOTTOM: f64 = 262.0;
/// A glyph box may pass the grid by the tracking of the last character (156 mm / 28 is
/// 0.2 pt less than 16 pt), no more.
const GLYPH_TOLERANCE_MM: f64 = 0.1;
/// One line of the grid, in points.
const LINE_PITCH: f64 = 225.0 / 22.0 * PT_PER_MM;

fn mm(points: f64) -> f64 {
    points / PT_PER_MM
}

fn is_3hao(line: &Line) -> bool {
    (line.size() - 16.0).abs() < 0.3
}

/// Every example built once into the test's scratch folder: applicant → its output folder.
fn built() -> &'static BTreeMap<&'static str, PathBuf> {
    static BUILT: OnceLock<BTreeMap<&'static str, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pages");
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        let mut args = vec!["build".to_string()];
        for name in EXAMPLES {
            let applicant = scratch.join(name);
            copy_dir(&root().join("inputs").join(name), &applicant);
            args.push(applicant.display().to_string());
        }
        let out = scratch.join("out");
        args.extend(["-o".to_string(), out.display().to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = shenbao(&scratch, &args);
        assert!(output.status.success(), "{}", said(&output));
        EXAMPLES.iter().map(|&n| (n, out.join(n))).collect()
    })
}

/// The PDF of material `number` (材料N…) of `applicant`.
fn material(applicant: &str, number: u8) -> PathBuf {
    let out = &built()[applicant];
    let prefix = format!("材料{number}");
    let name = files_under(out)
        .into_iter()
        .find(|f| f.starts_with(&prefix) && f.ends_with(".pdf"))
        .unwrap_or_else(|| panic!("{applicant}: no {prefix} PDF"));
    out.join(name)
}

fn is_page_number(run: &Run) -> bool {
    let t = run.text.trim();
    t.starts_with('—') && t.ends_with('—') && t.trim_matches(['—', ' ']).parse::<u32>().is_ok()
}

/// The page's own number (embedded evidence may carry numbers of its own).
fn page_number(page: &Page) -> Option<&Run> {
    let own = format!("—{}—", page.number);
    page.runs
        .iter()
        .find(|r| is_page_number(r) && squeeze(&r.text) == own)
}

fn is_date(text: &str) -> bool {
    let t = squeeze(text);
    t.ends_with('日')
        && t.contains('年')
        && t.contains('月')
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Body lines of `page`: 3号 lines starting at the block's left edge or two characters in, that
/// are not the 附件说明.
fn body_lines(all: &[Line], page: usize) -> Vec<&Line> {
    let indent = 2.0 * 156.0 / 28.0;
    all.iter()
        .filter(|l| l.page == page && is_3hao(l))
        .filter(|l| {
            let left = mm(l.left);
            (left - BLOCK_LEFT).abs() < 0.3 || (left - BLOCK_LEFT - indent).abs() < 0.3
        })
        .filter(|l| {
            let t = squeeze(&l.text);
            !t.starts_with("附件") && !t.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .collect()
}

/// The signature's date line (the last date right of the middle of the page).
fn signature_date(all: &[Line]) -> Option<&Line> {
    all.iter()
        .rev()
        .find(|l| is_date(&l.text) && mm(l.left) > 100.0 && is_3hao(l))
}

/// Body lines above the signature on its page.
fn lines_with_signature(all: &[Line]) -> Vec<&Line> {
    let date = signature_date(all).expect("a signature date");
    body_lines(all, date.page)
        .into_iter()
        .filter(|l| l.top < date.top - 2.0 * LINE_PITCH)
        .collect()
}

#[test]
fn every_signature_page_carries_body_text() {
    for name in EXAMPLES {
        for number in 1..=3 {
            let all = lines(&material(name, number));
            // The work plan (材料3) is not signed.
            let Some(date) = signature_date(&all) else {
                assert_eq!(number, 3, "{name} 材料{number}: no signature date");
                continue;
            };
            assert!(
                !lines_with_signature(&all).is_empty(),
                "{name} 材料{number} page {}: the signature stands without body text",
                date.page
            );
        }
    }
}

/// Whether a cell holding `value` starts on one of `lines`: a line that is the start of the
/// value (the cell's first line), not a mention inside a longer text.
fn cell_on(lines: &[String], value: &str) -> bool {
    let value = squeeze(value);
    lines
        .iter()
        .any(|l| l.chars().count() >= value.chars().count().min(2) && value.starts_with(l.as_str()))
}

fn catalogue_of(pages: &[Page]) -> Catalogue {
    let store = TemplateStore::new(None).unwrap();
    let first = squeeze(&pages[0].text());
    let table = if first.contains("附件4") || first.contains("强县") {
        "county"
    } else {
        "city"
    };
    Catalogue::load(&store, table).unwrap()
}

/// Pages of the assessment table: the pages before the evidence index.
fn table_page_count(pdf: &Path, pages: &[Page]) -> usize {
    (1..=pages.len())
        .take_while(|&n| !page_text(pdf, n).contains("佐证材料目录"))
        .count()
}

#[test]
fn continued_table_pages_show_their_group_labels() {
    let mut continued = 0;
    for name in EXAMPLES {
        let pdf = material(name, 4);
        let pages = read_pdf(&pdf);
        let catalogue = catalogue_of(&pages);
        let count = table_page_count(&pdf, &pages);
        for number in 1..=count {
            let lines = page_lines(&pdf, number);
            let rows: Vec<_> = catalogue
                .indicators
                .iter()
                .filter(|i| {
                    let name = squeeze(&i.name);
                    lines
                        .iter()
                        .any(|l| l.chars().count() >= 4 && name.starts_with(l.as_str()))
                })
                .collect();
            if number > 1 {
                continued += 1;
            }
            for row in &rows {
                let mut labels = vec![row.level1.as_str()];
                labels.extend(row.level2.as_deref());
                for label in labels {
                    assert!(
                        cell_on(&lines, label),
                        "{name} 材料4 page {number}: row {} without its group label {label}",
                        row.no
                    );
                }
            }
            if lines.iter().any(|l| l.starts_with("备注")) {
                assert!(
                    !rows.is_empty(),
                    "{name} 材料4 page {number}: the 备注 stands without table rows"
                );
            }
        }
    }
    assert!(continued > 0, "the examples have continued table pages");
}

/// Where `— N —` sits on the portrait pages of 材料2: (top, left edge, right edge) for odd and
/// even pages.
fn portrait_number_positions(applicant: &str) -> [(f64, f64, f64); 2] {
    let pages = read_pdf(&material(applicant, 2));
    let at = |odd: bool| {
        let run = pages
            .iter()
            .filter(|p| p.number % 2 == usize::from(odd))
            .find_map(page_number)
            .expect("材料2 has odd and even numbered pages");
        (run.top, run.left, run.left + run.width)
    };
    [at(true), at(false)]
}

fn assert_number_at(what: &str, page: &Page, positions: &[(f64, f64, f64); 2]) {
    let run = page_number(page).unwrap_or_else(|| panic!("{what}: no page number"));
    let (top, left, right) = positions[usize::from(page.number.is_multiple_of(2))];
    assert!(
        (run.top - top).abs() < 1.0,
        "{what}: number at top {} not {top}",
        run.top
    );
    if page.number % 2 == 1 {
        let end = run.left + run.width;
        assert!(
            (end - right).abs() < 1.0,
            "{what}: odd number ends at {end} not {right}"
        );
    } else {
        assert!(
            (run.left - left).abs() < 1.0,
            "{what}: even number starts at {} not {left}",
            run.left
        );
    }
}

#[test]
fn table_sheets_are_portrait_with_the_page_number_where_portrait_pages_have_it() {
    for name in EXAMPLES {
        let pdf = material(name, 4);
        for (i, (w, h)) in displayed_sizes(&pdf).into_iter().enumerate() {
            assert!(
                w < h,
                "{name} 材料4 page {}: displayed {w}×{h}, not portrait",
                i + 1
            );
        }
        let pages = read_pdf(&pdf);
        let positions = portrait_number_positions(name);
        for page in &pages[1..table_page_count(&pdf, &pages)] {
            assert_number_at(
                &format!("{name} 材料4 page {}", page.number),
                page,
                &positions,
            );
        }
    }
}

fn inside_block(left: f64, top: f64, width: f64, height: f64) -> bool {
    let tolerance = 0.5;
    mm(left) >= BLOCK_LEFT - tolerance
        && mm(left + width) <= BLOCK_RIGHT + tolerance
        && mm(top) >= BLOCK_TOP - tolerance
        && mm(top + height) <= BLOCK_BOTTOM + tolerance
}

#[test]
fn evidence_pages_share_the_text_block_and_page_number_position() {
    for name in EXAMPLES {
        let pdf = material(name, 4);
        let pages = read_pdf(&pdf);
        let positions = portrait_number_positions(name);
        let first = table_page_count(&pdf, &pages);
        let evidence = &pages[first..];
        assert!(!evidence.is_empty(), "{name}: an evidence index");
        let index = &evidence[0];
        let heading = index.find("佐证材料目录").unwrap();
        assert!(
            mm(heading.top) >= BLOCK_TOP - 0.5,
            "{name}: index title above the block"
        );
        for page in evidence {
            let what = format!("{name} 材料4 page {}", page.number);
            assert_number_at(&what, page, &positions);
            for run in &page.runs {
                if is_page_number(run) || run.text.contains("佐证材料 ") {
                    continue;
                }
                assert!(
                    inside_block(run.left, run.top, run.width, run.height),
                    "{what}: “{}” outside the text block at {:.1}–{:.1} mm × {:.1}–{:.1} mm",
                    run.text,
                    mm(run.left),
                    mm(run.left + run.width),
                    mm(run.top),
                    mm(run.top + run.height)
                );
            }
        }
        let mut image_pages = 0;
        for (page, left, top, width, height) in images(&pdf) {
            if page <= first {
                continue;
            }
            image_pages += 1;
            assert!(
                inside_block(left, top, width, height),
                "{name} 材料4 page {page}: image outside the text block"
            );
        }
        assert!(
            image_pages > 0 || name == "nowhere",
            "{name}: image evidence is drawn"
        );
    }
}

#[test]
fn images_carry_their_caption_and_wide_ones_print_sideways() {
    let mut sideways = 0;
    for name in EXAMPLES {
        let pdf = material(name, 4);
        let pages = read_pdf(&pdf);
        let sizes = displayed_sizes(&pdf);
        let document = lopdf::Document::load(&pdf).unwrap();
        let rotations: Vec<i64> = document
            .get_pages()
            .into_values()
            .map(|id| {
                let dict = document.get_dictionary(id).unwrap();
                dict.get(b"Rotate")
                    .and_then(lopdf::Object::as_i64)
                    .unwrap_or(0)
            })
            .collect();
        let first = table_page_count(&pdf, &pages);
        for (page, _, _, width, height) in images(&pdf) {
            if page <= first {
                continue;
            }
            let text = page_text(&pdf, page);
            assert!(
                text.contains("佐证材料"),
                "{name} page {page}: the image's stamp"
            );
            if rotations[page - 1] != 0 {
                sideways += 1;
                assert!(
                    height > width,
                    "{name} page {page}: a turned image stands tall on the sheet"
                );
            }
            assert!(sizes[page - 1].0 < sizes[page - 1].1);
        }
    }
    assert!(sideways > 0, "the examples' wide images print sideways");
}

#[test]
fn the_letters_first_page_is_full_and_two_lines_stay_with_the_signature() {
    for name in EXAMPLES {
        let all = lines(&material(name, 1));
        let with = lines_with_signature(&all);
        let page = signature_date(&all).unwrap().page;
        assert!(
            with.len() >= 2,
            "{name}: {} body lines with the signature",
            with.len()
        );
        if page == 1 {
            continue;
        }
        let last = body_lines(&all, page - 1)
            .iter()
            .map(|l| l.bottom)
            .fold(0.0, f64::max);
        let blank = (BLOCK_BOTTOM * PT_PER_MM - last) / LINE_PITCH;
        assert!(
            blank < 1.0 || with.len() == 2,
            "{name}: page {} leaves {blank:.1} lines blank while {} lines moved to the signature",
            page - 1,
            with.len()
        );
    }
}

#[test]
fn attachment_items_align_under_the_first_with_a_full_width_colon() {
    for name in EXAMPLES {
        let pages = read_pdf(&material(name, 1));
        let runs: Vec<&Run> = pages.iter().flat_map(|p| &p.runs).collect();
        let Some(first) = runs
            .iter()
            .position(|r| squeeze(&r.text).starts_with("附件："))
        else {
            continue;
        };
        let head = runs[first];
        let char_width = 156.0 / 28.0 * PT_PER_MM;
        let later: Vec<&&Run> = runs[first + 1..]
            .iter()
            .take_while(|r| squeeze(&r.text).starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        for item in later {
            let offset = (item.left - head.left) / char_width;
            assert!(
                (offset - 3.0).abs() < 0.1,
                "{name}: item “{}” starts {offset:.2} characters after 附件 (want 3: full-width colon)",
                item.text
            );
        }
    }
}

#[test]
fn no_3hao_glyph_passes_the_text_block() {
    let mut outside = Vec::new();
    for name in EXAMPLES {
        for number in 1..=4 {
            for line in lines(&material(name, number)).iter().filter(|l| is_3hao(l)) {
                let (left, right) = (mm(line.left), mm(line.right));
                if left < BLOCK_LEFT - GLYPH_TOLERANCE_MM
                    || right > BLOCK_RIGHT + GLYPH_TOLERANCE_MM
                {
                    outside.push(format!(
                        "{name} 材料{number} p{}: {left:.2}–{right:.2} mm “{}”",
                        line.page, line.text
                    ));
                }
            }
        }
    }
    assert!(
        outside.is_empty(),
        "{} lines pass the block:\n{}",
        outside.len(),
        outside.join("\n")
    );
}

#[test]
fn numbers_stay_with_their_units_and_document_numbers_stay_whole() {
    let starts_unit = |c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '〕' | '号' | '%' | '％' | '万' | '亿' | '年' | '月' | '日'
            )
            || ('\u{4e00}'..='\u{9fff}').contains(&c)
    };
    let mut broken = Vec::new();
    for name in EXAMPLES {
        for number in 1..=3 {
            let all: Vec<Line> = lines(&material(name, number))
                .into_iter()
                .filter(is_3hao)
                .collect();
            for pair in all.windows(2) {
                // Only a line that runs to the block's right edge continues on the next one.
                if mm(pair[0].right) < BLOCK_RIGHT - 1.0 {
                    continue;
                }
                let (first, next) = (squeeze(&pair[0].text), squeeze(&pair[1].text));
                let (Some(end), Some(start)) = (first.chars().last(), next.chars().next()) else {
                    continue;
                };
                if (end.is_ascii_digit() || end == '.' || end == '〔') && starts_unit(start) {
                    broken.push(format!("{name} 材料{number}: “{first}” | “{next}”"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn titles_in_the_letter_are_not_separated_by_enumeration_commas() {
    for name in EXAMPLES {
        let text = squeeze(&body_text(&material(name, 1)));
        assert!(
            text.contains("》《"),
            "{name}: the titles follow each other"
        );
        assert!(
            !text.contains("》、《"),
            "{name}: 顿号 between 书名号 titles"
        );
    }
}

/// The 2号 lines of the first page of `pdf` that come first in reading order (the title; the
/// letter's red letterhead is larger), with their widths in points.
fn title_lines(pdf: &Path) -> Vec<(String, f64)> {
    lines(pdf)
        .into_iter()
        .filter(|l| l.page == 1)
        .skip_while(|l| (l.size() - 22.0).abs() > 0.5)
        .take_while(|l| (l.size() - 22.0).abs() <= 0.5)
        .map(|l| (l.text.clone(), l.right - l.left))
        .collect()
}

#[test]
fn titles_of_several_lines_widen_downwards_or_form_a_diamond() {
    let mut several = 0;
    for name in EXAMPLES {
        for number in 1..=3 {
            let lines = title_lines(&material(name, number));
            assert!(!lines.is_empty(), "{name} 材料{number}: no 2号 title");
            if lines.len() < 2 {
                continue;
            }
            several += 1;
            let widths: Vec<f64> = lines.iter().map(|l| l.1).collect();
            let widening = widths.windows(2).all(|w| w[0] <= w[1] + 1.0);
            let peak = (0..widths.len())
                .max_by(|&a, &b| widths[a].total_cmp(&widths[b]))
                .unwrap();
            let diamond = peak > 0
                && peak + 1 < widths.len()
                && widths[..=peak].windows(2).all(|w| w[0] <= w[1] + 1.0)
                && widths[peak..].windows(2).all(|w| w[0] + 1.0 >= w[1]);
            assert!(
                widening || diamond,
                "{name} 材料{number}: the title is long over short: {lines:?}"
            );
        }
    }
    assert!(several >= 6, "the examples have titles of several lines");
}
