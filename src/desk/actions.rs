//! The desk's actions (POST routes): create an applicant, save a text, upload a file, restore a
//! kept version, build. Each checks the form's CSRF token, writes through
//! [`workspace::save_keeping_history`] and redirects back to the page with a message.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::Form;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::pages::{self, base_context, failure, file_label, not_found};
use super::workspace::{self, plain_name, save_keeping_history};
use super::{Desk, yaml_edit};
use crate::diagnostics::Diagnostics;
use crate::load::applicant_fields;
use crate::run::Session;
use crate::run::batch::{BuildOptions, Progress};
use crate::templates::TemplateStore;

/// The builds of the desk: at most one at a time per applicant.
#[derive(Default)]
pub struct Builds {
    states: Mutex<HashMap<String, BuildState>>,
}

/// How an applicant's build stands.
#[derive(Debug, Clone, Serialize)]
pub struct BuildState {
    /// Whether it is still running.
    pub running: bool,
    /// What the last build said, or how far the running one has come.
    pub message: String,
    /// The running build's count of documents.
    #[serde(skip)]
    progress: Option<Arc<Progress>>,
}

impl Builds {
    /// The build state of the applicant `name`, if it was ever built from the desk; a running
    /// build says how many documents it has rendered.
    pub fn state_of(&self, name: &str) -> Option<BuildState> {
        let mut state = self.lock().get(name).cloned()?;
        if let Some(progress) = state.progress.as_ref().filter(|_| state.running) {
            let (done, total) = (
                progress.done.load(Ordering::SeqCst),
                progress.total.load(Ordering::SeqCst),
            );
            if total > 0 {
                state.message = format!("正在生成……（已完成 {done}/{total} 份文档）");
            }
        }
        Some(state)
    }

    /// Marks `name` as building, unless it already is, and hands out the counter the build
    /// reports its progress to.
    pub fn start(&self, name: &str) -> Option<Arc<Progress>> {
        let mut states = self.lock();
        if states.get(name).is_some_and(|s| s.running) {
            return None;
        }
        let progress = Arc::new(Progress::default());
        states.insert(
            name.to_string(),
            BuildState {
                running: true,
                message: "正在生成……".into(),
                progress: Some(progress.clone()),
            },
        );
        Some(progress)
    }

