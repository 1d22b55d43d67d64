//! The page specification of `templates/page.yaml`: paper, margins (portrait and landscape), the
//! 22 × 28 grid, type sizes, the page-number gap and the table geometry. It is read once per run
//! and handed to both renderers: to Typst inside each document's data (`doc.page`), and to the
//! Word writer. A value that cannot make a page is reported at its line in the file.

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::yaml::{self, Node, Value};
use crate::templates::TemplateStore;

/// The name of the page specification in the template store.
pub const PAGE_FILE: &str = "page.yaml";

/// Millimetres in a point.
pub const MM_PER_POINT: f64 = 25.4 / 72.0;

/// The page of every document, as `templates/page.yaml` gives it (lengths in mm, sizes in pt).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PageSpec {
    /// The sheet, portrait.
    pub paper: Paper,
    /// Margins of portrait pages.
    pub margins: Margins,
    /// Margins of landscape pages (the assessment table).
    pub landscape_margins: Margins,
    /// Lines per page and characters per line of the portrait text block.
    pub grid: Grid,
    /// Body text (3号).
    pub body_size: f64,
    /// Titles (2号).
    pub title_size: f64,
    /// Page numbers (4号).
    pub page_number_size: f64,
    /// The red issuing-body name of a letter.
    pub letterhead_size: f64,
    /// From the lower edge of the text block to the top of the page number, in mm.
    pub page_number_gap: f64,
    /// The first-line indent of body paragraphs, in characters.
    pub first_line_indent: f64,
    /// Borders and cell insets of tables.
    pub table: TableSpec,
}

/// A sheet of paper, in mm.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Paper {
    /// Width (portrait).
    pub width: f64,
    /// Height (portrait).
    pub height: f64,
}

/// Page margins, in mm.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Margins {
    /// 天头.
    pub top: f64,
    /// 地脚.
    pub bottom: f64,
    /// 订口 (left).
    pub left: f64,
    /// 翻口 (right).
    pub right: f64,
}

/// The document grid of the portrait text block.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// Lines per page.
    pub lines: u32,
    /// Characters per line.
    pub chars: u32,
}

/// Table borders and insets; insets and leading in units of the table's type size.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TableSpec {
    /// Border width, in pt.
    pub stroke: f64,
    /// Left and right cell inset.
    pub inset_x: f64,
    /// Top and bottom cell inset.
    pub inset_y: f64,
    /// Space between the lines of a cell.
    pub leading: f64,
    /// Word files: the share of a page's table height up to which a group of rows under one
    /// merged label is kept on one page; taller groups are cut into such segments, each
    /// beginning with its labels.
    pub word_group_height: f64,
}

/// Portrait or landscape: which margins a page takes, and which way the sheet is turned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Upright A4 (materials 1–3).
    Portrait,
    /// A4 turned (the assessment table).
    Landscape,
}

/// One page's geometry in mm: the sheet as it is laid out and its margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageBox {
    /// Sheet width as laid out (297 mm on a landscape page).
    pub width: f64,
    /// Sheet height as laid out.
    pub height: f64,
    /// The margins.
    pub margins: Margins,
}

impl PageBox {
    /// The width of the text block.
    pub fn text_width(&self) -> f64 {
        self.width - self.margins.left - self.margins.right
    }

    /// The height of the text block.
    pub fn text_height(&self) -> f64 {
        self.height - self.margins.top - self.margins.bottom
    }
}

impl PageSpec {
    /// Reads `page.yaml` from the template store; every value that cannot make a page is
    /// reported, each at its line.
    pub fn load(store: &TemplateStore) -> Result<Self, Diagnostics> {
        let file = store.require(PAGE_FILE)?;
        let spec: Self = yaml::read_template(&file, "页面规格文件")?;
        let text = file.text()?;
        let root = yaml::parse(&file.origin, text)?;
        let problems = spec.problems();
        if problems.is_empty() {
            return Ok(spec);
        }
        let mut diagnostics = Diagnostics::new();
        for (path, message) in problems {
            let location = locate(&root, &path).map_or_else(
                || Location::file(&file.origin),
                |n| n.location(&file.origin),
            );
            diagnostics.push(
                Diagnostic::error(format!("页面规格 {} {message}", path.join(".")))
                    .at(location)
                    .hint(
                        "请对照 GB/T 9704 改回合理的数值（长度以 mm 计、字号以 pt 计），\
                         或删除覆盖的 page.yaml 以使用内置规格",
                    )
                    .quoting(text),
            );
        }
        Err(diagnostics)
    }

