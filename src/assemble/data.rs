//! The data bundle of an applicant (`<申报单位>-申报数据.zip`): the files its build read —
//! `applicant.yaml`, the report and plan, the workbook, the evidence — at their paths inside the
//! applicant folder, so the provincial centre can unpack the submission (`shenbao import`) and
//! build it again. This module also owns the rule of what a bundle may hold, which the import
//! applies to every entry.

use std::io::Write as _;

use crate::compose::model::DataFiles;
use crate::diagnostics::{Diagnostic, Location, io_problem};
use crate::files::safe_name;
use crate::load::applicant::APPLICANT_FILE;
use crate::load::confine;
use crate::load::limits::{FileKind, Limits};
use crate::load::names::file_name_problem;

/// The folder of the evidence files inside an applicant folder and its bundle.
pub const EVIDENCE_FOLDER: &str = "evidence";

/// What an entry of a bundle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// `applicant.yaml`, at the top.
    Applicant,
    /// A report or plan in Markdown.
    Markdown,
    /// A report or plan in Word (.docx).
    Word,
    /// The assessment workbook (.xlsx, .xls, .ods).
    Workbook,
    /// An evidence file (PDF, JPEG, PNG) under `evidence/`.
    Evidence,
}

impl EntryKind {
    /// The size cap the loader reads a file of this kind under.
    pub fn file_kind(self) -> FileKind {
        match self {
            EntryKind::Applicant => FileKind::Yaml,
            EntryKind::Markdown => FileKind::Markdown,
            EntryKind::Word | EntryKind::Workbook => FileKind::Workbook,
            EntryKind::Evidence => FileKind::Evidence,
        }
    }

    /// Whether files of this kind are compressed already (zip-based or image/PDF), so that
    /// deflating them again gains nothing.
    fn compressed(name: &str) -> bool {
        matches!(
            extension(name).as_str(),
            "xlsx" | "ods" | "docx" | "pdf" | "jpg" | "jpeg" | "png"
        )
    }
}

/// Why `name`, an entry of a bundle, could not become a path inside an applicant folder: it is
/// read component by component, and each must be a plain file name.
pub fn entry_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("名称为空".to_string());
    }
    if name.starts_with('/') {
        return Some("是绝对路径".to_string());
    }
    if name.contains('\\') {
        return Some("含反斜杠 \\".to_string());
    }
    if name.contains(':') {
        return Some("含盘符或冒号 :".to_string());
    }
    for part in name.split('/') {
        if part == ".." || part == "." {
            return Some(format!("含“{part}”，会指向申报目录之外"));
        }
        if let Err(problem) = safe_name(part) {
            return Some(format!("含不能用作文件名的部分（{problem}）"));
        }
        if let Some(problem) = file_name_problem(part) {
            return Some(format!("含不能用作文件名的部分“{part}”（{problem}）"));
        }
    }
    None
}

/// What the entry `name` (already a safe relative path) is, or why a bundle may not hold it:
/// only `applicant.yaml`, Markdown or Word texts, a workbook and evidence files under
/// `evidence/`.
pub fn entry_kind(name: &str) -> Result<EntryKind, String> {
    if name == APPLICANT_FILE {
        return Ok(EntryKind::Applicant);
    }
    let in_evidence = name
        .split_once('/')
        .is_some_and(|(first, _)| first == EVIDENCE_FOLDER);
    match extension(name).as_str() {
        "pdf" | "jpg" | "jpeg" | "png" if in_evidence => Ok(EntryKind::Evidence),
        "pdf" | "jpg" | "jpeg" | "png" => Err(format!(
            "不在 {EVIDENCE_FOLDER}/ 文件夹中（佐证材料都应放在其中）"
        )),
        "md" => Ok(EntryKind::Markdown),
        "docx" => Ok(EntryKind::Word),
        "xlsx" | "xls" | "ods" => Ok(EntryKind::Workbook),
        _ => Err("不是申报数据的文件（只收 applicant.yaml、.md/.docx 正文、.xlsx/.xls/.ods 测评表和 evidence/ 中的 PDF、JPEG、PNG）".to_string()),
    }
}

/// The extension of `name`, in lower case.
fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_lowercase())
        .unwrap_or_default()
}

/// The bundle of `data`: each file read again from the applicant folder under the cap of its
/// kind, deflated unless compressed already, with fixed timestamps and the same "made by" host
/// on every system, so the same inputs give the same bytes.
pub fn bundle(data: &DataFiles, limits: &Limits) -> Result<Vec<u8>, Diagnostic> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let failed =
        |e: zip::result::ZipError| Diagnostic::error(format!("无法生成申报数据压缩包（{e}）"));
    for file in &data.files {
        let kind = entry_kind(&file.name)
            .map(EntryKind::file_kind)
            .unwrap_or(FileKind::Evidence);
        let bytes = confine::read_capped(&file.path, limits.file_bytes(kind)).map_err(|p| {
            Diagnostic::error(format!("申报数据文件{}", p.describe("申报目录")))
                .at(Location::file(&file.path))
                .hint("该文件在检查之后被改动或移走；请重新运行")
        })?;
        let method = if EntryKind::compressed(&file.name) {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default())
            .system(super::zip_host::HOST);
        writer
            .start_file(file.name.as_str(), options)
            .map_err(failed)?;
        writer.write_all(&bytes).map_err(|e| {
            Diagnostic::error(format!("无法生成申报数据压缩包（{}）", io_problem(&e)))
        })?;
    }
    Ok(writer.finish().map_err(failed)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        for bad in [
            "../x",
            "/abs",
            "evidence/../../x",
            "C:\\x",
            "C:/x",
            "a//b",
            "evidence/",
            "a\u{1b}b",
            ".hidden",
            "./applicant.yaml",
        ] {
            assert!(entry_name_problem(bad).is_some(), "{bad:?}");
        }
        for good in [
            "applicant.yaml",
            "evidence/01-1.pdf",
            "正文/创建工作报告.md",
        ] {
            assert_eq!(entry_name_problem(good), None, "{good}");
        }
    }

    #[test]
    fn only_the_inputs_of_a_build_are_expected() {
        assert_eq!(entry_kind("applicant.yaml"), Ok(EntryKind::Applicant));
        assert_eq!(entry_kind("创建工作报告.docx"), Ok(EntryKind::Word));
        assert_eq!(entry_kind("测评表.XLSX"), Ok(EntryKind::Workbook));
        assert_eq!(entry_kind("evidence/12-1.png"), Ok(EntryKind::Evidence));
        for unexpected in ["run.sh", "scan.pdf", "sub/applicant.yaml", "evidence/x.exe"] {
            assert!(entry_kind(unexpected).is_err(), "{unexpected}");
        }
    }
}
