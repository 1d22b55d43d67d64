//! The output folder: the only way `run` and `assemble` make an output path. An [`OutputDir`] is
//! the folder given with `-o`, or a folder under it reached one safe name at a time, so every
//! path it returns lies under the output folder whatever the names (which come from data) hold.
//! This module also owns what shenbao promises about the folder as a whole: it never overlaps an
//! input ([`check_apart`]), one run writes it at a time ([`OutputLock`]), and the temporary files
//! of a run that was killed are removed by the next one ([`remove_stale_temporaries`]).

use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::background::BackgroundWrites;

use crate::assemble::write_atomically;
use crate::diagnostics::{Diagnostic, Location, display_path, io_problem};

/// How the temporary file of an atomic write starts; it ends with [`TEMPORARY_SUFFIX`], with six
/// random letters or digits between.
pub const TEMPORARY_PREFIX: &str = ".shenbao-";
/// How the temporary file of an atomic write ends.
pub const TEMPORARY_SUFFIX: &str = ".part";
/// The advisory lock file at the root of an output folder.
pub const LOCK_FILE: &str = ".shenbao.lock";

/// A folder under the output folder (or the output folder itself).
#[derive(Debug, Clone)]
pub struct OutputDir {
    path: PathBuf,
    /// The output folder given on the command line, resolved: nothing is written or removed
    /// whose real place is not under it (a symbolic link planted inside cannot lead out).
    root: PathBuf,
    /// The writes started by [`OutputDir::write_soon`] (shared by the copies of this value, not
    /// by its sub-folders).
    writes: Arc<BackgroundWrites>,
}

impl PartialEq for OutputDir {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.root == other.root
    }
}

impl Eq for OutputDir {}

