//! The timetable of the work plan (实施步骤, `timetable` in `applicant.yaml`), edited on the plan's
//! tab: one row a year (年份, 阶段, 主要任务), as many rows as the file has and at least the three
//! years after the application's; a save writes the whole list in place, comments around it kept.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path as UrlPath, State};
use axum::response::Response;
use serde::Serialize;

use super::{Desk, yaml_edit};

/// The key of the list in `applicant.yaml`.
const KEY: &str = "timetable";

/// How many years the plan's timetable covers at least (the notice: the three years after the
/// application's).
const YEARS: usize = 3;

/// One year of the timetable as the form shows it.
#[derive(Debug, Serialize)]
pub struct Year {
    year: String,
    stage: String,
    tasks: String,
}

/// The timetable form: its rows and the version of `applicant.yaml` it was read from.
#[derive(Debug, Serialize)]
pub struct TimetableForm {
    rows: Vec<Year>,
    version: String,
}

/// The timetable form of `text` (an `applicant.yaml`): its rows, then empty rows for the years
/// after the last one (or after the application's year) up to [`YEARS`].
pub fn form(text: &str) -> TimetableForm {
    let field = |item: &[(String, String)], name: &str| {
        item.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut rows: Vec<Year> = yaml_edit::items_at(text, &[KEY])
        .unwrap_or_default()
        .iter()
        .map(|item| Year {
            year: field(item, "year"),
            stage: field(item, "stage"),
            tasks: field(item, "tasks"),
        })
        .collect();
    let applied = yaml_edit::text_at(text, &["date"]).and_then(|d| d.get(..4)?.parse::<i64>().ok());
    while rows.len() < YEARS {
        let last = rows.last().and_then(|r| r.year.parse::<i64>().ok());
        let next = last.or(applied).map(|y| (y + 1).to_string());
        rows.push(Year {
            year: next.unwrap_or_default(),
            stage: String::new(),
            tasks: String::new(),
        });
    }
    TimetableForm {
        rows,
        version: crate::assemble::sha256(text.as_bytes()),
    }
}

/// Saves the timetable form: the rows with a stage or tasks, in the order shown, replace the
/// list; the previous file goes to `.history`; a stale form is refused.
pub async fn save(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let editing = match super::editing::open(&desk, &name, &form) {
        Ok(editing) => editing,
        Err(response) => return response,
    };
    let edited = items(&form).and_then(|items| match items.is_empty() {
        true => yaml_edit::remove(&editing.text, &[KEY]),
        false => yaml_edit::set_items(&editing.text, &[KEY], &items),
    });
    editing.save(edited, "已保存实施步骤", "实施步骤没有改动")
}

/// The rows of the form (`year-N`, `stage-N`, `tasks-N` from 1) that say something, as list
/// items of `applicant.yaml`.
fn items(form: &HashMap<String, String>) -> Result<Vec<Vec<(&'static str, String)>>, String> {
    let value = |name: &str, n: usize| {
        form.get(&format!("{name}-{n}"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut items = Vec::new();
    for n in (1..).take_while(|n| form.contains_key(&format!("year-{n}"))) {
        let (year, stage, tasks) = (value("year", n), value("stage", n), value("tasks", n));
        if stage.is_empty() && tasks.is_empty() {
            continue;
        }
        let year: i64 = year
            .parse()
            .map_err(|_| format!("实施步骤第{n}行的年份“{year}”应为四位数字，如 2024"))?;
        let mut item = vec![("year", year.to_string())];
        if !stage.is_empty() {
            item.push(("stage", yaml_edit::quoted(&stage)));
        }
        item.push(("tasks", yaml_edit::quoted(&tasks.replace("\r\n", "\n"))));
        items.push(item);
    }
    Ok(items)
}
