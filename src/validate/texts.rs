//! Rules over the long texts and the assessment values: the sections the notice asks for, every
//! indicator once, the timetable's years, the evidence files.

use std::path::Path;

use super::Rules;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::Texts;
use crate::load::applicant::Sources as Applicant;
use crate::load::catalogue::Catalogue;
use crate::load::markdown::{BlockKind, MarkdownBlock};

impl Rules<'_> {
    /// Checks the texts and values named by `applicant.yaml` against the notice and the catalogue.
    pub fn check_texts(
        &self,
        applicant: &Applicant,
        texts: &Texts,
        catalogue: &Catalogue,
    ) -> Diagnostics {
        let mut found = Diagnostics::new();
        if let Some(report) = &applicant.report {
            let file = &report.value;
            self.required_sections(
                file,
                &texts.report,
                &self.notice.report_sections,
                &mut found,
            );
            structure(file, &texts.report, &mut found);
            self.markdown_characters(file, &texts.report, &mut found);
        }
        if let Some(plan) = &applicant.plan {
            let file = &plan.value;
            self.plan_sections(file, &texts.plan, &mut found);
            structure(file, &texts.plan, &mut found);
            self.markdown_characters(file, &texts.plan, &mut found);
        }
        self.indicators(applicant, texts, catalogue, &mut found);
        self.timetable(applicant, &mut found);
        self.evidence(applicant, catalogue, &mut found);
        self.text_characters(texts, &mut found);
        found
    }

    fn required_sections(
        &self,
        file: &Path,
        blocks: &[MarkdownBlock],
        required: &[String],
        found: &mut Diagnostics,
    ) {
        let present = level_one(blocks);
        for section in required {
            if !present.iter().any(|(_, text)| text == section) {
                found.push(
                    Diagnostic::error(format!("缺少一级标题“{section}”"))
                        .at(Location::file(file))
                        .hint(format!(
                            "通知要求包含：{}；请添加一行“# {section}”并写明内容",
                            required.join("、")
                        )),
                );
            }
        }
    }

    fn plan_sections(&self, file: &Path, blocks: &[MarkdownBlock], found: &mut Diagnostics) {
        let expected = &self.notice.plan_sections;
        self.required_sections(file, blocks, expected, found);
        let present: Vec<(u32, String)> = level_one(blocks)
            .into_iter()
            .filter(|(_, t)| expected.contains(t))
            .collect();
        let order: Vec<&String> = present.iter().map(|(_, t)| t).collect();
        let wanted: Vec<&String> = expected.iter().filter(|e| order.contains(e)).collect();
        if order != wanted {
            let line = present
                .iter()
                .zip(&wanted)
                .find(|((_, t), w)| t != **w)
                .map_or(1, |((l, _), _)| *l);
            found.push(
                Diagnostic::error("工作方案的一级标题顺序与附件2《工作方案参考提纲》不一致")
                    .at(Location::line(file, line))
                    .hint(format!("应依次为：{}", expected.join("、"))),
            );
        }
        for (line, text) in level_one(blocks) {
            if !expected.contains(&text) {
                found.push(
                    Diagnostic::warning(format!("一级标题“{text}”不在附件2的提纲中"))
                        .at(Location::line(file, line))
                        .hint(format!("提纲的一级标题为：{}", expected.join("、"))),
                );
            }
        }
        for (section, subsections) in &self.notice.plan_subsections {
            let under = level_two_under(blocks, section);
            for sub in subsections.iter().filter(|s| !under.contains(s)) {
                found.push(
                    Diagnostic::warning(format!("“{section}”下缺少“{sub}”"))
                        .at(Location::file(file))
                        .hint(format!(
                            "附件2要求“{section}”明确{}",
                            subsections.join("、")
                        )),
                );
            }
        }
    }

    fn indicators(
        &self,
        applicant: &Applicant,
        texts: &Texts,
        catalogue: &Catalogue,
        found: &mut Diagnostics,
    ) {
        let Some(source) = &applicant.assessment else {
            return;
        };
        let place = match source {
            crate::load::applicant::AssessmentSource::Workbook(path) => Location::file(&path.value),
            crate::load::applicant::AssessmentSource::Inline(_) => Location::file(&applicant.file),
        };
        for (number, entry) in &texts.assessment {
            if !catalogue.indicators.iter().any(|i| i.no == *number) {
                found.push(
                    Diagnostic::error(format!(
                        "{}中没有序号为 {number} 的指标",
                        catalogue.attachment
                    ))
                    .at(entry.location.clone()),
                );
            }
        }
        let missing: Vec<String> = catalogue
            .indicators
            .iter()
            .filter(|i| !texts.assessment.contains_key(&i.no))
            .map(|i| format!("{} {}", i.no, i.name))
            .collect();
        if !missing.is_empty() && !texts.assessment.is_empty() {
            found.push(
                Diagnostic::error(format!("测评表缺少指标：{}", missing.join("；")))
                    .at(place)
                    .hint(format!(
                        "{}共 {} 项指标，每项须各占一行",
                        catalogue.attachment,
                        catalogue.indicators.len()
                    )),
            );
        }
        for indicator in &catalogue.indicators {
            if let Some(entry) = texts.assessment.get(&indicator.no)
                && entry.value.trim().is_empty()
            {
                found.push(
                    Diagnostic::warning(format!(
                        "指标 {}“{}”的完成情况为空",
                        indicator.no, indicator.name
                    ))
                    .at(entry.location.clone())
                    .hint("请填写完成情况；确无数据的，写明“无”及原因"),
                );
            }
        }
    }

    fn timetable(&self, applicant: &Applicant, found: &mut Diagnostics) {
        let first = self.notice.notice.year + 1;
        let years: Vec<i64> = (first..first + self.notice.plan_years)
            .map(i64::from)
            .collect();
        if applicant.timetable.is_empty() {
            found.push(
                Diagnostic::warning("没有填写实施步骤的分年度安排（timetable）")
                    .at(Location::file(&applicant.file))
                    .hint(format!(
                        "请按年份（{}）填写 timetable，工作方案中将生成分年度安排表",
                        join_years(&years)
                    )),
            );
            return;
        }
        for stage in &applicant.timetable {
            if !years.contains(&stage.year.value) {
                found.push(
                    Diagnostic::error(format!(
                        "分年度安排的年份 {} 不在三年期内",
                        stage.year.value
                    ))
                    .at(stage.year.location.clone())
                    .hint(format!("三年期工作方案应覆盖 {}", join_years(&years))),
                );
            }
        }
        for year in &years {
            if !applicant.timetable.iter().any(|s| s.year.value == *year) {
                found.push(
                    Diagnostic::warning(format!("分年度安排缺少 {year} 年"))
                        .at(Location::file(&applicant.file))
                        .hint(format!("三年期工作方案应覆盖 {}", join_years(&years))),
                );
            }
        }
    }

    fn evidence(&self, applicant: &Applicant, catalogue: &Catalogue, found: &mut Diagnostics) {
        let count = catalogue.indicators.len() as i64;
        for item in &applicant.evidence {
            if !(1..=count).contains(&item.indicator.value) {
                found.push(
                    Diagnostic::error(format!(
                        "佐证材料对应的指标序号 {} 不存在",
                        item.indicator.value
                    ))
                    .at(item.indicator.location.clone())
                    .hint(format!("{}的指标序号为 1 到 {count}", catalogue.attachment)),
                );
            }
        }
    }

    fn text_characters(&self, texts: &Texts, found: &mut Diagnostics) {
        for entry in texts.assessment.values() {
            let missing = self.coverage.missing(&entry.value);
            if !missing.is_empty() {
                found.push(self.uncovered("完成情况", &missing, entry.location.clone()));
            }
        }
    }

    fn markdown_characters(&self, file: &Path, blocks: &[MarkdownBlock], found: &mut Diagnostics) {
        for block in blocks {
            let text = match &block.kind {
                BlockKind::Heading { text, .. } | BlockKind::Paragraph(text) => text.clone(),
                BlockKind::List { items, .. } => items.concat(),
                BlockKind::Table { header, rows } => header.concat() + &rows.concat().concat(),
            };
            let missing = self.coverage.missing(&text);
            if !missing.is_empty() {
                found.push(self.uncovered("正文", &missing, Location::line(file, block.line)));
            }
            if text.contains(&self.notice.placeholder) {
                found.push(
                    Diagnostic::error("此处尚未填写")
                        .at(Location::line(file, block.line))
                        .hint(format!(
                            "请把“{}……】”替换为实际内容",
                            self.notice.placeholder
                        )),
                );
            }
        }
    }
}