impl OutputDir {
    /// The output folder given on the command line.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let path = root.into();
        let root = resolve(&path);
        Self {
            path,
            root,
            writes: Arc::default(),
        }
    }

    /// Where the folder is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's own name, as the messages and `--emit-typst` name it.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map_or_else(|| "输出目录".into(), |n| n.to_string_lossy().into_owned())
    }

    /// The sub-folder `name`, which must be one safe file name.
    pub fn folder(&self, name: &str) -> Result<OutputDir, Diagnostic> {
        Ok(Self {
            path: self.file(name)?,
            root: self.root.clone(),
            writes: Arc::default(),
        })
    }

    /// The file `name` in this folder, which must be one safe file name.
    pub fn file(&self, name: &str) -> Result<PathBuf, Diagnostic> {
        safe_name(name).map_err(|reason| self.refused(name, reason))?;
        Ok(self.path.join(name))
    }

    /// The file at `relative` (names separated by `/`, each a safe file name) under this folder.
    pub fn nested(&self, relative: &str) -> Result<PathBuf, Diagnostic> {
        let mut path = self.path.clone();
        for name in relative.split('/') {
            safe_name(name).map_err(|reason| self.refused(relative, reason))?;
            path.push(name);
        }
        Ok(path)
    }

    /// Writes `bytes` as the file `name` of this folder, atomically; returns its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, Diagnostic> {
        let path = self.file(name)?;
        self.write_at(&path, bytes)?;
        Ok(path)
    }

    /// Writes `bytes` at `relative` under this folder, atomically; returns its path.
    pub fn write_nested(&self, relative: &str, bytes: &[u8]) -> Result<PathBuf, Diagnostic> {
        let path = self.nested(relative)?;
        self.write_at(&path, bytes)?;
        Ok(path)
    }

    /// Starts writing `bytes` as the file `name` of this folder, atomically and durably, on a
    /// thread of its own; [`OutputDir::settle`] waits for it.
    pub fn write_soon(&self, name: &str, bytes: Vec<u8>) -> Result<PathBuf, Diagnostic> {
        let path = self.file(name)?;
        if !self.really_inside(&path) {
            return Err(self.led_out(&path));
        }
        self.writes.start(path.clone(), bytes)?;
        Ok(path)
    }

    /// Waits for the writes this folder started; the first problem, if any.
    pub fn settle(&self) -> Result<(), Diagnostic> {
        self.writes.settle()
    }

    fn write_at(&self, path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
        if !self.really_inside(path) {
            return Err(self.led_out(path));
        }
        write_atomically(path, bytes)
    }

    /// Removes the file at `relative` when it is a regular file really under the output folder
    /// and its sha256 is still `sha256`, then the folders it leaves empty up to this one; true
    /// when it was removed. Anything else is left alone.
    pub fn remove_if_unchanged(&self, relative: &str, sha256: &str) -> bool {
        let Ok(path) = self.nested(relative) else {
            return false;
        };
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        let same = regular
            && self.really_inside(&path)
            && std::fs::read(&path).is_ok_and(|b| crate::assemble::sha256(&b) == sha256);
        if !same || std::fs::remove_file(&path).is_err() {
            return false;
        }
        let mut folder = path.parent();
        while let Some(dir) = folder.filter(|d| *d != self.path && d.starts_with(&self.path)) {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
            folder = dir.parent();
        }
        true
    }

    fn really_inside(&self, path: &Path) -> bool {
        path.parent()
            .is_some_and(|parent| resolve(parent).starts_with(&self.root))
    }

    fn led_out(&self, path: &Path) -> Diagnostic {
        Diagnostic::error("输出目录中的符号链接指向输出目录之外，为免写到别处，未写入")
            .at(Location::file(path))
            .hint(format!(
                "请删除输出目录 {} 中指向别处的符号链接，或用 -o 指定一个新目录",
                display_path(&self.root)
            ))
    }

    fn refused(&self, name: &str, reason: &str) -> Diagnostic {
        Diagnostic::error(format!(
            "输出文件名“{}”无法使用：{reason}，写出后会落到输出目录之外或无法打开",
            name.escape_debug()
        ))
        .at(Location::file(&self.path))
        .hint("文件名来自申报数据（如申报单位名称、类别、材料名称）；请在申报数据或模板中改用不含 / \\ .. 和控制字符的名称")
    }
}

/// Why `name` cannot be one file name under the output folder, if it cannot.
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

/// The name of the output folder of the applicant in `applicant_dir`: the folder's own name.
pub fn folder_name(applicant_dir: &Path) -> String {
    applicant_dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| {
            applicant_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "applicant".into())
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
    let mut removed = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file()
                && is_temporary(&entry.file_name().to_string_lossy())
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_single_safe_names_are_joined() {
        let out = OutputDir::new("/tmp/out");
        for bad in [
            "",
            ".",
            "..",
            "/an/absolute/path",
            "../../inputs/西峡县/evidence/zz",
            "a\\b",
            "a\0b",
            "a\nb",
            "a\u{1b}[31m",
        ] {
            assert!(out.file(bad).is_err(), "{bad:?} was accepted");
            assert!(out.folder(bad).is_err(), "{bad:?} was accepted");
        }
        let folder = out.folder("洛阳市").unwrap();
        assert_eq!(
            folder.file("材料1-申报函.pdf").unwrap(),
            Path::new("/tmp/out/洛阳市/材料1-申报函.pdf")
        );
        assert!(folder.nested("材料1/data/document.json").is_ok());
        assert!(folder.nested("材料1/../../x").is_err());
        assert!(folder.nested("/etc/passwd").is_err());
    }

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
    fn temporary_names_are_recognised() {
        assert!(is_temporary(".shenbao-a1B2c3.part"));
        assert!(!is_temporary(".shenbao-a1B2c.part"));
        assert!(!is_temporary("shenbao-a1B2c3.part"));
        assert!(!is_temporary(".shenbao.lock"));
        assert!(!is_temporary(".shenbao-previous.json"));
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
