//! `shenbao package`: the provincial centre's run. Every applicant is checked, then the rules
//! across applicants; only when the recommendation holds is the package written: the recommended
//! applicants' materials (through the batch engine), the recommendation letter with its list,
//! the summary workbook, and the package index as a PDF and as `manifest.json`. A package that is
//! written again removes only the files its previous index listed that are unchanged since, so
//! nothing a user put beside the package is ever lost.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::batch::{BuildOptions, INTERRUPTED};
use super::output::{self, OutputLock};
use super::slot::remove_if_present;
use super::{ApplicantReport, Session, identity};
use crate::assemble::xlsx::summary::{self, SummaryRow, SummarySheet};
use crate::assemble::{self, Manifest, Output, OutputKind};
use crate::compose::recommendation::{IndexRow, Recommended};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, display_path, io_problem};
use crate::files::OutputDir;
use crate::files::{self, folder_name};
use crate::load::Texts;
use crate::load::applicant::Applicant;
use crate::load::province::Province;
use crate::validate::province::{self as rules, Submission};

/// The package's index file.
pub const MANIFEST: &str = "manifest.json";

/// Where a package run keeps the file list of the last package until it has written its own.
pub const STASH: &str = ".shenbao-previous-package.json";

/// The index of a recommendation package, written as `manifest.json` at its root.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageManifest {
    /// The recommending office.
    pub office: String,
    /// The letter's number.
    pub number: String,
    /// The letter's date, `YYYY-MM-DD`.
    pub date: String,
    /// Every file of the package but this one.
    pub files: Vec<PackageFile>,
    /// Every applicant received, recommended or not.
    pub applicants: Vec<PackageApplicant>,
}

/// One file of the package.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PackageFile {
    /// Path relative to the package root.
    pub path: String,
    /// What it is: the province's letter, workbook or index, or an applicant's output or
    /// manifest.
    pub kind: OutputKind,
    /// The applicant it belongs to; none for the province's own files.
    pub applicant: Option<String>,
    /// Which material (1–4), if it is one.
    pub material: Option<u8>,
    /// Pages, for PDFs.
    pub pages: Option<usize>,
    /// Sheets of paper, for print sets.
    pub sheets: Option<usize>,
    /// sha256 of the bytes, hex.
    pub sha256: String,
}

/// One applicant received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageApplicant {
    /// Its input folder.
    pub folder: String,
    /// 申报单位, when it could be read.
    pub name: Option<String>,
    /// 申报类别, when it could be read.
    pub category: Option<String>,
    /// Its rank in its category's recommendation, when recommended.
    pub rank: Option<usize>,
    /// Its folder inside the package, when its materials are included.
    pub included: Option<String>,
    /// Its errors, as text (a broken applicant that is not recommended is left out).
    pub errors: Vec<String>,
}

/// What a package run found and did.
pub struct PackageReport {
    /// Every applicant's own checks (and outputs, for the recommended).
    pub applicants: Vec<ApplicantReport>,
    /// The rules across applicants, and problems writing the package.
    pub rules: Diagnostics,
    /// The package index, when the package was written.
    pub manifest: Option<PackageManifest>,
    /// Files of the last package that this one removed: listed by its index, unchanged since,
    /// and no longer part of the package.
    pub removed: Vec<PathBuf>,
}

/// One applicant folder after its checks.
struct Checked {
    dir: PathBuf,
    loaded: Option<(Applicant, Texts)>,
    diagnostics: Diagnostics,
}

impl Checked {
    fn applicant(&self) -> Option<&Applicant> {
        self.loaded.as_ref().map(|(a, _)| a)
    }

    fn report(&self) -> ApplicantReport {
        ApplicantReport {
            diagnostics: self.diagnostics.clone(),
            identity: identity(&self.loaded),
            ..ApplicantReport::new(&self.dir)
        }
    }
}