    /// The page of `orientation`: a landscape page turns the sheet and takes its own margins.
    pub fn page(&self, orientation: Orientation) -> PageBox {
        match orientation {
            Orientation::Portrait => PageBox {
                width: self.paper.width,
                height: self.paper.height,
                margins: self.margins,
            },
            Orientation::Landscape => PageBox {
                width: self.paper.height,
                height: self.paper.width,
                margins: self.landscape_margins,
            },
        }
    }

    /// One character of the grid in mm: the portrait text block's width over its characters.
    pub fn char_width(&self) -> f64 {
        self.page(Orientation::Portrait).text_width() / f64::from(self.grid.chars)
    }

    /// One line of the grid in mm: the portrait text block's height over its lines.
    pub fn line_pitch(&self) -> f64 {
        self.page(Orientation::Portrait).text_height() / f64::from(self.grid.lines)
    }

    /// How many title characters fit on one line of the text block (20 portrait, 28 landscape
    /// for 2号 on A4).
    pub fn title_chars(&self, orientation: Orientation) -> f64 {
        (self.page(orientation).text_width() / (self.title_size * MM_PER_POINT)).floor()
    }

    /// What is wrong, as (path in the file, message); empty when the spec makes a page.
    fn problems(&self) -> Vec<(Vec<&'static str>, String)> {
        let mut problems = Vec::new();
        let mut positive = |path: Vec<&'static str>, value: f64| {
            if !(value.is_finite() && value > 0.0) {
                problems.push((path, format!("应为大于 0 的数，现为 {value}")));
            }
        };
        positive(vec!["paper", "width"], self.paper.width);
        positive(vec!["paper", "height"], self.paper.height);
        for (key, margins) in [
            ("margins", &self.margins),
            ("landscape-margins", &self.landscape_margins),
        ] {
            positive(vec![key, "top"], margins.top);
            positive(vec![key, "bottom"], margins.bottom);
            positive(vec![key, "left"], margins.left);
            positive(vec![key, "right"], margins.right);
        }
        positive(vec!["body-size"], self.body_size);
        positive(vec!["title-size"], self.title_size);
        positive(vec!["page-number-size"], self.page_number_size);
        positive(vec!["letterhead-size"], self.letterhead_size);
        positive(vec!["page-number-gap"], self.page_number_gap);
        positive(vec!["first-line-indent"], self.first_line_indent);
        positive(vec!["table", "stroke"], self.table.stroke);
        if !(self.table.word_group_height > 0.0 && self.table.word_group_height <= 1.0) {
            problems.push((
                vec!["table", "word-group-height"],
                format!("应在 0 与 1 之间，现为 {}", self.table.word_group_height),
            ));
        }
        for (key, value) in [
            ("inset-x", self.table.inset_x),
            ("inset-y", self.table.inset_y),
            ("leading", self.table.leading),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                problems.push((
                    vec!["table", key],
                    format!("应为不小于 0 的数，现为 {value}"),
                ));
            }
        }
        for (key, value) in [("lines", self.grid.lines), ("chars", self.grid.chars)] {
            if value == 0 {
                problems.push((vec!["grid", key], "应至少为 1".to_string()));
            }
        }
        if problems.is_empty() {
            problems.extend(self.layout_problems());
        }
        problems
    }

    /// Margins that leave no text block, a page number that does not fit under it, a title
    /// wider than the block.
    fn layout_problems(&self) -> Vec<(Vec<&'static str>, String)> {
        let mut problems = Vec::new();
        for (key, orientation) in [
            ("margins", Orientation::Portrait),
            ("landscape-margins", Orientation::Landscape),
        ] {
            let page = self.page(orientation);
            if page.text_width() <= 0.0 {
                problems.push((
                    vec![key, "left"],
                    format!("与 right 之和不小于纸宽 {} mm，版心没有宽度", page.width),
                ));
            }
            if page.text_height() <= 0.0 {
                problems.push((
                    vec![key, "top"],
                    format!("与 bottom 之和不小于纸高 {} mm，版心没有高度", page.height),
                ));
            }
            let footer = self.page_number_gap + self.page_number_size * MM_PER_POINT;
            if footer >= page.margins.bottom {
                problems.push((
                    vec![key, "bottom"],
                    format!(
                        "太小：页码距版心 {} mm、高 {:.1} mm，放不进 {} mm 的地脚",
                        self.page_number_gap,
                        self.page_number_size * MM_PER_POINT,
                        page.margins.bottom
                    ),
                ));
            }
        }
        if problems.is_empty() && self.title_chars(Orientation::Portrait) < 1.0 {
            problems.push((
                vec!["title-size"],
                format!("太大：{} pt 的标题一行放不下一个字", self.title_size),
            ));
        }
        problems
    }
}

