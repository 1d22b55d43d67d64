//! The desk's pages (GET routes): the workspace, the new-applicant form, one applicant with its
//! materials, problems, outline, previews and downloads. Every page reads the files afresh, so
//! what the terminal changed shows at the next reload.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tera::Context;

use super::Desk;
use super::outline::TextSource;
use super::workspace;
use crate::assemble::Output;
use crate::assemble::email::Attachment;
pub use crate::assemble::email::percent_encode;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::load::applicant_fields;
use crate::load::notice::Notice;
use crate::run::Session;
use crate::templates::TemplateStore;

/// The query every page accepts: a message to show once, after a redirect.
#[derive(Debug, serde::Deserialize, Default)]
pub struct Flash {
    /// The message.
    pub flash: Option<String>,
}

/// One applicant as the home page lists it.
#[derive(Debug, Serialize)]
struct Row {
    folder: String,
    category: String,
    errors: usize,
    warnings: usize,
    summary: String,
    built: String,
    downloadable: bool,
}

/// One problem as a page shows it, beside the field, cell or line it concerns.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: String,
    /// The file and line, cell or field.
    pub place: String,
    /// How to fix it.
    pub hint: String,
    /// Which part of the page it belongs to: `letter`, `report`, `plan`, `assessment` or `other`.
    pub part: &'static str,
    /// The line of a text file it points at.
    pub line: Option<u32>,
    /// The workbook cell it points at (`Sheet!F21`).
    pub cell: Option<String>,
}

/// Runs `work` with a fresh session on a blocking thread (typst and the loaders are
/// synchronous and may take a while).
pub async fn with_session<T: Send + 'static>(
    desk: &Arc<Desk>,
    work: impl FnOnce(&Session) -> T + Send + 'static,
) -> Result<T, Response> {
    let settings = desk.settings.clone();
    tokio::task::spawn_blocking(move || Session::open(&settings).map(|session| work(&session)))
        .await
        .map_err(|_| failure("后台任务意外中止"))?
        .map_err(|problems| failure(&problems.render()))
}

/// The home page: every applicant with its category, check result and last build.
pub async fn home(State(desk): State<Arc<Desk>>, Query(flash): Query<Flash>) -> Response {
    let dirs: Vec<(String, PathBuf)> = desk
        .workspace
        .applicants()
        .into_iter()
        .filter_map(|n| desk.workspace.find(&n).map(|d| (n, d)))
        .collect();
    let checked = {
        let dirs = dirs.clone();
        with_session(&desk, move |session| {
            dirs.iter()
                .map(|(_, d)| session.check_one(d))
                .collect::<Vec<_>>()
        })
        .await
    };
    let checked = match checked {
        Ok(c) => c,
        Err(response) => return response,
    };
    let rows: Vec<Row> = dirs
        .iter()
        .zip(checked)
        .map(|((folder, dir), (loaded, diagnostics))| Row {
            folder: folder.clone(),
            category: loaded.map(|(a, _)| a.category.value).unwrap_or_default(),
            errors: diagnostics.error_count(),
            warnings: diagnostics.warning_count(),
            summary: summary(&diagnostics),
            built: desk
                .workspace
                .last_build(dir)
                .map(describe_time)
                .unwrap_or_else(|| "未生成".into()),
            downloadable: desk.workspace.last_build(dir).is_some(),
        })
        .collect();
    let mut context = base_context(&desk, &flash);
    context.insert("applicants", &rows);
    context.insert(
        "workspace",
        &crate::diagnostics::display_path(desk.workspace.root()),
    );
    context.insert(
        "out",
        &crate::diagnostics::display_path(desk.workspace.out()),
    );
    desk.pages.page("home.html", &context)
}

/// The new-applicant form, with the categories and cities of the notice.
pub async fn new_form(State(desk): State<Arc<Desk>>, Query(flash): Query<Flash>) -> Response {
    let mut context = base_context(&desk, &flash);
    match form_lists(&desk) {
        Ok(()) => {}
        Err(problem) => return failure(&Diagnostics::from(problem).render()),
    }
    fill_form(&desk, &HashMap::new(), &mut context);
    context.insert("errors", &Vec::<String>::new());
    desk.pages.page("new.html", &context)
}

