//! Diagnostics: every problem shenbao finds in the user's files, with its place and a fix.
//!
//! All stages report into [`Diagnostics`]; one printer renders them, so a YAML error, a workbook
//! cell and a Typst template error look the same to the user.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// How serious a problem is: errors stop the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used until this is fixed.
    Error,
    /// The input is usable, but probably not what the office intended.
    Warning,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// Where a problem lies: a file, and within it a line and column or a workbook cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Location {
    /// The file, as the user would type it (relative to the working directory when possible).
    pub file: String,
    /// 1-based line, for text files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column (in characters), for text files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// `Sheet!F21`, for workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// A paragraph of a Word file, such as `第12段「近三年来，全市……」`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<String>,
    /// An entry of a zip archive, such as `evidence/01-1.pdf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

impl Location {
    /// A whole file.
    pub fn file(path: impl AsRef<Path>) -> Self {
        Self {
            file: display_path(path.as_ref()),
            ..Self::default()
        }
    }

    /// A line and column in a text file.
    pub fn at(path: impl AsRef<Path>, line: u32, column: u32) -> Self {
        Self {
            line: Some(line),
            column: Some(column),
            ..Self::file(path)
        }
    }

    /// A line in a text file.
    pub fn line(path: impl AsRef<Path>, line: u32) -> Self {
        Self {
            line: Some(line),
            ..Self::file(path)
        }
    }

    /// A cell of a workbook, such as `附件3!F21`.
    pub fn cell(path: impl AsRef<Path>, cell: impl Into<String>) -> Self {
        Self {
            cell: Some(cell.into()),
            ..Self::file(path)
        }
    }

    /// An entry of a zip archive, such as `evidence/01-1.pdf` (shown as `数据.zip!evidence/01-1.pdf`).
    pub fn entry(path: impl AsRef<Path>, entry: impl Into<String>) -> Self {
        Self {
            entry: Some(entry.into()),
            ..Self::file(path)
        }
    }

    /// A paragraph of a Word file, described as `第12段「近三年来，全市……」`.
    pub fn paragraph(path: impl AsRef<Path>, paragraph: impl Into<String>) -> Self {
        Self {
            paragraph: Some(paragraph.into()),
            ..Self::file(path)
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some(cell) = &self.cell {
            write!(f, "!{cell}")?;
        }
        if let Some(entry) = &self.entry {
            write!(f, "!{entry}")?;
        }
        if let Some(paragraph) = &self.paragraph {
            write!(f, " {paragraph}")?;
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// One problem: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where it is, when it has a place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What is wrong, in Chinese.
    pub message: String,
    /// How to fix it, in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The offending source line, shown under the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error with a message and no place yet.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    /// A warning with a message and no place yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Self {
            severity,
            location: None,
            message: message.into(),
            hint: None,
            source_line: None,
        }
    }

    /// Places the problem.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Adds how to fix it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the source line that the location points into.
    pub fn with_source_line(mut self, line: impl Into<String>) -> Self {
        self.source_line = Some(line.into());
        self
    }

    /// Fills in the offending line from the text of the file the location names.
    pub fn quoting(self, text: &str) -> Self {
        match self.location.as_ref().and_then(|l| l.line) {
            Some(line) => match text.lines().nth((line as usize).wrapping_sub(1)) {
                Some(source) => self.with_source_line(source),
                None => self,
            },
            None => self,
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the problem as text; control characters from the inputs are written visibly
    /// (`\e`, `\x07`), never sent raw to the terminal.
    fn render(&self, out: &mut String) {
        let _ = write!(out, "{}", self.severity.label());
        if let Some(location) = &self.location {
            let _ = write!(out, "：{}", escape_controls(&location.to_string()));
        }
        let _ = writeln!(out, "：{}", escape_controls(&self.message));
        if let Some(source) = &self.source_line {
            let _ = writeln!(out, "  | {}", escape_controls(source));
            if let Some(column) = self.location.as_ref().and_then(|l| l.column) {
                let pad: String = source
                    .chars()
                    .take(column.saturating_sub(1) as usize)
                    .map(|c| if c.is_ascii() { ' ' } else { '　' })
                    .collect();
                let _ = writeln!(out, "  | {pad}^");
            }
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = 修改建议：{}", escape_controls(hint));
        }
    }
}

/// Every problem found in one run, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Records many problems.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// True when at least one problem is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems have been recorded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// The problems, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Only the warnings of `all`.
    pub fn from_iter_warnings(all: &Diagnostics) -> Self {
        Self(all.0.iter().filter(|d| !d.is_error()).cloned().collect())
    }

    /// The problems as human-readable Chinese text, one block each.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for diagnostic in &self.0 {
            diagnostic.render(&mut out);
        }
        out
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }
}

/// What went wrong with a file operation, in Chinese (the system's own words in brackets).
pub fn io_problem(error: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let what = match error.kind() {
        StorageFull => "磁盘已满",
        QuotaExceeded => "超出磁盘配额",
        PermissionDenied => "没有写权限",
        ReadOnlyFilesystem => "所在文件系统为只读",
        NotFound => "路径不存在",
        _ => "系统报错",
    };
    format!("{what}：{error}")
}

/// A path as the user should read it: relative to the working directory when it lies below it.
/// A relative path is written with `/` on every system (Windows reads it too), so that messages,
/// manifests and the province's index are the same wherever shenbao runs.
pub fn display_path(path: &Path) -> String {
    // A canonical path (`\\?\C:\…` on Windows) is compared with the canonical working directory.
    let cwd = std::env::current_dir().ok();
    let canonical = cwd.as_deref().and_then(|c| std::fs::canonicalize(c).ok());
    let relative = [cwd, canonical]
        .into_iter()
        .flatten()
        .find_map(|base| path.strip_prefix(base).ok().map(Path::to_path_buf));
    let shown = relative.unwrap_or_else(|| path.to_path_buf());
    if shown.is_absolute() {
        return shown.display().to_string();
    }
    slash_path(&shown)
}

/// A relative path with `/` between its parts on every system, as manifests, bundles and template
/// names write it.
pub fn slash_path(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// C0 controls except tab and newline, DEL, and C1 controls.
pub fn is_control(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// A character as a message may show it: controls as `\xNN` / `\u{NNNN}`, others as they are.
pub fn escaped(c: char) -> String {
    match c {
        '\u{1B}' => "\\e".to_string(),
        c if c.is_control() && (c as u32) < 0x100 => format!("\\x{:02X}", c as u32),
        c if c.is_control() => format!("\\u{{{:04X}}}", c as u32),
        c => c.to_string(),
    }
}

/// `text` with every control character except tab and newline written visibly, for printing
/// to the terminal.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_control(c) {
                    escaped(c)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}
