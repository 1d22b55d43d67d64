//! Cross-checks a reviewer makes on the letter: the titles its body cites in 《》 are the titles
//! of its attachments, and it closes as a 函, not with the wording of a 请示.

use super::Rules;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::applicant::Applicant;
use crate::load::fields::Located;

/// A cited title this similar to an attachment's (0–1, by edit distance) is taken to mean it.
const SAME_DOCUMENT: f64 = 0.6;

impl Rules<'_> {
    /// Checks the letter's own paragraphs against the titles of its attachments, as composed.
    pub fn check_letter(&self, applicant: &Applicant, attachments: &[String]) -> Diagnostics {
        let mut found = Diagnostics::new();
        let Some(body) = &applicant.letter.body else {
            return found;
        };
        let titles: Vec<String> = attachments.iter().map(|t| t.replace('\n', "")).collect();
        for paragraph in body {
            citations(paragraph, &titles, &mut found);
            self.request_wording(paragraph, &mut found);
        }
        found
    }

    fn request_wording(&self, paragraph: &Located<String>, found: &mut Diagnostics) {
        let rules = &self.notice.texts;
        let Some(phrase) = rules
            .request_phrases
            .iter()
            .find(|p| paragraph.value.contains(p.as_str()))
        else {
            return;
        };
        found.push(
            Diagnostic::warning(format!("申报函中用了请示的结束语“{phrase}”"))
                .at(paragraph.location.clone())
                .hint(format!(
                    "函不用请示的结束语，可改为“{}”等",
                    rules.letter_closing
                )),
        );
    }
}

/// Each title cited in 《》 that resembles an attachment's title without being it.
fn citations(paragraph: &Located<String>, titles: &[String], found: &mut Diagnostics) {
    for cited in cited_titles(&paragraph.value) {
        if titles.iter().any(|t| t == cited) {
            continue;
        }
        let closest = titles
            .iter()
            .map(|t| (strsim::normalized_levenshtein(cited, t), t))
            .filter(|(score, _)| *score >= SAME_DOCUMENT)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, title)) = closest {
            found.push(
                Diagnostic::warning(format!(
                    "申报函正文所引《{cited}》与附件标题《{title}》不一致"
                ))
                .at(paragraph.location.clone())
                .hint(format!("请改为《{title}》，使正文、附件说明和附件标题一致")),
            );
        }
    }
}

/// The texts between 《 and 》.
fn cited_titles(text: &str) -> Vec<&str> {
    text.split('《')
        .skip(1)
        .filter_map(|part| part.split_once('》').map(|(title, _)| title))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_in_book_marks() {
        assert_eq!(
            cited_titles("现将《甲》《乙方案》和测评表报送。《未闭"),
            vec!["甲", "乙方案"]
        );
    }
}
