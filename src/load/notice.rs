//! The notice as data: categories, eligible cities, materials, deadlines, from
//! `templates/notice.yaml`. Next year's notice is an edit of that file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::load::date::Date;
use crate::load::page::Orientation;
use crate::templates::TemplateStore;

/// Everything the program knows about the notice it serves.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The notice's own number, title, year and deadline.
    pub notice: NoticeInfo,
    /// The default addressee of the application letter.
    pub addressee: String,
    /// The categories one can apply for, by short name (示范城市, 试点城市, 试点县).
    pub categories: BTreeMap<String, Category>,
    /// The cities of the province that may apply.
    pub cities: Vec<String>,
    /// The four materials, in order.
    pub materials: Vec<MaterialInfo>,
    /// The level-1 headings the work report must have.
    pub report_sections: Vec<String>,
    /// The level-1 headings of the work plan, in order.
    pub plan_sections: Vec<String>,
    /// Level-2 headings expected under some level-1 headings of the plan.
    pub plan_subsections: BTreeMap<String, Vec<String>>,
    /// How many years after the application year the plan's timetable covers.
    pub plan_years: i32,
    /// The plan section the timetable table goes under.
    pub timetable_section: String,
    /// The marker of text that `shenbao init` left to be filled in.
    pub placeholder: String,
    /// Accepted evidence file types (PDF, JPEG, PNG).
    pub evidence_types: Vec<String>,
    /// Phrases before which a long title may break.
    pub title_breaks: Vec<String>,
    /// How a document number must look.
    pub document_number: DocumentNumberRule,
    /// Where the Word files go.
    pub email: EmailInfo,
    /// What follows the applicant's name in the name of its data bundle (`-申报数据`).
    pub data_bundle_suffix: String,
    /// The province's recommendation to the national office (`shenbao package`).
    pub recommendation: RecommendationInfo,
    /// The caps on what is read from a submission.
    pub limits: crate::load::limits::Limits,
    /// Outline synonyms and the letter's wording rules (none when a replaced notice.yaml
    /// predates them).
    #[serde(default)]
    pub texts: crate::load::text_rules::TextRules,
}

/// The wording of the province's recommendation package.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationInfo {
    /// Who the recommendation letter goes to.
    pub addressee: String,
    /// The national notice the recommendation answers, as cited in the letter.
    pub basis: String,
    /// The letter's title (Tera).
    pub title: String,
    /// The attached list's title (Tera).
    pub list_title: String,
    /// The summary workbook's file name, without extension.
    pub summary: String,
    /// The package index's title and file name.
    pub index: String,
}

/// The notice's identity.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeInfo {
    /// Such as 豫知〔2023〕38号.
    pub number: String,
    /// Who issued it, such as 河南省知识产权局.
    pub issuer: String,
    /// The notice's title.
    pub title: String,
    /// The application year.
    pub year: i32,
    /// The last day for submissions (written `YYYY-MM-DD`).
    #[serde(with = "crate::load::date::as_text")]
    pub deadline: Date,
}

/// One category of application.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Such as 国家知识产权强市建设示范城市.
    pub full_name: String,
    /// 市 or 县.
    pub level: Level,
    /// The assessment catalogue that applies (`city` or `county`).
    pub catalogue: String,
    /// What the work plan is called for this category.
    pub plan_name: String,
    /// Only these may apply; empty means anyone of the level.
    #[serde(default)]
    pub eligible: Vec<String>,
}

/// The level of an applicant: a city (市, a 省辖市) or a county (县, also a county-level city or
/// a district). Written `市` and `县` in `notice.yaml`, `applicant.yaml` and the data templates get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub enum Level {
    /// 市.
    #[serde(rename = "市")]
    City,
    /// 县.
    #[serde(rename = "县")]
    County,
}

impl Level {
    /// The level written as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "市" => Some(Self::City),
            "县" => Some(Self::County),
            _ => None,
        }
    }

    /// `市` or `县`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "市",
            Self::County => "县",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a material is: it decides where its content comes from, which layout sets it and how its
/// pages are turned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MaterialKind {
    /// The application letter, from `applicant.yaml`; the other materials are its attachments.
    Letter,
    /// The work report, from the office's Markdown or Word text.
    Report,
    /// The work plan, from the office's text along the notice's outline.
    Plan,
    /// The assessment table with its evidence, from the workbook.
    Assessment,
}

impl MaterialKind {
    /// The Typst layout that sets a material of this kind.
    pub fn template(self) -> &'static str {
        match self {
            Self::Letter => "letter.typ",
            Self::Report => "report.typ",
            Self::Plan => "plan.typ",
            Self::Assessment => "assessment.typ",
        }
    }

    /// How its pages are turned: the assessment table is set landscape.
    pub fn orientation(self) -> Orientation {
        match self {
            Self::Assessment => Orientation::Landscape,
            _ => Orientation::Portrait,
        }
    }

    /// The key as `notice.yaml` writes it, also the wording's name of its title
    /// (`report_title` and so on in `letter.tera`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Letter => "letter",
            Self::Report => "report",
            Self::Plan => "plan",
            Self::Assessment => "assessment",
        }
    }
}

/// One of the materials, in the order they are handed in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialInfo {
    /// Its number, 1 for the letter.
    pub number: u8,
    /// What it is.
    pub key: MaterialKind,
    /// The material's name (a Tera template).
    pub name: String,
    /// Paper copies to hand in.
    pub copies: u32,
    /// Whether a Word file goes by email.
    pub word: bool,
    /// The document's title (a Tera template).
    pub title: String,
}

/// How a document number must look.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentNumberRule {
    /// A regular expression the whole number must match.
    pub pattern: Pattern,
    /// A correct example, shown in messages.
    pub example: String,
}

/// A regular expression of a template data file, compiled once when the file is read: an invalid
/// one is an error at its line, reported once, not once per applicant.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        regex::Regex::new(&text).map(Pattern).map_err(|error| {
            serde::de::Error::custom(format!("“{text}”不是有效的正则表达式（{error}）"))
        })
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

/// The mailbox of the provincial centre.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailInfo {
    /// The address.
    pub address: String,
    /// Who reads it.
    pub contact: String,
    /// The name of the zip and of the e-mail draft (a Tera template).
    pub bundle: String,
    /// The e-mail's subject (a Tera template).
    pub subject: String,
}

impl Notice {
    /// Reads `notice.yaml` from the template store.
    pub fn load(store: &TemplateStore) -> Result<Self, Diagnostic> {
        let file = store.require("notice.yaml")?;
        crate::load::yaml::read_template(&file, "通知数据文件")
    }

    /// The material with number `number`.
    pub fn material(&self, number: u8) -> Option<&MaterialInfo> {
        self.materials.iter().find(|m| m.number == number)
    }

    /// The materials attached to the letter, in order: 附件1 is the first of them.
    pub fn attachments(&self) -> impl Iterator<Item = &MaterialInfo> {
        self.materials
            .iter()
            .filter(|m| m.key != MaterialKind::Letter)
    }

    /// The attachment number of material `number` (1 for 附件1), if it is attached to the letter.
    pub fn attachment_number(&self, number: u8) -> Option<usize> {
        self.attachments()
            .position(|m| m.number == number)
            .map(|at| at + 1)
    }
}
