//! `shenbao watch`: a change re-renders the document; a half-written data file is reported and
//! the watch goes on, recovering when the file is fixed.

mod common;

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// A running `shenbao watch`, killed when dropped, so a failing assertion never leaves it polling.
struct Watching(std::process::Child);

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Watching {
    /// Stops the watch with Ctrl-C (SIGINT) and returns what it printed to stderr.
    fn interrupt(mut self) -> String {
        Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status()
            .unwrap();
        let mut said = String::new();
        if let Some(mut stderr) = self.0.stderr.take() {
            stderr.read_to_string(&mut said).unwrap();
        }
        self.0.wait().unwrap();
        said
    }
}

#[test]
fn watch_rerenders_on_change_and_survives_a_half_written_file() {
    let (dir, applicant) = example("洛阳市");
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args([
            "watch",
            applicant.to_str().unwrap(),
            "--material",
            "1",
            "-o",
            out.to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let watching = Watching(child);
    let pdf = out.join("洛阳市/材料1-申报函.pdf");
    assert!(wait_for_change(&pdf, None), "the first render");
    let yaml = applicant.join("applicant.yaml");
    let original = std::fs::read_to_string(&yaml).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let before = modified(&pdf);
    std::fs::write(
        &yaml,
        original.replace("洛政函〔2023〕45号", "洛政函〔2023〕46号"),
    )
    .unwrap();
    assert!(
        wait_for_change(&pdf, before),
        "re-rendered after the change"
    );
    assert!(pdf_text(&pdf).contains("46"));
    let before = modified(&pdf);
    std::fs::write(&yaml, "name: 洛阳市\nlevel: [市\n").unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(modified(&pdf), before, "a broken file renders nothing");
    std::fs::write(&yaml, &original).unwrap();
    assert!(wait_for_change(&pdf, before), "recovered after the fix");
    let said = watching.interrupt();
    assert!(said.contains("YAML 语法错误"), "{said}");
    assert!(said.matches("已更新").count() >= 3, "{said}");
}

/// A roster with the standard headers and one row: 洛阳市 with the document number `number`.
fn roster_with_number(path: &std::path::Path, number: &str) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ROSTER_HEADERS.iter().enumerate() {
        sheet.write(0, col as u16, *header).unwrap();
    }
    sheet.write(1, 0, "洛阳市").unwrap();
    sheet.write(1, 5, number).unwrap();
    book.save(path).unwrap();
}

#[test]
fn watch_rerenders_when_the_roster_changes() {
    let (dir, applicant) = example("洛阳市");
    let yaml = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("number:"))
        .collect();
    std::fs::write(&yaml, kept.join("\n")).unwrap();
    let roster = dir.path().join("名册.xlsx");
    roster_with_number(&roster, "洛政函〔2023〕45号");
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args([
            "watch",
            "洛阳市",
            "--material",
            "1",
            "-o",
            "out",
            "--roster",
            "名册.xlsx",
        ])
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let watching = Watching(child);
    let pdf = out.join("洛阳市/材料1-申报函.pdf");
    assert!(
        wait_for_change(&pdf, None),
        "the first render, with the number from the roster"
    );
    let before = modified(&pdf);
    std::thread::sleep(Duration::from_millis(50));
    roster_with_number(&roster, "洛政函〔2023〕47号");
    assert!(
        wait_for_change(&pdf, before),
        "re-rendered after the roster changed"
    );
    watching.interrupt();
    assert!(squeeze(&pdf_text(&pdf)).contains("洛政函〔2023〕47号"));
}

/// `--format json`: each rebuild is one line of JSON on standard output, a broken file's line
/// carries the located error, and the watch goes on.
#[test]
fn watch_writes_a_line_of_json_for_each_rebuild() {
    let (dir, applicant) = example("洛阳市");
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["watch", applicant.to_str().unwrap(), "--material", "1"])
        .args(["--format", "json", "-o", out.to_str().unwrap()])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let watching = Watching(child);
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    // A save can be seen half-done (an empty file) before it is seen whole: wait for the line
    // that answers it, over a few rebuilds at most.
    let mut until = |wanted: &dyn Fn(&serde_json::Value) -> bool| -> serde_json::Value {
        for _ in 0..5 {
            let line: serde_json::Value =
                serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
            if wanted(&line) {
                return line;
            }
        }
        panic!("no such line in five rebuilds");
    };
    let first = until(&|l| l["ok"] == true);
    assert!(
        first["outputs"].as_array().is_some_and(|o| !o.is_empty()),
        "{first}"
    );
    let yaml = applicant.join("applicant.yaml");
    let original = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, "name: 洛阳市\nlevel: [市\n").unwrap();
    let broken = until(&|l| l["diagnostics"].to_string().contains("YAML 语法错误"));
    assert_eq!(broken["ok"], false, "{broken}");
    assert!(broken["diagnostics"][0]["location"].is_object(), "{broken}");
    std::fs::write(&yaml, &original).unwrap();
    until(&|l| l["ok"] == true);
    drop(watching);
}
