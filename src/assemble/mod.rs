//! Assemble: rendered files land in the output folder atomically, and each applicant gets a
//! `manifest.json` listing every output with its pages and sha256. Every output path is made by
//! [`OutputDir`], so no name from the data can place a file outside the output folder.

pub mod data;
pub mod email;
pub mod print_set;
pub mod word;
pub mod xlsx;
pub mod zip_host;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::compose::model::Dossier;
use crate::files::OutputDir;
pub use crate::files::{sha256, write_atomically};
use crate::load::notice::{MaterialInfo, Notice};

use crate::diagnostics::{Diagnostic, Diagnostics, Location, io_problem};

/// The name of an applicant's manifest in its output folder.
pub const MANIFEST: &str = "manifest.json";

/// What an output file is, as the manifests and the package index name it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum OutputKind {
    /// A material's PDF.
    Pdf,
    /// A set of materials joined for printing.
    PrintSet,
    /// A material's Word file.
    Docx,
    /// The zip of the Word files for the e-mail.
    Bundle,
    /// The e-mail draft.
    Email,
    /// The applicant's own files, for `shenbao import`.
    Data,
    /// An applicant's `manifest.json` in the package.
    Manifest,
    /// The province's recommendation letter.
    Letter,
    /// The province's summary workbook.
    Workbook,
    /// The package's index.
    Index,
}

impl OutputKind {
    /// How the package index names a file of this kind.
    pub fn description(self) -> &'static str {
        match self {
            Self::Letter => "推荐函（附推荐名单）",
            Self::Workbook => "测评指标汇总表",
            Self::Pdf => "申报材料",
            Self::PrintSet => "纸件合订本（双面印制）",
            Self::Docx => "Word 电子版",
            Self::Bundle => "电子版压缩包",
            Self::Email => "电子版邮件草稿",
            Self::Data => "申报数据包",
            Self::Manifest => "文件清单",
            Self::Index => "文件目录",
        }
    }
}

/// One file the run produced.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Output {
    /// Path relative to the applicant's output folder.
    pub path: String,
    /// What it is.
    pub kind: OutputKind,
    /// Which material (1–4), if it is one.
    pub material: Option<u8>,
    /// Number of pages, for PDFs.
    pub pages: Option<usize>,
    /// Sheets of paper when printed duplex, for print sets.
    pub sheets: Option<usize>,
    /// sha256 of the bytes, hex.
    pub sha256: String,
    /// A hash of everything the file was made from, to tell whether it must be made again.
    pub input: Option<String>,
}

impl Output {
    /// The same output, recording the hash of its inputs.
    pub fn with_input(mut self, input: &str) -> Self {
        self.input = Some(input.to_string());
        self
    }
}

/// What one applicant's run produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// 申报单位.
    pub applicant: String,
    /// 申报类别.
    pub category: String,
    /// Every output.
    pub outputs: Vec<Output>,
    /// Warnings found while checking and rendering.
    pub warnings: Diagnostics,
}

/// Starts writing `bytes` as `name` in `dir` (settled before the manifest is written) and
/// describes the result.
pub fn emit(
    dir: &OutputDir,
    name: &str,
    kind: OutputKind,
    material: Option<u8>,
    pages: Option<usize>,
    bytes: &[u8],
) -> Result<Output, Diagnostic> {
    dir.write_soon(name, bytes.to_vec())?;
    Ok(Output {
        path: name.to_string(),
        kind,
        material,
        pages,
        sheets: None,
        sha256: sha256(bytes),
        input: None,
    })
}

/// The previous output `name` in `target`, when it was made from the same `input` and the file
/// on disk is still the one recorded.
pub fn reusable(
    previous: &BTreeMap<String, Output>,
    target: &OutputDir,
    name: &str,
    input: &str,
) -> Option<Output> {
    let output = previous.get(name)?;
    if output.input.as_deref() != Some(input) {
        return None;
    }
    let bytes = std::fs::read(target.file(name).ok()?).ok()?;
    (sha256(&bytes) == output.sha256).then(|| output.clone())
}

