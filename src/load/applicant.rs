//! `applicant.yaml`: who applies, for what, and the fields of the letter; read into [`Applicant`]
//! with every problem located.

use std::path::{Path, PathBuf};

use super::applicant_fields;
use super::confine::{self, Folder, Problem};
use super::fields::{Fields, Located, all_texts};
use super::limits::{FileKind, Limits};
use super::yaml::{self, Node};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::date::Date;
use crate::load::notice::Level;
use crate::load::roster::Roster;

/// The name of the data file in every applicant folder.
pub const APPLICANT_FILE: &str = "applicant.yaml";

/// One applicant (a city or county) as its office described it.
#[derive(Debug, Clone)]
pub struct Applicant {
    /// The applicant folder.
    pub dir: PathBuf,
    /// Its `applicant.yaml`.
    pub file: PathBuf,
    /// 申报单位, such as 洛阳市.
    pub name: Located<String>,
    /// 市 or 县.
    pub level: Located<Level>,
    /// For a county: the 省辖市 it belongs to.
    pub city: Option<Located<String>>,
    /// 示范城市, 试点城市 or 试点县.
    pub category: Located<String>,
    /// 发文机关: the government that signs the letter.
    pub government: Located<String>,
    /// 成文日期 of the materials.
    pub date: Located<Date>,
    /// Who to call.
    pub contact: Contact,
    /// The letter's own fields.
    pub letter: LetterFields,
    /// Where materials 2–4 come from.
    pub sources: Sources,
    /// Every text the office typed, with its field path, for checks over all text.
    pub texts: Vec<Located<(String, String)>>,
}

impl Applicant {
    /// Whether the applicant applies as a county (a city's `city` field is ignored).
    pub fn is_county(&self) -> bool {
        self.level.value == Level::County && self.city.is_some()
    }
}

/// The parts of `applicant.yaml` that point at materials 2–4. They are read even when the
/// applicant's identity is incomplete, so that every problem of a dossier shows in one run.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The applicant folder.
    pub dir: PathBuf,
    /// Its `applicant.yaml`.
    pub file: PathBuf,
    /// The category applied for, when given.
    pub category: Option<Located<String>>,
    /// 材料2, the work report, in Markdown (its real path, inside the folder).
    pub report: Option<Located<PathBuf>>,
    /// 材料3, the work plan, in Markdown (its real path, inside the folder).
    pub plan: Option<Located<PathBuf>>,
    /// 材料4's values: a workbook, or given inline.
    pub assessment: Option<AssessmentSource>,
    /// The year-by-year timetable of the work plan.
    pub timetable: Vec<Stage>,
    /// The evidence files, per indicator.
    pub evidence: Vec<Evidence>,
}

/// Where the assessment table's 完成情况 come from.
#[derive(Debug, Clone)]
pub enum AssessmentSource {
    /// A workbook in the official layout (its real path, inside the folder).
    Workbook(Located<PathBuf>),
    /// Values written in `applicant.yaml`, by indicator number.
    Inline(Vec<(Located<u32>, Located<String>)>),
}

/// One year of the work plan's timetable (实施步骤).
#[derive(Debug, Clone)]
pub struct Stage {
    /// The year.
    pub year: Located<i64>,
    /// The stage's name, such as 全面启动阶段.
    pub stage: Option<Located<String>>,
    /// What is done that year.
    pub tasks: Located<String>,
}

/// One evidence file (佐证材料).
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The indicator it supports.
    pub indicator: Located<i64>,
    /// Its title, as listed in the index.
    pub title: Located<String>,
    /// The file as written, joined to the applicant folder (confined when inspected).
    pub file: Located<PathBuf>,
    /// The path as written.
    pub written: String,
}

/// The office's contact.
#[derive(Debug, Clone)]
pub struct Contact {
    /// 联系人.
    pub person: Located<String>,
    /// 联系电话.
    pub phone: Located<String>,
    /// 承办单位, when given.
    pub office: Option<Located<String>>,
    /// E-mail, when given.
    pub email: Option<Located<String>>,
}

/// Fields of material 1, the application letter.
#[derive(Debug, Clone)]
pub struct LetterFields {
    /// 发文字号, such as 洛政函〔2023〕45号.
    pub number: Located<String>,
    /// The name printed in red at the top; defaults to the government.
    pub header: Option<Located<String>>,
    /// 主送机关; defaults to the notice's addressee.
    pub addressee: Option<Located<String>>,
    /// The title; defaults to the notice's wording.
    pub title: Option<Located<String>>,
    /// The office's own paragraphs; default wording otherwise.
    pub body: Option<Vec<Located<String>>>,
    /// The attachments; materials 2–4 otherwise.
    pub attachments: Option<Vec<Located<String>>>,
    /// 附注, such as （此件主动公开）.
    pub note: Option<Located<String>>,
    /// Whether the letter is sealed (the date and signature are then placed for a seal).
    pub sealed: bool,
}