/// Fills the new-applicant form: its fields, as `templates/applicant-fields.yaml` lists them,
/// with the `values` typed before, and the category and city lists of the notice.
pub fn fill_form(desk: &Desk, values: &HashMap<String, String>, context: &mut Context) {
    context.insert("fields", &form_fields(values));
    let notice =
        TemplateStore::new(desk.settings.templates.clone()).and_then(|store| Notice::load(&store));
    if let Ok(notice) = notice {
        let categories: Vec<serde_json::Value> = notice
            .categories
            .iter()
            .map(|(name, info)| serde_json::json!({ "name": name, "level": info.level }))
            .collect();
        let mut levels: Vec<&str> = notice
            .categories
            .values()
            .map(|c| c.level.as_str())
            .collect();
        levels.sort();
        levels.dedup();
        context.insert("categories", &categories);
        context.insert("levels", &levels);
        context.insert("cities", &notice.cities);
    }
}

/// The form's fields in order, each named by its key and holding the value typed before.
fn form_fields(values: &HashMap<String, String>) -> Vec<serde_json::Value> {
    applicant_fields::form_fields()
        .into_iter()
        .filter_map(|(_, spec)| {
            let form = spec.form.as_ref()?;
            let label = match &form.hint {
                Some(hint) => format!("{}（{hint}）", spec.label),
                None => spec.label.clone(),
            };
            Some(serde_json::json!({
                "key": spec.name,
                "label": label,
                "input": form.input,
                "placeholder": form.placeholder,
                "choices": spec.choices,
                "value": values.get(&spec.name).cloned().unwrap_or_default(),
            }))
        })
        .collect()
}

fn form_lists(desk: &Desk) -> Result<(), Diagnostic> {
    let store = TemplateStore::new(desk.settings.templates.clone())?;
    Notice::load(&store).map(|_| ())
}

/// One applicant: its materials, every problem next to the part it concerns, the outline the
/// reader recognised, previews, outputs and kept versions.
pub async fn applicant(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let Some(dir) = desk.workspace.find(&name) else {
        return not_found(&name);
    };
    let view = {
        let (dir, worker, folder) = (dir.clone(), desk.clone(), name.clone());
        with_session(&desk, move |session| {
            let mut view = view_of(session, &dir);
            view.previews = worker.previews.refresh(session, &folder, &dir);
            view
        })
        .await
    };
    let view = match view {
        Ok(view) => view,
        Err(response) => return response,
    };
    let mut context = base_context(&desk, &flash);
    context.insert("folder", &name);
    context.insert("view", &view);
    context.insert("outputs", &outputs_of(&desk, &dir));
    context.insert("history", &workspace::history(&dir));
    context.insert("building", &desk.builds.state_of(&name));
    desk.pages.page("applicant.html", &context)
}

/// What the applicant page shows, read in one pass.
#[derive(Debug, Serialize)]
struct View {
    category: String,
    summary: String,
    passed: bool,
    problems_by_part: std::collections::BTreeMap<&'static str, Vec<Problem>>,
    report: Option<TextSource>,
    plan: Option<TextSource>,
    workbook: Option<String>,
    assessment: super::assessment::AssessmentView,
    letter: super::letter::LetterForm,
    timetable: super::timetable::TimetableForm,
    previews: Vec<super::preview::MaterialPreview>,
}