    /// Records that the build of `name` ended, saying `message`.
    pub fn finish(&self, name: &str, message: String) {
        self.lock().insert(
            name.to_string(),
            BuildState {
                running: false,
                message,
                progress: None,
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, BuildState>> {
        self.states.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Creates a new applicant folder as `shenbao init` does, with the form's values filled in.
pub async fn create(
    State(desk): State<Arc<Desk>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !desk.guard.csrf_ok(form.get("csrf").map(String::as_str)) {
        return stale();
    }
    let name = form
        .get("name")
        .map(|n| n.trim().to_string())
        .unwrap_or_default();
    let category = form.get("category").cloned().unwrap_or_default();
    if let Some(problem) = city_problem(&desk, &category, &form) {
        return new_form_again(&desk, &form, vec![problem]);
    }
    let dir = match desk.workspace.new_folder(&name) {
        Ok(dir) => dir,
        Err(message) => return new_form_again(&desk, &form, vec![message]),
    };
    let templates = desk.settings.templates.clone();
    let made = tokio::task::spawn_blocking(move || {
        let store = TemplateStore::new(templates)?;
        crate::init::init(&dir, &category, &store, false)?;
        fill_new_applicant(&dir, &name, &form)
    })
    .await;
    match made {
        Ok(Ok(folder)) => back_to(&folder, "已创建。请继续填写各项材料，然后点“检查”。"),
        Ok(Err(problem)) => failure(&Diagnostics::from(problem).render()),
        Err(_) => failure("后台任务意外中止"),
    }
}

/// Why the form's 级别 or 所属省辖市 cannot be kept: the level must be the category's, and only
/// a county-level category has a city.
fn city_problem(desk: &Desk, category: &str, form: &HashMap<String, String>) -> Option<String> {
    let typed = |key: &str| form.get(key).map(|v| v.trim()).unwrap_or_default();
    let store = TemplateStore::new(desk.settings.templates.clone()).ok()?;
    let notice = crate::load::notice::Notice::load(&store).ok()?;
    let level = notice.categories.get(category)?.level.as_str();
    if !typed("level").is_empty() && typed("level") != level {
        return Some(format!(
            "级别“{}”与申报类别“{category}”（{level}级）不符：请改选级别或申报类别",
            typed("level")
        ));
    }
    (!typed("city").is_empty() && level != "县").then(|| {
        format!("所属省辖市只由县级申报单位填写；“{category}”是{level}级类别，请清空所属省辖市，或改选县级类别")
    })
}

/// Writes the form's values into the fresh `applicant.yaml`, keeping `init`'s comments: each
/// field of the form at its path (the category is the one `init` already wrote).
fn fill_new_applicant(
    dir: &Path,
    name: &str,
    form: &HashMap<String, String>,
) -> Result<String, crate::diagnostics::Diagnostic> {
    let file = dir.join("applicant.yaml");
    let mut text = std::fs::read_to_string(&file)
        .map_err(|e| crate::diagnostics::Diagnostic::error(crate::diagnostics::io_problem(&e)))?;
    let level_is_county = text.lines().any(|l| l.starts_with("city:"));
    for (path, spec) in applicant_fields::form_fields() {
        let value = match path.as_str() {
            "name" => name,
            "category" => continue,
            _ => form.get(&spec.name).map(|v| v.trim()).unwrap_or_default(),
        };
        if value.is_empty() || (path == "city" && !level_is_county) {
            continue;
        }
        let steps: Vec<&str> = path.split('.').collect();
        text = yaml_edit::set_scalar(&text, &steps, value)
            .map_err(crate::diagnostics::Diagnostic::error)?;
    }
    crate::assemble::write_atomically(&file, text.as_bytes())?;
    Ok(dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default())
}

fn new_form_again(desk: &Desk, form: &HashMap<String, String>, errors: Vec<String>) -> Response {
    let mut context = base_context(desk, &pages::Flash::default());
    pages::fill_form(desk, form, &mut context);
    context.insert("errors", &errors);
    desk.pages.page("new.html", &context)
}

/// Starts a build of the applicant in the background (one at a time per applicant) and goes
/// back to its page, which shows the progress.
pub async fn build(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let dir = match posted_to(&desk, &name, &form) {
        Ok(dir) => dir,
        Err(response) => return response,
    };
    let Some(progress) = desk.builds.start(&name) else {
        return back_to(&name, "正在生成，请稍候");
    };
    let worker = desk.clone();
    let folder = name.clone();
    tokio::task::spawn_blocking(move || {
        let message = match Session::open(&worker.settings) {
            Ok(session) => build_message(&session, &dir, worker.workspace.out(), progress),
            Err(problems) => problems.render(),
        };
        worker.builds.finish(&folder, message);
    });
    back_to(&name, "已开始生成")
}

fn build_message(session: &Session, dir: &Path, out: &Path, progress: Arc<Progress>) -> String {
    let options = BuildOptions {
        out: out.to_path_buf(),
        progress: Some(progress),
        ..BuildOptions::default()
    };
    let batch = session.build(&[dir.to_path_buf()], &options);
    if batch.problems.has_errors() {
        return format!("生成失败：\n{}", batch.problems.render());
    }
    match batch.applicants.first() {
        Some(report) if report.ok() => format!("生成完成：{} 个文件", report.outputs.len()),
        Some(report) => format!("生成失败：\n{}", report.diagnostics.render()),
        None => "没有生成任何文件".into(),
    }
}

/// Checks the applicant afresh and goes back to its page with the result.
pub async fn check(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let dir = match posted_to(&desk, &name, &form) {
        Ok(dir) => dir,
        Err(response) => return response,
    };
    match pages::with_session(&desk, move |session| session.check_one(&dir).1).await {
        Ok(diagnostics) => back_to(
            &name,
            &format!(
                "检查结果：{}（各项问题列在所属材料下）",
                pages::summary(&diagnostics)
            ),
        ),
        Err(response) => response,
    }
}

/// Saves the Markdown of material 2 or 3 edited in the page; refuses a form older than the file.
pub async fn save_text(
    State(desk): State<Arc<Desk>>,
    UrlPath((name, slot)): UrlPath<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let dir = match posted_to(&desk, &name, &form) {
        Ok(dir) => dir,
        Err(response) => return response,
    };
    let Some(file) = declared_source(&dir, &slot, &desk.limits) else {
        return failure("applicant.yaml 中没有写明该材料的文件（report / plan）");
    };
    if file.extension().is_none_or(|e| e != "md") {
        return failure("该材料是 Word 文件，请下载后用 WPS/Word 修改，再上传");
    }
    let current = std::fs::read(&file).unwrap_or_default();
    if form.get("version").map(String::as_str) != Some(crate::assemble::sha256(&current).as_str()) {
        return back_to(
            &name,
            "此页已过期，请刷新：文件在打开此页后已被修改，本次未保存",
        );
    }
    let text = form
        .get("text")
        .cloned()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    match save_keeping_history(&dir, &file, text.as_bytes()) {
        Ok(()) => back_to(&name, "已保存（原文件已存入 .history）"),
        Err(problem) => failure(&Diagnostics::from(problem).render()),
    }
}

/// What an upload slot accepts and where the file goes.
struct Slot {
    field: &'static str,
    extensions: &'static [&'static str],
    base: &'static str,
}

const SLOTS: [(&str, Slot); 3] = [
    (
        "report",
        Slot {
            field: "report",
            extensions: &["md", "docx"],
            base: "创建工作报告",
        },
    ),
    (
        "plan",
        Slot {
            field: "plan",
            extensions: &["md", "docx"],
            base: "工作方案",
        },
    ),
    (
        "workbook",
        Slot {
            field: "assessment",
            extensions: &["xlsx", "xls", "ods"],
            base: "测评表",
        },
    ),
];

/// Takes an uploaded report, plan or workbook (or an evidence file). The file's name in the
/// folder is chosen here, from the slot and the file's type, never from the browser.
pub async fn upload(
    State(desk): State<Arc<Desk>>,
    UrlPath((name, slot)): UrlPath<(String, String)>,
    multipart: Multipart,
) -> Response {
    let Some(dir) = desk.workspace.find(&name) else {
        return not_found(&name);
    };
    let (fields, file) = match read_upload(multipart).await {
        Ok(parts) => parts,
        Err(message) => return back_to(&name, &message),
    };
    if !desk.guard.csrf_ok(fields.get("csrf").map(String::as_str)) {
        return stale();
    }
    let Some((browser_name, bytes)) = file else {
        return back_to(&name, "请先选择要上传的文件");
    };
    let extension = extension_of(&browser_name);
    if matches!(extension.as_str(), "doc" | "wps" | "docm" | "wpt" | "dot") {
        return back_to(
            &name,
            "不能读取此格式：请在 WPS/Word 中另存为 .docx 后再上传",
        );
    }
    let stored = if slot == "evidence" {
        store_evidence(&dir, &extension, &bytes)
    } else {
        let Some((_, spec)) = SLOTS.iter().find(|(s, _)| *s == slot) else {
            return not_found(&slot);
        };
        store_source(&dir, spec, &extension, &bytes, &desk.limits)
    };
    match stored {
        Ok(message) => back_to(&name, &message),
        Err(message) => back_to(&name, &message),
    }
}

/// The form fields and the one file of a multipart upload.
async fn read_upload(
    mut multipart: Multipart,
) -> Result<(HashMap<String, String>, Option<(String, Vec<u8>)>), String> {
    let mut fields = HashMap::new();
    let mut file = None;
    let too_big = |e: axum::extract::multipart::MultipartError| {
        format!("上传失败：文件过大或传输中断（{e}）")
    };
    while let Some(field) = multipart.next_field().await.map_err(too_big)? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(browser_name) if name == "file" => {
                let bytes = field.bytes().await.map_err(too_big)?;
                if !bytes.is_empty() {
                    file = Some((browser_name, bytes.to_vec()));
                }
            }
            _ => {
                fields.insert(name, field.text().await.map_err(too_big)?);
            }
        }
    }
    Ok((fields, file))
}

fn store_source(
    dir: &Path,
    slot: &Slot,
    extension: &str,
    bytes: &[u8],
    limits: &crate::load::limits::Limits,
) -> Result<String, String> {
    if !slot.extensions.contains(&extension) {
        return Err(format!("此处只接受 {} 文件", slot.extensions.join("、")));
    }
    let declared = declared_source(dir, slot.field, limits);
    let target = match &declared {
        Some(path) if extension_of(&path.to_string_lossy()) == extension => path.clone(),
        _ => dir.join(format!("{}.{extension}", slot.base)),
    };
    save_keeping_history(dir, &target, bytes).map_err(|p| Diagnostics::from(p).render())?;
    if declared.as_ref() != Some(&target) {
        point_yaml_at(dir, slot.field, &target)?;
    }
    Ok(format!("已上传为 {}", file_label(&target)))
}

/// Points the field of `applicant.yaml` at `target`, keeping the file's previous version.
fn point_yaml_at(dir: &Path, field: &str, target: &Path) -> Result<(), String> {
    let file = dir.join("applicant.yaml");
    let text = std::fs::read_to_string(&file).map_err(|e| crate::diagnostics::io_problem(&e))?;
    let edited = yaml_edit::set_scalar(&text, &[field], &file_label(target))?;
    save_keeping_history(dir, &file, edited.as_bytes()).map_err(|p| Diagnostics::from(p).render())
}

fn store_evidence(dir: &Path, extension: &str, bytes: &[u8]) -> Result<String, String> {
    let kind = sniff(bytes).ok_or("佐证材料只接受 PDF、PNG、JPEG 文件")?;
    if !(extension == kind || (kind == "jpg" && extension == "jpeg")) {
        return Err(format!("文件内容是 {kind}，与扩展名 .{extension} 不符"));
    }
    let folder = dir.join("evidence");
    let target = (1..)
        .map(|n| folder.join(format!("上传-{n:03}.{kind}")))
        .find(|path| !path.exists())
        .ok_or("佐证材料文件过多")?;
    save_keeping_history(dir, &target, bytes).map_err(|p| Diagnostics::from(p).render())?;
    Ok(format!(
        "已上传为 evidence/{}；请在“佐证材料”下为它选择所佐证的指标并写明名称",
        file_label(&target)
    ))
}

/// The type of an evidence file from its first bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else {
        None
    }
}

