//! The letter's attachments: the work report, the three-year work plan and the assessment table
//! with its evidence, composed from the applicant's texts and the notice's catalogues; and the
//! dossier, one document for each material `notice.yaml` lists.

use super::body::{self, HeadingNumbers};
use super::model::{Block, Cell, DataFiles, Document, Dossier, Email, EvidenceFile, Table};
use super::{Composer, WordingData};
use crate::diagnostics::Diagnostic;
use crate::load::Texts;
use crate::load::applicant::Applicant;
use crate::load::catalogue::{Catalogue, Column, ColumnSource, Indicator};
use crate::load::evidence::Inspected;
use crate::load::markdown::{BlockKind, MarkdownBlock};
use crate::load::notice::{MaterialInfo, MaterialKind};

/// Type size of the assessment table (小4).
pub const ASSESSMENT_TABLE_SIZE: f32 = 10.5;

impl Composer {
    /// Every document of `applicant`'s dossier, in material order, and its e-mail texts.
    pub fn dossier(&self, applicant: &Applicant, texts: &Texts) -> Result<Dossier, Diagnostic> {
        let data = self.wording_data(applicant)?;
        let documents = self
            .notice
            .materials
            .iter()
            .map(|material| match material.key {
                MaterialKind::Letter => self.letter(applicant, &data, material),
                MaterialKind::Report => self.report(applicant, &data, texts, material),
                MaterialKind::Plan => self.plan(applicant, &data, texts, material),
                MaterialKind::Assessment => self.assessment(applicant, &data, texts, material),
            })
            .collect::<Result<_, _>>()?;
        Ok(Dossier {
            documents,
            email: self.email(applicant, &data)?,
            data: DataFiles {
                name: format!("{}{}", applicant.name.value, self.notice.data_bundle_suffix),
                files: crate::load::input_files(&applicant.sources, texts),
            },
        })
    }

    /// The bundle's name, the e-mail's subject and body, from `notice.yaml` and `email.tera`.
    fn email(&self, applicant: &Applicant, data: &WordingData<'_>) -> Result<Email, Diagnostic> {
        let mut context =
            tera::Context::from_serialize(data).map_err(|e| Diagnostic::error(e.to_string()))?;
        context.insert("email_contact", &self.notice.email.contact);
        context.insert("contact_person", &applicant.contact.person.value);
        context.insert("contact_phone", &applicant.contact.phone.value);
        let inline = |what: &str, template: &str| {
            self.wording.render_inline(
                &format!("templates/notice.yaml（email.{what}）"),
                template,
                &context,
            )
        };
        Ok(Email {
            to: self.notice.email.address.clone(),
            from: applicant
                .contact
                .email
                .as_ref()
                .map(|address| (applicant.government.value.clone(), address.value.clone())),
            date: applicant.date.value.rfc5322(),
            bundle: inline("bundle", &self.notice.email.bundle)?,
            subject: inline("subject", &self.notice.email.subject)?,
            body: self.wording.render("email.tera", &context)?,
        })
    }

    /// The work report (材料2): the office's text under the notice's title, signed and dated.
    pub fn report(
        &self,
        applicant: &Applicant,
        data: &WordingData<'_>,
        texts: &Texts,
        material: &MaterialInfo,
    ) -> Result<Document, Diagnostic> {
        let blocks = body::blocks(&texts.report, &mut HeadingNumbers::default());
        let mut document = self.attachment(applicant, data, material, blocks)?;
        document.signature = Some(self.signature(applicant));
        Ok(document)
    }

