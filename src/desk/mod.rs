//! `shenbao serve`: the office desk, a local web page over the same pipeline as the command line.
//!
//! Clerks see the applicants of a workspace, create one, upload their Word or Markdown drafts and
//! the workbook, check, preview and build, and download the dossier. Pages are rendered on the
//! server with Tera (`templates/desk/*.html`), forms post and redirect, so every action works
//! without JavaScript. The desk writes the same folders as `shenbao init` and `build`.
//!
//! [`guard`] keeps it safe as a server, [`workspace`] owns the files, [`pages`] and [`actions`]
//! are the routes.

mod actions;
mod args;
mod assessment;
mod centre;
mod centre_import;
mod editing;
mod guard;
mod letter;
mod outline;
mod pages;
mod preview;
mod render;
mod timetable;
mod workspace;
mod yaml_edit;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::diagnostics::{Diagnostic, io_problem};
use crate::run::Settings;

pub use args::ServeArgs;
pub use guard::Guard;

/// Stack of the desk's threads: typst lays out deeply nested content on the calling thread.
const STACK: usize = 32 << 20;
pub use workspace::Workspace;

/// How `shenbao serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The folder of applicant folders (by default `inputs/`).
    pub workspace: PathBuf,
    /// Where builds are written (by default `out/`).
    pub out: PathBuf,
    /// The address to listen on; 127.0.0.1 unless the office asked for its network.
    pub listen: SocketAddr,
    /// The secret a browser must present when listening beyond this machine.
    pub token: Option<String>,
    /// The settings every build of the desk shares (templates, fonts, roster).
    pub settings: Settings,
    /// The largest upload accepted, in bytes.
    pub upload_limit: usize,
}

/// What every request of one desk shares.
pub struct Desk {
    workspace: Workspace,
    settings: Settings,
    guard: Guard,
    pages: render::Pages,
    builds: actions::Builds,
    limits: crate::load::limits::Limits,
    imports: std::sync::Mutex<Vec<centre_import::ImportRow>>,
    previews: preview::Previews,
}

impl Desk {
    /// What became of the bundles of the centre's last import.
    fn imports(&self) -> std::sync::MutexGuard<'_, Vec<centre_import::ImportRow>> {
        self.imports.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Builds the desk's routes over `options`, with the address the browser will use.
pub fn router(options: &ServeOptions, address: SocketAddr) -> Result<Router, Diagnostic> {
    let desk = Arc::new(Desk {
        workspace: Workspace::new(&options.workspace, &options.out)?,
        settings: options.settings.clone(),
        guard: Guard::new(address, options.token.clone())?,
        pages: render::Pages::load(&options.settings)?,
        builds: actions::Builds::default(),
        limits: crate::load::notice::Notice::load(&crate::templates::TemplateStore::new(
            options.settings.templates.clone(),
        )?)?
        .limits,
        imports: Default::default(),
        previews: Default::default(),
    });
    Ok(Router::new()
        .route("/", get(pages::home))
        .route("/new", get(pages::new_form).post(actions::create))
        .route("/centre", get(centre::page))
        .route("/centre/import", post(centre_import::upload))
        .route("/centre/recommend", post(centre::recommend))
        .route("/centre/package", post(centre::package))
        .route("/centre/package.zip", get(centre::package_zip))
        .route("/a/{name}", get(pages::applicant))
        .route("/a/{name}/check", post(actions::check))
        .route("/a/{name}/build", post(actions::build))
        .route("/a/{name}/letter", post(letter::save))
        .route("/a/{name}/evidence", post(assessment::assign))
        .route("/a/{name}/timetable", post(timetable::save))
        .route("/a/{name}/text/{slot}", post(actions::save_text))
        .route("/a/{name}/upload/{slot}", post(actions::upload))
        .route("/a/{name}/restore", post(actions::restore))
        .route("/a/{name}/preview/{material}/{page}", get(preview::page))
        .route("/a/{name}/file/{index}", get(pages::output_file))
        .route("/a/{name}/dossier.zip", get(pages::dossier_zip))
        .route("/a/{name}/blank.xlsx", get(pages::blank_workbook))
        .layer(axum::middleware::from_fn_with_state(
            desk.clone(),
            guard::check,
        ))
        .layer(DefaultBodyLimit::max(options.upload_limit))
        .with_state(desk))
}

/// Runs the desk until the process is stopped; prints the address and opens the browser unless
/// `open_browser` is false.
pub fn serve(options: &ServeOptions, open_browser: bool) -> Result<(), Diagnostic> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(STACK)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::error(format!("无法启动网页服务（{}）", io_problem(&e))))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| {
                Diagnostic::error(format!(
                    "无法在 {} 上监听（{}）",
                    options.listen,
                    io_problem(&e)
                ))
                .hint("换一个端口（--port），或不指定端口让程序自选")
            })?;
        let address = listener
            .local_addr()
            .map_err(|e| Diagnostic::error(io_problem(&e)))?;
        let app = router(options, address)?;
        let url = guard::start_url(address, options.token.as_deref());
        eprintln!("申报工作台已启动：{url}\n按 Ctrl-C 停止。");
        if open_browser {
            open_in_browser(&url);
        }
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Diagnostic::error(format!("网页服务出错（{}）", io_problem(&e))))
    })
}

/// Asks the system to open `url` in the default browser; a failure only prints the address.
fn open_in_browser(url: &str) {
    let opened = if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if opened.is_err() {
        eprintln!("未能自动打开浏览器，请手动打开上面的地址。");
    }
}
