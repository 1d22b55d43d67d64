//! The run index `out/manifest.json` (or `out/manifest-shard-K-of-N.json`): one entry per
//! applicant of the run. It is kept true while the run goes on: an applicant's entry is taken out
//! before its first file is replaced and put back once its manifest is written, and `complete`
//! says whether the run reached its end. [`merge`] joins the indexes of the shards of one batch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Location, io_problem};
use crate::files::OutputDir;

/// The index of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunIndex {
    /// The shard this index covers, such as `2/4`, when sharded.
    pub shard: Option<String>,
    /// A hash of the whole batch (every applicant folder before sharding, the program, the
    /// templates and fonts): the shards of one batch share it.
    #[serde(default)]
    pub batch: Option<String>,
    /// True once the run reached its end; false while it runs or when it was stopped.
    #[serde(default)]
    pub complete: bool,
    /// One entry per applicant folder.
    pub applicants: Vec<IndexEntry>,
}

/// One applicant in the run index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The output folder, relative to the output root.
    pub folder: String,
    /// 申报单位, when the applicant could be read.
    pub applicant: Option<String>,
    /// 申报类别, when the applicant could be read.
    pub category: Option<String>,
    /// True when every document was rendered without error.
    pub ok: bool,
    /// The applicant's manifest, relative to the output root.
    pub manifest: Option<String>,
    /// The errors, as text.
    pub errors: Vec<String>,
}

/// The file name of the index of a run of `shard`.
pub fn index_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((k, n)) => format!("manifest-shard-{k}-of-{n}.json"),
        None => "manifest.json".to_string(),
    }
}

/// The run index while the run goes on.
pub(super) struct LiveIndex {
    out: OutputDir,
    name: String,
    shard: Option<String>,
    batch: Option<String>,
    entries: Mutex<BTreeMap<String, IndexEntry>>,
    enabled: bool,
    touched: AtomicBool,
}

impl LiveIndex {
    /// The index of a run into `out` of the applicant `folders`, starting from the entries of
    /// those folders that the index on disk holds. A disabled index is never written.
    pub(super) fn open(
        out: &OutputDir,
        shard: Option<(usize, usize)>,
        batch: Option<String>,
        folders: &[String],
        enabled: bool,
    ) -> Self {
        let name = index_name(shard);
        let entries = out
            .file(&name)
            .ok()
            .and_then(|path| std::fs::read(path).ok())
            .and_then(|bytes| serde_json::from_slice::<RunIndex>(&bytes).ok())
            .map(|index| index.applicants)
            .unwrap_or_default()
            .into_iter()
            .filter(|entry| folders.contains(&entry.folder))
            .map(|entry| (entry.folder.clone(), entry))
            .collect();
        Self {
            out: out.clone(),
            name,
            shard: shard.map(|(k, n)| format!("{k}/{n}")),
            batch,
            entries: Mutex::new(entries),
            enabled,
            touched: AtomicBool::new(false),
        }
    }

    /// Takes the applicant `folder` out of the index on disk.
    pub(super) fn forget(&self, folder: &str) -> Result<(), Diagnostic> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.remove(folder).is_none() && !self.exists() {
            return Ok(());
        }
        self.write(&entries, false)
    }

    /// Puts `entry` (back) into the index on disk.
    pub(super) fn record(&self, entry: IndexEntry) -> Result<(), Diagnostic> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(entry.folder.clone(), entry);
        self.write(&entries, false)
    }

    /// Writes the final index of the run: exactly `entries`, marked complete.
    pub(super) fn finish(&self, entries: Vec<IndexEntry>) -> Result<(), Diagnostic> {
        let mut held = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        *held = entries.into_iter().map(|e| (e.folder.clone(), e)).collect();
        self.write(&held, true)
    }

    /// True once the run has changed the index on disk.
    pub(super) fn touched(&self) -> bool {
        self.touched.load(Ordering::SeqCst)
    }

    fn exists(&self) -> bool {
        self.out.file(&self.name).is_ok_and(|p| p.exists())
    }

    fn write(
        &self,
        entries: &BTreeMap<String, IndexEntry>,
        complete: bool,
    ) -> Result<(), Diagnostic> {
        if !self.enabled {
            return Ok(());
        }
        self.touched.store(true, Ordering::SeqCst);
        let index = RunIndex {
            shard: self.shard.clone(),
            batch: self.batch.clone(),
            complete,
            applicants: entries.values().cloned().collect(),
        };
        self.out.write_json(&self.name, &index).map(|_| ())
    }
}