    /// The work plan (材料3): the four sections of 附件2, with the year-by-year timetable as a
    /// table at the end of its section.
    pub fn plan(
        &self,
        applicant: &Applicant,
        data: &WordingData<'_>,
        texts: &Texts,
        material: &MaterialInfo,
    ) -> Result<Document, Diagnostic> {
        let plan = self.with_timetable_section(applicant, &texts.plan);
        let mut blocks = body::blocks(&plan, &mut HeadingNumbers::default());
        if let Some(table) = timetable(applicant) {
            let start = blocks.iter().position(|b| {
                matches!(b, Block::Heading { level: 1, text, .. }
                    if self.plan_section(text) == self.plan_section(&self.notice.timetable_section))
            });
            let at = start.map_or(blocks.len(), |start| {
                blocks[start + 1..]
                    .iter()
                    .position(|b| matches!(b, Block::Heading { level: 1, .. }))
                    .map_or(blocks.len(), |offset| start + 1 + offset)
            });
            blocks.insert(at, Block::Table(table.settle_breaks()));
        }
        self.attachment(applicant, data, material, blocks)
    }

    /// The index in 附件2's outline of the section the level-1 heading `text` stands for.
    fn plan_section(&self, text: &str) -> Option<usize> {
        let notice = &self.notice;
        notice
            .texts
            .section_of(text, &notice.plan_sections, &notice.plan_subsections)
    }

    /// The plan's blocks, with a level-1 heading for the timetable's section (实施步骤) added
    /// where the outline puts it when the timetable is given and no heading stands for it.
    fn with_timetable_section(
        &self,
        applicant: &Applicant,
        plan: &[MarkdownBlock],
    ) -> Vec<MarkdownBlock> {
        let mut plan = plan.to_vec();
        let section = &self.notice.timetable_section;
        let wanted = self.plan_section(section);
        let level_one = |b: &MarkdownBlock| match &b.kind {
            BlockKind::Heading { level: 1, text } => Some(self.plan_section(text)),
            _ => None,
        };
        if applicant.sources.timetable.is_empty()
            || plan.iter().any(|b| level_one(b) == Some(wanted))
        {
            return plan;
        }
        let at = plan
            .iter()
            .position(|b| level_one(b).is_some_and(|s| s > wanted))
            .unwrap_or(plan.len());
        let line = plan.get(at).map_or(0, |b| b.line);
        plan.insert(
            at,
            MarkdownBlock {
                line,
                kind: BlockKind::Heading {
                    level: 1,
                    text: section.clone(),
                },
            },
        );
        plan
    }

    /// The assessment table (材料4) of 附件3 or 附件4 with the office's 完成情况, followed by the
    /// evidence index and the evidence itself.
    pub fn assessment(
        &self,
        applicant: &Applicant,
        data: &WordingData<'_>,
        texts: &Texts,
        material: &MaterialInfo,
    ) -> Result<Document, Diagnostic> {
        let catalogue = data.catalogue;
        let table = assessment_table(catalogue, texts);
        let mut document = self.attachment(
            applicant,
            data,
            material,
            vec![Block::Table(table.settle_breaks())],
        )?;
        let (evidence, sources) = evidence_files(applicant, texts, catalogue)?;
        document.evidence = evidence;
        document.sources = sources;
        Ok(document)
    }

    fn attachment(
        &self,
        applicant: &Applicant,
        data: &WordingData,
        material: &MaterialInfo,
        blocks: Vec<Block>,
    ) -> Result<Document, Diagnostic> {
        let name = self.material_name(data, material.number)?;
        let title = self.title_lines(
            &self.material_title(data, material.number)?,
            material.key.orientation(),
        );
        Ok(Document {
            attachment_label: self
                .notice
                .attachment_number(material.number)
                .map(|n| format!("附件{n}")),
            blocks,
            ..Document::new(
                (material.number, material.key),
                name,
                title,
                self.fonts.clone(),
                self.page.clone(),
                self.meta(applicant),
            )
        })
    }
}