/// The paper sets of one applicant: for each number of copies the notice asks for, one PDF with
/// that many copies of the materials that take it (material 1 three times; materials 2–4 with
/// their evidence twice), read back from the rendered files.
pub fn print_sets(
    notice: &Notice,
    target: &OutputDir,
    rendered: &[Output],
    separator: bool,
    previous: &BTreeMap<String, Output>,
) -> Result<Vec<Output>, Diagnostic> {
    let mut groups: BTreeMap<u32, Vec<&MaterialInfo>> = BTreeMap::new();
    for material in &notice.materials {
        groups.entry(material.copies).or_default().push(material);
    }
    let mut sets = Vec::new();
    for (copies, materials) in groups.into_iter().rev() {
        let parts: Vec<&Output> = materials
            .iter()
            .filter_map(|m| {
                rendered
                    .iter()
                    .find(|o| o.kind == OutputKind::Pdf && o.material == Some(m.number))
            })
            .collect();
        if parts.len() != materials.len() {
            continue;
        }
        let numbers: Vec<String> = materials.iter().map(|m| m.number.to_string()).collect();
        let name = format!("印制-材料{}（各{copies}份）.pdf", numbers.join("、"));
        let input = sha256(
            format!(
                "{copies}{separator}{}",
                parts.iter().map(|p| p.sha256.as_str()).collect::<String>()
            )
            .as_bytes(),
        );
        if let Some(output) = reusable(previous, target, &name, &input) {
            sets.push(output);
            continue;
        }
        // The documents are read back from the folder, where this run's are still being written.
        target.settle()?;
        let files: Vec<Vec<u8>> = parts
            .iter()
            .map(|p| {
                let path = target.file(&p.path)?;
                std::fs::read(&path).map_err(|e| {
                    Diagnostic::error(format!("无法读回已生成的 PDF（{}）", io_problem(&e)))
                        .at(Location::file(&path))
                        .hint("输出目录在生成期间被改动；请重新运行")
                })
            })
            .collect::<Result<_, _>>()?;
        let slices: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
        let set = print_set::join(&slices, copies, separator).map_err(|e| {
            Diagnostic::error(format!("无法合订印制文件（{e}）"))
                .at(Location::file(target.path().join(&name)))
        })?;
        let mut output = emit(
            target,
            &name,
            OutputKind::PrintSet,
            None,
            Some(set.pages),
            &set.pdf,
        )?
        .with_input(&input);
        output.sheets = Some(set.pages.div_ceil(2));
        sets.push(output);
    }
    Ok(sets)
}

/// The Word files of the materials that go by e-mail, the zip that bundles them and an e-mail
/// draft to the provincial mailbox. Returns the outputs and the warnings of the Word writer.
pub fn word_files(
    notice: &Notice,
    dossier: &Dossier,
    target: &OutputDir,
) -> Result<(Vec<Output>, Diagnostics), Diagnostic> {
    let mut outputs = Vec::new();
    let mut warnings = Diagnostics::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for document in &dossier.documents {
        if !notice.material(document.material).is_some_and(|m| m.word) {
            continue;
        }
        let mut word = word::write(document)?;
        word.bytes = zip_host::unix_host(word.bytes);
        warnings.extend(word.warnings);
        let name = format!("材料{}-{}.docx", document.material, document.material_name);
        outputs.push(emit(
            target,
            &name,
            OutputKind::Docx,
            Some(document.material),
            None,
            &word.bytes,
        )?);
        files.push((name, word.bytes));
    }
    let attachments: Vec<email::Attachment> = files
        .iter()
        .map(|(name, bytes)| email::Attachment { name, bytes })
        .collect();
    let mail = &dossier.email;
    let bundle = email::zip(&attachments)
        .map_err(|e| Diagnostic::error(format!("无法生成压缩包（{e}）")))?;
    outputs.push(emit(
        target,
        &format!("{}.zip", mail.bundle),
        OutputKind::Bundle,
        None,
        None,
        &bundle,
    )?);
    let draft = email::draft(mail, &attachments);
    outputs.push(emit(
        target,
        &format!("{}.eml", mail.bundle),
        OutputKind::Email,
        None,
        None,
        &draft,
    )?);
    Ok((outputs, warnings))
}

/// The data bundle `<申报单位>-申报数据.zip`: the files the applicant's build read, at their
/// paths inside its folder.
pub fn data_bundle(
    notice: &Notice,
    dossier: &Dossier,
    target: &OutputDir,
) -> Result<Output, Diagnostic> {
    let bytes = data::bundle(&dossier.data, &notice.limits)?;
    emit(
        target,
        &format!("{}.zip", dossier.data.name),
        OutputKind::Data,
        None,
        None,
        &bytes,
    )
}

/// Writes `manifest.json` into `dir`.
pub fn write_manifest(dir: &OutputDir, manifest: &Manifest) -> Result<PathBuf, Diagnostic> {
    dir.write_json(MANIFEST, manifest)
}