/// Reads `dir/applicant.yaml` (under the YAML size cap of `limits`), the fields it leaves out
/// filled in from `roster`. Returns the applicant when every required field could be read, and
/// the sources of materials 2–4 whenever the file could be parsed; every problem goes into
/// `diagnostics` either way.
pub fn read(
    dir: &Path,
    roster: Option<&Roster>,
    limits: &Limits,
    diagnostics: &mut Diagnostics,
) -> (Option<Applicant>, Option<Sources>) {
    let file = dir.join(APPLICANT_FILE);
    let text = match read_own_file(dir, limits) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                diagnostics.push(
                    Diagnostic::error("applicant.yaml 不是 UTF-8 编码")
                        .at(Location::file(&file))
                        .hint("请用 UTF-8 编码另存该文件"),
                );
                return (None, None);
            }
        },
        Err(problem) => {
            diagnostics.push(unreadable(dir, &file, &problem));
            return (None, None);
        }
    };
    let mut root = match yaml::parse(&file, &text) {
        Ok(root) => root,
        Err(problem) => {
            diagnostics.push(problem);
            return (None, None);
        }
    };
    let before = diagnostics.len();
    if let Some(roster) = roster {
        roster.overlay(dir, &mut root, &file, diagnostics);
    }
    let read = from_root(dir, &file, &root, diagnostics);
    quote_lines(diagnostics, before, &text);
    read
}

/// `dir/applicant.yaml`, which must itself lie in `dir` (not a link out of it).
fn read_own_file(dir: &Path, limits: &Limits) -> Result<Vec<u8>, Problem> {
    let path = confine::resolve(dir, Path::new(APPLICANT_FILE))?;
    confine::read_capped(&path, limits.file_bytes(FileKind::Yaml))
}

fn unreadable(dir: &Path, file: &Path, problem: &Problem) -> Diagnostic {
    if !dir.is_dir() {
        return Diagnostic::error("申报材料目录不存在")
            .at(Location::file(dir))
            .hint("请检查目录路径；可用 `shenbao init 目录` 新建一个申报目录");
    }
    let problem = match problem {
        Problem::Missing => "申报目录中缺少 applicant.yaml".to_string(),
        other => format!("applicant.yaml {}", other.describe("申报目录")),
    };
    Diagnostic::error(problem)
        .at(Location::file(file))
        .hint("每个申报目录都需要一个 applicant.yaml；可用 `shenbao init 目录` 生成模板后填写")
}

fn quote_lines(diagnostics: &mut Diagnostics, before: usize, text: &str) {
    let quoted: Vec<Diagnostic> = std::mem::take(diagnostics)
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            if i >= before && d.source_line.is_none() {
                d.quoting(text)
            } else {
                d
            }
        })
        .collect();
    diagnostics.extend(quoted);
}

fn from_root(
    dir: &Path,
    file: &Path,
    root: &Node,
    diagnostics: &mut Diagnostics,
) -> (Option<Applicant>, Option<Sources>) {
    let Some(mut fields) = Fields::of(root, file, "", diagnostics) else {
        return (None, None);
    };
    let name = file_name_safe(fields.text("name", true, diagnostics), diagnostics);
    let level = read_level(fields.text("level", true, diagnostics), diagnostics);
    let city = fields.text("city", false, diagnostics);
    let category = fields.text("category", true, diagnostics);
    let government = fields.text("government", true, diagnostics);
    let date = fields.date("date", true, diagnostics);
    let contact = read_contact(&mut fields, file, diagnostics);
    let letter = read_letter(&mut fields, file, diagnostics);
    let report = required_path(&mut fields, "report", dir, diagnostics);
    let plan = required_path(&mut fields, "plan", dir, diagnostics);
    let assessment = read_assessment(&mut fields, dir, diagnostics);
    let timetable = read_timetable(&mut fields, file, diagnostics);
    let evidence = read_evidence(&mut fields, file, dir, diagnostics);
    finish(fields, "", diagnostics);
    let mut texts = Vec::new();
    all_texts(root, file, "", &mut texts);
    let sources = Sources {
        dir: dir.to_path_buf(),
        file: file.to_path_buf(),
        category: category.clone(),
        report,
        plan,
        assessment,
        timetable,
        evidence,
    };
    let applicant = identity(
        dir, file, name, level, city, category, government, date, contact, letter, texts, &sources,
    );
    (applicant, Some(sources))
}

