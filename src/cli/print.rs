//! The printing of results: each applicant's problems and status, the run's own problems, the
//! files a run removed, and the package summary, as Chinese text or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::Format;
use crate::diagnostics::{Diagnostics, display_path};
use crate::run::ApplicantReport;
use crate::run::batch::BatchReport;

/// The problems of the run as a whole, and the files it removed.
pub(super) fn print_batch(report: &BatchReport) {
    eprint!("{}", report.problems.render());
    print_removed(report.applicants.iter().flat_map(|r| &r.removed));
}

pub(super) fn print_removed<'a>(removed: impl IntoIterator<Item = &'a PathBuf>) {
    for path in removed {
        eprintln!("已移除上次生成、本次不再生成的文件 {}", display_path(path));
    }
}

pub(super) fn print_package(report: &crate::run::package::PackageReport, out: &std::path::Path) {
    match &report.manifest {
        Some(manifest) => {
            let included = manifest
                .applicants
                .iter()
                .filter(|a| a.included.is_some())
                .count();
            let left_out = manifest
                .applicants
                .iter()
                .filter(|a| a.included.is_none() && !a.errors.is_empty())
                .count();
            eprintln!(
                "推荐材料已生成：{}（{} 个文件，推荐 {included} 个单位{}）",
                display_path(out),
                manifest.files.len() + 1,
                if left_out > 0 {
                    format!("；{left_out} 个未通过检查的单位未推荐，已略去")
                } else {
                    String::new()
                }
            );
        }
        None => eprintln!(
            "推荐材料未生成：请先修正上面的 {} 个错误。",
            report.rules.error_count()
        ),
    }
}

pub(super) fn fail(problems: impl Into<Diagnostics>, format: Format) -> ExitCode {
    let all = problems.into();
    match format {
        Format::Human => eprint!("{}", all.render()),
        Format::Json => println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default()),
    }
    ExitCode::from(2)
}

pub(super) fn exit_code(reports: &[ApplicantReport]) -> ExitCode {
    if reports.iter().all(ApplicantReport::ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The package's report as one JSON document on stdout.
pub(super) fn print_package_json(report: &crate::run::package::PackageReport) {
    let json = serde_json::json!({
        "applicants": report.applicants.iter().map(report_json).collect::<Vec<_>>(),
        "rules": report.rules,
        "manifest": report.manifest,
        "removed": report.removed.iter().map(|p| display_path(p)).collect::<Vec<_>>(),
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
}

fn report_json(report: &ApplicantReport) -> serde_json::Value {
    serde_json::json!({
        "applicant": display_path(&report.dir),
        "ok": report.ok(),
        "diagnostics": report.diagnostics,
        "outputs": report.outputs,
    })
}

pub(super) fn print_reports(reports: &[ApplicantReport], format: Format, verb: &str) {
    if format == Format::Json {
        let json: Vec<_> = reports.iter().map(report_json).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
        return;
    }
    for report in reports {
        eprint!("{}", report.diagnostics.render());
        let status = if report.ok() { "通过" } else { "未通过" };
        eprintln!(
            "{}：{verb}{status}（{} 个错误，{} 个警告{}）",
            display_path(&report.dir),
            report.diagnostics.error_count(),
            report.diagnostics.warning_count(),
            if report.outputs.is_empty() {
                String::new()
            } else {
                format!("，{} 个文件", report.outputs.len())
            }
        );
    }
    let failed = reports.iter().filter(|r| !r.ok()).count();
    if failed > 0 {
        eprintln!("共 {} 个申报目录，{failed} 个未通过。", reports.len());
    }
}
