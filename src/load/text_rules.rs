//! The `texts` section of `templates/notice.yaml`: how the headings offices actually write map
//! onto the notice's outlines, and the wording a reviewer objects to in a letter.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Rules over the long texts and the letter's wording.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TextRules {
    /// Other names offices give a heading of the outline (附件2 and the report's two parts), by
    /// the outline's name.
    pub synonyms: BTreeMap<String, Vec<String>>,
    /// Closing phrases of a 请示 that do not belong in a 函.
    pub request_phrases: Vec<String>,
    /// What a letter closes with instead, offered in the message.
    pub letter_closing: String,
    /// Whether an empty 完成情况 is an error (`true`) or a warning.
    pub empty_value_is_error: bool,
}

impl Default for TextRules {
    /// No synonyms and no phrases; an empty 完成情况 is still an error.
    fn default() -> Self {
        Self {
            synonyms: BTreeMap::new(),
            request_phrases: Vec::new(),
            letter_closing: String::new(),
            empty_value_is_error: true,
        }
    }
}

impl TextRules {
    /// The outline heading `section` itself and its synonyms.
    pub fn names_of<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a str> {
        std::iter::once(section).chain(
            self.synonyms
                .get(section)
                .into_iter()
                .flatten()
                .map(String::as_str),
        )
    }
}

/// A heading as compared with the outline: trimmed, without a closing `。` or `：`.
pub fn normalized(heading: &str) -> &str {
    heading.trim().trim_end_matches(['。', '：', ':'])
}

impl TextRules {
    /// Whether `heading` is `name` or one of its synonyms, or contains one of four characters
    /// or more (`加强保障措施` → 保障措施).
    pub fn names(&self, heading: &str, name: &str) -> bool {
        let heading = normalized(heading);
        self.names_of(name)
            .any(|n| heading == n || (n.chars().count() >= 4 && heading.contains(n)))
    }

    /// The index in `outline` of the section the level-1 `heading` stands for: by name or
    /// synonym, or by being one of the section's expected `subsections` (指导思想 → 总体要求).
    /// Exact names win over containment.
    pub fn section_of(
        &self,
        heading: &str,
        outline: &[String],
        subsections: &BTreeMap<String, Vec<String>>,
    ) -> Option<usize> {
        let exact = |name: &str| {
            let heading = normalized(heading);
            self.names_of(name).any(|n| heading == n)
        };
        let under = |section: &String| subsections.get(section).into_iter().flatten();
        outline
            .iter()
            .position(|s| exact(s) || under(s).any(|sub| exact(sub.as_str())))
            .or_else(|| {
                outline.iter().position(|s| {
                    self.names(heading, s) || under(s).any(|sub| self.names(heading, sub))
                })
            })
    }
}
