//! The desk's files: the applicant folders of the workspace, found by listing it (a name from
//! the browser is only ever compared with that listing, never joined into a path), their build
//! outputs, and the saves that keep every replaced file in the applicant's `.history/`.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::assemble::write_atomically;
use crate::diagnostics::{Diagnostic, Location, io_problem};

/// The folder under an applicant that keeps every file the desk replaced.
pub const HISTORY: &str = ".history";

/// The applicant folders and where their builds go.
pub struct Workspace {
    root: PathBuf,
    out: PathBuf,
}

/// One previous version kept in `.history/`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Kept {
    /// Its file name inside `.history/`.
    pub name: String,
    /// The file it was a version of.
    pub of: String,
}

impl Workspace {
    /// The workspace `root`, building into `out`; refuses a root that is not a folder and an
    /// output folder inside it.
    pub fn new(root: &Path, out: &Path) -> Result<Self, Diagnostic> {
        if !root.is_dir() {
            return Err(Diagnostic::error("工作目录不存在或不是目录")
                .at(Location::file(root))
                .hint("shenbao serve 后面写存放各申报单位目录的文件夹，缺省为 inputs"));
        }
        crate::run::output::check_apart(out, &[root.to_path_buf()], "输出目录")?;
        Ok(Self {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
        })
    }

    /// The applicant folders (those holding an `applicant.yaml`), by name.
    pub fn applicants(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| e.path().join("applicant.yaml").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }

    /// The provincial centre's folder: the first folder of the workspace (by name) that holds a
    /// `province.yaml`.
    pub fn province(&self) -> Option<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .filter(|p| p.join(crate::load::province::PROVINCE_FILE).is_file())
            .collect();
        found.sort();
        found.into_iter().next()
    }

    /// The folder of the applicant called `name`, if the listing has one of that exact name.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        self.applicants()
            .into_iter()
            .find(|n| n == name)
            .map(|n| self.root.join(n))
    }

    /// Where a new applicant called `name` would live, if `name` is a plain folder name that is
    /// not taken.
    pub fn new_folder(&self, name: &str) -> Result<PathBuf, String> {
        if !plain_name(name) {
            return Err("名称只能是一个普通的文件夹名：不能含 / \\ 等符号，不能以 . 开头".into());
        }
        let dir = self.root.join(name);
        if dir.exists() {
            return Err(format!("工作目录中已有“{name}”"));
        }
        Ok(dir)
    }

    /// The output folder of the applicant in `dir`.
    pub fn output_of(&self, dir: &Path) -> PathBuf {
        self.out.join(crate::run::output::folder_name(dir))
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where builds go.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// When the applicant in `dir` was last built, from its manifest.
    pub fn last_build(&self, dir: &Path) -> Option<SystemTime> {
        std::fs::metadata(self.output_of(dir).join("manifest.json"))
            .and_then(|m| m.modified())
            .ok()
    }
}

/// Whether `name` can be one folder or file name on every system: no separators, no `..`, no
/// control characters, no leading dot, not empty, at most 80 characters.
pub fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 80
        && !name.starts_with('.')
        && !name.chars().any(|c| {
            c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        })
        && name.trim() == name
}

/// Writes `bytes` to `file` inside the applicant folder `dir`, first keeping the file's current
/// version in `dir/.history/` (timestamped; never deleted by shenbao).
pub fn save_keeping_history(dir: &Path, file: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    if file.is_file() {
        let history = dir.join(HISTORY);
        std::fs::create_dir_all(&history).map_err(|e| {
            Diagnostic::error(format!("无法创建历史版本目录（{}）", io_problem(&e)))
                .at(Location::file(&history))
        })?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kept = history.join(format!("{}-{name}", timestamp()));
        let previous = std::fs::read(file).map_err(|e| {
            Diagnostic::error(format!("无法读取原文件（{}）", io_problem(&e)))
                .at(Location::file(file))
        })?;
        write_atomically(&kept, &previous)?;
    }
    write_atomically(file, bytes)
}

/// The versions kept for the applicant in `dir`, newest first.
pub fn history(dir: &Path) -> Vec<Kept> {
    let Ok(entries) = std::fs::read_dir(dir.join(HISTORY)) else {
        return Vec::new();
    };
    let mut kept: Vec<Kept> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| {
            let of = name.split_once('-')?.1.to_string();
            Some(Kept { name, of })
        })
        .collect();
    kept.sort_by(|a, b| b.name.cmp(&a.name));
    kept
}

/// The time now as `YYYYMMDDTHHMMSS.mmm` (UTC), sortable, for history file names.
fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = now.as_secs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}.{:03}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        now.subsec_millis()
    )
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        assert!(plain_name("西平县"));
        for bad in [
            "",
            "..",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "a\0b",
            " 西平县",
            "c:x",
        ] {
            assert!(!plain_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn days_to_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_586), (2023, 8, 17));
    }
}
