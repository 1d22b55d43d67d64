//! Import: the data bundles applicants send (`<申报单位>-申报数据.zip`, written by `build`)
//! become applicant folders under one folder, each after the trust rules: the zip is checked
//! like every zip-based input (entry count, unpacked size declared and actual), every entry name
//! is read component by component and must stay inside the folder, and only the files a build
//! reads are taken. A bundle is unpacked into a temporary folder and renamed into place when
//! whole, so a refused or interrupted import leaves nothing; an applicant already present is
//! never overwritten — the bundle goes beside it as `<申报单位>（导入2）`.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::assemble::data::{self, EntryKind};
use crate::diagnostics::escape_controls;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, io_problem};
use crate::files::{TEMPORARY_PREFIX, safe_name};
use crate::load::applicant::APPLICANT_FILE;
use crate::load::confine;
use crate::load::evidence::EvidenceKind;
use crate::load::limits::Limits;
use crate::load::names::file_name_problem;
use crate::load::notice::Notice;
use crate::load::yaml::{self, Value};
use crate::load::zipped;

/// The end of the name of the temporary folder a bundle is unpacked into.
const UNPACKING_SUFFIX: &str = ".import";

/// What became of one bundle.
#[derive(Debug)]
pub struct Imported {
    /// The bundle file.
    pub bundle: PathBuf,
    /// The folder it was unpacked into, when it was.
    pub folder: Option<PathBuf>,
    /// The folder of the same name already present, when the bundle was put beside it.
    pub beside: Option<PathBuf>,
    /// Files unpacked.
    pub files: usize,
    /// Why the bundle was refused; empty when it was unpacked.
    pub problems: Diagnostics,
}

/// One entry of a bundle that passed every check.
struct Entry {
    /// Its path inside the applicant folder, checked component by component.
    name: String,
    /// What it is.
    kind: EntryKind,
    /// Its bytes.
    bytes: Vec<u8>,
}

/// Imports `bundle` into a new folder under `dir`, after checking it with the limits and
/// evidence types of `notice`. Nothing is written when any problem is found.
pub fn import(bundle: &Path, dir: &Path, notice: &Notice) -> Imported {
    let mut imported = Imported {
        bundle: bundle.to_path_buf(),
        folder: None,
        beside: None,
        files: 0,
        problems: Diagnostics::new(),
    };
    let entries = match read_bundle(bundle, notice) {
        Ok(entries) => entries,
        Err(problems) => {
            imported.problems = problems;
            return imported;
        }
    };
    let placed = folder_name(bundle, &entries, &notice.data_bundle_suffix).and_then(|name| {
        let (folder, beside) = free_folder(dir, &name);
        unpack(bundle, dir, &folder, &entries).map(|()| (folder, beside))
    });
    match placed {
        Ok((folder, beside)) => {
            imported.folder = Some(folder);
            imported.beside = beside;
            imported.files = entries.len();
        }
        Err(problem) => imported.problems.push(problem),
    }
    imported
}

/// Every entry of `bundle`, or every problem found in it.
fn read_bundle(bundle: &Path, notice: &Notice) -> Result<Vec<Entry>, Diagnostics> {
    let limits = &notice.limits;
    let refuse = |message: String, hint: &str| {
        Diagnostics::from(
            Diagnostic::error(message)
                .at(Location::file(bundle))
                .hint(hint),
        )
    };
    let bytes = confine::read_capped(bundle, limits.unpacked_bytes()).map_err(|problem| {
        refuse(
            format!("申报数据压缩包{}", problem.describe("所在目录")),
            "请写出 shenbao build 生成的“<申报单位>-申报数据.zip”的路径",
        )
    })?;
    const REBUILD: &str = "请让申报单位用 shenbao build 重新生成“<申报单位>-申报数据.zip”后再发送";
    if !zipped::is_zip(&bytes) {
        return Err(refuse("该文件不是 zip 压缩包".to_string(), REBUILD));
    }
    if let Err(problem) = zipped::check(&bytes, limits) {
        return Err(refuse(format!("压缩包{}", problem.describe()), REBUILD));
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..]))
        .map_err(|e| refuse(format!("压缩包已损坏，无法打开（{e}）"), REBUILD))?;
    let mut problems = Diagnostics::new();
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for index in 0..archive.len() {
        match read_entry(&mut archive, index, notice) {
            Ok(None) => {}
            Ok(Some(entry)) if !seen.insert(entry.name.to_lowercase()) => problems.push(
                entry_error(bundle, &entry.name, "重复出现".to_string())
                    .hint("一个文件在压缩包中只能出现一次；请重新生成压缩包"),
            ),
            Ok(Some(entry)) => entries.push(entry),
            Err((name, problem, hint)) => {
                problems.push(entry_error(bundle, &name, problem).hint(hint))
            }
        }
    }
    if !entries.iter().any(|e| e.kind == EntryKind::Applicant) && !problems.has_errors() {
        problems.push(
            Diagnostic::error(format!("压缩包中没有 {APPLICANT_FILE}"))
                .at(Location::file(bundle))
                .hint(REBUILD),
        );
    }
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(entries)
}

