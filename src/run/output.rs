//! What shenbao promises about the output folder as a whole (every write into it goes through
//! [`OutputDir`](crate::files::OutputDir)): it never overlaps an input ([`check_apart`]), one run
//! writes it at a time ([`OutputLock`]), and the temporary files of a run that was killed are
//! removed by the next one ([`remove_stale_temporaries`](crate::files::remove_stale_temporaries)).

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location, display_path, io_problem};
use crate::files::{TEMPORARY_PREFIX, TEMPORARY_SUFFIX, resolve};
/// The advisory lock file at the root of an output folder.
pub const LOCK_FILE: &str = ".shenbao.lock";

/// The name of the output folder of the applicant in `applicant_dir`: the folder's own name.
pub fn folder_name(applicant_dir: &Path) -> String {
    crate::files::folder_name(applicant_dir)
        .or_else(|| {
            applicant_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "applicant".into())
}

/// True when one of `a` and `b` (resolved) is inside the other, or they are the same.
pub fn overlap(a: &Path, b: &Path) -> bool {
    let (a, b) = (resolve(a), resolve(b));
    a.starts_with(&b) || b.starts_with(&a)
}

/// Refuses an output `out` (a folder or a file; `what` says which, as in “输出目录”) that is an
/// input, lies inside one or holds one: the files written would mix with, overwrite or be taken
/// for the inputs.
pub fn check_apart(out: &Path, inputs: &[PathBuf], what: &str) -> Result<(), Diagnostic> {
    match inputs.iter().find(|input| overlap(out, input)) {
        Some(input) => Err(Diagnostic::error(format!(
            "{what}与申报材料目录重叠，生成的文件会混入或覆盖申报材料"
        ))
        .at(Location::file(out))
        .hint(format!(
            "请用 -o 指定所有输入（申报目录、模板、字体、名册）以外的位置（如 out/）；重叠的是 {}",
            display_path(input)
        ))),
        None => Ok(()),
    }
}

/// Refuses `--emit-typst DIR` that overlaps an input or the output folder.
pub fn check_emit_dir(dir: &Path, out: &Path, inputs: &[PathBuf]) -> Result<(), Diagnostic> {
    check_apart(dir, inputs, "--emit-typst 目录")?;
    if overlap(dir, out) {
        return Err(Diagnostic::error(
            "--emit-typst 目录与输出目录重叠，Typst 源文件会混入生成的材料",
        )
        .at(Location::file(dir))
        .hint("请为 --emit-typst 指定输出目录以外的目录，如 typst-src/"));
    }
    Ok(())
}

/// Refuses `preview -o FILE` when FILE is an input or inside one, a folder, or an existing file
/// that is not a PNG image (which would be lost).
pub fn check_preview_file(file: &Path, inputs: &[PathBuf]) -> Result<(), Diagnostic> {
    check_apart(file, inputs, "预览图片")?;
    let Ok(metadata) = std::fs::metadata(file) else {
        return Ok(());
    };
    let png = metadata.is_file()
        && std::fs::read(file).is_ok_and(|bytes| bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    if png {
        return Ok(());
    }
    Err(
        Diagnostic::error("预览图片的位置上已有一个不是 PNG 图片的文件或目录，为避免覆盖，未写入")
            .at(Location::file(file))
            .hint("请用 -o 指定一个新的 .png 文件名"),
    )
}

/// Checks that `out` can be written before anything is rendered.
pub fn ensure_writable(out: &Path) -> Result<(), Diagnostic> {
    let failed = |error: std::io::Error| {
        Diagnostic::error(format!("输出目录无法写入（{}）", io_problem(&error)))
            .at(Location::file(out))
            .hint("请检查路径与权限，或用 -o 指定其他输出目录")
    };
    std::fs::create_dir_all(out).map_err(failed)?;
    tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(out)
        .map_err(failed)?;
    Ok(())
}

/// An advisory lock on an output folder, held until dropped (or the process ends, however it
/// ends). A run that writes the whole folder holds it alone; shards of one batch share it, each
/// holding its own shard's lock alone. The lock file is removed on release by the last holder,
/// so a finished run leaves nothing but its outputs.
#[derive(Debug)]
pub struct OutputLock {
    held: Vec<(File, PathBuf, bool)>,
}

impl OutputLock {
    /// Takes the lock of `out` for a run (of shard `shard`, if any), or says which run holds it.
    pub fn take(out: &Path, shard: Option<(usize, usize)>) -> Result<Self, Diagnostic> {
        let root = out.join(LOCK_FILE);
        let mut held = vec![(
            lock_file(out, &root, shard.is_some())?,
            root,
            shard.is_none(),
        )];
        if let Some((k, n)) = shard {
            let own = out.join(format!(".shenbao-shard-{k}-of-{n}.lock"));
            held.push((lock_file(out, &own, false)?, own, true));
        }
        Ok(Self { held })
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        for (file, path, alone) in self.held.iter().rev() {
            if *alone || file.try_lock().is_ok() {
                release(path);
            }
        }
    }
}

/// Removes a lock file while its lock is still held alone (a run that opened it meanwhile sees
/// that it was removed, and opens the new one).
#[cfg(unix)]
fn release(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Windows cannot remove a file that is open; the lock file stays.
#[cfg(not(unix))]
fn release(_path: &Path) {}

/// Opens and locks `path`; retries when the file was removed by a run that released it between
/// the opening and the locking.
fn lock_file(out: &Path, path: &Path, shared: bool) -> Result<File, Diagnostic> {
    for _ in 0..8 {
        let file = open_lock(path)?;
        let taken = if shared {
            file.try_lock_shared()
        } else {
            file.try_lock()
        };
        taken.map_err(|e| busy(out, &e))?;
        if same_file(&file, path) {
            return Ok(file);
        }
    }
    Err(busy(out, &std::fs::TryLockError::WouldBlock))
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    true
}

fn open_lock(path: &Path) -> Result<File, Diagnostic> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| {
            Diagnostic::error(format!("无法创建输出目录的锁文件（{}）", io_problem(&e)))
                .at(Location::file(path))
                .hint("请检查输出目录的写权限，或用 -o 指定其他输出目录")
        })
}

fn busy(out: &Path, error: &std::fs::TryLockError) -> Diagnostic {
    match error {
        std::fs::TryLockError::WouldBlock => Diagnostic::error(
            "另一个 shenbao 正在写入这个输出目录，本次运行未写入任何文件",
        )
        .at(Location::file(out))
        .hint("请等它结束后再运行，或用 -o 指定其他输出目录；分片（--shard）可同时写入同一目录"),
        std::fs::TryLockError::Error(e) => {
            Diagnostic::error(format!("无法锁定输出目录（{}）", io_problem(e)))
                .at(Location::file(out))
                .hint("请检查输出目录所在的文件系统是否支持文件锁，或用 -o 指定本地目录")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_through_dots_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(real.join("inputs/洛阳市")).unwrap();
        std::os::unix::fs::symlink(real.join("inputs"), real.join("link")).unwrap();
        let inputs = [real.join("inputs/洛阳市")];
        for out in [
            real.join("inputs/../inputs/洛阳市/new"),
            real.join("link/洛阳市/sub"),
            real.join("out/../inputs/洛阳市"),
            real.clone(),
        ] {
            assert!(check_apart(&out, &inputs, "输出目录").is_err(), "{out:?}");
        }
        assert!(check_apart(&real.join("out"), &inputs, "输出目录").is_ok());
        assert!(check_apart(&real.join("inputs/洛阳市-out"), &inputs, "输出目录").is_ok());
    }

    #[test]
    fn a_second_lock_is_refused_and_shards_share() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputLock::take(dir.path(), None).unwrap();
        assert!(OutputLock::take(dir.path(), None).is_err());
        assert!(OutputLock::take(dir.path(), Some((1, 2))).is_err());
        drop(first);
        let one = OutputLock::take(dir.path(), Some((1, 2))).unwrap();
        let two = OutputLock::take(dir.path(), Some((2, 2))).unwrap();
        assert!(OutputLock::take(dir.path(), Some((2, 2))).is_err());
        assert!(OutputLock::take(dir.path(), None).is_err());
        drop((one, two));
        let last = OutputLock::take(dir.path(), None).unwrap();
        drop(last);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "the lock files are removed: {left:?}");
    }
}