fn view_of(session: &Session, dir: &Path) -> View {
    let (loaded, diagnostics) = session.check_one(dir);
    let (_, sources, _) = crate::load::load_applicant(dir, None, &session.notice().limits);
    let texts = loaded.as_ref().map(|(_, t)| t);
    let text_source =
        |path: Option<&PathBuf>, blocks: Option<&Vec<crate::load::markdown::MarkdownBlock>>| {
            path.map(|p| {
                super::outline::source_of(p, blocks.map(Vec::as_slice).unwrap_or_default())
            })
        };
    let sources = sources.as_ref();
    let root = dir.parent().unwrap_or(dir);
    let mut problems_by_part = by_part(problems_of(&diagnostics, root));
    let letter_problems = problems_by_part.insert("letter", Vec::new());
    let catalogue = sources
        .and_then(|s| s.category.as_ref())
        .and_then(|c| session.catalogue(&c.value));
    let assessment = super::assessment::view(
        dir,
        catalogue,
        sources,
        texts,
        problems_by_part
            .insert("assessment", Vec::new())
            .unwrap_or_default(),
    );
    let letter = super::letter::form(
        session,
        dir,
        loaded.as_ref().map(|(a, _)| a),
        letter_problems.unwrap_or_default(),
    );
    View {
        category: loaded
            .as_ref()
            .map(|(a, _)| a.category.value.clone())
            .unwrap_or_default(),
        summary: summary(&diagnostics),
        passed: !diagnostics.has_errors(),
        problems_by_part,
        report: text_source(
            sources.and_then(|s| s.report.as_ref()).map(|l| &l.value),
            texts.map(|t| &t.report),
        ),
        plan: text_source(
            sources.and_then(|s| s.plan.as_ref()).map(|l| &l.value),
            texts.map(|t| &t.plan),
        ),
        workbook: sources.and_then(|s| match &s.assessment {
            Some(crate::load::applicant::AssessmentSource::Workbook(w)) => {
                Some(file_label(&w.value))
            }
            _ => None,
        }),
        assessment,
        letter,
        timetable: super::timetable::form(
            &std::fs::read_to_string(dir.join("applicant.yaml")).unwrap_or_default(),
        ),
        previews: Vec::new(),
    }
}