/// The level written in `applicant.yaml`, or an error at it.
fn read_level(
    written: Option<Located<String>>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<Level>> {
    let written = written?;
    let Some(level) = Level::parse(&written.value) else {
        diagnostics.push(
            Diagnostic::error(format!("级别“{}”无效", written.value))
                .at(written.location.clone())
                .hint("level 只能是“市”或“县”（县级市、区也填“县”）"),
        );
        return None;
    };
    Some(Located::new(level, written.location))
}

#[allow(clippy::too_many_arguments)]
fn identity(
    dir: &Path,
    file: &Path,
    name: Option<Located<String>>,
    level: Option<Located<Level>>,
    city: Option<Located<String>>,
    category: Option<Located<String>>,
    government: Option<Located<String>>,
    date: Option<Located<Date>>,
    contact: Option<Contact>,
    letter: Option<LetterFields>,
    texts: Vec<Located<(String, String)>>,
    sources: &Sources,
) -> Option<Applicant> {
    Some(Applicant {
        dir: dir.to_path_buf(),
        file: file.to_path_buf(),
        name: name?,
        level: level?,
        city,
        category: category?,
        government: government?,
        date: date?,
        contact: contact?,
        letter: letter?,
        sources: sources.clone(),
        texts,
    })
}

/// Ends the reading of the mapping at `path` (see [`applicant_fields::names_at`]): every field
/// that the description file does not list there is reported, with the nearest one it does.
fn finish(fields: Fields, path: &str, diagnostics: &mut Diagnostics) {
    let known = applicant_fields::names_at(path);
    fields.finish_as(&known, applicant_fields::SOURCE, diagnostics);
}

fn section<'a>(
    fields: &mut Fields<'a>,
    key: &'static str,
    file: &'a Path,
    diagnostics: &mut Diagnostics,
) -> Option<Fields<'a>> {
    let path = fields.path(key);
    match fields.node(key) {
        Some(node) => Fields::of(node, file, &path, diagnostics),
        None => {
            diagnostics.push(
                Diagnostic::error(format!("缺少必填字段 {path}"))
                    .at(Location::file(file))
                    .hint(format!("请添加“{key}:”一节，内容见 README 中的示例")),
            );
            None
        }
    }
}

fn read_contact<'a>(
    fields: &mut Fields<'a>,
    file: &'a Path,
    diagnostics: &mut Diagnostics,
) -> Option<Contact> {
    let mut contact = section(fields, "contact", file, diagnostics)?;
    let person = contact.text("person", true, diagnostics);
    let phone = contact.text("phone", true, diagnostics);
    let office = contact.text("office", false, diagnostics);
    let email = contact.text("email", false, diagnostics);
    finish(contact, "contact", diagnostics);
    Some(Contact {
        person: person?,
        phone: phone?,
        office,
        email,
    })
}

fn read_letter<'a>(
    fields: &mut Fields<'a>,
    file: &'a Path,
    diagnostics: &mut Diagnostics,
) -> Option<LetterFields> {
    let mut letter = section(fields, "letter", file, diagnostics)?;
    let number = letter.text("number", true, diagnostics);
    let header = letter.text("header", false, diagnostics);
    let addressee = letter.text("addressee", false, diagnostics);
    let title = letter.text("title", false, diagnostics);
    let body = letter
        .texts("body", diagnostics)
        .map(|b| super::text::prose_all(b, diagnostics));
    let attachments = letter.texts("attachments", diagnostics);
    let note = letter.text("note", false, diagnostics);
    let sealed = letter.flag("sealed", true, diagnostics);
    finish(letter, "letter", diagnostics);
    Some(LetterFields {
        number: number?,
        header,
        addressee,
        title,
        body,
        attachments,
        note,
        sealed,
    })
}

