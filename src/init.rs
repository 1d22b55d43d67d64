//! `shenbao init`: a new applicant folder to fill in, with a commented `applicant.yaml` (whose
//! first line points editors at the JSON Schema written beside it), the two Markdown texts with
//! the sections the notice asks for, an `evidence/` folder, and the blank assessment workbook in
//! the official layout; or, with `--roster`, a blank roster workbook. Existing files are never
//! overwritten.

use std::path::{Path, PathBuf};

use tera::Context;

use crate::assemble::xlsx::blank_roster;
pub use crate::assemble::xlsx::blank_workbook;
use crate::compose::wording::Wording;
use crate::diagnostics::{Diagnostic, Location};
use crate::files::write_atomically;
use crate::load::catalogue::Catalogue;
use crate::load::notice::Notice;
use crate::load::roster::RosterSpec;
use crate::templates::TemplateStore;

/// The files `init` writes, by name in the new folder and template source.
const TEXT_FILES: [(&str, &str); 3] = [
    ("applicant.yaml", "init/applicant.yaml"),
    ("创建工作报告.md", "init/report.md"),
    ("工作方案.md", "init/plan.md"),
];

/// The workbook's name in a new folder.
pub const WORKBOOK: &str = "测评表.xlsx";

/// Where a new folder keeps the JSON Schema of its `applicant.yaml`, relative to the folder (so
/// the `# yaml-language-server: $schema=` line works offline, wherever the program is installed).
pub const SCHEMA: &str = ".shenbao/applicant.schema.json";

/// Creates the applicant folder `dir` for `category`, its report and plan as Markdown or, with
/// `word`, as .docx; returns the files written.
pub fn init(
    dir: &Path,
    category: &str,
    store: &TemplateStore,
    word: bool,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let notice = Notice::load(store)?;
    let Some(info) = notice.categories.get(category) else {
        let known: Vec<&str> = notice.categories.keys().map(String::as_str).collect();
        return Err(
            Diagnostic::error(format!("申报类别“{category}”不在通知规定的类别中"))
                .hint(format!("--category 只能是：{}", known.join("、"))),
        );
    };
    let name_of = |name: &str| match name.strip_suffix(".md") {
        Some(stem) if word => format!("{stem}.docx"),
        _ => name.to_string(),
    };
    let mut targets: Vec<PathBuf> = TEXT_FILES
        .iter()
        .map(|(name, _)| dir.join(name_of(name)))
        .collect();
    targets.push(dir.join(WORKBOOK));
    targets.push(dir.join(SCHEMA));
    if let Some(existing) = targets.iter().find(|p| p.exists()) {
        return Err(
            Diagnostic::error("目标目录中已有同名文件，为避免覆盖，未写入任何文件")
                .at(Location::file(existing))
                .hint("请换一个新目录，或先移走已有文件"),
        );
    }
    let catalogue = Catalogue::load(store, &info.catalogue)?;
    let mut context = Context::new();
    context.insert("level", &info.level);
    context.insert("category", category);
    let first = notice.notice.year + 1;
    context.insert(
        "years",
        &(first..first + notice.plan_years).collect::<Vec<_>>(),
    );
    context.insert("text_extension", if word { "docx" } else { "md" });
    context.insert("schema", SCHEMA);
    let mut wording = Wording::new(store);
    for (name, source) in TEXT_FILES {
        wording.load(source)?;
        let text = wording.render(source, &context)?;
        let target = dir.join(name_of(name));
        if target.extension().is_some_and(|e| e == "docx") {
            let docx = crate::load::docx::write::from_markdown(&target, &text)?;
            write_atomically(&target, &docx)?;
        } else {
            write_atomically(&target, text.as_bytes())?;
        }
    }
    let workbook = blank_workbook(&catalogue)
        .map_err(|e| Diagnostic::error(format!("无法生成测评表工作簿（{e}）")))?;
    write_atomically(&dir.join(WORKBOOK), &workbook)?;
    write_atomically(
        &dir.join(SCHEMA),
        crate::load::schema::applicant_schema_text(&notice).as_bytes(),
    )?;
    std::fs::create_dir_all(dir.join("evidence")).map_err(|e| {
        Diagnostic::error(format!("无法创建 evidence 目录（{e}）")).at(Location::file(dir))
    })?;
    Ok(targets)
}

/// Writes a blank roster to `path`: the headers of `templates/roster.yaml`, drop-down lists for
/// the columns whose values come from the notice, date cells for dates, and text cells for the
/// rest (so phone numbers keep their leading 0). An existing file is never overwritten.
pub fn roster(path: &Path, store: &TemplateStore) -> Result<PathBuf, Diagnostic> {
    if path.exists() {
        return Err(Diagnostic::error("名册文件已存在，为避免覆盖，未写入")
            .at(Location::file(path))
            .hint("请换一个文件名，或先移走已有文件"));
    }
    let notice = Notice::load(store)?;
    let spec = RosterSpec::load(store)?;
    let bytes = blank_roster(&spec, &notice)
        .map_err(|e| Diagnostic::error(format!("无法生成名册工作簿（{e}）")))?;
    write_atomically(path, &bytes)?;
    Ok(path.to_path_buf())
}