impl Session {
    /// Checks every applicant in `dirs` and the rules of `province` across them; when they hold,
    /// writes the recommendation package into `options.out`. Nothing is written otherwise.
    pub fn package(
        &self,
        province: &Province,
        dirs: &[PathBuf],
        options: &BuildOptions,
    ) -> PackageReport {
        let checked = self.check_all(dirs);
        let mut rules = self.rules_across(province, &checked);
        let mut reports: Vec<ApplicantReport> = checked.iter().map(Checked::report).collect();
        let mut inputs: Vec<PathBuf> = dirs.to_vec();
        inputs.push(province.dir.clone());
        inputs.extend(self.input_paths().iter().cloned());
        let out = OutputDir::new(&options.out);
        let writable = output::check_apart(&options.out, &inputs, "输出目录")
            .and_then(|()| output::ensure_writable(&options.out));
        rules.extend(writable.err());
        let ready = match rules.has_errors() {
            true => Err(None),
            false => OutputLock::take(&options.out, None)
                .and_then(|lock| Ok((lock, stash_previous_index(&out)?)))
                .map_err(Some),
        };
        let (_lock, previous) = match ready {
            Ok(ready) => ready,
            Err(problem) => {
                rules.extend(problem);
                return PackageReport {
                    applicants: reports,
                    rules,
                    manifest: None,
                    removed: Vec::new(),
                };
            }
        };
        let list = recommended(province, &checked);
        let chosen: Vec<PathBuf> = list.iter().map(|(_, c)| c.dir.clone()).collect();
        let applicants_only = BuildOptions {
            skip_run_index: true,
            ..options.clone()
        };
        let prechecked = list
            .iter()
            .map(|(_, c)| (c.loaded.clone(), c.diagnostics.clone()))
            .collect();
        let built = self.build_checked(&chosen, prechecked, &applicants_only);
        rules.extend(built.problems);
        for report in built.applicants {
            if let Some(slot) = reports.iter_mut().find(|r| r.dir == report.dir) {
                *slot = report;
            }
        }
        let written = self.write_package(province, &checked, &list, &reports, options);
        let (manifest, mut removed) = match written {
            Ok((manifest, warnings)) => {
                rules.extend(warnings);
                let (removed, kept) = finish_package(&out, &previous, &manifest);
                rules.extend(kept);
                (Some(manifest), removed)
            }
            Err(problems) => {
                rules.extend(problems);
                (None, Vec::new())
            }
        };
        removed.extend(reports.iter().flat_map(|r| r.removed.iter().cloned()));
        PackageReport {
            applicants: reports,
            rules,
            manifest,
            removed,
        }
    }

    /// Checks every applicant in `dirs` and the rules of `province` across them, writing
    /// nothing: each applicant's report, and the rules' findings.
    pub fn check_province(
        &self,
        province: &Province,
        dirs: &[PathBuf],
    ) -> (Vec<ApplicantReport>, Diagnostics) {
        let checked = self.check_all(dirs);
        let rules = self.rules_across(province, &checked);
        (checked.iter().map(Checked::report).collect(), rules)
    }

    fn check_all(&self, dirs: &[PathBuf]) -> Vec<Checked> {
        dirs.iter()
            .map(|dir| {
                let (loaded, diagnostics) = self.check_one(dir);
                Checked {
                    dir: dir.clone(),
                    loaded,
                    diagnostics,
                }
            })
            .collect()
    }

    /// The rules of `province` across the applicants, and the roster rows that name none.
    fn rules_across(&self, province: &Province, checked: &[Checked]) -> Diagnostics {
        let submissions: Vec<Submission> = checked
            .iter()
            .map(|c| Submission {
                dir: &c.dir,
                applicant: c.applicant(),
                errors: c.diagnostics.error_count(),
            })
            .collect();
        let mut rules = rules::check(province, self.notice(), &submissions);
        rules.extend(self.unmatched_roster_rows(checked));
        rules
    }

