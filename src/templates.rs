//! The template store: wording (Tera), layout (Typst) and data files (catalogues, rules, font
//! roles), built into the binary from the repository's `templates/` and overridable file by file
//! with `--templates DIR`.
//!
//! Every other stage asks this store for a file by its name relative to `templates/`; nothing else
//! reads templates from disk, so overriding works everywhere at once.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diagnostics::{Diagnostic, Location, display_path, slash_path};

/// The repository's `templates/`, compiled in.
static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// One template file and where it came from.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// The contents.
    pub bytes: Vec<u8>,
    /// Where the user can find it: the override's real path, or `templates/<name>` when built in.
    pub origin: PathBuf,
}

impl TemplateFile {
    /// The contents as UTF-8 text, or an error naming the file.
    pub fn text(&self) -> Result<&str, Diagnostic> {
        std::str::from_utf8(&self.bytes).map_err(|_| {
            Diagnostic::error("模板文件不是 UTF-8 编码的文本")
                .at(Location::file(&self.origin))
                .hint("请用 UTF-8 编码另存该文件")
        })
    }
}

/// Built-in templates with an optional folder of overrides on top.
#[derive(Debug, Clone, Default)]
pub struct TemplateStore {
    overrides: Option<PathBuf>,
}

impl TemplateStore {
    /// The built-in templates, with files in `overrides` (when given) taking precedence.
    pub fn new(overrides: Option<PathBuf>) -> Result<Self, Diagnostic> {
        if let Some(dir) = &overrides
            && !dir.is_dir()
        {
            return Err(Diagnostic::error("--templates 指定的模板目录不存在")
                .at(Location::file(dir))
                .hint("请检查路径，或先用 `shenbao templates export 目录` 导出内置模板"));
        }
        Ok(Self { overrides })
    }

    /// The file named `name` (such as `letter.typ` or `catalogue/city.yaml`), if there is one.
    pub fn get(&self, name: &str) -> Option<TemplateFile> {
        if !is_safe_name(name) {
            return None;
        }
        if let Some(dir) = &self.overrides {
            let path = dir.join(name);
            if let Ok(bytes) = std::fs::read(&path) {
                return Some(TemplateFile {
                    bytes,
                    origin: path,
                });
            }
        }
        BUILT_IN.get_file(name).map(|file| TemplateFile {
            bytes: file.contents().to_vec(),
            origin: Path::new("templates").join(name),
        })
    }

    /// The file named `name`, or an error saying that it is missing.
    pub fn require(&self, name: &str) -> Result<TemplateFile, Diagnostic> {
        self.get(name).ok_or_else(|| {
            Diagnostic::error(format!("缺少模板文件 {name}"))
                .hint("内置模板应包含此文件；若使用 --templates，请确认文件名拼写正确")
        })
    }

    /// The override folder, if any, as the user typed it.
    pub fn overrides(&self) -> Option<String> {
        self.overrides.as_deref().map(display_path)
    }

    /// Names of the files in the override folder (relative, with `/`), sorted.
    pub fn override_names(&self) -> Vec<String> {
        let Some(dir) = &self.overrides else {
            return Vec::new();
        };
        let mut names: Vec<String> = crate::files::walk(dir)
            .filter_map(|entry| {
                let relative = entry.path().strip_prefix(dir).ok()?;
                Some(slash_path(relative))
            })
            .collect();
        names.sort();
        names
    }

    /// Writes every built-in template into `dir`, ready to edit and use with `--templates dir`.
    /// Refuses when any of them already exists there, so nothing of the user's is overwritten.
    pub fn export(dir: &Path) -> Result<Vec<String>, Diagnostic> {
        let names = Self::built_in_names();
        if let Some(existing) = names.iter().find(|n| dir.join(n).exists()) {
            return Err(Diagnostic::error(
                "目标目录中已有同名模板文件，为避免覆盖，未写入任何文件",
            )
            .at(Location::file(dir.join(existing)))
            .hint("请换一个新目录，或先移走已有文件"));
        }
        for name in &names {
            let file = BUILT_IN.get_file(name).expect("listed names exist");
            crate::files::write_atomically(&dir.join(name), file.contents())?;
        }
        Ok(names)
    }

    /// Whether the file `name` of a template folder can change what a build makes. Everything
    /// can (a layout may read any file of the folder, an image say) except notes (`*.md`,
    /// `*.txt`), hidden files, the desk's pages, what `init` writes and the schema for editors.
    pub fn shapes_output(name: &str) -> bool {
        let hidden = name.split('/').any(|part| part.starts_with('.'));
        let note = name.ends_with(".md") || name.ends_with(".txt");
        let elsewhere = name.starts_with("desk/") || name.starts_with("init/");
        !(hidden || note || elsewhere || name == "applicant.schema.json")
    }

    /// Names of every built-in template file, sorted.
    pub fn built_in_names() -> Vec<String> {
        let mut names = Vec::new();
        collect_names(&BUILT_IN, &mut names);
        names.sort();
        names
    }
}

fn collect_names(dir: &Dir<'static>, names: &mut Vec<String>) {
    for file in dir.files() {
        names.push(slash_path(file.path()));
    }
    for sub in dir.dirs() {
        collect_names(sub, names);
    }
}

/// A template name may not climb out of the template folder or be absolute.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_climb_out_are_refused() {
        assert!(!is_safe_name("../etc/passwd"));
        assert!(!is_safe_name("/etc/passwd"));
        assert!(!is_safe_name("a/../../b"));
        assert!(is_safe_name("catalogue/city.yaml"));
    }

    #[test]
    fn overrides_take_precedence() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fonts.yaml"), "title: [X]\n").unwrap();
        let store = TemplateStore::new(Some(dir.path().to_path_buf())).unwrap();
        let file = store.get("fonts.yaml").unwrap();
        assert_eq!(file.bytes, b"title: [X]\n");
        assert_eq!(file.origin, dir.path().join("fonts.yaml"));
    }
}
