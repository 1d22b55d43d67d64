//! Compose: the applicant's data and the wording templates become [`model::Document`]s.
//!
//! Tera supplies the fixed wording and default paragraphs; the applicant's own text is inserted
//! as values. The result is one model per material, handed to the layout and the Word writer.

pub mod body;
pub mod letter;
pub mod materials;
pub mod model;
pub mod recommendation;
pub mod title;
pub mod wording;

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Context;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::applicant::Applicant;
use crate::load::catalogue::Catalogue;
use crate::load::fonts::FontRoles;
use crate::load::notice::{Category, Notice};
use crate::load::page::PageSpec;
use crate::templates::TemplateStore;
use wording::Wording;

/// Everything composing needs besides the applicant: the notice, the wording, the font roles
/// and the page specification.
pub struct Composer {
    notice: Notice,
    catalogues: BTreeMap<String, Catalogue>,
    wording: Wording,
    fonts: FontRoles,
    page: PageSpec,
}

/// The values every wording template receives.
#[derive(Debug, Serialize)]
pub struct WordingData<'a> {
    /// 申报单位.
    pub name: &'a str,
    /// 市 or 县.
    pub level: &'a str,
    /// For a county, its city.
    pub city: Option<&'a str>,
    /// 发文机关.
    pub government: &'a str,
    /// 成文日期, as printed.
    pub date: String,
    /// The category applied for.
    pub category: &'a Category,
    /// The notice.
    pub notice: &'a crate::load::notice::NoticeInfo,
    /// The assessment table that applies.
    pub catalogue: &'a Catalogue,
    /// 主送机关.
    pub addressee: &'a str,
}

impl Composer {
    /// A composer with the wording templates and the page specification of `store`.
    pub fn new(
        notice: Notice,
        store: &TemplateStore,
        fonts: FontRoles,
    ) -> Result<Self, Diagnostics> {
        let page = PageSpec::load(store)?;
        let mut wording = Wording::new(store);
        wording.load("letter.tera")?;
        wording.load("email.tera")?;
        wording.load("recommendation.tera")?;
        let mut catalogues = BTreeMap::new();
        for category in notice.categories.values() {
            if !catalogues.contains_key(&category.catalogue) {
                catalogues.insert(
                    category.catalogue.clone(),
                    Catalogue::load(store, &category.catalogue)?,
                );
            }
        }
        Ok(Self {
            notice,
            catalogues,
            wording,
            fonts,
            page,
        })
    }

    /// The assessment catalogue that applies to `category`, if the category is known.
    pub fn catalogue(&self, category: &str) -> Option<&Catalogue> {
        self.catalogues
            .get(&self.notice.categories.get(category)?.catalogue)
    }

    /// The notice being served.
    pub fn notice(&self) -> &Notice {
        &self.notice
    }

    /// The wording data of `applicant`, or an error when its category is unknown.
    pub fn wording_data<'a>(
        &'a self,
        applicant: &'a Applicant,
    ) -> Result<WordingData<'a>, Diagnostic> {
        let category = self
            .notice
            .categories
            .get(&applicant.category.value)
            .ok_or_else(|| {
                Diagnostic::error(format!("未知的申报类别“{}”", applicant.category.value))
                    .at(applicant.category.location.clone())
            })?;
        let catalogue = self.catalogues.get(&category.catalogue).ok_or_else(|| {
            Diagnostic::error(format!(
                "缺少测评表目录 catalogue/{}.yaml",
                category.catalogue
            ))
        })?;
        Ok(WordingData {
            catalogue,
            name: &applicant.name.value,
            level: applicant.level.value.as_str(),
            city: applicant.city.as_ref().map(|c| c.value.as_str()),
            government: &applicant.government.value,
            date: applicant.date.value.chinese(),
            category,
            notice: &self.notice.notice,
            addressee: applicant
                .letter
                .addressee
                .as_ref()
                .map_or(&self.notice.addressee, |a| &a.value),
        })
    }

    /// The name of material `number` (such as 示范工作方案), from the notice's wording.
    pub fn material_name(&self, data: &WordingData, number: u8) -> Result<String, Diagnostic> {
        self.material_wording(data, number, "名称", |m| &m.name)
    }

    /// The title of material `number` for this applicant, from the notice's wording.
    pub fn material_title(&self, data: &WordingData, number: u8) -> Result<String, Diagnostic> {
        self.material_wording(data, number, "标题", |m| &m.title)
    }

    /// Renders one wording field of material `number` in `notice.yaml` with the applicant's data.
    fn material_wording(
        &self,
        data: &WordingData,
        number: u8,
        what: &str,
        field: impl Fn(&crate::load::notice::MaterialInfo) -> &String,
    ) -> Result<String, Diagnostic> {
        let material = self
            .notice
            .material(number)
            .ok_or_else(|| Diagnostic::error(format!("notice.yaml 中缺少材料 {number}")))?;
        let context =
            Context::from_serialize(data).map_err(|e| Diagnostic::error(e.to_string()))?;
        self.wording.render_inline(
            &format!("templates/notice.yaml（材料{number}{what}）"),
            field(material),
            &context,
        )
    }

    /// The signature and date of the applicant's government.
    fn signature(&self, applicant: &Applicant) -> model::Signature {
        model::Signature {
            name: applicant.government.value.clone(),
            date: applicant.date.value.chinese(),
            sealed: applicant.letter.sealed,
        }
    }

    /// The PDF metadata of the applicant's documents.
    fn meta(&self, applicant: &Applicant) -> model::Meta {
        model::Meta {
            author: applicant.government.value.clone(),
            date: applicant.date.value,
        }
    }
}
