//! The provincial centre's page (`/centre`): every applicant the province's `province.yaml`
//! receives, with its check result and the rules across applicants (quotas, eligibility,
//! deadline, roster); choosing the recommended applicants in order (written into
//! `province.yaml`'s `recommended`, the previous file kept), building the recommendation package
//! in the background, and downloading it as one zip. Bundles mailed in are imported by
//! [`super::centre_import`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::pages::{self, Flash, Problem, base_context, failure, problems_of};
use super::workspace::save_keeping_history;
use super::{Desk, yaml_edit};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::province::{self, PROVINCE_FILE, Province};
use crate::run::batch::{BuildOptions, Progress};
use crate::run::package::{MANIFEST, PackageManifest};
use crate::run::{Session, Settings};

/// The key of the centre's package build among the desk's builds (no applicant folder can be
/// called so: folder names never start with a dot).
const PACKAGE_BUILD: &str = ".centre";

/// One applicant as the centre's page lists it.
#[derive(Debug, Serialize)]
struct Row {
    folder: String,
    name: String,
    category: String,
    summary: String,
    passed: bool,
    rank: Option<usize>,
}

/// One category with its quota and how many are recommended now.
#[derive(Debug, Serialize)]
struct Quota {
    category: String,
    quota: i64,
    chosen: usize,
}

/// What the centre's page shows, read in one pass.
#[derive(Debug, Serialize)]
struct CentreView {
    folder: String,
    office: String,
    number: String,
    quotas: Vec<Quota>,
    rows: Vec<Row>,
    rules: Vec<Problem>,
    version: String,
}

/// The centre's page.
pub async fn page(State(desk): State<Arc<Desk>>, Query(flash): Query<Flash>) -> Response {
    let mut context = base_context(&desk, &flash);
    context.insert("imports", &*desk.imports());
    context.insert("building", &desk.builds.state_of(PACKAGE_BUILD));
    let Some(dir) = desk.workspace.province() else {
        context.insert("missing", &PROVINCE_FILE);
        return desk.pages.page("centre.html", &context);
    };
    let settings = desk.settings.clone();
    let viewed = tokio::task::spawn_blocking(move || view_of(&dir, settings)).await;
    match viewed {
        Ok(Ok(view)) => context.insert("view", &view),
        Ok(Err(problems)) => {
            context.insert("problems", &problems_of(&problems, desk.workspace.root()))
        }
        Err(_) => return failure("后台任务意外中止"),
    }
    context.insert("package", &package_files(&desk));
    desk.pages.page("centre.html", &context)
}

/// The province in `dir`, its applicants and the session that checks them (with the
/// province's roster unless the desk was given one).
fn open(
    dir: &Path,
    mut settings: Settings,
) -> Result<(Province, Vec<PathBuf>, Session), Diagnostics> {
    let province = province::read(dir)?;
    let dirs = province::applicant_dirs(&province)?;
    if settings.roster.is_none() {
        settings.roster = province.roster.as_ref().map(|r| r.value.clone());
    }
    let session = Session::open(&settings)?;
    Ok((province, dirs, session))
}

fn view_of(dir: &Path, settings: Settings) -> Result<CentreView, Diagnostics> {
    let (province, dirs, session) = open(dir, settings)?;
    let (reports, rules) = session.check_province(&province, &dirs);
    let rows: Vec<Row> = reports
        .iter()
        .map(|report| {
            let (name, category) = report.identity.clone().unwrap_or_default();
            Row {
                folder: pages::file_label(&report.dir),
                rank: province
                    .recommendations()
                    .find(|(_, _, n)| n.value == name)
                    .map(|(_, rank, _)| rank),
                name,
                category,
                summary: pages::summary(&report.diagnostics),
                passed: !report.diagnostics.has_errors(),
            }
        })
        .collect();
    let quotas = session
        .notice()
        .categories
        .keys()
        .map(|category| Quota {
            category: category.clone(),
            quota: province.quota(category).map_or(0, |q| q.value),
            chosen: province
                .recommendations()
                .filter(|(c, _, _)| &c.value == category)
                .count(),
        })
        .collect();
    let text = std::fs::read(&province.file).unwrap_or_default();
    Ok(CentreView {
        folder: pages::file_label(dir),
        office: province.office.value.clone(),
        number: province.number.value.clone(),
        quotas,
        rows,
        rules: problems_of(&rules, dir.parent().unwrap_or(dir)),
        version: crate::assemble::sha256(&text),
    })
}