/// The node at `path` (mapping keys from the root), if the file has it.
fn locate<'n>(root: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(root, |node, key| match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_text().as_deref() == Some(key))
            .map(|(_, value)| value),
        _ => None,
    })
}

/// The built-in page specification (for tests and tools that run without a session).
pub fn built_in() -> Result<PageSpec, Diagnostics> {
    PageSpec::load(&TemplateStore::new(None)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(text: &str) -> (tempfile::TempDir, TemplateStore) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PAGE_FILE), text).unwrap();
        let store = TemplateStore::new(Some(dir.path().to_path_buf())).unwrap();
        (dir, store)
    }

    fn built_in_text() -> String {
        String::from_utf8(
            TemplateStore::new(None)
                .unwrap()
                .require(PAGE_FILE)
                .unwrap()
                .bytes,
        )
        .unwrap()
    }

    #[test]
    fn the_built_in_spec_is_the_standard_page() {
        let spec = built_in().unwrap();
        let portrait = spec.page(Orientation::Portrait);
        assert_eq!(
            (portrait.text_width(), portrait.text_height()),
            (156.0, 225.0)
        );
        let landscape = spec.page(Orientation::Landscape);
        assert_eq!(
            (landscape.text_width(), landscape.text_height()),
            (225.0, 156.0)
        );
        assert!((spec.char_width() - 156.0 / 28.0).abs() < 1e-12);
        assert!((spec.line_pitch() - 225.0 / 22.0).abs() < 1e-12);
        assert_eq!(spec.title_chars(Orientation::Portrait), 20.0);
        assert_eq!(spec.title_chars(Orientation::Landscape), 28.0);
    }

    #[test]
    fn impossible_values_are_reported_each_at_its_line() {
        let text = built_in_text()
            .replace("  left: 28\n", "  left: 200\n")
            .replace("title-size: 22 ", "title-size: -1 ")
            .replace("  lines: 22\n", "  lines: 0\n");
        let (_dir, store) = store_with(&text);
        let errors = PageSpec::load(&store).unwrap_err();
        let lines: Vec<u32> = errors
            .iter()
            .filter_map(|e| e.location.as_ref()?.line)
            .collect();
        let line_of =
            |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() as u32 + 1;
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(lines.contains(&line_of("title-size")), "{errors:?}");
        assert!(lines.contains(&line_of("  lines: 0")), "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.hint.is_some() && e.source_line.is_some())
        );
        // Once the numbers are positive, the margins that leave no text block are found.
        let text = built_in_text().replace("  left: 28\n", "  left: 200\n");
        let (_dir, store) = store_with(&text);
        let errors = PageSpec::load(&store).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let error = errors.iter().next().unwrap();
        assert!(error.message.contains("margins.left"), "{error:?}");
        assert_eq!(
            error.location.as_ref().unwrap().line,
            Some(line_of("  left: 200"))
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_located() {
        let (_dir, store) = store_with(&built_in_text().replace("body-size:", "body-sise:"));
        let error = PageSpec::load(&store).unwrap_err();
        let error = error.iter().next().unwrap();
        assert!(error.message.contains("页面规格文件"), "{error:?}");
        assert!(error.location.as_ref().unwrap().line.is_some());
        let (_dir, store) = store_with(&built_in_text().replace("body-size: 16", "body-size: 大"));
        assert!(PageSpec::load(&store).is_err());
    }

    #[test]
    fn a_footer_that_does_not_fit_is_refused() {
        let text = built_in_text().replace("page-number-gap: 7 ", "page-number-gap: 40 ");
        let (_dir, store) = store_with(&text);
        let errors = PageSpec::load(&store).unwrap_err();
        assert_eq!(errors.len(), 2, "portrait and landscape: {errors:?}");
        assert!(errors.iter().all(|e| e.message.contains("bottom")));
    }
}