fn join_years(years: &[i64]) -> String {
    years
        .iter()
        .map(|y| format!("{y}年"))
        .collect::<Vec<_>>()
        .join("、")
}

fn level_one(blocks: &[MarkdownBlock]) -> Vec<(u32, String)> {
    blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level: 1, text } => Some((b.line, text.clone())),
            _ => None,
        })
        .collect()
}

fn level_two_under(blocks: &[MarkdownBlock], section: &str) -> Vec<String> {
    let mut inside = false;
    let mut found = Vec::new();
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { level: 1, text } => inside = text == section,
            BlockKind::Heading { level: 2, text } if inside => found.push(text.clone()),
            _ => {}
        }
    }
    found
}

/// Empty sections are errors; a skipped heading level is a warning.
fn structure(file: &Path, blocks: &[MarkdownBlock], found: &mut Diagnostics) {
    let mut previous_level = 0u8;
    for (index, block) in blocks.iter().enumerate() {
        let BlockKind::Heading { level, text } = &block.kind else {
            continue;
        };
        if *level > previous_level + 1 {
            found.push(
                Diagnostic::warning(format!(
                    "标题“{text}”跳过了层级（从第 {previous_level} 级直接到第 {level} 级）"
                ))
                .at(Location::line(file, block.line))
                .hint("公文标题依次为 一、（一）1.（1），请补上中间一级或调整 # 的个数"),
            );
        }
        previous_level = *level;
        let has_content = blocks[index + 1..]
            .iter()
            .take_while(|b| !matches!(&b.kind, BlockKind::Heading { level: l, .. } if l <= level))
            .any(|b| !matches!(b.kind, BlockKind::Heading { .. }));
        if !has_content {
            found.push(
                Diagnostic::error(format!("标题“{text}”下没有内容"))
                    .at(Location::line(file, block.line))
                    .hint("请在该标题下写明内容，或删除该标题"),
            );
        }
    }
}
