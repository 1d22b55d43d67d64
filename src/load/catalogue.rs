//! The indicator catalogues of the assessment tables (附件3 for cities, 附件4 for counties), read
//! from `templates/catalogue/<name>.yaml` as transcribed from the notice.

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::templates::TemplateStore;

/// One assessment table as the notice defines it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Such as 附件3.
    pub attachment: String,
    /// The table's title.
    pub title: String,
    /// The columns in the official order.
    pub columns: Vec<String>,
    /// Which column holds the indicator's own name.
    pub name_column: String,
    /// The statistics cut-off date of indicators that name none.
    pub default_cutoff: String,
    /// The 备注 under the table.
    pub note: String,
    /// The indicators, numbered from 1.
    pub indicators: Vec<Indicator>,
}

/// One indicator row.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// 序号.
    pub no: u32,
    /// 一级指标.
    pub level1: String,
    /// 二级指标, for the city table (the county table has none above the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level2: Option<String>,
    /// The indicator's name.
    pub name: String,
    /// 指标说明.
    #[serde(default)]
    pub description: String,
    /// Statistics cut-off date.
    pub cutoff: String,
    /// Sub-items with their own cut-off dates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_items: Vec<SubItem>,
    /// Whether the value is a number to compare across applicants.
    #[serde(default)]
    pub quantitative: bool,
    /// Its unit, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A sub-item of an indicator with a cut-off date of its own.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubItem {
    /// The sub-item as the 备注 names it.
    pub text: String,
    /// Its cut-off date.
    pub cutoff: String,
}

impl Catalogue {
    /// Reads `catalogue/<name>.yaml` from the template store.
    pub fn load(store: &TemplateStore, name: &str) -> Result<Self, Diagnostic> {
        let file = store.require(&format!("catalogue/{name}.yaml"))?;
        crate::load::yaml::read_template(&file, "指标目录文件")
    }
}
