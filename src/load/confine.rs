//! Confinement: the one way a file that data names is opened. A path written in a data file
//! (`report`, `plan`, `assessment`, evidence, the roster, province `applicants`) resolves relative
//! to its own folder, must stay inside that folder once links are followed, must be a regular
//! file, and is read under the size cap of its kind. A FIFO or device is refused before it is
//! opened (and the open itself never blocks), so nothing hangs and nothing reads without end.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::fields::Located;
use super::limits::{FileKind, Limits, megabytes};
use crate::diagnostics::{Diagnostic, Location, display_path};

/// Why a named file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The path is absolute.
    Absolute,
    /// The path leads out of its folder (through `..` or a link).
    Outside,
    /// Nothing is there.
    Missing,
    /// A folder, FIFO, device or socket where a file was expected.
    NotAFile(&'static str),
    /// Larger than the cap (the size, or `None` when only reading found out).
    TooLarge(Option<u64>, u64),
    /// The system refused to read it.
    Unreadable(String),
}

impl Problem {
    /// What is wrong, in Chinese, for a file that should lie in `folder` (such as 申报目录).
    pub fn describe(&self, folder: &str) -> String {
        match self {
            Problem::Absolute => format!("位于{folder}之外（写的是绝对路径）"),
            Problem::Outside => format!("位于{folder}之外"),
            Problem::Missing => "不存在".to_string(),
            Problem::NotAFile(what) => format!("不是普通文件，而是{what}"),
            Problem::TooLarge(Some(size), cap) => {
                format!("过大（{}，上限 {}）", megabytes(*size), megabytes(*cap))
            }
            Problem::TooLarge(None, cap) => format!("过大（超过上限 {}）", megabytes(*cap)),
            Problem::Unreadable(error) => format!("无法读取（{error}）"),
        }
    }
}

/// `written` (as typed in a data file) resolved against `folder`: relative, and inside `folder`
/// once `..` and links are followed. Returns the real path.
pub fn resolve(folder: &Path, written: &Path) -> Result<PathBuf, Problem> {
    resolve_in(folder, written, folder)
}

/// `written` resolved against `base`, which must end up inside `root` (a folder that holds
/// `base`) once `..` and links are followed. Returns the real path.
pub fn resolve_in(base: &Path, written: &Path, root: &Path) -> Result<PathBuf, Problem> {
    if written.has_root()
        || written
            .components()
            .any(|c| matches!(c, Component::Prefix(_)))
    {
        return Err(Problem::Absolute);
    }
    let root = root.canonicalize().map_err(|_| Problem::Missing)?;
    let real = match base.join(written).canonicalize() {
        Ok(real) => real,
        Err(_) if !lexically_inside(written) => return Err(Problem::Outside),
        Err(_) => return Err(Problem::Missing),
    };
    if !real.starts_with(&root) {
        return Err(Problem::Outside);
    }
    Ok(real)
}

/// Whether `written` stays below its folder by its `..` alone (links aside).
fn lexically_inside(written: &Path) -> bool {
    let mut depth = 0i32;
    for part in written.components() {
        match part {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

/// Reads the regular file at `path`, at most `cap` bytes: a folder, FIFO, device or socket is
/// refused by its metadata before it is opened, the open does not block, and reading stops one
/// byte past the cap, so `/dev/zero` or a growing file cannot exhaust memory.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, Problem> {
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Problem::Missing,
        _ => Problem::Unreadable(e.to_string()),
    })?;
    regular(&metadata)?;
    if metadata.len() > cap {
        return Err(Problem::TooLarge(Some(metadata.len()), cap));
    }
    let file = open_nonblocking(path).map_err(|e| Problem::Unreadable(e.to_string()))?;
    regular(
        &file
            .metadata()
            .map_err(|e| Problem::Unreadable(e.to_string()))?,
    )?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > cap {
        return Err(Problem::TooLarge(None, cap));
    }
    Ok(bytes)
}

/// Refuses anything but a regular file, naming what it is.
fn regular(metadata: &std::fs::Metadata) -> Result<(), Problem> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    Err(Problem::NotAFile(special_kind(&kind)))
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "目录"
    } else if kind.is_fifo() {
        "命名管道（FIFO）"
    } else if kind.is_char_device() || kind.is_block_device() {
        "设备文件"
    } else if kind.is_socket() {
        "套接字"
    } else {
        "特殊文件"
    }
}