/// Writes the recommended applicants, in the order of the numbers typed beside them, into
/// `province.yaml`'s `recommended` (one list per category; the previous file kept). The form
/// names applicants by folder; only folders the province receives are taken.
pub async fn recommend(
    State(desk): State<Arc<Desk>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let dir = match posted_to_province(&desk, &form) {
        Ok(dir) => dir,
        Err(response) => return response,
    };
    let settings = desk.settings.clone();
    let written = tokio::task::spawn_blocking(move || write_recommended(&dir, settings, &form))
        .await
        .unwrap_or_else(|_| Err("后台任务意外中止".into()));
    match written {
        Ok(message) => back(&message),
        Err(message) => back(&message),
    }
}

fn write_recommended(
    dir: &Path,
    settings: Settings,
    form: &HashMap<String, String>,
) -> Result<String, String> {
    let (province, dirs, session) = open(dir, settings).map_err(|p| p.render())?;
    let current = std::fs::read_to_string(&province.file).map_err(|e| e.to_string())?;
    if form.get("version").map(String::as_str)
        != Some(crate::assemble::sha256(current.as_bytes()).as_str())
    {
        return Err("此页已过期，请刷新：province.yaml 在打开此页后已被修改，本次未保存".into());
    }
    let mut chosen: Vec<(String, usize, String)> = Vec::new();
    for dir in &dirs {
        let folder = pages::file_label(dir);
        let typed = form
            .get(&format!("rank-{folder}"))
            .map(|r| r.trim())
            .unwrap_or_default();
        if typed.is_empty() {
            continue;
        }
        let rank = typed
            .parse::<usize>()
            .ok()
            .filter(|r| *r > 0)
            .ok_or_else(|| format!("“{folder}”的推荐顺序“{typed}”应为 1、2、3 这样的正整数"))?;
        let (loaded, _) = session.check_one(dir);
        let (applicant, _) =
            loaded.ok_or_else(|| format!("“{folder}”的 applicant.yaml 有错误，不能推荐"))?;
        chosen.push((applicant.category.value, rank, applicant.name.value));
    }
    chosen.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    let mut text = current.clone();
    for category in session.notice().categories.keys() {
        let names: Vec<String> = chosen
            .iter()
            .filter(|(c, _, _)| c == category)
            .map(|(_, _, name)| name.clone())
            .collect();
        let path = ["recommended", category.as_str()];
        if yaml_edit::texts_at(&text, &path).as_ref() != Some(&names) {
            text = yaml_edit::set_texts(&text, &path, &names)?;
        }
    }
    if text == current {
        return Ok("推荐名单没有改动".into());
    }
    save_keeping_history(dir, &province.file, text.as_bytes())
        .map_err(|p| Diagnostics::from(p).render())?;
    Ok(format!(
        "已保存推荐名单（{} 个），原 province.yaml 已存入 .history",
        chosen.len()
    ))
}

/// Starts building the recommendation package in the background (one at a time) and goes back
/// to the page, which shows the progress.
pub async fn package(
    State(desk): State<Arc<Desk>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let dir = match posted_to_province(&desk, &form) {
        Ok(dir) => dir,
        Err(response) => return response,
    };
    let Some(progress) = desk.builds.start(PACKAGE_BUILD) else {
        return back("正在生成推荐材料，请稍候");
    };
    let worker = desk.clone();
    tokio::task::spawn_blocking(move || {
        let message = package_message(&dir, &worker, progress);
        worker.builds.finish(PACKAGE_BUILD, message);
    });
    back("已开始生成推荐材料")
}

