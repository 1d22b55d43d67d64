//! The report's and the plan's source as their tab shows it: the file, its text when it is
//! Markdown (editable in the page), and the outline the reader recognised, each heading with its
//! level, its line or paragraph, and the rule that made it a heading, so a clerk sees at once
//! that a paragraph starting 一、 became a heading (or that a heading was missed).

use std::path::Path;

use serde::Serialize;

use super::pages::file_label;
use crate::load::markdown::{BlockKind, MarkdownBlock};

/// A Markdown or Word source of material 2 or 3, with the outline found in it.
#[derive(Debug, Serialize)]
pub struct TextSource {
    file: String,
    editable: bool,
    text: String,
    version: String,
    outline: Vec<OutlineHeading>,
}

/// One heading of the outline.
#[derive(Debug, Serialize)]
struct OutlineHeading {
    level: u8,
    text: String,
    line: u32,
    rule: String,
}

/// The source at `path`, read into `blocks`, as its tab shows it.
pub fn source_of(path: &Path, blocks: &[MarkdownBlock]) -> TextSource {
    let bytes = std::fs::read(path).unwrap_or_default();
    let editable = path.extension().is_some_and(|e| e == "md");
    let text = if editable {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        String::new()
    };
    let word_rules = match editable {
        true => Vec::new(),
        false => crate::load::docx::heading_rules(path, &bytes),
    };
    let outline = blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading {
                level,
                text: heading,
            } => Some(OutlineHeading {
                level: *level,
                text: heading.clone(),
                line: b.line,
                rule: match editable {
                    true => markdown_rule(&text, b.line, heading),
                    false => word_rules
                        .iter()
                        .find(|(paragraph, _)| *paragraph == b.line)
                        .map(|(_, rule)| rule.clone())
                        .unwrap_or_default(),
                },
            }),
            _ => None,
        })
        .collect();
    TextSource {
        file: file_label(path),
        editable,
        version: crate::assemble::sha256(&bytes),
        text,
        outline,
    }
}

/// How the Markdown line `line` of `text` became the heading `heading`: by its `#` marks, or by
/// the number typed before it.
fn markdown_rule(text: &str, line: u32, heading: &str) -> String {
    let written = text
        .lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or_default()
        .trim();
    let marks = written.chars().take_while(|c| *c == '#').count();
    if marks > 0 {
        return format!("标题标记“{}”", "#".repeat(marks));
    }
    match written.find(heading) {
        Some(start) if start > 0 => format!("手写编号“{}”", written[..start].trim()),
        _ => "段首编号".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::markdown_rule;

    #[test]
    fn a_markdown_heading_is_found_by_its_marks_or_its_number() {
        let text = "# 总体要求\n\n一、重点任务\n（一）强化创造\n";
        assert_eq!(markdown_rule(text, 1, "总体要求"), "标题标记“#”");
        assert_eq!(markdown_rule(text, 3, "重点任务"), "手写编号“一、”");
        assert_eq!(markdown_rule(text, 4, "强化创造"), "手写编号“（一）”");
    }
}
