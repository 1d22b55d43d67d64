//! Reading the produced PDFs for the page tests: text lines with float positions
//! (`pdftotext -bbox-layout`), one page's text, the displayed page sizes (media box turned by
//! `/Rotate`, via lopdf) and the images drawn (`pdftohtml -xml`).

use std::path::Path;
use std::process::Command;

use super::common::squeeze;

/// One text line as poppler's `pdftotext -bbox-layout` reads it: positions in points (floats) on
/// the displayed page; the height of a line of one size is its type size.
#[derive(Debug, Clone)]
pub struct Line {
    pub page: usize,
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub text: String,
}

impl Line {
    pub fn size(&self) -> f64 {
        self.bottom - self.top
    }
}

fn float(tag: &str, key: &str) -> f64 {
    let key = format!(" {key}=\"");
    let start = tag.find(&key).map_or(0, |i| i + key.len());
    tag[start..]
        .split('"')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// Every text line of `pdf`, page after page.
pub fn lines(pdf: &Path) -> Vec<Line> {
    let output = Command::new("pdftotext")
        .arg("-bbox-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let xml = String::from_utf8_lossy(&output.stdout);
    let mut found: Vec<Line> = Vec::new();
    let mut page = 0;
    for tag in xml.lines().map(str::trim) {
        if tag.starts_with("<page ") {
            page += 1;
        } else if tag.starts_with("<line ") {
            found.push(Line {
                page,
                left: float(tag, "xMin"),
                top: float(tag, "yMin"),
                right: float(tag, "xMax"),
                bottom: float(tag, "yMax"),
                text: String::new(),
            });
        } else if tag.starts_with("<word ") {
            let text = tag.split_once('>').map_or("", |(_, rest)| rest);
            let text = text.trim_end_matches("</word>");
            if let Some(line) = found.last_mut() {
                line.text.push_str(
                    &text
                        .replace("&amp;", "&")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">"),
                );
            }
        }
    }
    found
}

/// The text of page `number` of `pdf`, line by line (poppler's reading order, rotated text
/// included), each line without spaces.
pub fn page_lines(pdf: &Path, number: usize) -> Vec<String> {
    let n = number.to_string();
    let output = Command::new("pdftotext")
        .args(["-f", &n, "-l", &n])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(squeeze)
        .filter(|l| !l.is_empty())
        .collect()
}

pub fn page_text(pdf: &Path, number: usize) -> String {
    page_lines(pdf, number).concat()
}

/// (width, height) of every page as displayed: the media box turned by `/Rotate`.
pub fn displayed_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let document = lopdf::Document::load(pdf).unwrap();
    document
        .get_pages()
        .into_values()
        .map(|id| {
            let dict = document.get_dictionary(id).unwrap();
            let media: Vec<f64> = dict
                .get(b"MediaBox")
                .and_then(lopdf::Object::as_array)
                .unwrap()
                .iter()
                .map(|v| v.as_float().unwrap() as f64)
                .collect();
            let rotate = dict
                .get(b"Rotate")
                .and_then(lopdf::Object::as_i64)
                .unwrap_or(0);
            let (w, h) = ((media[2] - media[0]).abs(), (media[3] - media[1]).abs());
            if rotate.rem_euclid(180) == 90 {
                (h, w)
            } else {
                (w, h)
            }
        })
        .collect()
}

/// The images drawn on each page, as (page, left, top, width, height) in points.
pub fn images(pdf: &Path) -> Vec<(usize, f64, f64, f64, f64)> {
    let output = Command::new("pdftohtml")
        .args(["-xml", "-q", "-zoom", "1", "-stdout", "-nodrm"])
        .arg(pdf)
        .arg(std::env::temp_dir().join("shenbao-pages-images"))
        .output()
        .expect("pdftohtml runs");
    let xml = String::from_utf8_lossy(&output.stdout);
    let mut page = 0;
    let mut found = Vec::new();
    let value = |tag: &str, key: &str| -> f64 {
        let key = format!(" {key}=\"");
        let start = tag.find(&key).map(|i| i + key.len()).unwrap_or(0);
        tag[start..]
            .split('"')
            .next()
            .unwrap_or("0")
            .parse()
            .unwrap_or(0.0)
    };
    for line in xml.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page = value(line, "number") as usize;
        } else if line.starts_with("<image ") {
            found.push((
                page,
                value(line, "left"),
                value(line, "top"),
                value(line, "width"),
                value(line, "height"),
            ));
        }
    }
    found
}
