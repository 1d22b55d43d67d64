//! Load: an applicant folder becomes a typed [`applicant::Applicant`], and the templates' data
//! files (notice, catalogues) become typed values. Every problem is located.

pub mod applicant;
pub mod applicant_fields;
pub mod catalogue;
pub mod cells;
pub mod confine;
pub mod date;
pub mod docx;
pub mod emphasis;
pub mod evidence;
pub mod fields;
pub mod fonts;
pub mod limits;
pub mod markdown;
pub mod names;
pub mod notice;
pub mod numbered;
pub mod page;
pub mod province;
pub mod punctuation;
pub mod roster;
pub mod schema;
pub mod sheet;
pub mod text;
pub mod text_rules;
pub mod workbook;
mod xls;
pub mod yaml;
pub mod zipped;

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
            .hint("请在命令后写出申报目录（含 applicant.yaml 的目录），例如 `shenbao build 某市`；还没有申报目录时，可用 `shenbao init 某市 --category 试点城市` 新建")
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

/// Reads one applicant folder's `applicant.yaml` under `limits`, with the fields it leaves out
/// taken from the roster when there is one: the applicant when complete, the sources of
/// materials 2–4 whenever the file parses, and every problem.
pub fn load_applicant(
    dir: &Path,
    roster: Option<&roster::Roster>,
    limits: &limits::Limits,
) -> (
    Option<applicant::Applicant>,
    Option<applicant::Sources>,
    Diagnostics,
) {
    let mut diagnostics = Diagnostics::new();
    let (applicant, sources) = applicant::read(dir, roster, limits, &mut diagnostics);
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
    /// What inspecting each evidence file found, in the order of `applicant.yaml`; `None` for a
    /// file with a problem (reported).
    pub evidence: Vec<Option<evidence::Inspected>>,
}

/// One file an applicant's build read from its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Its path inside the applicant folder, with `/` between folders (`evidence/01-1.pdf`).
    pub name: String,
    /// Its real path, inside the folder.
    pub path: PathBuf,
}

/// The files the build of the applicant of `sources` reads, once each, in this order:
/// `applicant.yaml`, the report, the plan, the workbook, then each evidence file that passed
/// inspection. Every path is the confined real path the loader found, so nothing outside the
/// folder is named.
pub fn input_files(sources: &applicant::Sources, texts: &Texts) -> Vec<InputFile> {
    let Ok(root) = sources.dir.canonicalize() else {
        return Vec::new();
    };
    let own = confine::resolve(&sources.dir, Path::new(applicant::APPLICANT_FILE)).ok();
    let workbook = match &sources.assessment {
        Some(applicant::AssessmentSource::Workbook(path)) => Some(&path.value),
        _ => None,
    };
    let texts_and_table = [&sources.report, &sources.plan]
        .into_iter()
        .flatten()
        .map(|located| &located.value)
        .chain(workbook);
    let evidence = texts.evidence.iter().flatten().map(|e| &e.path);
    let mut files: Vec<InputFile> = Vec::new();
    for path in own.iter().chain(texts_and_table).chain(evidence) {
        let Ok(relative) = path.strip_prefix(&root) else {
            continue;
        };
        let name = diagnostics::slash_path(relative);
        if !name.is_empty() && !files.iter().any(|f| f.name == name) {
            files.push(InputFile {
                name,
                path: path.clone(),
            });
        }
    }
    files
}

/// Reads the Markdown files, the assessment values and the evidence files that `applicant`
/// names, each confined to the applicant folder and read under the limits of `notice`.
pub fn load_texts(
    applicant: &applicant::Sources,
    catalogue: &catalogue::Catalogue,
    notice: &notice::Notice,
    diagnostics: &mut Diagnostics,
) -> Texts {
    let limits = &notice.limits;
    let mut texts = Texts::default();
    if let Some(path) = &applicant.report {
        texts.report = read_markdown(path, limits, diagnostics);
    }
    if let Some(path) = &applicant.plan {
        texts.plan = read_markdown(path, limits, diagnostics);
    }
    texts.assessment = match &applicant.assessment {
        Some(applicant::AssessmentSource::Workbook(path)) => {
            match confine::read_capped(&path.value, limits.file_bytes(limits::FileKind::Workbook)) {
                Ok(bytes) => {
                    workbook::read_bytes(&path.value, &bytes, catalogue, limits, diagnostics)
                }
                Err(problem) => {
                    diagnostics.push(unreadable(path, &problem));
                    workbook::Entries::new()
                }
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
    texts.evidence = evidence::inspect_all(applicant, &notice.evidence_types, limits, diagnostics);
    texts
}

/// The error for a confined file that could not be read.
fn unreadable(path: &fields::Located<PathBuf>, problem: &confine::Problem) -> Diagnostic {
    Diagnostic::error(format!(
        "文件“{}”{}",
        diagnostics::display_path(&path.value),
        problem.describe("申报目录")
    ))
    .at(path.location.clone())
    .hint("请确认文件名与申报目录中的文件一致；大小上限见 templates/notice.yaml 的 limits 一节")
}

/// Reads a long text under its cap: a .docx through the Word reader (after the zip check),
/// anything else as Markdown; .doc, .wps and .docm are refused.
fn read_markdown(
    path: &fields::Located<PathBuf>,
    limits: &limits::Limits,
    diagnostics: &mut Diagnostics,
) -> Vec<markdown::MarkdownBlock> {
    if let Some(refusal) = docx::refusal(&path.value) {
        diagnostics.push(refusal.at(path.location.clone()));
        return Vec::new();
    }
    let is_docx = docx::is_docx(&path.value);
    let kind = if is_docx {
        limits::FileKind::Workbook
    } else {
        limits::FileKind::Markdown
    };
    let bytes = match confine::read_capped(&path.value, limits.file_bytes(kind)) {
        Ok(bytes) => bytes,
        Err(problem) => {
            diagnostics.push(unreadable(path, &problem));
            return Vec::new();
        }
    };
    if is_docx {
        if let Err(problem) = zipped::check(&bytes, limits) {
            diagnostics.push(
                Diagnostic::error(format!("Word 文件{}", problem.describe()))
                    .at(path.location.clone())
                    .hint("请用 WPS/Word 打开该文件，删去不需要的内容后另存为 .docx"),
            );
            return Vec::new();
        }
        return docx::read(&path.value, &bytes, diagnostics);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        diagnostics.push(
            Diagnostic::error("该文件是 Word 文件，不是 Markdown")
                .at(path.location.clone())
                .hint("请把文件扩展名和 applicant.yaml 中的文件名改为 .docx（.doc 文件请先在 WPS/Word 中另存为 .docx）"),
        );
        return Vec::new();
    }
    numbered::split_run_in(markdown::read(&path.value, &bytes, diagnostics))
}