    fn write_package(
        &self,
        province: &Province,
        checked: &[Checked],
        list: &[(Recommended, &Checked)],
        reports: &[ApplicantReport],
        options: &BuildOptions,
    ) -> Result<(PackageManifest, Diagnostics), Diagnostics> {
        stopped_applicants(list, reports)?;
        let mut warnings = Diagnostics::new();
        let out = &OutputDir::new(&options.out);
        let mut files = Vec::new();
        let recommended: Vec<Recommended> = list.iter().map(|(r, _)| r.clone()).collect();
        let letter = self
            .composer
            .recommendation(province, &recommended, checked.len())?;
        let name = format!("{}.pdf", letter.material_name);
        let input = self.input_hash(&letter);
        let (output, typst_warnings) = self.render_pdf(&letter, out, &name, &input, options)?;
        warnings.extend(typst_warnings);
        files.push(province_file(output, OutputKind::Letter));
        let workbook = summary::workbook(&self.summary_sheets(province, checked))?;
        let name = format!("{}.xlsx", self.notice().recommendation.summary);
        let output = assemble::emit(out, &name, OutputKind::Workbook, None, None, &workbook)?;
        files.push(province_file(output, OutputKind::Workbook));
        for (recommended, checked) in list {
            files.extend(applicant_files(out, &recommended.name, &checked.dir)?);
        }
        let rows: Vec<IndexRow> = files
            .iter()
            .map(|f| index_row(f, &province.office.value))
            .collect();
        let index = self.composer.package_index(province, &rows);
        let name = format!("{}.pdf", index.material_name);
        let input = self.input_hash(&index);
        let (output, typst_warnings) = self.render_pdf(&index, out, &name, &input, options)?;
        warnings.extend(typst_warnings);
        files.push(province_file(output, OutputKind::Index));
        let applicants: Vec<PackageApplicant> =
            checked.iter().map(|c| package_applicant(c, list)).collect();
        let manifest = PackageManifest {
            office: province.office.value.clone(),
            number: province.number.value.clone(),
            date: province.date.value.iso(),
            files,
            applicants,
        };
        out.settle()?;
        Ok((manifest, warnings))
    }

    /// A warning for every roster row that names no applicant of this run.
    fn unmatched_roster_rows(&self, checked: &[Checked]) -> Diagnostics {
        let Some(roster) = &self.roster else {
            return Diagnostics::new();
        };
        let names: Vec<String> = checked
            .iter()
            .filter_map(|c| c.applicant().map(|a| a.name.value.clone()))
            .chain(checked.iter().filter_map(|c| folder_name(&c.dir)))
            .collect();
        roster
            .rows
            .iter()
            .filter(|row| !names.contains(&row.name.value))
            .map(|row| {
                Diagnostic::warning(format!("名册中的“{}”没有对应的申报目录", row.name.value))
                    .at(row.name.location.clone())
                    .hint("该单位的材料未收到，或其目录不在 province.yaml 的 applicants 中")
            })
            .collect()
    }

    /// One sheet per assessment table, recommended applicants first in their order.
    fn summary_sheets<'a>(
        &'a self,
        province: &Province,
        checked: &'a [Checked],
    ) -> Vec<SummarySheet<'a>> {
        let mut sheets: Vec<SummarySheet> = Vec::new();
        for name in self.notice().categories.keys() {
            let Some(catalogue) = self.composer.catalogue(name) else {
                continue;
            };
            let index = match sheets
                .iter()
                .position(|s| s.catalogue.attachment == catalogue.attachment)
            {
                Some(index) => index,
                None => {
                    sheets.push(SummarySheet {
                        catalogue,
                        categories: Vec::new(),
                        rows: Vec::new(),
                    });
                    sheets.len() - 1
                }
            };
            sheets[index].categories.push(name.clone());
            for c in checked {
                let Some((applicant, texts)) = &c.loaded else {
                    continue;
                };
                if applicant.category.value == *name {
                    sheets[index].rows.push(SummaryRow {
                        applicant,
                        values: &texts.assessment,
                        rank: rank_of(province, &applicant.name.value),
                        errors: c.diagnostics.error_count(),
                        late: rules::is_late(province, self.notice(), applicant),
                    });
                }
            }
        }
        for sheet in &mut sheets {
            sheet.rows.sort_by_key(|r| {
                (
                    r.rank.is_none(),
                    r.applicant.category.value.clone(),
                    r.rank,
                    r.applicant.name.value.clone(),
                )
            });
        }
        sheets.retain(|s| !s.rows.is_empty());
        sheets
    }
}