fn package_message(dir: &Path, desk: &Desk, progress: Arc<Progress>) -> String {
    let (province, dirs, session) = match open(dir, desk.settings.clone()) {
        Ok(opened) => opened,
        Err(problems) => return format!("生成失败：\n{}", problems.render()),
    };
    let options = BuildOptions {
        out: package_folder(desk, dir),
        progress: Some(progress),
        ..BuildOptions::default()
    };
    let report = session.package(&province, &dirs, &options);
    let mut problems = report.rules.clone();
    for applicant in &report.applicants {
        problems.extend(
            applicant
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned(),
        );
    }
    match &report.manifest {
        Some(manifest) if !report.rules.has_errors() => {
            format!("生成完成：推荐材料共 {} 个文件", manifest.files.len() + 1)
        }
        _ => format!("生成失败：\n{}", problems.render()),
    }
}

/// Where the package of the province in `dir` is written: as `shenbao package` writes it.
fn package_folder(desk: &Desk, dir: &Path) -> PathBuf {
    desk.workspace
        .out()
        .join(crate::run::output::folder_name(dir))
}

/// The files of the last package, from its index.
fn package_files(desk: &Desk) -> Vec<String> {
    read_manifest(desk)
        .map(|(_, m)| m.files.into_iter().map(|f| f.path).collect())
        .unwrap_or_default()
}

fn read_manifest(desk: &Desk) -> Option<(PathBuf, PackageManifest)> {
    let folder = package_folder(desk, &desk.workspace.province()?);
    let bytes = std::fs::read(folder.join(MANIFEST)).ok()?;
    Some((folder, serde_json::from_slice(&bytes).ok()?))
}

/// The last package as one zip: every file its index lists, and the index.
pub async fn package_zip(State(desk): State<Arc<Desk>>) -> Response {
    let Some((folder, manifest)) = read_manifest(&desk) else {
        return failure("还没有生成推荐材料，请先点“生成推荐材料”");
    };
    let mut names: Vec<String> = manifest.files.iter().map(|f| f.path.clone()).collect();
    names.push(MANIFEST.into());
    let files: Result<Vec<(String, Vec<u8>)>, Diagnostic> = names
        .into_iter()
        .map(|name| {
            std::fs::read(folder.join(&name))
                .map(|bytes| (name.clone(), bytes))
                .map_err(|_| Diagnostic::error(format!("推荐材料中的 {name} 已不在，请重新生成")))
        })
        .collect();
    let files = match files {
        Ok(files) => files,
        Err(problem) => return failure(&problem.message),
    };
    let attachments: Vec<crate::assemble::email::Attachment> = files
        .iter()
        .map(|(name, bytes)| crate::assemble::email::Attachment { name, bytes })
        .collect();
    match crate::assemble::email::zip(&attachments) {
        Ok(bytes) => pages::download(
            &format!("{}-推荐材料.zip", manifest.office),
            "application/zip",
            bytes,
        ),
        Err(e) => failure(&format!("无法打包（{e}）")),
    }
}

/// The province's folder a centre form was posted for, once the form's CSRF token is checked.
fn posted_to_province(desk: &Desk, form: &HashMap<String, String>) -> Result<PathBuf, Response> {
    if !desk.guard.csrf_ok(form.get("csrf").map(String::as_str)) {
        return Err(failure("此页已过期，请刷新后重试（表单口令不符）"));
    }
    desk.workspace
        .province()
        .ok_or_else(|| back("工作目录中没有省级推荐目录（含 province.yaml 的目录）"))
}

/// Redirects to the centre's page with `message` shown once.
pub fn back(message: &str) -> Response {
    Redirect::to(&format!("/centre?flash={}", pages::percent_encode(message))).into_response()
}
