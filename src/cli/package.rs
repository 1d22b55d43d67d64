//! `package` and `merge`: the province's commands over a whole batch.

use std::path::Path;
use std::process::ExitCode;

use super::args::{Format, MergeArgs, PackageArgs};
use super::print::{fail, print_package, print_package_json, print_removed, print_reports};
use crate::diagnostics::display_path;
use crate::load;
use crate::run::Session;
use crate::run::batch::BuildOptions;
use crate::run::output::{self, OutputLock};

/// `shenbao package`: 0 when the package was written and every rule holds, 1 otherwise, 2 when
/// the province or the run cannot be read.
pub(super) fn package(args: &PackageArgs) -> ExitCode {
    let format = args.common.format;
    let province = match load::province::read(&args.province) {
        Ok(province) => province,
        Err(problems) => return fail(problems, format),
    };
    let dirs = if args.common.applicants.is_empty() {
        load::province::applicant_dirs(&province)
    } else {
        Ok(args.common.applicants.clone())
    };
    let mut settings = args.common.run.settings(args.render.jobs);
    if settings.roster.is_none() {
        settings.roster = province.roster.as_ref().map(|r| r.value.clone());
    }
    let opened = dirs.and_then(|dirs| Ok((Session::open(&settings)?, dirs)));
    if let Ok((session, _)) = &opened {
        eprint!("{}", session.roster_warnings().render());
    }
    let (session, dirs) = match opened {
        Ok(opened) => opened,
        Err(problems) => return fail(problems, format),
    };
    let options = BuildOptions {
        out: args
            .out
            .clone()
            .unwrap_or_else(|| Path::new("out").join(output::folder_name(&args.province))),
        force: args.render.force,
        separator: args.render.separator,
        ..BuildOptions::default()
    };
    let report = session.package(&province, &dirs, &options);
    if format == Format::Json {
        print_package_json(&report);
    } else {
        print_reports(&report.applicants, format, "检查");
        eprint!("{}", report.rules.render());
        print_removed(&report.removed);
        print_package(&report, &options.out);
    }
    if report.manifest.is_some() && !report.rules.has_errors() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `shenbao merge`: joins the shards' indexes; 1 when an applicant failed.
pub(super) fn merge(args: &MergeArgs) -> ExitCode {
    let merged = match args.out.is_dir() {
        true => {
            OutputLock::take(&args.out, None).and_then(|_lock| crate::run::index::merge(&args.out))
        }
        false => crate::run::index::merge(&args.out),
    };
    match merged {
        Ok(index) => {
            let failed = index.applicants.iter().filter(|a| !a.ok).count();
            eprintln!(
                "已合并 {} 个申报单位的索引到 {}（{failed} 个未通过）。",
                index.applicants.len(),
                display_path(&args.out.join("manifest.json"))
            );
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(problem) => fail(problem, Format::Human),
    }
}
