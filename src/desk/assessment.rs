//! The assessment tab of an applicant's page (材料4): the indicators of the category's catalogue
//! with the 完成情况 read from the workbook (an empty one flagged, each cell's problems beside
//! it) and the evidence listed for each; the evidence files not yet assigned, and assigning one
//! to an indicator with a title (a new item of `evidence` in `applicant.yaml`, comments kept).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path as UrlPath, State};
use axum::response::Response;
use serde::Serialize;

use super::actions::back_to;
use super::pages::Problem;
use super::{Desk, yaml_edit};
use crate::load::Texts;
use crate::load::applicant::Sources;
use crate::load::catalogue::Catalogue;

/// The folder of evidence files inside an applicant folder.
const EVIDENCE: &str = "evidence";

/// One indicator as the tab shows it.
#[derive(Debug, Serialize)]
pub struct IndicatorRow {
    no: u32,
    name: String,
    value: String,
    read: bool,
    empty: bool,
    evidence: Vec<String>,
    problems: Vec<Problem>,
}

/// The assessment tab: the indicators, the evidence files nobody assigned yet, the version of
/// `applicant.yaml` the assignment form was read from, and the problems of no indicator.
#[derive(Debug, Serialize)]
pub struct AssessmentView {
    indicators: Vec<IndicatorRow>,
    unassigned: Vec<String>,
    version: String,
    others: Vec<Problem>,
}

/// The assessment tab of the applicant in `dir`, with `problems` (those of the workbook and the
/// evidence) put beside the indicator whose cell they point at.
pub fn view(
    dir: &Path,
    catalogue: Option<&Catalogue>,
    sources: Option<&Sources>,
    texts: Option<&Texts>,
    problems: Vec<Problem>,
) -> AssessmentView {
    let mut others = problems;
    let indicators = catalogue
        .map(|c| c.indicators.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|indicator| {
            let entry = texts.and_then(|t| t.assessment.get(&indicator.no));
            let row = entry.and_then(|e| e.location.cell.as_deref().and_then(sheet_row));
            let (mine, rest): (Vec<Problem>, Vec<Problem>) = others
                .drain(..)
                .partition(|p| row.is_some() && p.cell.as_deref().and_then(sheet_row) == row);
            others = rest;
            let value = entry.map(|e| e.value.clone()).unwrap_or_default();
            IndicatorRow {
                no: indicator.no,
                name: indicator.name.clone(),
                read: entry.is_some(),
                empty: entry.is_some() && value.trim().is_empty(),
                value,
                evidence: sources
                    .map(|s| s.evidence.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .filter(|e| e.indicator.value == i64::from(indicator.no))
                    .map(|e| format!("{}（{}）", e.title.value, e.written))
                    .collect(),
                problems: mine,
            }
        })
        .collect();
    let text = std::fs::read(dir.join("applicant.yaml")).unwrap_or_default();
    AssessmentView {
        indicators,
        unassigned: unassigned(dir, sources),
        version: crate::assemble::sha256(&text),
        others,
    }
}

/// The sheet and row of a cell such as `附件3!F21`: the problems of one row of the workbook
/// belong to the indicator read from it, whichever column they name.
fn sheet_row(cell: &str) -> Option<(&str, &str)> {
    let (sheet, cell) = cell.rsplit_once('!').unwrap_or(("", cell));
    let row = cell.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '$');
    (!row.is_empty()).then_some((sheet, row))
}

/// The files in the applicant's `evidence/` folder that `applicant.yaml` does not list yet, by
/// name.
fn unassigned(dir: &Path, sources: Option<&Sources>) -> Vec<String> {
    let listed: Vec<String> = sources
        .map(|s| s.evidence.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|e| e.written.trim_start_matches("./").to_string())
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(dir.join(EVIDENCE))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.'))
        .filter(|name| !listed.contains(&format!("{EVIDENCE}/{name}")))
        .collect();
    files.sort();
    files
}

/// Assigns an evidence file of the folder to an indicator with a title: the file is chosen
/// among those the folder holds (the browser's text is only compared, never used as a path);
/// the indicator is a number from the catalogue's list (the check reports one it lacks); the
/// form must be as new as `applicant.yaml`.
pub async fn assign(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let editing = match super::editing::open(&desk, &name, &form) {
        Ok(editing) => editing,
        Err(response) => return response,
    };
    let dir = &editing.dir;
    let wanted = form.get("file").map(String::as_str).unwrap_or_default();
    let (_, sources, _) = crate::load::load_applicant(dir, None, &desk.limits);
    let listed = unassigned(dir, sources.as_ref());
    let Some(chosen) = listed.into_iter().find(|f| f == wanted) else {
        return back_to(&name, "没有这个佐证材料文件，请刷新后重选");
    };
    let title = form.get("title").map(|t| t.trim()).unwrap_or_default();
    if title.is_empty() {
        return back_to(&name, "请写明佐证材料的名称（列入佐证材料目录）");
    }
    let Some(indicator) = form
        .get("indicator")
        .and_then(|i| i.trim().parse::<u32>().ok())
    else {
        return back_to(&name, "请选择该材料所佐证的指标");
    };
    let item = [
        ("indicator", indicator.to_string()),
        ("title", yaml_edit::quoted(title)),
        ("file", yaml_edit::quoted(&format!("{EVIDENCE}/{chosen}"))),
    ];
    let edited = yaml_edit::append_item(&editing.text, &[EVIDENCE], &item);
    let saved = format!("已将 {chosen} 列为指标 {indicator} 的佐证材料");
    editing.save(edited, &saved, "没有改动")
}