/// Puts a kept version back (the current one is kept in turn).
pub async fn restore(
    State(desk): State<Arc<Desk>>,
    UrlPath(name): UrlPath<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let dir = match posted_to(&desk, &name, &form) {
        Ok(dir) => dir,
        Err(response) => return response,
    };
    let wanted = form.get("kept").map(String::as_str).unwrap_or_default();
    let Some(kept) = workspace::history(&dir)
        .into_iter()
        .find(|k| k.name == wanted)
    else {
        return back_to(&name, "没有这个历史版本");
    };
    if !plain_name(&kept.of) {
        return back_to(&name, "该历史版本的文件名不能恢复");
    }
    let restored = std::fs::read(dir.join(workspace::HISTORY).join(&kept.name))
        .map_err(|e| crate::diagnostics::io_problem(&e))
        .and_then(|bytes| {
            let target = restore_target(&dir, &kept.of);
            save_keeping_history(&dir, &target, &bytes).map_err(|p| Diagnostics::from(p).render())
        });
    match restored {
        Ok(()) => back_to(&name, &format!("已恢复 {}", kept.of)),
        Err(message) => back_to(&name, &message),
    }
}

/// Where a kept file goes back to: evidence files into `evidence/`, the rest beside
/// `applicant.yaml`.
fn restore_target(dir: &Path, file: &str) -> PathBuf {
    if file.starts_with("上传-") && dir.join("evidence").join(file).exists() {
        dir.join("evidence").join(file)
    } else {
        dir.join(file)
    }
}