/// A problem with one entry: its name, what is wrong and the fix.
type EntryProblem = (String, String, &'static str);

/// Entry `index` of `archive`, checked: `None` for a folder entry, which is only a name.
fn read_entry(
    archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    index: usize,
    notice: &Notice,
) -> Result<Option<Entry>, EntryProblem> {
    const REBUILD: &str = "压缩包只应含 shenbao build 写入的申报数据；请让申报单位重新生成后再发送";
    let mut file = archive.by_index(index).map_err(|e| {
        (
            format!("第{}项", index + 1),
            format!("无法读取（{e}）"),
            REBUILD,
        )
    })?;
    let raw = file.name_raw().to_vec();
    let Ok(name) = String::from_utf8(raw.clone()) else {
        let shown = String::from_utf8_lossy(&raw).into_owned();
        return Err((shown, "文件名不是 UTF-8 编码".to_string(), REBUILD));
    };
    let bare = if file.is_dir() {
        name.strip_suffix('/').unwrap_or(&name)
    } else {
        name.as_str()
    };
    if let Some(problem) = data::entry_name_problem(bare) {
        return Err((name, format!("的路径{problem}"), REBUILD));
    }
    if file.is_symlink() {
        return Err((name, "是符号链接".to_string(), REBUILD));
    }
    if file.is_dir() {
        return Ok(None);
    }
    let kind = data::entry_kind(&name).map_err(|problem| (name.clone(), problem, REBUILD))?;
    let bytes = read_capped(&mut file, &name, kind, &notice.limits)?;
    if kind == EntryKind::Evidence {
        let accepted = EvidenceKind::sniff(&bytes)
            .is_some_and(|k| notice.evidence_types.iter().any(|t| t == k.type_name()));
        if !accepted {
            let types = notice.evidence_types.join("、");
            return Err((name, format!("不是 {types} 文件"), REBUILD));
        }
    }
    Ok(Some(Entry { name, kind, bytes }))
}

/// The bytes of `file` under the cap of its kind, refused when they differ from the size the
/// archive declares or do not inflate cleanly.
fn read_capped(
    file: &mut zip::read::ZipFile<'_, std::io::Cursor<&[u8]>>,
    name: &str,
    kind: EntryKind,
    limits: &Limits,
) -> Result<Vec<u8>, EntryProblem> {
    let cap = limits.file_bytes(kind.file_kind());
    let declared = file.size();
    let mut bytes = Vec::new();
    let read = file.take(cap + 1).read_to_end(&mut bytes);
    let hint = "压缩包已损坏或被改动；请让申报单位重新生成后再发送";
    if let Err(error) = read {
        return Err((
            name.to_string(),
            format!("已损坏，无法解压（{error}）"),
            hint,
        ));
    }
    if bytes.len() as u64 > cap {
        let problem = confine::Problem::TooLarge(None, cap).describe("申报目录");
        return Err((
            name.to_string(),
            problem,
            "大小上限见 templates/notice.yaml 的 limits 一节；请压缩该文件后重新生成",
        ));
    }
    if bytes.len() as u64 != declared {
        return Err((
            name.to_string(),
            format!(
                "声明的大小（{declared} 字节）与实际（{} 字节）不符",
                bytes.len()
            ),
            hint,
        ));
    }
    Ok(bytes)
}

/// The error at entry `name` of `bundle`.
fn entry_error(bundle: &Path, name: &str, problem: String) -> Diagnostic {
    let shown = escape_controls(name);
    Diagnostic::error(format!("压缩包中的“{shown}”{problem}"))
        .at(Location::entry(bundle, shown.into_owned()))
}

/// The folder name of the imported applicant: the `name` of its `applicant.yaml`, or, when that
/// file gives none, the bundle's name without the notice's `data_bundle_suffix`.
fn folder_name(bundle: &Path, entries: &[Entry], suffix: &str) -> Result<String, Diagnostic> {
    let from_yaml = entries
        .iter()
        .find(|e| e.kind == EntryKind::Applicant)
        .and_then(|e| applicant_name(&e.bytes));
    let stem = bundle
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = from_yaml.unwrap_or_else(|| stem.strip_suffix(suffix).unwrap_or(&stem).to_string());
    let problem = safe_name(&name)
        .err()
        .map(str::to_string)
        .or_else(|| file_name_problem(&name));
    match problem {
        None => Ok(name),
        Some(problem) => Err(Diagnostic::error(format!(
            "申报单位名称“{}”不能用作目录名（{problem}）",
            escape_controls(&name)
        ))
        .at(Location::entry(bundle, APPLICANT_FILE))
        .hint(crate::load::names::HINT)),
    }
}

/// The `name` field of an `applicant.yaml`, when it is written there as text.
fn applicant_name(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let root = yaml::parse(Path::new(APPLICANT_FILE), text).ok()?;
    let Value::Map(fields) = root.value else {
        return None;
    };
    fields
        .iter()
        .find(|(key, _)| key.as_text().as_deref() == Some("name"))
        .and_then(|(_, value)| value.as_text())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
}

/// `dir/<name>` when nothing is there, else the first free `dir/<name>（导入N）` from 2 on, with
/// the folder already present.
fn free_folder(dir: &Path, name: &str) -> (PathBuf, Option<PathBuf>) {
    let first = dir.join(name);
    if std::fs::symlink_metadata(&first).is_err() {
        return (first, None);
    }
    let free = (2..)
        .map(|n| dir.join(format!("{name}（导入{n}）")))
        .find(|path| std::fs::symlink_metadata(path).is_err())
        .unwrap_or_else(|| dir.join(name));
    (free, Some(first))
}

/// Writes `entries` into a temporary folder inside `dir`, then renames it to `folder`.
fn unpack(bundle: &Path, dir: &Path, folder: &Path, entries: &[Entry]) -> Result<(), Diagnostic> {
    let failed = |path: &Path, error: std::io::Error| {
        Diagnostic::error(format!(
            "无法写入导入的申报目录（{}），未留下任何文件",
            io_problem(&error)
        ))
        .at(Location::file(path))
        .hint(format!(
            "请检查 {} 是否有写权限、磁盘是否已满；可用 -o 指定其他目录",
            crate::diagnostics::display_path(dir)
        ))
    };
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
    let temporary = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(UNPACKING_SUFFIX)
        .tempdir_in(dir)
        .map_err(|e| failed(dir, e))?;
    for entry in entries {
        let path = entry
            .name
            .split('/')
            .fold(temporary.path().to_path_buf(), |path, part| path.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
        }
        write_new(&path, &entry.bytes).map_err(|e| failed(&path, e))?;
        stop_if_interrupted(bundle)?;
    }
    stop_if_interrupted(bundle)?;
    if std::fs::symlink_metadata(folder).is_ok() {
        return Err(Diagnostic::error("导入期间目标目录被另一程序创建，未导入")
            .at(Location::file(bundle))
            .hint("请重新运行 shenbao import"));
    }
    std::fs::rename(temporary.path(), folder).map_err(|e| failed(folder, e))?;
    let _ = temporary.keep();
    Ok(())
}

/// Writes `bytes` to a new file at `path`; an existing file is never replaced.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::File::create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The error that ends an import stopped by Ctrl-C; the temporary folder goes with it.
fn stop_if_interrupted(bundle: &Path) -> Result<(), Diagnostic> {
    if !super::batch::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
    }
    Err(Diagnostic::error("导入已中断，未写入任何文件")
        .at(Location::file(bundle))
        .hint("请重新运行 shenbao import"))
}

/// Removes the temporary folders that imports killed before they finished left in `dir`
/// (`.shenbao-XXXXXX.import`, never following a symbolic link); returns those removed. Call it
/// only while holding the folder's lock.
pub fn remove_leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let leftover = name.starts_with(TEMPORARY_PREFIX)
            && name.ends_with(UNPACKING_SUFFIX)
            && entry.file_type().is_ok_and(|kind| kind.is_dir());
        if leftover && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}
