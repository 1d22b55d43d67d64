//! The desk's pages: Tera templates under `templates/desk/` (built in, overridable with
//! `--templates` like every other template), rendered with autoescaping so nothing a clerk
//! typed becomes markup.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tera::{Context, Tera};

use crate::diagnostics::Diagnostic;
use crate::run::Settings;
use crate::templates::TemplateStore;

/// The prefix of the desk's page templates in the template store.
const FOLDER: &str = "desk/";

/// Every page template of the desk, parsed once.
pub struct Pages {
    tera: Tera,
}

impl Pages {
    /// Loads `templates/desk/*.html` (with the overrides of `settings`).
    pub fn load(settings: &Settings) -> Result<Self, Diagnostic> {
        let store = TemplateStore::new(settings.templates.clone())?;
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        tera.register_filter(
            "urlencode",
            |text: &str, _: tera::Kwargs, _: &tera::State| super::pages::percent_encode(text),
        );
        let names: Vec<String> = TemplateStore::built_in_names()
            .into_iter()
            .filter(|n| n.starts_with(FOLDER) && n.ends_with(".html"))
            .collect();
        let mut sources = Vec::new();
        for name in &names {
            let file = store.require(name)?;
            sources.push((name.clone(), file.text()?.to_string()));
        }
        tera.add_raw_templates(sources).map_err(|e| {
            Diagnostic::error(format!("网页模板出错：{e}"))
                .at(crate::diagnostics::Location::file("templates/desk"))
                .hint("请检查 templates/desk/ 下各网页模板的 {% %} 是否成对")
        })?;
        Ok(Self { tera })
    }

    /// The page `name` (such as `home.html`) with `context`, or a plain error page.
    pub fn page(&self, name: &str, context: &Context) -> Response {
        match self.tera.render(&format!("{FOLDER}{name}"), context) {
            Ok(html) => Html(html).into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("网页模板 {name} 出错：{e}"),
            )
                .into_response(),
        }
    }
}