/// The file `applicant.yaml` names for `field` (`report`, `plan`, `assessment`), if it lies in
/// the applicant's folder.
fn declared_source(
    dir: &Path,
    field: &str,
    limits: &crate::load::limits::Limits,
) -> Option<PathBuf> {
    let (_, sources, _) = crate::load::load_applicant(dir, None, limits);
    let sources = sources?;
    let path = match field {
        "report" => sources.report.map(|l| l.value),
        "plan" => sources.plan.map(|l| l.value),
        "assessment" => match sources.assessment {
            Some(crate::load::applicant::AssessmentSource::Workbook(w)) => Some(w.value),
            _ => None,
        },
        _ => None,
    }?;
    let inside = path
        .canonicalize()
        .ok()
        .zip(dir.canonicalize().ok())
        .is_some_and(|(p, d)| p.starts_with(d));
    inside.then_some(path)
}

fn extension_of(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default()
}

/// The folder of the applicant a form was posted for, once the form's CSRF token is checked.
pub fn posted_to(
    desk: &Desk,
    name: &str,
    form: &HashMap<String, String>,
) -> Result<PathBuf, Response> {
    if !desk.guard.csrf_ok(form.get("csrf").map(String::as_str)) {
        return Err(stale());
    }
    desk.workspace.find(name).ok_or_else(|| not_found(name))
}

fn stale() -> Response {
    pages::failure("此页已过期，请刷新后重试（表单口令不符）")
}

/// Redirects to the applicant page of `name` with `message` shown once.
pub fn back_to(name: &str, message: &str) -> Response {
    Redirect::to(&format!(
        "/a/{}?flash={}",
        pages::percent_encode(name),
        pages::percent_encode(message)
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_build_says_how_far_it_has_come() {
        let builds = Builds::default();
        let progress = builds.start("洛阳市").expect("a first build starts");
        assert!(builds.start("洛阳市").is_none(), "one build at a time");
        assert_eq!(builds.state_of("洛阳市").unwrap().message, "正在生成……");
        progress.total.store(12, Ordering::SeqCst);
        progress.done.store(5, Ordering::SeqCst);
        let state = builds.state_of("洛阳市").unwrap();
        assert!(state.running);
        assert_eq!(state.message, "正在生成……（已完成 5/12 份文档）");
        builds.finish("洛阳市", "生成完成：12 个文件".into());
        assert_eq!(
            builds.state_of("洛阳市").unwrap().message,
            "生成完成：12 个文件"
        );
        assert!(builds.start("洛阳市").is_some());
    }
}
