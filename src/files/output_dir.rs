//! The output folder: the only way `run` and `assemble` make an output path. An [`OutputDir`] is
//! the folder given with `-o`, or a folder under it reached one safe name at a time, so every
//! path it returns lies under the output folder whatever the names (which come from data) hold.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::background::BackgroundWrites;
use super::{resolve, safe_name, write_atomically};
use crate::diagnostics::{Diagnostic, Location, display_path};

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

    /// Writes `value` as indented JSON, the form of every JSON file shenbao writes, as `name`.
    pub fn write_json(
        &self,
        name: &str,
        value: &impl serde::Serialize,
    ) -> Result<PathBuf, Diagnostic> {
        let json =
            serde_json::to_vec_pretty(value).map_err(|e| Diagnostic::error(e.to_string()))?;
        self.write(name, &json)
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
            && std::fs::read(&path).is_ok_and(|b| super::sha256(&b) == sha256);
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
}
