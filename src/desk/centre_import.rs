//! Importing the data bundles (`<申报单位>-申报数据.zip`) that applicants mailed in, from the
//! centre's page: each upload is checked and unpacked by [`crate::run::import`] into its own
//! folder of the workspace (never over one already there: a second copy goes beside it, and the
//! page shows how the two differ). The browser's file name is only shown, never used as a path.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Serialize;

use super::Desk;
use super::centre::back;
use super::pages::{Problem, file_label, problems_of};
use crate::diagnostics::display_path;
use crate::run::Session;
use crate::run::import::{import, remove_leftovers};
use crate::run::output::OutputLock;

/// How many lines of `applicant.yaml` the difference shows at most.
const SHOWN_LINES: usize = 30;

/// What became of one uploaded bundle, as the page shows it.
#[derive(Debug, Serialize)]
pub struct ImportRow {
    /// The file's name as the browser gave it (shown only).
    bundle: String,
    /// The folder it was unpacked into.
    folder: Option<String>,
    /// The folder of the same applicant already there, when it was put beside it.
    beside: Option<String>,
    /// Files unpacked.
    files: usize,
    /// Why it was refused.
    problems: Vec<Problem>,
    /// How the new folder differs from the one beside it.
    difference: Vec<String>,
}

/// Imports every bundle of the upload form into the workspace, then shows the centre's page
/// with what became of each.
pub async fn upload(State(desk): State<Arc<Desk>>, mut multipart: Multipart) -> Response {
    let mut csrf = None;
    let mut bundles = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return back(&format!("上传失败：文件过大或传输中断（{e}）")),
        };
        let name = field.name().unwrap_or_default().to_string();
        let browser_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return back(&format!("上传失败：文件过大或传输中断（{e}）")),
        };
        match (name.as_str(), browser_name) {
            ("csrf", _) => csrf = Some(String::from_utf8_lossy(&bytes).into_owned()),
            ("file", Some(browser_name)) if !bytes.is_empty() => {
                bundles.push((browser_name, bytes.to_vec()))
            }
            _ => {}
        }
    }
    if !desk.guard.csrf_ok(csrf.as_deref()) {
        return super::pages::failure("此页已过期，请刷新后重试（表单口令不符）");
    }
    if bundles.is_empty() {
        return back("请先选择申报单位寄来的申报数据压缩包（.zip）");
    }
    let worker = desk.clone();
    let count = bundles.len();
    let rows = tokio::task::spawn_blocking(move || import_all(&worker, bundles)).await;
    match rows {
        Ok(Ok(rows)) => {
            let unpacked = rows.iter().filter(|r| r.folder.is_some()).count();
            *desk.imports() = rows;
            back(&format!(
                "已处理 {count} 个压缩包：导入 {unpacked} 个，未导入 {} 个",
                count - unpacked
            ))
        }
        Ok(Err(message)) => back(&message),
        Err(_) => back("后台任务意外中止"),
    }
}

/// Imports each `(browser name, bytes)` bundle into the workspace, one import at a time.
fn import_all(desk: &Desk, bundles: Vec<(String, Vec<u8>)>) -> Result<Vec<ImportRow>, String> {
    let session = Session::open(&desk.settings).map_err(|p| p.render())?;
    let root = desk.workspace.root();
    let _lock = OutputLock::take(root, None).map_err(|p| p.message)?;
    remove_leftovers(root);
    let scratch = tempfile::tempdir().map_err(|e| crate::diagnostics::io_problem(&e))?;
    let mut rows = Vec::new();
    for (index, (browser_name, bytes)) in bundles.into_iter().enumerate() {
        let path = scratch.path().join(format!("上传-{}.zip", index + 1));
        std::fs::write(&path, &bytes).map_err(|e| crate::diagnostics::io_problem(&e))?;
        let imported = import(&path, root, session.notice());
        let shown = display_path(&path);
        let mut problems = problems_of(&imported.problems, root);
        for problem in &mut problems {
            problem.place = problem.place.replace(&shown, &browser_name);
        }
        rows.push(ImportRow {
            difference: match (&imported.beside, &imported.folder) {
                (Some(old), Some(new)) => difference(old, new),
                _ => Vec::new(),
            },
            bundle: browser_name,
            folder: imported.folder.as_deref().map(file_label),
            beside: imported.beside.as_deref().map(file_label),
            files: imported.files,
            problems,
        });
    }
    Ok(rows)
}

/// How the applicant folder `new` differs from `old`: files added, missing or changed, then
/// the lines of `applicant.yaml` found in only one of them.
fn difference(old: &Path, new: &Path) -> Vec<String> {
    let (old_files, new_files) = (files_of(old), files_of(new));
    let mut lines = Vec::new();
    for name in &new_files {
        if !old_files.contains(name) {
            lines.push(format!("新增文件：{name}"));
        } else if std::fs::read(old.join(name)).ok() != std::fs::read(new.join(name)).ok() {
            lines.push(format!("内容不同：{name}"));
        }
    }
    for name in old_files.iter().filter(|n| !new_files.contains(n)) {
        lines.push(format!("原有目录中有、新导入中没有：{name}"));
    }
    let text = |dir: &Path| std::fs::read_to_string(dir.join("applicant.yaml")).unwrap_or_default();
    let (old_text, new_text) = (text(old), text(new));
    let only = |a: &str, b: &str, sign: &str| -> Vec<String> {
        a.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty() && !b.lines().any(|l| l == *line))
            .map(|(i, line)| format!("{sign} applicant.yaml 第{}行：{}", i + 1, line.trim()))
            .collect()
    };
    let mut changed = only(&new_text, &old_text, "新");
    changed.extend(only(&old_text, &new_text, "原"));
    changed.truncate(SHOWN_LINES);
    lines.extend(changed);
    if lines.is_empty() {
        lines.push("与原有目录完全相同".into());
    }
    lines
}

/// The files of an applicant folder and of its sub-folders, relative, with `/`; hidden ones
/// (the desk's `.history`) left out.
fn files_of(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push((entry.path(), format!("{prefix}{name}/"))),
                Ok(t) if t.is_file() => found.push(format!("{prefix}{name}")),
                _ => {}
            }
        }
    }
    found.sort();
    found
}
