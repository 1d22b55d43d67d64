//! Files: the helpers every stage writes and reads files with, in one leaf module that depends on
//! nothing else of the crate but the diagnostics. Atomic writes (and the temporary names they
//! use), hashes, the folder walk, the real place of a path, and the output folder
//! ([`OutputDir`]) that confines every write of a run.

mod background;
mod output_dir;

pub use output_dir::OutputDir;

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostic, Location, io_problem};

/// How the temporary file of an atomic write starts; it ends with [`TEMPORARY_SUFFIX`], with six
/// random letters or digits between.
pub const TEMPORARY_PREFIX: &str = ".shenbao-";
/// How the temporary file of an atomic write ends.
pub const TEMPORARY_SUFFIX: &str = ".part";

/// Writes `bytes` to `path` so that the file is either absent, the old one, or complete: the
/// bytes go to a temporary file in the same folder, which is then renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let failed = |error: std::io::Error| {
        Diagnostic::error(format!("无法写入输出文件（{}）", io_problem(&error)))
            .at(Location::file(path))
            .hint("请检查输出目录是否存在、是否有写权限、磁盘是否已满；可用 -o 指定其他输出目录")
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(dir)
        .map_err(failed)?;
    temporary.write_all(bytes).map_err(failed)?;
    temporary.as_file().sync_all().map_err(failed)?;
    set_readable(temporary.as_file()).map_err(failed)?;
    temporary.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

/// Temporary files are private; outputs are ordinary files that everyone may read.
#[cfg(unix)]
fn set_readable(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_readable(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// The hex sha256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files under `dir` (in every sub-folder, in name order), never following a symbolic link;
/// nothing when `dir` cannot be read.
pub fn walk(dir: &Path) -> impl Iterator<Item = walkdir::DirEntry> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
}

/// Where `path` really is: the canonical path of its nearest existing ancestor (symbolic links
/// followed), then the rest of it, with `.` and `..` applied.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    resolved
}

/// The name of the folder `dir` as the file system has it (`.` and links resolved).
pub fn folder_name(dir: &Path) -> Option<String> {
    dir.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Why `name` cannot be one file name under a folder, if it cannot.
pub fn safe_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("名称为空");
    }
    if name == "." || name == ".." {
        return Err("名称是 . 或 ..");
    }
    if name.contains(['/', '\\']) {
        return Err("名称含路径分隔符 / 或 \\");
    }
    if name.contains('\0') {
        return Err("名称含空字符");
    }
    if name.chars().any(char::is_control) {
        return Err("名称含控制字符");
    }
    Ok(())
}

/// True for the name of a temporary file that an atomic write of shenbao leaves when its run is
/// killed: `.shenbao-` + six letters or digits + `.part`.
pub fn is_temporary(name: &str) -> bool {
    name.strip_prefix(TEMPORARY_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMPORARY_SUFFIX))
        .is_some_and(|middle| {
            middle.len() == 6 && middle.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Removes the temporary files of earlier runs under `dir` (never following a symbolic link);
/// returns how many were removed. Call it only while holding the folder's lock.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    walk(dir)
        .filter(|entry| is_temporary(&entry.file_name().to_string_lossy()))
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_atomically(&path, b"%PDF").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.pdf")]);
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(sha256(b"").len(), 64);
        assert!(sha256(b"abc").starts_with("ba7816bf"));
    }

    #[test]
    fn temporary_names_are_recognised() {
        assert!(is_temporary(".shenbao-a1B2c3.part"));
        assert!(!is_temporary(".shenbao-a1B2c.part"));
        assert!(!is_temporary("shenbao-a1B2c3.part"));
        assert!(!is_temporary(".shenbao.lock"));
        assert!(!is_temporary(".shenbao-previous.json"));
    }

    #[test]
    fn the_walk_finds_files_in_sub_folders_in_name_order_and_no_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::write(dir.path().join("b/c/x"), "").unwrap();
        std::fs::write(dir.path().join("a"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("b"), dir.path().join("l")).unwrap();
        let found: Vec<_> = walk(dir.path())
            .map(|e| e.path().strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(found, [Path::new("a"), Path::new("b/c/x")]);
    }
}