/// The recommended applicants in the order of `province.yaml`, with their checks.
fn recommended<'a>(province: &Province, checked: &'a [Checked]) -> Vec<(Recommended, &'a Checked)> {
    province
        .recommendations()
        .filter_map(|(category, rank, name)| {
            let found = checked
                .iter()
                .find(|c| c.applicant().is_some_and(|a| a.name.value == name.value))?;
            let applicant = found.applicant()?;
            Some((
                Recommended {
                    category: category.value.clone(),
                    rank,
                    name: name.value.clone(),
                    city: applicant
                        .city
                        .as_ref()
                        .filter(|_| applicant.is_county())
                        .map(|c| c.value.clone()),
                },
                found,
            ))
        })
        .collect()
}

fn rank_of(province: &Province, name: &str) -> Option<usize> {
    province
        .recommendations()
        .find(|(_, _, n)| n.value == name)
        .map(|(_, rank, _)| rank)
}

/// An error for every recommended applicant whose materials could not all be made.
fn stopped_applicants(
    list: &[(Recommended, &Checked)],
    reports: &[ApplicantReport],
) -> Result<(), Diagnostics> {
    let mut problems = Diagnostics::new();
    if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        problems.push(Diagnostic::error("已中断，推荐材料未生成"));
    }
    for (recommended, checked) in list {
        let failed = reports
            .iter()
            .find(|r| r.dir == checked.dir)
            .is_none_or(|r| !r.ok());
        if failed {
            problems.push(
                Diagnostic::error(format!(
                    "推荐的“{}”的材料未能全部生成，推荐材料未生成",
                    recommended.name
                ))
                .at(Location::file(&checked.dir))
                .hint("其错误见上文；修正后重新运行"),
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn province_file(output: Output, kind: OutputKind) -> PackageFile {
    PackageFile {
        path: output.path,
        kind,
        applicant: None,
        material: None,
        pages: output.pages,
        sheets: None,
        sha256: output.sha256,
    }
}

/// The files of one recommended applicant, from the manifest its build wrote.
fn applicant_files(
    out: &OutputDir,
    name: &str,
    dir: &Path,
) -> Result<Vec<PackageFile>, Diagnostic> {
    let folder = output::folder_name(dir);
    let manifest_path = out.folder(&folder)?.file(MANIFEST)?;
    let bytes = std::fs::read(&manifest_path).map_err(|e| {
        Diagnostic::error(format!("无法读取 {name} 的文件清单（{}）", io_problem(&e)))
            .at(Location::file(&manifest_path))
            .hint("该文件应由刚才的生成写出；请检查输出目录后重新运行")
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        Diagnostic::error(format!("{name} 的文件清单无法解析（{e}）"))
            .at(Location::file(&manifest_path))
            .hint("请删除该文件后用 --force 重新运行")
    })?;
    let mut files: Vec<PackageFile> = manifest
        .outputs
        .into_iter()
        .map(|o| PackageFile {
            path: format!("{folder}/{}", o.path),
            kind: o.kind,
            applicant: Some(name.to_string()),
            material: o.material,
            pages: o.pages,
            sheets: o.sheets,
            sha256: o.sha256,
        })
        .collect();
    files.push(PackageFile {
        path: format!("{folder}/{MANIFEST}"),
        kind: OutputKind::Manifest,
        applicant: Some(name.to_string()),
        material: None,
        pages: None,
        sheets: None,
        sha256: files::sha256(&bytes),
    });
    Ok(files)
}

fn package_applicant(checked: &Checked, list: &[(Recommended, &Checked)]) -> PackageApplicant {
    let chosen = list.iter().find(|(_, c)| c.dir == checked.dir);
    PackageApplicant {
        folder: display_path(&checked.dir),
        name: checked.applicant().map(|a| a.name.value.clone()),
        category: checked.applicant().map(|a| a.category.value.clone()),
        rank: chosen.map(|(r, _)| r.rank),
        included: chosen.map(|(_, c)| output::folder_name(&c.dir)),
        errors: checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| match &d.location {
                Some(location) => format!("{location}：{}", d.message),
                None => d.message.clone(),
            })
            .collect(),
    }
}

/// Moves the index of the package last written to `out` aside, so that a run that stops
/// half-way leaves no index describing files that have since changed, while the files it listed
/// can still be recognised (and removed when no longer part of the package). Returns them, with
/// those of a stopped run's stash.
fn stash_previous_index(out: &OutputDir) -> Result<Vec<PackageFile>, Diagnostic> {
    let read = |name: &str| out.file(name).ok().and_then(|p| std::fs::read(p).ok());
    let listed = read(MANIFEST)
        .and_then(|bytes| serde_json::from_slice::<PackageManifest>(&bytes).ok())
        .map(|m| m.files)
        .unwrap_or_default();
    let mut files: Vec<PackageFile> = read(STASH)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    files.retain(|f| !listed.iter().any(|l| l.path == f.path));
    files.extend(listed);
    if !files.is_empty() {
        out.write_json(STASH, &files)?;
    }
    remove_if_present(&out.file(MANIFEST)?)?;
    Ok(files)
}

/// Removes the files of the last package that this one does not hold, when unchanged since, and
/// then writes the new index and drops the stash. Returns what was removed, and a warning for
/// each folder left because something else is in it.
fn finish_package(
    out: &OutputDir,
    previous: &[PackageFile],
    manifest: &PackageManifest,
) -> (Vec<PathBuf>, Diagnostics) {
    let mut removed = Vec::new();
    let mut kept = Diagnostics::new();
    let dropped: Vec<&PackageFile> = previous
        .iter()
        .filter(|old| !manifest.files.iter().any(|f| f.path == old.path))
        .collect();
    for file in &dropped {
        if out.remove_if_unchanged(&file.path, &file.sha256) {
            removed.push(out.path().join(&file.path));
        }
    }
    let included = |folder: &str| {
        manifest
            .files
            .iter()
            .any(|f| f.path.starts_with(&format!("{folder}/")))
    };
    let mut folders: Vec<&str> = dropped
        .iter()
        .filter_map(|f| f.path.split_once('/').map(|(folder, _)| folder))
        .filter(|folder| !included(folder))
        .collect();
    folders.sort_unstable();
    folders.dedup();
    for folder in folders {
        if let Ok(path) = out.file(folder)
            && path.is_dir()
        {
            kept.push(
                Diagnostic::warning(format!(
                    "“{folder}”已不在推荐材料中，但其目录里还有不是上次生成的文件（或已被改动的文件），已保留"
                ))
                .at(Location::file(&path))
                .hint("请查看该目录，自行移走或删除其中的文件"),
            );
        }
    }
    let written = out
        .write_json(MANIFEST, manifest)
        .and_then(|_| remove_if_present(&out.file(STASH)?));
    if let Err(problem) = written {
        kept.push(problem);
    }
    (removed, kept)
}

/// How the index names a file.
fn index_row(file: &PackageFile, office: &str) -> IndexRow {
    let what = file.kind.description();
    let what = match file.material {
        Some(n) => format!("{what}（材料{n}）"),
        None => what.to_string(),
    };
    IndexRow {
        owner: file.applicant.clone().unwrap_or_else(|| office.to_string()),
        what,
        path: file.path.clone(),
        pages: file.pages,
        sha256: file.sha256.clone(),
    }
}
