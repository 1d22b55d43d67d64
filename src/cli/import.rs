//! `shenbao import`: unpacks each data bundle into its own applicant folder (the trust rules
//! are in `run::import`), checks each new folder as `check` does, and prints what happened to
//! every bundle.

use std::process::ExitCode;

use super::args::{Format, ImportArgs};
use super::print::{fail, print_reports};
use crate::diagnostics::display_path;
use crate::run::Session;
use crate::run::import::{Imported, import as import_bundle, remove_leftovers};
use crate::run::output::OutputLock;

/// Runs `shenbao import`: exit 0 when every bundle was unpacked and passes its checks, 1
/// otherwise, 2 when the templates or the roster cannot be read.
pub(super) fn import(args: &ImportArgs) -> ExitCode {
    let session = match Session::open(&args.run.settings(1)) {
        Ok(session) => session,
        Err(problems) => return fail(problems, Format::Human),
    };
    // One import at a time into a folder; the lock also makes the leftovers of a killed import
    // safe to remove. A folder that does not exist yet is made by the first bundle unpacked.
    let lock = match args.out.is_dir() {
        true => match OutputLock::take(&args.out, None) {
            Ok(lock) => Some(lock),
            Err(problem) => return fail(problem, Format::Human),
        },
        false => None,
    };
    if lock.is_some() {
        for leftover in remove_leftovers(&args.out) {
            eprintln!(
                "已移除上次中断的导入留下的临时目录 {}",
                display_path(&leftover)
            );
        }
    }
    let mut refused = 0;
    let mut failing = 0;
    for bundle in &args.bundles {
        let imported = import_bundle(bundle, &args.out, session.notice());
        print_imported(&imported);
        match &imported.folder {
            Some(folder) => {
                let reports = session.check(std::slice::from_ref(folder));
                print_reports(&reports, Format::Human, "检查");
                failing += reports.iter().filter(|r| !r.ok()).count();
            }
            None => refused += 1,
        }
    }
    if refused > 0 || failing > 0 {
        eprintln!(
            "共 {} 个压缩包：{refused} 个未能导入（未写入任何文件），{failing} 个导入后未通过检查。",
            args.bundles.len()
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// What became of one bundle, after its problems.
fn print_imported(imported: &Imported) {
    let bundle = display_path(&imported.bundle);
    eprint!("{}", imported.problems.render());
    let Some(folder) = &imported.folder else {
        eprintln!(
            "{bundle}：导入未通过（{} 个错误），未写入任何文件",
            imported.problems.error_count()
        );
        return;
    };
    let folder = display_path(folder);
    match &imported.beside {
        Some(present) => eprintln!(
            "{bundle}：{} 已存在，未作改动；已导入到其旁的 {folder}（{} 个文件）",
            display_path(present),
            imported.files
        ),
        None => eprintln!("{bundle}：已导入到 {folder}（{} 个文件）", imported.files),
    }
}
