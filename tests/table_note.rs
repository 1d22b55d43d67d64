//! The 备注 under the assessment table never stands alone on the table's last page: the first
//! indicator's 完成情况 grows a line at a time, so the table's end passes every height of its
//! last page, and in every build the page of the 备注 also holds the table's last row.

mod common;
#[path = "pages/read.rs"]
#[allow(dead_code)]
mod read;

use std::path::PathBuf;

use common::*;
use read::page_text;

/// How many builds: enough lines that the table's end crosses a whole landscape page.
const STEPS: usize = 36;

/// The last row's 完成情况, found on the page of the 备注.
const LAST_ROW: &str = "末行完成情况";

fn page_count(pdf: &std::path::Path) -> usize {
    let output = std::process::Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

#[test]
fn the_note_keeps_the_last_row_on_its_page() {
    let scratch = tempfile::tempdir().unwrap();
    let builds: Vec<(usize, PathBuf)> = (0..STEPS)
        .map(|step| {
            let dir = scratch.path().join(step.to_string());
            let applicant = dir.join("洛阳市");
            copy_dir(&root().join("inputs/洛阳市"), &applicant);
            let lines = vec!["本年度全市专利授权数量稳步增长"; step + 1].join("\n");
            workbook_with(&applicant.join("测评表.xlsx"), &lines, LAST_ROW);
            (step, dir)
        })
        .collect();
    let outcomes: Vec<(usize, PathBuf)> = std::thread::scope(|scope| {
        let halves: Vec<_> = builds
            .chunks(STEPS / 2)
            .map(|half| {
                scope.spawn(move || {
                    half.iter()
                        .map(|(step, dir)| {
                            let out = dir.join("out");
                            let output = build_into(dir, &dir.join("洛阳市"), &out, &[]);
                            assert!(output.status.success(), "{step}: {}", said(&output));
                            let folder = out.join("洛阳市");
                            let name = files_under(&folder)
                                .into_iter()
                                .find(|f| f.starts_with("材料4") && f.ends_with(".pdf"))
                                .unwrap();
                            (*step, folder.join(name))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    for (step, pdf) in outcomes {
        let pages: Vec<String> = (1..=page_count(&pdf)).map(|n| page_text(&pdf, n)).collect();
        let note = pages
            .iter()
            .position(|p| p.contains("备注："))
            .unwrap_or_else(|| panic!("{step}: no 备注"));
        assert!(
            pages[note].contains(LAST_ROW),
            "{step}: the 备注 on page {} stands without the last row: {}",
            note + 1,
            pages[note]
        );
    }
}
