//! Material 1, the application letter (申报函), in 信函格式: from `applicant.yaml` and the
//! default wording of `letter.tera`.

use tera::Context;

use super::model::{Block, Document, Letterhead};
use super::{Composer, wording};
use crate::diagnostics::Diagnostic;
use crate::load::applicant::Applicant;
use crate::load::page::Orientation;

impl Composer {
    /// Composes the letter of `applicant`.
    pub fn letter(&self, applicant: &Applicant) -> Result<Document, Diagnostic> {
        let data = self.wording_data(applicant)?;
        let titles: Vec<String> = (2..=4)
            .map(|n| self.material_title(&data, n))
            .collect::<Result<_, _>>()?;
        let letter = &applicant.letter;
        let paragraphs = match &letter.body {
            Some(body) => body.iter().map(|p| p.value.clone()).collect(),
            None => {
                let mut context =
                    Context::from_serialize(&data).map_err(|e| Diagnostic::error(e.to_string()))?;
                context.insert("report_title", &format!("《{}》", titles[0]));
                context.insert("plan_title", &format!("《{}》", titles[1]));
                context.insert("assessment_title", &format!("《{}》", titles[2]));
                wording::paragraphs(&self.wording.render("letter.tera", &context)?)
            }
        };
        let attachments = match &letter.attachments {
            Some(list) => list.iter().map(|a| a.value.clone()).collect(),
            None => titles,
        };
        let mut notes: Vec<String> = letter.note.iter().map(|n| n.value.clone()).collect();
        notes.push(format!(
            "联系人：{}，联系电话：{}",
            applicant.contact.person.value, applicant.contact.phone.value
        ));
        let title = match &letter.title {
            Some(title) => title.value.clone(),
            None => self.title_lines(&self.material_title(&data, 1)?, Orientation::Portrait),
        };
        let issuer = letter.header.as_ref().map_or(&applicant.government, |h| h);
        Ok(Document {
            letterhead: Some(Letterhead {
                issuer: issuer.value.clone(),
                number: letter.number.value.clone(),
            }),
            addressee: Some(data.addressee.to_string()),
            blocks: paragraphs
                .into_iter()
                .map(|text| Block::Paragraph { text })
                .collect(),
            attachments,
            signature: Some(self.signature(applicant)),
            notes,
            number_first_page: false,
            ..Document::new(
                1,
                self.material_name(&data, 1)?,
                title,
                self.fonts.clone(),
                self.page.clone(),
                self.meta(applicant),
            )
        })
    }
}
