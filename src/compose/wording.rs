//! The one place that owns Tera: it loads the wording templates (`*.tera`) from the template
//! store and renders them with the applicant's data as *values*, so nothing an office types is
//! ever read as template code.

use tera::{Context, Tera};

use crate::diagnostics::{Diagnostic, Location};
use crate::templates::TemplateStore;

/// The wording templates of one run.
pub struct Wording {
    tera: Tera,
    store: TemplateStore,
}

impl Wording {
    /// An empty set of wording templates over `store`; templates are added on first use.
    pub fn new(store: &TemplateStore) -> Self {
        Self {
            tera: Tera::new(),
            store: store.clone(),
        }
    }

    /// Loads the template file `name` (such as `letter.tera`) so it can be rendered.
    pub fn load(&mut self, name: &str) -> Result<(), Diagnostic> {
        if self.tera.contains_template(name) {
            return Ok(());
        }
        let file = self.store.require(name)?;
        let text = file.text()?.to_string();
        self.tera
            .add_raw_template(name, &text)
            .map_err(|error| tera_error(&error, &file.origin, &text))
    }

    /// Renders the loaded template `name` with `context`.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(name, context).map_err(|error| {
            let origin = self
                .store
                .get(name)
                .map(|f| f.origin)
                .unwrap_or_else(|| name.into());
            let text = self
                .store
                .get(name)
                .and_then(|f| f.text().ok().map(str::to_string));
            tera_error(&error, &origin, text.as_deref().unwrap_or_default())
        })
    }

    /// Renders a short template written inside a data file (such as a title in `notice.yaml`).
    pub fn render_inline(
        &self,
        origin: &str,
        template: &str,
        context: &Context,
    ) -> Result<String, Diagnostic> {
        let mut tera = Tera::new();
        tera.add_raw_template(origin, template)
            .and_then(|_| tera.render(origin, context))
            .map_err(|error| tera_error(&error, std::path::Path::new(origin), template))
    }
}

/// A Tera error as a diagnostic at the template's line and column when Tera gives them.
fn tera_error(error: &tera::Error, origin: &std::path::Path, text: &str) -> Diagnostic {
    let full = error_chain(error);
    let location = line_column(&full)
        .map(|(line, column)| Location::at(origin, line, column))
        .unwrap_or_else(|| Location::file(origin));
    Diagnostic::error(format!("措辞模板出错：{}", headline(&full)))
        .at(location)
        .hint("请检查 {{ }} 与 {% %} 是否成对、变量名是否拼写正确")
        .quoting(text)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push('；');
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Finds `line:column` in Tera's message, as in `--> name:3:5`.
fn line_column(message: &str) -> Option<(u32, u32)> {
    let pointer = message.split("--> ").nth(1)?.lines().next()?;
    let mut parts = pointer.rsplit(':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    Some((line, column))
}

/// The first line of Tera's message, without its `error:` prefix.
fn headline(message: &str) -> &str {
    let first = message.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first)
}

/// Splits rendered wording into paragraphs at blank lines, joining the lines of a paragraph.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_separate_paragraphs() {
        assert_eq!(paragraphs("甲\n乙\n  \n丙\n\n\n"), vec!["甲乙", "丙"]);
    }

    #[test]
    fn finds_tera_positions() {
        assert_eq!(
            line_column("error\n --> 标题（材料4）:3:15\n  |"),
            Some((3, 15))
        );
    }
}