/// The last component of `path`, for showing.
pub fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The problems of a check, each with the part of the page it belongs to; files are named
/// relative to the workspace `root`, as the clerk sees them.
pub fn problems_of(diagnostics: &Diagnostics, root: &Path) -> Vec<Problem> {
    let root = format!("{}/", crate::diagnostics::display_path(root));
    diagnostics
        .iter()
        .map(|d| {
            let place = d.location.as_ref().map(place_of).unwrap_or_default();
            let place = place
                .strip_prefix(&root)
                .map_or(place.clone(), str::to_string);
            Problem {
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                message: d.message.clone(),
                part: part_of(&place),
                line: d.location.as_ref().and_then(|l| l.line),
                cell: d.location.as_ref().and_then(|l| l.cell.clone()),
                place,
                hint: d.hint.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// The problems grouped by the part of the page they belong to; every part has a list.
fn by_part(problems: Vec<Problem>) -> std::collections::BTreeMap<&'static str, Vec<Problem>> {
    let mut parts: std::collections::BTreeMap<&'static str, Vec<Problem>> =
        ["letter", "report", "plan", "assessment", "other"]
            .into_iter()
            .map(|p| (p, Vec::new()))
            .collect();
    for problem in problems {
        parts.entry(problem.part).or_default().push(problem);
    }
    parts
}

fn place_of(location: &crate::diagnostics::Location) -> String {
    let mut place = location.file.clone();
    if let Some(line) = location.line {
        place.push_str(&format!(" 第{line}行"));
    }
    if let Some(cell) = &location.cell {
        place.push_str(&format!(" {cell}"));
    }
    place
}

fn part_of(place: &str) -> &'static str {
    if place.contains("报告") {
        "report"
    } else if place.contains("方案") {
        "plan"
    } else if place.contains(".xls") || place.contains(".ods") || place.contains("evidence") {
        "assessment"
    } else if place.contains("applicant.yaml") {
        "letter"
    } else {
        "other"
    }
}

/// The outputs of the applicant's last build, from its manifest.
fn outputs_of(desk: &Desk, dir: &Path) -> Vec<Output> {
    let manifest = desk.workspace.output_of(dir).join("manifest.json");
    std::fs::read(manifest)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|m| serde_json::from_value(m.get("outputs")?.clone()).ok())
        .unwrap_or_default()
}

/// One output file of the last build, chosen by its place in the manifest (never by a name).
pub async fn output_file(
    State(desk): State<Arc<Desk>>,
    UrlPath((name, index)): UrlPath<(String, usize)>,
) -> Response {
    let Some(dir) = desk.workspace.find(&name) else {
        return not_found(&name);
    };
    let Some(output) = outputs_of(&desk, &dir).into_iter().nth(index) else {
        return not_found(&format!("{name} 的第 {index} 个文件"));
    };
    let path = desk.workspace.output_of(&dir).join(&output.path);
    match std::fs::read(&path) {
        Ok(bytes) => download(&output.path, content_type(&output.path), bytes),
        Err(_) => not_found(&output.path),
    }
}

/// The whole dossier of the last build as one zip.
pub async fn dossier_zip(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
) -> Response {
    let Some(dir) = desk.workspace.find(&name) else {
        return not_found(&name);
    };
    let outputs = outputs_of(&desk, &dir);
    if outputs.is_empty() {
        return failure("还没有生成过，请先点“生成”");
    }
    let folder = desk.workspace.output_of(&dir);
    let files: Vec<(String, Vec<u8>)> = outputs
        .iter()
        .filter_map(|o| {
            std::fs::read(folder.join(&o.path))
                .ok()
                .map(|b| (o.path.clone(), b))
        })
        .collect();
    let attachments: Vec<Attachment> = files
        .iter()
        .map(|(name, bytes)| Attachment { name, bytes })
        .collect();
    match crate::assemble::email::zip(&attachments) {
        Ok(bytes) => download(&format!("{name}-申报材料.zip"), "application/zip", bytes),
        Err(e) => failure(&format!("无法打包（{e}）")),
    }
}

/// The blank official workbook for the applicant's category.
pub async fn blank_workbook(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
) -> Response {
    let Some(dir) = desk.workspace.find(&name) else {
        return not_found(&name);
    };
    let settings = desk.settings.clone();
    let made = tokio::task::spawn_blocking(move || blank_workbook_for(&dir, &settings))
        .await
        .map_err(|_| Diagnostic::error("后台任务意外中止"))
        .and_then(|r| r);
    match made {
        Ok(bytes) => download("测评表（空白）.xlsx", content_type(".xlsx"), bytes),
        Err(problem) => failure(&Diagnostics::from(problem).render()),
    }
}

/// The blank workbook of the category that the applicant in `dir` applies for.
fn blank_workbook_for(dir: &Path, settings: &crate::run::Settings) -> Result<Vec<u8>, Diagnostic> {
    let store = TemplateStore::new(settings.templates.clone())?;
    let notice = Notice::load(&store)?;
    let (_, sources, _) = crate::load::load_applicant(dir, None, &notice.limits);
    let category = sources
        .and_then(|s| s.category)
        .map(|c| c.value)
        .ok_or_else(|| Diagnostic::error("请先在 applicant.yaml 中写明申报类别（category）"))?;
    let info = notice
        .categories
        .get(&category)
        .ok_or_else(|| Diagnostic::error(format!("申报类别“{category}”不在通知规定的类别中")))?;
    let catalogue = crate::load::catalogue::Catalogue::load(&store, &info.catalogue)?;
    crate::init::blank_workbook(&catalogue)
        .map_err(|e| Diagnostic::error(format!("无法生成测评表工作簿（{e}）")))
}

/// A download of `bytes` as the file `name` (its last component) of type `kind`.
pub fn download(name: &str, kind: &str, bytes: Vec<u8>) -> Response {
    let file = name.rsplit('/').next().unwrap_or(name);
    let disposition = format!("attachment; filename*=UTF-8''{}", percent_encode(file));
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("zip") => "application/zip",
        Some("eml") => "message/rfc822",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// 通过, or N 个错误、M 个警告.
pub fn summary(diagnostics: &Diagnostics) -> String {
    match (diagnostics.error_count(), diagnostics.warning_count()) {
        (0, 0) => "通过".into(),
        (0, w) => format!("通过（{w} 个警告）"),
        (e, w) => format!("{e} 个错误、{w} 个警告"),
    }
}

fn describe_time(time: std::time::SystemTime) -> String {
    let age = time.elapsed().unwrap_or_default().as_secs();
    match age {
        0..60 => "刚刚".into(),
        60..3600 => format!("{} 分钟前", age / 60),
        3600..86_400 => format!("{} 小时前", age / 3600),
        _ => format!("{} 天前", age / 86_400),
    }
}

/// The context every page starts from: the CSRF token and the flash message.
pub fn base_context(desk: &Desk, flash: &Flash) -> Context {
    let mut context = Context::new();
    context.insert("csrf", desk.guard.csrf());
    context.insert("flash", &flash.flash);
    context
}

/// A plain page saying `what` does not exist.
pub fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("找不到：{what}"),
    )
        .into_response()
}

/// A plain page with `message` (Chinese, already saying what to do).
pub fn failure(message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_string(),
    )
        .into_response()
}
