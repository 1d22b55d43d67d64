//! What every form that edits `applicant.yaml` shares: the CSRF check, the refusal of a form read
//! from an older version of the file ("此页已过期，请刷新"), and the save that keeps the previous
//! version in `.history` and goes back to the page with a message.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::response::Response;

use super::Desk;
use super::actions::{back_to, posted_to};
use super::pages::failure;
use super::workspace::save_keeping_history;
use crate::diagnostics::Diagnostics;

/// The `applicant.yaml` a form edits, as the form was checked against it.
pub struct Editing {
    /// The applicant's folder name.
    pub name: String,
    /// The applicant's folder.
    pub dir: PathBuf,
    /// The file's text now.
    pub text: String,
}

/// The applicant `name`'s `applicant.yaml` for `form`, once the form's CSRF token is checked and
/// its `version` is the file's; the response to send otherwise.
pub fn open(desk: &Desk, name: &str, form: &HashMap<String, String>) -> Result<Editing, Response> {
    let dir = posted_to(desk, name, form)?;
    let text = std::fs::read_to_string(dir.join("applicant.yaml")).unwrap_or_default();
    if form.get("version").map(String::as_str)
        != Some(crate::assemble::sha256(text.as_bytes()).as_str())
    {
        return Err(back_to(
            name,
            "此页已过期，请刷新：applicant.yaml 在打开此页后已被修改，本次未保存",
        ));
    }
    Ok(Editing {
        name: name.to_string(),
        dir,
        text,
    })
}

impl Editing {
    /// Saves `edited` (or goes back with its problem), keeping the previous file, and goes back
    /// to the page saying `saved`; `unchanged` when the text is the same.
    pub fn save(self, edited: Result<String, String>, saved: &str, unchanged: &str) -> Response {
        let text = match edited {
            Ok(text) => text,
            Err(message) => return back_to(&self.name, &message),
        };
        if text == self.text {
            return back_to(&self.name, unchanged);
        }
        let file = self.dir.join("applicant.yaml");
        match save_keeping_history(&self.dir, &file, text.as_bytes()) {
            Ok(()) => back_to(&self.name, &format!("{saved}（原文件已存入 .history）")),
            Err(problem) => failure(&Diagnostics::from(problem).render()),
        }
    }
}
