//! The outlines a long text is held against: 附件2's four sections for the work plan, the
//! notice's two parts for the work report. Offices write their own headings (一、指导思想
//! 二、工作目标 三、重点任务 四、保障措施); each is matched to the outline by name, by the
//! synonyms in `notice.yaml` (`texts.synonyms`) or by being one of a section's expected
//! subsections. Differences are warnings that name the mapping found, never errors.

use std::collections::BTreeMap;
use std::path::Path;

use super::Rules;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::docx::place;
use crate::load::markdown::{BlockKind, MarkdownBlock};
use crate::load::text_rules::normalized;

/// One outline to check a text against.
pub(super) struct Outline<'a> {
    /// What the text is, such as 工作方案.
    pub what: &'a str,
    /// Where the outline comes from, such as 附件2《工作方案参考提纲》.
    pub source: &'a str,
    /// The outline's level-1 headings, in order.
    pub sections: &'a [String],
    /// Level-2 headings expected under some sections.
    pub subsections: &'a BTreeMap<String, Vec<String>>,
    /// A section supplied by other data when the text lacks it (实施步骤 by the timetable).
    pub supplied: Option<&'a str>,
}

/// A level-1 heading and the outline section it stands for.
struct Mapped<'b> {
    block: &'b MarkdownBlock,
    text: &'b str,
    section: Option<usize>,
}

impl Rules<'_> {
    /// Checks the level-1 headings of `blocks` against `outline`.
    pub(super) fn outline(
        &self,
        file: &Path,
        blocks: &[MarkdownBlock],
        outline: &Outline,
        found: &mut Diagnostics,
    ) {
        let rules = &self.notice.texts;
        let mapped: Vec<Mapped> = blocks
            .iter()
            .filter_map(|block| match &block.kind {
                BlockKind::Heading { level: 1, text } => Some(Mapped {
                    block,
                    text,
                    section: rules.section_of(text, outline.sections, outline.subsections),
                }),
                _ => None,
            })
            .collect();
        let listing = outline.sections.join("、");
        for heading in mapped.iter().filter(|m| m.section.is_none()) {
            found.push(
                Diagnostic::warning(format!(
                    "一级标题“{}”不在{}中，也不是其中标题的常见写法",
                    heading.text, outline.source
                ))
                .at(place(file, heading.block))
                .hint(format!(
                    "提纲的一级标题为：{listing}；如是其中某项的另一种写法，可加入 templates/notice.yaml 的 texts.synonyms"
                )),
            );
        }
        self.renamed(file, &mapped, outline, found);
        self.missing(file, &mapped, outline, found);
        order(file, &mapped, outline, found);
        self.subsections(file, blocks, &mapped, outline, found);
    }

    /// One warning naming every heading matched under another name.
    fn renamed(&self, file: &Path, mapped: &[Mapped], outline: &Outline, found: &mut Diagnostics) {
        let mut by_section: Vec<(usize, Vec<&str>)> = Vec::new();
        for heading in mapped {
            let Some(section) = heading.section else {
                continue;
            };
            if normalized(heading.text) == outline.sections[section] {
                continue;
            }
            match by_section.iter_mut().find(|(s, _)| *s == section) {
                Some((_, names)) => names.push(heading.text),
                None => by_section.push((section, vec![heading.text])),
            }
        }
        let Some(first) = mapped.iter().find(|m| {
            m.section
                .is_some_and(|s| normalized(m.text) != outline.sections[s])
        }) else {
            return;
        };
        let mapping: Vec<String> = by_section
            .iter()
            .map(|(section, names)| {
                format!("{} → {}", names.join("、"), outline.sections[*section])
            })
            .collect();
        found.push(
            Diagnostic::warning(format!(
                "{}的一级标题与{}写法不同，按以下对应检查：{}",
                outline.what,
                outline.source,
                mapping.join("；")
            ))
            .at(place(file, first.block))
            .hint(format!(
                "如对应有误，请改用提纲的标题：{}",
                outline.sections.join("、")
            )),
        );
    }

    /// A warning for each outline section no heading stands for.
    fn missing(&self, file: &Path, mapped: &[Mapped], outline: &Outline, found: &mut Diagnostics) {
        for (index, section) in outline.sections.iter().enumerate() {
            let present = mapped.iter().any(|m| m.section == Some(index));
            if present || outline.supplied == Some(section.as_str()) {
                continue;
            }
            found.push(
                Diagnostic::warning(format!("缺少一级标题“{section}”（或与之对应的标题）"))
                    .at(Location::file(file))
                    .hint(format!(
                        "{}的一级标题为：{}；请补写“{section}”部分（同义写法见 templates/notice.yaml 的 texts.synonyms）",
                        outline.source,
                        outline.sections.join("、")
                    )),
            );
        }
    }

    /// A warning for each expected subsection missing under a section that is present.
    fn subsections(
        &self,
        file: &Path,
        blocks: &[MarkdownBlock],
        mapped: &[Mapped],
        outline: &Outline,
        found: &mut Diagnostics,
    ) {
        let rules = &self.notice.texts;
        for (section, subsections) in outline.subsections {
            let Some(index) = outline.sections.iter().position(|s| s == section) else {
                continue;
            };
            if !mapped.iter().any(|m| m.section == Some(index)) {
                continue;
            }
            let mut present: Vec<&str> = mapped
                .iter()
                .filter(|m| m.section == Some(index))
                .map(|m| m.text)
                .collect();
            present.extend(level_two_under(blocks, mapped, index));
            for sub in subsections {
                if present.iter().any(|p| rules.names(p, sub)) {
                    continue;
                }
                found.push(
                    Diagnostic::warning(format!("“{section}”下缺少“{sub}”"))
                        .at(Location::file(file))
                        .hint(format!(
                            "{}要求“{section}”明确{}",
                            outline.source,
                            subsections.join("、")
                        )),
                );
            }
        }
    }
}

/// Sections out of the outline's order: one warning at the first heading out of place.
fn order(file: &Path, mapped: &[Mapped], outline: &Outline, found: &mut Diagnostics) {
    let mut highest = 0;
    for heading in mapped {
        let Some(section) = heading.section else {
            continue;
        };
        if section < highest {
            found.push(
                Diagnostic::warning(format!(
                    "{}的一级标题顺序与{}不一致",
                    outline.what, outline.source
                ))
                .at(place(file, heading.block))
                .hint(format!("应依次为：{}", outline.sections.join("、"))),
            );
            return;
        }
        highest = section;
    }
}

/// The level-2 headings under the level-1 headings that stand for section `index`.
fn level_two_under<'b>(
    blocks: &'b [MarkdownBlock],
    mapped: &[Mapped],
    index: usize,
) -> Vec<&'b str> {
    let mut inside = false;
    let mut found = Vec::new();
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { level: 1, .. } => {
                inside = mapped
                    .iter()
                    .any(|m| std::ptr::eq(m.block, block) && m.section == Some(index))
            }
            BlockKind::Heading { level: 2, text } if inside => found.push(text.as_str()),
            _ => {}
        }
    }
    found
}