/// Joins the run indexes of the shards (`manifest-shard-K-of-N.json` in `out`) into
/// `out/manifest.json`. Refuses unless every shard 1…N of one batch is there, complete.
pub fn merge(out: &Path) -> Result<RunIndex, Diagnostic> {
    let shards = read_shards(out)?;
    let Some(((_, n), first)) = shards.first() else {
        return Err(
            Diagnostic::error("输出目录中没有分片索引 manifest-shard-*.json")
                .at(Location::file(out))
                .hint("先用 `shenbao build --shard K/N -o 目录` 生成各分片"),
        );
    };
    let (n, batch) = (*n, first.batch.clone());
    for ((k, count), index) in &shards {
        let path = out.join(index_name(Some((*k, *count))));
        if *count != n || index.batch != batch || index.batch.is_none() {
            return Err(mixed(&path, out));
        }
        if !index.complete {
            return Err(Diagnostic::error(format!(
                "分片 {k}/{count} 的运行没有完成（被中断或仍在运行），无法合并"
            ))
            .at(Location::file(&path))
            .hint(format!(
                "请重新运行 `shenbao build --shard {k}/{count} -o 目录`，完成后再合并"
            )));
        }
    }
    let present: Vec<usize> = shards.iter().map(|((k, _), _)| *k).collect();
    let missing: Vec<String> = (1..=n)
        .filter(|k| !present.contains(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Diagnostic::error(format!(
            "缺少分片 {}，合并后的索引会漏掉这些申报单位",
            missing.join("、")
        ))
        .at(Location::file(out))
        .hint("请先运行缺少的分片（`shenbao build --shard K/N -o 目录`），再合并"));
    }
    let mut applicants: Vec<IndexEntry> = shards
        .into_iter()
        .flat_map(|(_, index)| index.applicants)
        .collect();
    applicants.sort_by(|a, b| a.folder.cmp(&b.folder));
    let index = RunIndex {
        shard: None,
        batch,
        complete: true,
        applicants,
    };
    OutputDir::new(out).write_json("manifest.json", &index)?;
    Ok(index)
}

fn mixed(path: &Path, out: &Path) -> Diagnostic {
    Diagnostic::error("分片索引来自不同的运行（申报目录、分片数、模板或字体不同），不能合并")
        .at(Location::file(path))
        .hint(format!(
            "请删除 {} 中旧的 manifest-shard-*.json，用同一组申报目录和同一个 N 重新运行各分片",
            crate::diagnostics::display_path(out)
        ))
}

/// A shard's index with its `(K, N)`.
type Shard = ((usize, usize), RunIndex);

/// Every `manifest-shard-K-of-N.json` in `out`, by (K, N).
fn read_shards(out: &Path) -> Result<Vec<Shard>, Diagnostic> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(out).map_err(|e| {
        Diagnostic::error(format!("无法读取输出目录（{}）", io_problem(&e)))
            .at(Location::file(out))
            .hint("请用 -o 指定各分片共同的输出目录")
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(shard) = shard_of(&name) else {
            continue;
        };
        let path: PathBuf = entry.path();
        let bytes = std::fs::read(&path).map_err(|e| {
            Diagnostic::error(format!("无法读取（{}）", io_problem(&e))).at(Location::file(&path))
        })?;
        let index: RunIndex = serde_json::from_slice(&bytes).map_err(|e| {
            Diagnostic::error(format!("不是 shenbao 的分片索引（{e}）"))
                .at(Location::file(&path))
                .hint("请删除该文件后重新运行这个分片")
        })?;
        if index.shard.as_deref() != Some(&format!("{}/{}", shard.0, shard.1)) {
            return Err(mixed(&path, out));
        }
        found.push((shard, index));
    }
    found.sort_by_key(|(shard, _)| *shard);
    Ok(found)
}

/// `(K, N)` of `manifest-shard-K-of-N.json`.
fn shard_of(name: &str) -> Option<(usize, usize)> {
    let middle = name
        .strip_prefix("manifest-shard-")?
        .strip_suffix(".json")?;
    let (k, n) = middle.split_once("-of-")?;
    Some((k.parse().ok()?, n.parse().ok()?))
}