#[cfg(not(unix))]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "目录"
    } else {
        "特殊文件"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Where a named file must lie: a folder, and what messages call it (such as 申报目录).
#[derive(Debug, Clone, Copy)]
pub struct Folder<'a> {
    /// The folder.
    pub path: &'a Path,
    /// Its name in messages.
    pub name: &'a str,
}

impl Folder<'_> {
    /// The real path of the file that `written` names, or a located error whose message starts
    /// with `subject` (such as 字段 report 所指的文件“x.md”).
    /// The file must be a regular one: a FIFO or device is refused here, before it is opened.
    pub fn resolve(&self, subject: &str, written: &Located<String>) -> Result<PathBuf, Diagnostic> {
        resolve(self.path, Path::new(&written.value))
            .and_then(|path| {
                let metadata =
                    std::fs::metadata(&path).map_err(|e| Problem::Unreadable(e.to_string()))?;
                regular(&metadata).map(|()| path)
            })
            .map_err(|problem| self.error(subject, &problem, written.location.clone()))
    }

    /// The error for `subject`, written at `location`, that cannot be used because of `problem`.
    pub fn error(&self, subject: &str, problem: &Problem, location: Location) -> Diagnostic {
        Diagnostic::error(format!("{subject}{}", problem.describe(self.name)))
            .at(location)
            .hint(self.hint(problem))
    }

    fn hint(&self, problem: &Problem) -> String {
        match problem {
            Problem::TooLarge(..) => {
                "请压缩或拆分该文件；上限见 templates/notice.yaml 的 limits 一节".to_string()
            }
            Problem::Missing => format!(
                "路径相对于{}“{}”；请确认文件名与目录中的文件一致",
                self.name,
                display_path(self.path)
            ),
            _ => format!(
                "请把文件放进{}“{}”，并写相对于该目录的路径（如 evidence/01-1.pdf）",
                self.name,
                display_path(self.path)
            ),
        }
    }
}

/// The subject of a message about the file that field `field` names as `written`.
pub fn field_subject(field: &str, written: &str) -> String {
    format!("字段 {field} 所指的文件“{written}”")
}

/// Reads a file the user named on the command line or that the program itself locates (such as
/// `applicant.yaml`): not confined to a folder, but still a regular file read under its cap.
pub fn read_named(path: &Path, kind: FileKind, limits: &Limits) -> Result<Vec<u8>, Diagnostic> {
    read_capped(path, limits.file_bytes(kind)).map_err(|problem| {
        Diagnostic::error(format!("文件{}", problem.describe("所在目录"))).at(Location::file(path))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_in_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x.md"), "x").unwrap();
        std::fs::write(dir.path().join("secret.md"), "s").unwrap();
        let folder = dir.path().join("a");
        assert!(resolve(&folder, Path::new("x.md")).is_ok());
        assert!(resolve(&folder, Path::new("./sub/../x.md")).is_err());
        assert_eq!(
            resolve(&folder, Path::new("../secret.md")),
            Err(Problem::Outside)
        );
        assert_eq!(
            resolve(&folder, Path::new("/etc/passwd")),
            Err(Problem::Absolute)
        );
        assert_eq!(
            resolve(&folder, Path::new("none.md")),
            Err(Problem::Missing)
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.md"), folder.join("l.md")).unwrap();
            assert_eq!(resolve(&folder, Path::new("l.md")), Err(Problem::Outside));
        }
    }

    #[test]
    fn reading_stops_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big");
        std::fs::write(&file, vec![b'x'; 100]).unwrap();
        assert_eq!(read_capped(&file, 100).unwrap().len(), 100);
        assert!(matches!(
            read_capped(&file, 99),
            Err(Problem::TooLarge(Some(100), 99))
        ));
        assert!(matches!(
            read_capped(dir.path(), 99),
            Err(Problem::NotAFile("目录"))
        ));
        #[cfg(target_os = "linux")]
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 10),
            Err(Problem::NotAFile("设备文件"))
        ));
    }
}
