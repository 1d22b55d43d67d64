//! `shenbao watch`: re-render an applicant whenever a template, its data, the roster or a font
//! changes. The
//! folders are polled (no platform watcher to go wrong over network drives or editors that save
//! by renaming); a change re-opens the session, so edited templates and fonts take effect, and
//! only the documents whose inputs changed are rendered again. Errors are shown and the watch
//! goes on; it recovers as soon as the file is fixed. With `--format json` each rebuild is one
//! line of JSON on standard output (JSON Lines), for an editor or a script to follow. The caller
//! refuses an output folder inside a watched one (each render would be a change, for ever) and
//! holds the folder's lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::batch::{BuildOptions, INTERRUPTED};
use super::{Session, Settings};
use crate::diagnostics::display_path;

/// How often the folders are looked at.
const POLL: Duration = Duration::from_millis(40);

/// What the watched folders and files looked like: every file's modification time and size.
type Snapshot = BTreeMap<PathBuf, (SystemTime, u64)>;

/// Watches until Ctrl-C, rebuilding `applicant` into `options.out` after every change; `json`
/// prints each rebuild's result as a line of JSON instead of text.
pub fn watch(settings: &Settings, applicant: &Path, options: &BuildOptions, json: bool) {
    let mut folders = vec![applicant.to_path_buf()];
    folders.extend(settings.templates.clone());
    folders.extend(settings.font_paths.iter().cloned());
    folders.extend(settings.roster.clone());
    let mut seen = snapshot(&folders);
    rebuild(settings, applicant, options, json);
    eprintln!(
        "正在监视 {}（Ctrl-C 结束）……",
        folders
            .iter()
            .map(|f| display_path(f))
            .collect::<Vec<_>>()
            .join("、")
    );
    while !INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::sleep(POLL);
        let now = snapshot(&folders);
        if now != seen {
            seen = now;
            rebuild(settings, applicant, options, json);
        }
    }
}

fn rebuild(settings: &Settings, applicant: &Path, options: &BuildOptions, json: bool) {
    let started = Instant::now();
    let (mut problems, reports) = match Session::open(settings) {
        Ok(session) => {
            let built = session.build(&[applicant.to_path_buf()], options);
            (built.problems, built.applicants)
        }
        Err(problems) => (problems, Vec::new()),
    };
    let elapsed = started.elapsed().as_millis();
    if json {
        for report in &reports {
            problems.extend(report.diagnostics.iter().cloned());
        }
        let line = serde_json::json!({
            "applicant": display_path(applicant),
            "ok": !reports.is_empty() && reports.iter().all(|r| r.ok()),
            "milliseconds": elapsed,
            "diagnostics": problems,
            "outputs": reports.iter().flat_map(|r| &r.outputs).collect::<Vec<_>>(),
        });
        println!("{line}");
        return;
    }
    eprint!("{}", problems.render());
    for report in &reports {
        eprint!("{}", report.diagnostics.render());
        if report.ok() {
            eprintln!("已更新（{elapsed} ms）");
        }
    }
}

fn snapshot(watched: &[PathBuf]) -> Snapshot {
    let mut files = Snapshot::new();
    let (single, folders): (Vec<PathBuf>, Vec<PathBuf>) =
        watched.iter().cloned().partition(|p| p.is_file());
    for path in single {
        if let Ok(metadata) = std::fs::metadata(&path)
            && let Ok(modified) = metadata.modified()
        {
            files.insert(path, (modified, metadata.len()));
        }
    }
    for entry in folders.iter().flat_map(|dir| crate::files::walk(dir)) {
        if let Ok(metadata) = entry.metadata()
            && let Ok(modified) = metadata.modified()
        {
            files.insert(entry.into_path(), (modified, metadata.len()));
        }
    }
    files
}
