//! The indicator catalogues of the assessment tables (附件3 for cities, 附件4 for counties), read
//! from `templates/catalogue/<name>.yaml` as transcribed from the notice.

use std::collections::BTreeMap;

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
    /// The columns in the official order: what each shows and how wide it is.
    pub columns: Vec<Column>,
    /// The column the blank workbook adds after them for the evidence files.
    pub evidence_column: WorkbookColumn,
    /// The first word of the row under the table that ends it (the 备注).
    pub end_marker: String,
    /// The statistics cut-off date of indicators that name none.
    pub default_cutoff: String,
    /// The 备注 under the table.
    pub note: String,
    /// The indicators, numbered from 1.
    pub indicators: Vec<Indicator>,
}

/// One column of the assessment table, in the PDF, the Word file, the blank workbook and the
/// reader of the filled one alike.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Its header, as the notice prints it.
    pub header: String,
    /// What its cells show.
    pub source: ColumnSource,
    /// Its width relative to the other columns in the PDF and the Word file.
    pub width: f32,
    /// Its width in the blank workbook, in Excel's character units.
    pub xlsx_width: f64,
}

/// What the cells of a column show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnSource {
    /// The indicator's 序号.
    No,
    /// Its 一级指标, merged over the rows that share it.
    Level1,
    /// Its 二级指标 as a group above the name, merged over the rows that share it.
    Level2,
    /// The indicator's own name.
    Name,
    /// Its 指标说明.
    Description,
    /// The office's 完成情况, read from the filled workbook.
    Value,
    /// A text of the indicator's own, under this column's header in its `fields`.
    Field,
}

/// A column only the blank workbook has.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkbookColumn {
    /// Its header.
    pub header: String,
    /// Its width, in Excel's character units.
    pub xlsx_width: f64,
}

impl Column {
    /// Whether its cells merge down over the rows that share a value.
    pub fn merges(&self) -> bool {
        matches!(self.source, ColumnSource::Level1 | ColumnSource::Level2)
    }

    /// What the catalogue puts in this column for `indicator` (nothing for the office's value).
    pub fn text<'a>(&self, indicator: &'a Indicator) -> Option<&'a str> {
        match self.source {
            ColumnSource::No | ColumnSource::Value => None,
            ColumnSource::Level1 => Some(&indicator.level1),
            ColumnSource::Level2 => indicator.level2.as_deref(),
            ColumnSource::Name => Some(&indicator.name),
            ColumnSource::Description => Some(&indicator.description),
            ColumnSource::Field => indicator.fields.get(&self.header).map(String::as_str),
        }
    }
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
    /// Texts of columns of kind `field`, by header.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
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
        let catalogue: Self = crate::load::yaml::read_template(&file, "指标目录文件")?;
        for needed in [ColumnSource::No, ColumnSource::Value] {
            if catalogue.column(needed).is_none() {
                return Err(Diagnostic::error(format!(
                    "指标目录文件缺少 source 为 {} 的列",
                    serde_json::to_string(&needed).unwrap_or_default()
                ))
                .at(crate::diagnostics::Location::file(&file.origin))
                .hint("测评表须有序号列（source: no）和完成情况列（source: value）"));
            }
        }
        Ok(catalogue)
    }

    /// The first column whose cells show `source`.
    pub fn column(&self, source: ColumnSource) -> Option<&Column> {
        self.columns.iter().find(|c| c.source == source)
    }

    /// The headers, in order.
    pub fn headers(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.header.as_str()).collect()
    }
}
