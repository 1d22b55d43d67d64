//! Load: an applicant folder becomes a typed [`applicant::Applicant`], and the templates' data
//! files (notice, catalogues) become typed values. Every problem is located.

pub mod applicant;
pub mod catalogue;
pub mod date;
pub mod docx;
pub mod fields;
pub mod markdown;
pub mod notice;
pub mod numbered;
pub mod province;
pub mod roster;
pub mod text_rules;
pub mod workbook;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::diagnostics::{self, Diagnostic, Diagnostics, Location};

/// The applicant folders of a run: the ones given, or every folder under `inputs/` that holds an
/// `applicant.yaml`.
pub fn applicant_dirs(given: &[PathBuf], inputs: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let entries = std::fs::read_dir(inputs).map_err(|_| {
        Diagnostic::error("没有指定申报目录，且当前目录下没有 inputs/ 目录")
            .at(Location::file(inputs))
            .hint("请在命令后写出申报目录，例如 `shenbao build inputs/洛阳市`")
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(applicant::APPLICANT_FILE).is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(
            Diagnostic::error("inputs/ 下没有任何含 applicant.yaml 的申报目录")
                .at(Location::file(inputs))
                .hint("可用 `shenbao init inputs/某市` 新建一个申报目录"),
        );
    }
    Ok(dirs)
}

/// Reads one applicant folder's `applicant.yaml`, with the fields it leaves out taken from the
/// roster when there is one: the applicant when complete, the sources of materials 2–4 whenever
/// the file parses, and every problem.
pub fn load_applicant(
    dir: &Path,
    roster: Option<&roster::Roster>,
) -> (
    Option<applicant::Applicant>,
    Option<applicant::Sources>,
    Diagnostics,
) {
    let mut diagnostics = Diagnostics::new();
    let (applicant, sources) = applicant::read(dir, roster, &mut diagnostics);
    (applicant, sources, diagnostics)
}

/// The long texts and the assessment values of an applicant, read from the files its
/// `applicant.yaml` names.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    /// 材料2 as Markdown blocks.
    pub report: Vec<markdown::MarkdownBlock>,
    /// 材料3 as Markdown blocks.
    pub plan: Vec<markdown::MarkdownBlock>,
    /// 材料4's 完成情况 by indicator number.
    pub assessment: workbook::Entries,
}

/// Reads the Markdown files and the assessment values that `applicant` names.
pub fn load_texts(
    applicant: &applicant::Sources,
    catalogue: &catalogue::Catalogue,
    diagnostics: &mut Diagnostics,
) -> Texts {
    let mut texts = Texts::default();
    if let Some(path) = &applicant.report {
        texts.report = read_markdown(path, diagnostics);
    }
    if let Some(path) = &applicant.plan {
        texts.plan = read_markdown(path, diagnostics);
    }
    texts.assessment = match &applicant.assessment {
        Some(applicant::AssessmentSource::Workbook(path)) => {
            if path.value.is_file() {
                workbook::read(&path.value, catalogue, diagnostics)
            } else {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "找不到测评表文件 {}",
                        diagnostics::display_path(&path.value)
                    ))
                    .at(path.location.clone())
                    .hint("请确认文件名与申报目录中的工作簿一致"),
                );
                workbook::Entries::new()
            }
        }
        Some(applicant::AssessmentSource::Inline(values)) => values
            .iter()
            .map(|(number, value)| {
                (
                    number.value,
                    workbook::Entry {
                        value: value.value.clone(),
                        location: value.location.clone(),
                    },
                )
            })
            .collect(),
        None => workbook::Entries::new(),
    };
    texts
}

/// Reads a long text: a .docx through the Word reader, anything else as Markdown; .doc, .wps
/// and .docm are refused.
fn read_markdown(
    path: &fields::Located<PathBuf>,
    diagnostics: &mut Diagnostics,
) -> Vec<markdown::MarkdownBlock> {
    if let Some(refusal) = docx::refusal(&path.value) {
        diagnostics.push(refusal.at(path.location.clone()));
        return Vec::new();
    }
    let read = if docx::is_docx(&path.value) {
        docx::read(&path.value, diagnostics)
    } else {
        std::fs::read(&path.value).map(|bytes| markdown_blocks(path, bytes, diagnostics))
    };
    read.unwrap_or_else(|error| {
        diagnostics.push(
            Diagnostic::error(format!(
                "无法读取 {}（{error}）",
                diagnostics::display_path(&path.value)
            ))
            .at(path.location.clone())
            .hint("请确认文件名与申报目录中的文件一致"),
        );
        Vec::new()
    })
}

fn markdown_blocks(
    path: &fields::Located<PathBuf>,
    bytes: Vec<u8>,
    diagnostics: &mut Diagnostics,
) -> Vec<markdown::MarkdownBlock> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        diagnostics.push(
            Diagnostic::error("该文件是 Word 文件，不是 Markdown")
                .at(path.location.clone())
                .hint("请把文件扩展名和 applicant.yaml 中的文件名改为 .docx（.doc 文件请先在 WPS/Word 中另存为 .docx）"),
        );
        return Vec::new();
    }
    match String::from_utf8(bytes) {
        Ok(text) => numbered::split_run_in(markdown::parse(&path.value, &text, diagnostics)),
        Err(_) => {
            diagnostics.push(
                Diagnostic::error("Markdown 文件不是 UTF-8 编码")
                    .at(Location::file(&path.value))
                    .hint("请用 UTF-8 编码另存该文件"),
            );
            Vec::new()
        }
    }
}