fn timetable(applicant: &Applicant) -> Option<Table> {
    if applicant.sources.timetable.is_empty() {
        return None;
    }
    let mut stages = applicant.sources.timetable.clone();
    stages.sort_by_key(|s| s.year.value);
    Some(Table {
        widths: vec![1.0, 2.2, 5.0],
        header: ["年度", "阶段", "主要任务"].map(Cell::center).to_vec(),
        rows: stages
            .iter()
            .map(|s| {
                vec![
                    Cell::center(format!("{}年", s.year.value)),
                    Cell::center(
                        s.stage
                            .as_ref()
                            .map(|x| x.value.clone())
                            .unwrap_or_default(),
                    ),
                    Cell::left(s.tasks.value.clone()),
                ]
            })
            .collect(),
        size: body::BODY_TABLE_SIZE,
        note: None,
    })
}

/// The official table: the catalogue's columns, merged 一级/二级 cells, the office's 完成情况.
pub fn assessment_table(catalogue: &Catalogue, texts: &Texts) -> Table {
    let indicators = &catalogue.indicators;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (index, indicator) in indicators.iter().enumerate() {
        let mut row = Vec::new();
        for column in &catalogue.columns {
            if !column.merges() {
                row.push(cell_of(column, indicator, texts));
                continue;
            }
            let Some(value) = column.text(indicator) else {
                row.push(Cell::center(String::new()));
                continue;
            };
            let previous = index.checked_sub(1).map(|i| column.text(&indicators[i]));
            if previous == Some(Some(value)) {
                continue;
            }
            let span = indicators[index..]
                .iter()
                .take_while(|i| column.text(i) == Some(value))
                .count();
            row.push(Cell {
                breakable: true,
                ..Cell::center(value).spanning(span as u32, 1)
            });
        }
        rows.push(row);
    }
    Table {
        widths: catalogue.columns.iter().map(|c| c.width).collect(),
        header: catalogue.headers().into_iter().map(Cell::center).collect(),
        rows,
        size: ASSESSMENT_TABLE_SIZE,
        note: Some(catalogue.note.clone()),
    }
}

/// The cell of a column that does not merge, for one indicator.
fn cell_of(column: &Column, indicator: &Indicator, texts: &Texts) -> Cell {
    match column.source {
        ColumnSource::No => Cell::center(indicator.no.to_string()),
        ColumnSource::Value => Cell::left(
            texts
                .assessment
                .get(&indicator.no)
                .map(|e| e.value.clone())
                .unwrap_or_default(),
        ),
        _ => Cell::left(column.text(indicator).unwrap_or_default().to_string()),
    }
}

/// The evidence files in indicator order, labelled `19-1`, `19-2`, …, with the real paths that
/// Typst may read as `/data/evidence/<n>.<ext>`; kind and pages as inspecting them found.
fn evidence_files(
    applicant: &Applicant,
    texts: &Texts,
    catalogue: &Catalogue,
) -> Result<(Vec<EvidenceFile>, Vec<Inspected>), Diagnostic> {
    let mut items: Vec<_> = applicant.sources.evidence.iter().enumerate().collect();
    items.sort_by_key(|(order, e)| (e.indicator.value, *order));
    let mut files = Vec::new();
    let mut sources = Vec::new();
    let mut counts = std::collections::BTreeMap::new();
    for (order, item) in items {
        let number = item.indicator.value as u32;
        let count = counts.entry(number).or_insert(0);
        *count += 1;
        let inspected = texts
            .evidence
            .get(order)
            .and_then(Option::as_ref)
            .ok_or_else(|| {
                Diagnostic::error(format!("佐证材料“{}”未通过检查", item.written))
                    .at(item.file.location.clone())
            })?;
        sources.push(inspected.clone());
        files.push(EvidenceFile {
            label: format!("{number}-{count}"),
            indicator: number,
            indicator_name: catalogue
                .indicators
                .iter()
                .find(|i| i.no == number)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            title: item.title.value.clone(),
            path: format!(
                "/data/evidence/{}.{}",
                sources.len(),
                inspected.kind.extension()
            ),
            kind: inspected.kind.layout_kind().to_string(),
            pages: inspected.pages,
        });
    }
    Ok((files, sources))
}
