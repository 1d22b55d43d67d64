//! Shared test helpers: run the `shenbao` binary on copies of fixture folders, and read the PDFs
//! it produces (text with font, size and position, via poppler's `pdftohtml -xml`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `shenbao` with `args` in `cwd`.
pub fn shenbao(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("shenbao runs")
}

/// Runs `shenbao build APPLICANT -o OUT EXTRA…` in `cwd`.
pub fn build_into(cwd: &Path, applicant: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        applicant.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    shenbao(cwd, &args)
}

/// Runs `shenbao build APPLICANT -o OUT --templates TEMPLATES` in `cwd`.
pub fn build_with_templates(cwd: &Path, applicant: &Path, out: &Path, templates: &Path) -> Output {
    build_into(
        cwd,
        applicant,
        out,
        &["--templates", templates.to_str().unwrap()],
    )
}

/// stderr and stdout as text, for assertion messages.
pub fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Copies the folder `from` (recursively) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A scratch folder holding a copy of the example applicant `name` from `inputs/`.
pub fn example(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let applicant = dir.path().join(name);
    copy_dir(&root().join("inputs").join(name), &applicant);
    (dir, applicant)
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    collect(dir, dir, &mut found);
    found.sort();
    found
}

fn collect(base: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, found);
        } else {
            found.push(path.strip_prefix(base).unwrap().display().to_string());
        }
    }
}

/// A run of text on a page, as poppler reads it. Positions and sizes in points, from the
/// page's top-left corner.
#[derive(Debug, Clone)]
pub struct Run {
    pub top: f64,
    pub left: f64,
    pub width: f64,
    pub height: f64,
    pub font: String,
    pub size: f64,
    pub text: String,
}

/// One page of a PDF.
#[derive(Debug, Clone)]
pub struct Page {
    pub number: usize,
    pub width: f64,
    pub height: f64,
    pub runs: Vec<Run>,
}

impl Page {
    /// All text of the page, run after run.
    pub fn text(&self) -> String {
        self.runs
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first run containing `needle`.
    pub fn find(&self, needle: &str) -> Option<&Run> {
        self.runs.iter().find(|r| r.text.contains(needle))
    }
}

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Reads every page of the PDF at `path`.
pub fn read_pdf(path: &Path) -> Vec<Page> {
    let output = Command::new("pdftohtml")
        .args(["-xml", "-i", "-q", "-zoom", "1", "-stdout", "-nodrm"])
        .arg(path)
        .output()
        .expect("pdftohtml (poppler-utils) is installed; .ci/run installs it");
    assert!(
        output.status.success(),
        "pdftohtml failed on {}",
        path.display()
    );
    parse_xml(&String::from_utf8_lossy(&output.stdout))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

fn number(tag: &str, name: &str) -> f64 {
    attribute(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn unescape(text: &str) -> String {
    let without_tags: String = {
        let mut out = String::new();
        let mut inside = false;
        for c in text.chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                _ if !inside => out.push(c),
                _ => {}
            }
        }
        out
    };
    without_tags
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn parse_xml(xml: &str) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut fonts = std::collections::HashMap::new();
    for line in xml.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push(Page {
                number: number(line, "number") as usize,
                width: number(line, "width"),
                height: number(line, "height"),
                runs: Vec::new(),
            });
        } else if line.starts_with("<fontspec ") {
            let id = attribute(line, "id").unwrap_or_default();
            let family = attribute(line, "family").unwrap_or_default();
            fonts.insert(id, (family, number(line, "size")));
        } else if line.starts_with("<text ") {
            let body_start = line.find('>').map_or(line.len(), |i| i + 1);
            let body_end = line.rfind("</text>").unwrap_or(line.len());
            let (font, size) = fonts
                .get(&attribute(line, "font").unwrap_or_default())
                .cloned()
                .unwrap_or_default();
            if let Some(page) = pages.last_mut() {
                page.runs.push(Run {
                    top: number(line, "top"),
                    left: number(line, "left"),
                    width: number(line, "width"),
                    height: number(line, "height"),
                    font,
                    size,
                    text: unescape(&line[body_start..body_end.max(body_start)]),
                });
            }
        }
    }
    pages
}

/// The whole text of a PDF in reading order (poppler's `pdftotext`).
pub fn pdf_text(path: &Path) -> String {
    let output = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The text of a PDF without its page numbers (`— N —`), which interrupt text across pages.
pub fn body_text(path: &Path) -> String {
    pdf_text(path)
        .lines()
        .filter(|l| {
            let t = l.trim();
            !(t.starts_with('—')
                && t.ends_with('—')
                && t.trim_matches(['—', ' ']).parse::<u32>().is_ok())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text with all whitespace removed, for comparing wrapped text with its source.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// When `path` was last modified, if it exists.
pub fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Waits (up to 20 s) until `path` has a modification time other than `before`.
pub fn wait_for_change(path: &Path, before: Option<std::time::SystemTime>) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(20) {
        if modified(path).is_some() && modified(path) != before {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// The first row of a worksheet range, as text.
pub fn header_row(range: &calamine::Range<calamine::Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default()
}

/// The standard headers, as `templates/roster.yaml` lists them.
pub const ROSTER_HEADERS: [&str; 11] = [
    "名称",
    "级别",
    "申报类别",
    "所属城市",
    "发文机关",
    "文号",
    "成文日期",
    "联系人",
    "联系电话",
    "承办单位",
    "电子邮箱",
];

/// A 洛阳市 workbook with every indicator done: indicator 1's 完成情况 is `first`, the last
/// indicator's `last`, the others 已完成.
pub fn workbook_with(path: &Path, first: &str, last: &str) {
    let store = shenbao::templates::TemplateStore::new(None).unwrap();
    let catalogue = shenbao::load::catalogue::Catalogue::load(&store, "city").unwrap();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("附件3").unwrap();
    let headers = [
        "序号",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标说明",
        "完成情况",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write(0, col as u16, *header).unwrap();
    }
    let count = catalogue.indicators.len();
    for (i, indicator) in catalogue.indicators.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write(row, 0, indicator.no.to_string()).unwrap();
        sheet.write(row, 3, indicator.name.as_str()).unwrap();
        let value = match i {
            0 => first,
            _ if i + 1 == count => last,
            _ => "已完成",
        };
        sheet.write(row, 5, value).unwrap();
    }
    workbook.save(path).unwrap();
}

/// The text of a WordprocessingML part: tags removed, entities decoded.
pub fn xml_text(xml: &str) -> String {
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

/// `shenbao check --format json` on `applicant`: exit code and diagnostics.
pub fn check(applicant: &Path) -> (i32, Vec<serde_json::Value>) {
    let output = shenbao(
        applicant.parent().unwrap(),
        &["check", "--format", "json", applicant.to_str().unwrap()],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", said(&output)));
    let diagnostics = json[0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (output.status.code().unwrap(), diagnostics)
}

/// The East Asian font of every run of a `w:p` element, in order.
pub fn east_asian_fonts(paragraph: &str) -> Vec<&str> {
    paragraph
        .split("w:eastAsia=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}
