//! Rules over the long texts and the assessment values: the sections the notice asks for, every
//! indicator once, the timetable's years, the evidence files.

use std::collections::BTreeMap;
use std::path::Path;

use super::Rules;
use super::outline::Outline;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::Texts;
use crate::load::applicant::Sources as Applicant;
use crate::load::catalogue::Catalogue;
use crate::load::docx::place;
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
        let no_subsections = BTreeMap::new();
        if let Some(report) = &applicant.report {
            let file = &report.value;
            let outline = Outline {
                what: "创建工作报告",
                source: "通知对创建工作报告的要求",
                sections: &self.notice.report_sections,
                subsections: &no_subsections,
                supplied: None,
            };
            self.outline(file, &texts.report, &outline, &mut found);
            structure(file, &texts.report, &mut found);
            self.markdown_characters(file, &texts.report, &mut found);
        }
        if let Some(plan) = &applicant.plan {
            let file = &plan.value;
            let outline = Outline {
                what: "工作方案",
                source: "附件2《工作方案参考提纲》",
                sections: &self.notice.plan_sections,
                subsections: &self.notice.plan_subsections,
                supplied: (!applicant.timetable.is_empty())
                    .then_some(self.notice.timetable_section.as_str()),
            };
            self.outline(file, &texts.plan, &outline, &mut found);
            structure(file, &texts.plan, &mut found);
            self.markdown_characters(file, &texts.plan, &mut found);
        }
        self.indicators(applicant, texts, catalogue, &mut found);
        self.timetable(applicant, &mut found);
        self.evidence(applicant, catalogue, &mut found);
        super::resolution::check(&applicant.evidence, &texts.evidence, &mut found);
        self.text_characters(texts, &mut found);
        found
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
                let message = format!("指标 {}“{}”的完成情况为空", indicator.no, indicator.name);
                found.push(
                    if self.notice.texts.empty_value_is_error {
                        Diagnostic::error(message)
                    } else {
                        Diagnostic::warning(message)
                    }
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
                BlockKind::Table { header, rows, .. } => header.concat() + &rows.concat().concat(),
            };
            let missing = self.coverage.missing(&text);
            if !missing.is_empty() {
                found.push(self.uncovered("正文", &missing, place(file, block)));
            }
            if text.contains(&self.notice.placeholder) {
                found.push(
                    Diagnostic::error("此处尚未填写")
                        .at(place(file, block))
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
                .at(place(file, block))
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
                    .at(place(file, block))
                    .hint("请在该标题下写明内容，或删除该标题"),
            );
        }
    }
}
