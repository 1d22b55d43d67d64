//! `check`, `build`, `watch` and `preview`: the commands over applicant folders.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use super::args::{BuildArgs, CheckArgs, CommonArgs, Format, PreviewArgs, WatchArgs};
use super::print::{exit_code, fail, print_batch, print_reports};
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::load;
use crate::run::Session;
use crate::run::batch::{self, BuildOptions, INTERRUPTED};
use crate::run::output::{self, OutputLock};

/// The applicant folders the command names, or those under `inputs/`.
fn applicant_dirs(common: &CommonArgs) -> Result<Vec<PathBuf>, Diagnostic> {
    load::applicant_dirs(&common.applicants, Path::new("inputs"))
}

/// The session and the applicant folders of a command; the roster's warnings are printed.
fn open(common: &CommonArgs, jobs: usize) -> Result<(Session, Vec<PathBuf>), Diagnostics> {
    let dirs = applicant_dirs(common)?;
    let session = Session::open(&common.run.settings(jobs))?;
    eprint!("{}", session.roster_warnings().render());
    Ok((session, dirs))
}

/// `shenbao check`: 0 when every applicant passes, 1 when one does not, 2 when the run cannot start.
pub(super) fn check(args: &CheckArgs) -> ExitCode {
    let (session, dirs) = match open(&args.common, 1) {
        Ok(opened) => opened,
        Err(problem) => return fail(problem, args.common.format),
    };
    let reports = session.check(&dirs);
    print_reports(&reports, args.common.format, "检查");
    exit_code(&reports)
}

/// `shenbao build`: 130 when interrupted, else as `check`.
pub(super) fn build(args: &BuildArgs) -> ExitCode {
    let opened = open(&args.common, args.render.jobs).and_then(|(session, dirs)| {
        let mut inputs = dirs.clone();
        inputs.extend(session.input_paths().iter().cloned());
        output::check_apart(&args.out, &inputs, "输出目录")?;
        if let Some(emit) = &args.emit_typst {
            output::check_emit_dir(emit, &args.out, &inputs)?;
        }
        output::ensure_writable(&args.out)?;
        let lock = OutputLock::take(&args.out, args.shard)?;
        Ok((session, dirs, lock))
    });
    let (session, dirs, _lock) = match opened {
        Ok(opened) => opened,
        Err(problem) => return fail(problem, args.common.format),
    };
    let batch_id = session.batch_id(&dirs);
    let dirs = match args.shard {
        Some((k, n)) => batch::shard(&dirs, k, n),
        None => dirs,
    };
    let options = BuildOptions {
        out: args.out.clone(),
        force: args.render.force,
        separator: args.render.separator,
        shard: args.shard,
        emit_typst: args.emit_typst.clone(),
        batch: Some(batch_id),
        ..BuildOptions::default()
    };
    let started = std::time::Instant::now();
    let report = session.build(&dirs, &options);
    print_reports(&report.applicants, args.common.format, "生成");
    print_batch(&report);
    if args.timings {
        eprint!("{}", session.timings().render(started.elapsed()));
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        eprintln!("已中断。已生成的文件都是完整的；重新运行会从未完成处继续。");
        return ExitCode::from(130);
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `shenbao watch`: one applicant, re-rendered on every change until Ctrl-C.
pub(super) fn watch(args: &WatchArgs) -> ExitCode {
    let dirs = match applicant_dirs(&args.common) {
        Ok(dirs) => dirs,
        Err(problem) => return fail(problem, args.common.format),
    };
    let [applicant] = dirs.as_slice() else {
        return fail(
            Diagnostic::error("watch 一次只监视一个申报目录")
                .hint("请写出一个申报目录（含 applicant.yaml 的目录），例如 `shenbao watch 某市`"),
            args.common.format,
        );
    };
    let settings = args.common.run.settings(1);
    let mut inputs = vec![applicant.clone()];
    inputs.extend(settings.input_paths());
    let ready = output::check_apart(&args.out, &inputs, "输出目录")
        .and_then(|()| output::ensure_writable(&args.out))
        .and_then(|()| OutputLock::take(&args.out, None));
    let _lock = match ready {
        Ok(lock) => lock,
        Err(problem) => return fail(problem, args.common.format),
    };
    let options = BuildOptions {
        out: args.out.clone(),
        only_material: args.material,
        ..BuildOptions::default()
    };
    let json = args.common.format == Format::Json;
    crate::run::watch::watch(&settings, applicant, &options, json);
    ExitCode::SUCCESS
}

/// `shenbao preview`: one page of one material as a PNG file.
pub(super) fn preview(args: &PreviewArgs) -> ExitCode {
    let settings = args.run.settings(1);
    let mut inputs = vec![args.applicant.clone()];
    inputs.extend(settings.input_paths());
    let opened = output::check_preview_file(&args.out, &inputs)
        .map_err(Diagnostics::from)
        .and_then(|()| Session::open(&settings));
    let session = match opened {
        Ok(session) => session,
        Err(problem) => return fail(problem, Format::Human),
    };
    let png = session
        .preview(&args.applicant, args.material, args.page, args.dpi)
        .and_then(|png| crate::files::write_atomically(&args.out, &png).map_err(Diagnostics::from));
    match png {
        Ok(()) => {
            eprintln!("已生成 {}", display_path(&args.out));
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprint!("{}", problems.render());
            ExitCode::from(1)
        }
    }
}