/// `name` when it can be part of a file name; reported and dropped otherwise.
fn file_name_safe(
    name: Option<Located<String>>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<String>> {
    let name = name?;
    match super::names::file_name_problem(&name.value) {
        None => Some(name),
        Some(problem) => {
            diagnostics.push(
                Diagnostic::error(format!(
                    "申报单位名称“{}”{problem}",
                    name.value.escape_debug()
                ))
                .at(name.location)
                .hint(super::names::HINT),
            );
            None
        }
    }
}

/// The real path of the file that `written` (field `key`) names, confined to the folder `dir`.
fn confined(
    dir: &Path,
    key: &str,
    written: &Located<String>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<PathBuf>> {
    let folder = Folder {
        path: dir,
        name: "申报目录",
    };
    match folder.resolve(&confine::field_subject(key, &written.value), written) {
        Ok(path) => Some(Located::new(path, written.location.clone())),
        Err(problem) => {
            diagnostics.push(problem);
            None
        }
    }
}

fn required_path(
    fields: &mut Fields,
    key: &'static str,
    dir: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<Located<PathBuf>> {
    let Some(written) = fields.text(key, false, diagnostics) else {
        diagnostics.push(
            Diagnostic::error(format!("缺少必填字段 {key}"))
                .at(Location::file(fields.file()))
                .hint(format!(
                    "请添加一行“{key}: 文件名.md”，指向申报目录中的 Markdown 文件"
                )),
        );
        return None;
    };
    confined(dir, key, &written, diagnostics)
}

fn read_assessment(
    fields: &mut Fields,
    dir: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<AssessmentSource> {
    let file = fields.file();
    let Some(node) = fields.node("assessment") else {
        diagnostics.push(
            Diagnostic::error("缺少必填字段 assessment")
                .at(Location::file(file))
                .hint(
                    "请写“assessment: 测评表.xlsx”，或在 assessment 下按“序号: 完成情况”逐项填写",
                ),
        );
        return None;
    };
    if let Some(text) = node.as_text() {
        let written = Located::new(text.trim().to_string(), node.location(file));
        return confined(dir, "assessment", &written, diagnostics).map(AssessmentSource::Workbook);
    }
    let super::yaml::Value::Map(entries) = &node.value else {
        diagnostics.push(
            Diagnostic::error(format!(
                "字段 assessment 应为工作簿文件名或“序号: 完成情况”的键值表，实际是{}",
                node.kind_name()
            ))
            .at(node.location(file)),
        );
        return None;
    };
    let mut values = Vec::new();
    for (key, value) in entries {
        let number = key.as_text().and_then(|k| k.trim().parse::<u32>().ok());
        match (number, value.as_text()) {
            (Some(number), Some(text)) => values.push((
                Located::new(number, key.location(file)),
                Located::new(text.trim().to_string(), value.location(file)),
            )),
            (None, _) => diagnostics.push(
                Diagnostic::error(format!(
                    "assessment 中的“{}”不是指标序号",
                    key.as_text().unwrap_or_default()
                ))
                .at(key.location(file))
                .hint("每行写成“序号: 完成情况”，序号为整数"),
            ),
            (Some(number), None) => diagnostics.push(
                Diagnostic::error(format!(
                    "指标 {number} 的完成情况应为文字，实际是{}",
                    value.kind_name()
                ))
                .at(value.location(file)),
            ),
        }
    }
    Some(AssessmentSource::Inline(values))
}

fn read_timetable(fields: &mut Fields, file: &Path, diagnostics: &mut Diagnostics) -> Vec<Stage> {
    read_list(
        fields,
        "timetable",
        file,
        diagnostics,
        |entry, diagnostics| {
            let year = entry.integer("year", true, diagnostics);
            let stage = entry.text("stage", false, diagnostics);
            let tasks = entry.text("tasks", true, diagnostics);
            Some(Stage {
                year: year?,
                stage,
                tasks: tasks?,
            })
        },
    )
}

fn read_evidence(
    fields: &mut Fields,
    file: &Path,
    dir: &Path,
    diagnostics: &mut Diagnostics,
) -> Vec<Evidence> {
    read_list(
        fields,
        "evidence",
        file,
        diagnostics,
        |entry, diagnostics| {
            let indicator = entry.integer("indicator", true, diagnostics);
            let title = entry.text("title", true, diagnostics);
            let path = entry.text("file", true, diagnostics);
            let path = path?;
            Some(Evidence {
                indicator: indicator?,
                title: title?,
                file: Located::new(dir.join(&path.value), path.location),
                written: path.value,
            })
        },
    )
}

/// Reads each entry of the list `name` with `read` (`None` for an entry with a problem, which
/// `read` has reported), then reports the fields of the entry that the description file does not
/// list.
fn read_list<T>(
    fields: &mut Fields,
    name: &'static str,
    file: &Path,
    diagnostics: &mut Diagnostics,
    mut read: impl FnMut(&mut Fields, &mut Diagnostics) -> Option<T>,
) -> Vec<T> {
    let Some(items) = fields.items(name, false, diagnostics) else {
        return Vec::new();
    };
    let mut values = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let prefix = format!("{name}[{}]", index + 1);
        let Some(mut entry) = Fields::of(item, file, &prefix, diagnostics) else {
            continue;
        };
        let value = read(&mut entry, diagnostics);
        finish(entry, name, diagnostics);
        values.extend(value);
    }
    values
}
