//! `init` and `templates`: the commands that write starting points rather than read applicants.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::{Format, InitArgs, TemplatesCommand};
use super::print::fail;
use crate::diagnostics::{Diagnostic, Location, display_path};
use crate::templates::TemplateStore;

/// `shenbao init`: a new applicant folder, a blank roster, or both.
pub(super) fn init(args: &InitArgs) -> ExitCode {
    match write_starting_files(args) {
        Ok(files) => {
            for file in files {
                eprintln!("已生成 {}", display_path(&file));
            }
            if let Some(dir) = &args.dir {
                eprintln!(
                    "请填写以上文件，然后运行 `shenbao check {}` 检查。",
                    display_path(dir)
                );
            }
            if let Some(roster) = &args.roster {
                eprintln!(
                    "名册一行一个申报单位；用 `shenbao check --roster {}` 检查。",
                    display_path(roster)
                );
            }
            ExitCode::SUCCESS
        }
        Err(problem) => fail(problem, Format::Human),
    }
}

/// Writes what `init` was asked for; nothing when the roster file exists already.
fn write_starting_files(args: &InitArgs) -> Result<Vec<PathBuf>, Diagnostic> {
    let store = TemplateStore::new(args.templates.dir.clone())?;
    if let Some(roster) = args.roster.as_ref().filter(|r| r.exists()) {
        return Err(
            Diagnostic::error("名册文件已存在，为避免覆盖，未写入任何文件")
                .at(Location::file(roster))
                .hint("请换一个文件名，或先移走已有文件"),
        );
    }
    let mut files = Vec::new();
    if let (Some(dir), Some(category)) = (&args.dir, &args.category) {
        files.extend(crate::init::init(dir, category, &store, args.docx)?);
    }
    if let Some(roster) = &args.roster {
        files.push(crate::init::roster(roster, &store)?);
    }
    Ok(files)
}

/// `shenbao templates list` and `shenbao templates export`.
pub(super) fn templates(command: &TemplatesCommand) -> ExitCode {
    match command {
        TemplatesCommand::List => {
            for name in TemplateStore::built_in_names() {
                println!("{name}");
            }
            ExitCode::SUCCESS
        }
        TemplatesCommand::Export { dir } => match TemplateStore::export(dir) {
            Ok(names) => {
                eprintln!(
                    "已导出 {} 个模板文件到 {}；修改后用 --templates {} 使用。",
                    names.len(),
                    display_path(dir),
                    display_path(dir)
                );
                ExitCode::SUCCESS
            }
            Err(problem) => fail(problem, Format::Human),
        },
    }
}
