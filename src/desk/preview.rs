//! The desk's previews: every page of every material, as images rendered by the same engine as
//! the PDF. The applicant page lays each material out once (or reuses the layout while its stamp,
//! the build's input hash, is unchanged) and links each page with that stamp, so the images are
//! served from memory and a saved change shows at the next load.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::Desk;
use super::pages::{failure, not_found, with_session};
use crate::run::Session;
use crate::run::preview::Pages;

/// The resolution of the preview images, in dots per inch.
const DPI: f32 = 60.0;

/// The materials laid out so far, by applicant folder and material number.
#[derive(Default)]
pub struct Previews {
    laid_out: Mutex<HashMap<(String, u8), Arc<Pages>>>,
}

/// One material's previews as the applicant page links them.
#[derive(Debug, Serialize)]
pub struct MaterialPreview {
    material: u8,
    pages: Vec<usize>,
    stamp: String,
}

impl Previews {
    /// Lays out every material of the applicant `folder` in `dir` whose stamp changed, and
    /// returns what the page links to; empty when the applicant cannot be composed yet.
    pub fn refresh(&self, session: &Session, folder: &str, dir: &Path) -> Vec<MaterialPreview> {
        let Ok(stamps) = session.preview_stamps(dir) else {
            return Vec::new();
        };
        stamps
            .into_iter()
            .filter_map(|(stamp, document)| {
                let key = (folder.to_string(), document.material);
                let current = self.lock().get(&key).filter(|p| p.stamp == stamp).cloned();
                let pages = match current {
                    Some(pages) => pages,
                    None => {
                        let pages = Arc::new(session.lay_out_preview(&document, stamp).ok()?);
                        self.lock().insert(key, pages.clone());
                        pages
                    }
                };
                Some(MaterialPreview {
                    material: pages.material,
                    pages: (1..=pages.count()).collect(),
                    stamp: pages.stamp.clone(),
                })
            })
            .collect()
    }

    /// The layout of material `material` of `folder`, if it is the one stamped `stamp`.
    fn cached(&self, folder: &str, material: u8, stamp: &str) -> Option<Arc<Pages>> {
        self.lock()
            .get(&(folder.to_string(), material))
            .filter(|p| p.stamp == stamp)
            .cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u8), Arc<Pages>>> {
        self.laid_out.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The stamp a preview link carries.
#[derive(Debug, Deserialize, Default)]
pub struct Stamp {
    /// The stamp of the layout the page was linked to.
    #[serde(default)]
    v: String,
}

/// A page of a material as PNG: from the layout the link's stamp names, or laid out afresh when
/// that one is gone (the link is older than the last change).
pub async fn page(
    State(desk): State<Arc<Desk>>,
    UrlPath((name, material, page)): UrlPath<(String, u8, usize)>,
    Query(stamp): Query<Stamp>,
) -> Response {
    let Some(dir) = desk.workspace.find(&name) else {
        return not_found(&name);
    };
    let pages = match desk.previews.cached(&name, material, &stamp.v) {
        Some(pages) => Some(pages),
        None => {
            let worker = desk.clone();
            let folder = name.clone();
            let refreshed = with_session(&desk, move |session| {
                worker.previews.refresh(session, &folder, &dir);
                worker.previews.lock().get(&(folder, material)).cloned()
            })
            .await;
            match refreshed {
                Ok(pages) => pages,
                Err(response) => return response,
            }
        }
    };
    let Some(pages) = pages else {
        return failure("该材料暂时无法预览：请先修正检查出的错误");
    };
    match tokio::task::spawn_blocking(move || pages.png(page, DPI)).await {
        Ok(Ok(png)) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Ok(Err(problems)) => failure(&problems.render()),
        Err(_) => failure("后台任务意外中止"),
    }
}
