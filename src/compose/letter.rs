//! Material 1, the application letter (申报函), in 信函格式: from `applicant.yaml` and the
//! default wording of `letter.tera`.

use tera::Context;

use super::model::{Block, Document, Letterhead};
use super::{Composer, WordingData, wording};
use crate::diagnostics::Diagnostic;
use crate::load::applicant::Applicant;
use crate::load::notice::{MaterialInfo, MaterialKind};
use crate::load::page::Orientation;

impl Composer {
    /// Composes the letter of `applicant`, which is `material`.
    pub fn letter(
        &self,
        applicant: &Applicant,
        data: &WordingData<'_>,
        material: &MaterialInfo,
    ) -> Result<Document, Diagnostic> {
        let attached: Vec<(MaterialKind, String)> = self
            .notice
            .attachments()
            .map(|m| Ok((m.key, self.material_title(data, m.number)?)))
            .collect::<Result<_, Diagnostic>>()?;
        let letter = &applicant.letter;
        let paragraphs = match &letter.body {
            Some(body) => body.iter().map(|p| p.value.clone()).collect(),
            None => {
                let mut context =
                    Context::from_serialize(data).map_err(|e| Diagnostic::error(e.to_string()))?;
                let quoted: Vec<String> = attached
                    .iter()
                    .map(|(_, title)| format!("《{title}》"))
                    .collect();
                // The first material of each kind also by name, as templates exported
                // before the list existed use it.
                for ((kind, _), title) in attached.iter().zip(&quoted).rev() {
                    context.insert(format!("{}_title", kind.key()), title);
                }
                context.insert("attachment_titles", &quoted);
                wording::paragraphs(&self.wording.render("letter.tera", &context)?)
            }
        };
        let attachments = match &letter.attachments {
            Some(list) => list.iter().map(|a| a.value.clone()).collect(),
            None => attached.into_iter().map(|(_, title)| title).collect(),
        };
        let mut notes: Vec<String> = letter.note.iter().map(|n| n.value.clone()).collect();
        notes.push(format!(
            "联系人：{}，联系电话：{}",
            applicant.contact.person.value, applicant.contact.phone.value
        ));
        let title = match &letter.title {
            Some(title) => title.value.clone(),
            None => self.title_lines(&self.material_title(data, 1)?, Orientation::Portrait),
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
                (material.number, material.key),
                self.material_name(data, material.number)?,
                title,
                self.fonts.clone(),
                self.page.clone(),
                self.meta(applicant),
            )
        })
    }
}
