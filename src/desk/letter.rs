//! The letter tab of an applicant's page (材料1): the fields of `applicant.yaml` that the letter
//! prints, as `templates/applicant-fields.yaml` marks them (`tab: letter`), each with its value,
//! the templates' default wording in its empty input, and the problems found on its lines; and
//! saving them back value by value, so the office's comments and layout stay.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path as UrlPath, State};
use axum::response::Response;
use serde::Serialize;

use super::pages::Problem;
use super::{Desk, yaml_edit};
use crate::compose::model::Block;
use crate::load::applicant::Applicant;
use crate::load::applicant_fields::{self, FieldSpec, Kind};
use crate::run::Session;

/// The tab's name in `applicant-fields.yaml`.
const TAB: &str = "letter";

/// One field of the letter form as the page shows it.
#[derive(Debug, Serialize)]
pub struct LetterField {
    /// The form field's name (the key in `applicant.yaml`).
    name: String,
    /// Its label.
    label: String,
    /// What to write, shown under the input.
    description: String,
    /// `text`, `date`, `tel`, `textarea` (one item a line) or `checkbox`.
    input: &'static str,
    /// The value written in `applicant.yaml` (list items one a line).
    value: String,
    /// For a checkbox: whether it is ticked.
    checked: bool,
    /// What the templates write when the field is left empty.
    placeholder: String,
    /// The problems found on the field's lines.
    problems: Vec<Problem>,
}

/// The letter form: its fields, the version of `applicant.yaml` it was read from, and the
/// problems of the letter that concern no field of the form.
#[derive(Debug, Serialize)]
pub struct LetterForm {
    fields: Vec<LetterField>,
    version: String,
    others: Vec<Problem>,
}

/// The letter form of the applicant in `dir`, with `problems` (those of `applicant.yaml`) put
/// beside the fields whose lines they point at.
pub fn form(
    session: &Session,
    dir: &Path,
    applicant: Option<&Applicant>,
    problems: Vec<Problem>,
) -> LetterForm {
    let text = std::fs::read_to_string(dir.join("applicant.yaml")).unwrap_or_default();
    let defaults = applicant.map(|a| defaults(session, a)).unwrap_or_default();
    let mut others = problems;
    let fields = applicant_fields::tab_fields(TAB)
        .into_iter()
        .map(|(path, spec)| {
            let steps: Vec<&str> = path.split('.').collect();
            let lines = yaml_edit::lines_of(&text, &steps);
            let (mine, rest): (Vec<Problem>, Vec<Problem>) = others.drain(..).partition(|p| {
                p.line
                    .zip(lines)
                    .is_some_and(|(l, (a, b))| a <= l && l <= b)
            });
            others = rest;
            field(spec, &text, &steps, defaults.get(spec.name.as_str()), mine)
        })
        .collect();
    LetterForm {
        fields,
        version: crate::assemble::sha256(text.as_bytes()),
        others,
    }
}

fn field(
    spec: &FieldSpec,
    text: &str,
    steps: &[&str],
    default: Option<&String>,
    problems: Vec<Problem>,
) -> LetterField {
    let input = match spec.kind {
        Kind::Texts => "textarea",
        Kind::Flag => "checkbox",
        Kind::Date => "date",
        _ => match spec.form.as_ref().map(|f| f.input.as_str()) {
            Some("tel") => "tel",
            _ => "text",
        },
    };
    let value = match spec.kind {
        Kind::Texts => yaml_edit::texts_at(text, steps)
            .unwrap_or_default()
            .join("\n"),
        _ => yaml_edit::text_at(text, steps).unwrap_or_default(),
    };
    let placeholder = default
        .cloned()
        .or_else(|| spec.form.as_ref().and_then(|f| f.placeholder.clone()))
        .unwrap_or_default();
    LetterField {
        name: spec.name.clone(),
        label: spec.label.clone(),
        description: spec.description.clone(),
        input,
        checked: flag_now(text, steps),
        value,
        placeholder,
        problems,
    }
}

/// The templates' wording for the fields the applicant may leave empty.
fn defaults(session: &Session, applicant: &Applicant) -> HashMap<&'static str, String> {
    let Ok(letter) = session.default_letter(applicant) else {
        return HashMap::new();
    };
    let paragraphs: Vec<&str> = letter
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    HashMap::from([
        ("addressee", letter.addressee.clone().unwrap_or_default()),
        ("title", letter.title.replace('\n', "")),
        ("body", paragraphs.join("\n")),
        ("attachments", letter.attachments.join("\n")),
        ("header", applicant.government.value.clone()),
    ])
}

/// Whether the yes/no field at `steps` is on; the loader's default (on) when it is not written.
fn flag_now(text: &str, steps: &[&str]) -> bool {
    yaml_edit::text_at(text, steps).is_none_or(|v| v != "false")
}

/// Saves the letter form: each field whose value differs from the file is rewritten in place,
/// an emptied one is removed (the default applies again); the previous file goes to `.history`.
/// A form read from an older version of the file is refused.
pub async fn save(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let editing = match super::editing::open(&desk, &name, &form) {
        Ok(editing) => editing,
        Err(response) => return response,
    };
    let edited = edited(&editing.text, &form);
    editing.save(edited, "已保存申报函各项", "没有改动")
}

/// `text` with every field of the letter tab set to the form's value.
fn edited(text: &str, form: &HashMap<String, String>) -> Result<String, String> {
    let mut text = text.to_string();
    for (path, spec) in applicant_fields::tab_fields(TAB) {
        let steps: Vec<&str> = path.split('.').collect();
        let typed = form.get(&spec.name).map(String::as_str).unwrap_or_default();
        text = match spec.kind {
            Kind::Texts => {
                let items: Vec<String> = typed
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                match items {
                    _ if yaml_edit::texts_at(&text, &steps).unwrap_or_default() == items => text,
                    _ if items.is_empty() => yaml_edit::remove(&text, &steps)?,
                    _ => yaml_edit::set_texts(&text, &steps, &items)?,
                }
            }
            Kind::Flag => {
                let on = form.contains_key(&spec.name);
                if flag_now(&text, &steps) == on {
                    text
                } else {
                    yaml_edit::set_flag(&text, &steps, on)?
                }
            }
            _ => match typed.trim() {
                value if yaml_edit::text_at(&text, &steps).unwrap_or_default() == value => text,
                "" => yaml_edit::remove(&text, &steps)?,
                value => yaml_edit::set_scalar(&text, &steps, value)?,
            },
        };
    }
    Ok(text)
}
