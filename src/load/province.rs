//! `province.yaml`: what the provincial centre decides and signs — quotas, deadline, the
//! recommendation letter's fields, and the recommended applicants per category in order.

use std::path::{Path, PathBuf};

use super::confine::{self, Folder, Problem};
use super::date::Date;
use super::fields::{Fields, Located};
use super::limits::{FileKind, Limits};
use super::yaml::{self, Node, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// The name of the data file in a province folder.
pub const PROVINCE_FILE: &str = "province.yaml";

/// A province folder's `province.yaml`.
#[derive(Debug, Clone)]
pub struct Province {
    /// The province folder.
    pub dir: PathBuf,
    /// Its `province.yaml`.
    pub file: PathBuf,
    /// The recommending office, which signs the letter.
    pub office: Located<String>,
    /// The letter's 发文字号.
    pub number: Located<String>,
    /// The letter's 成文日期.
    pub date: Located<Date>,
    /// Submissions dated after this are flagged; the notice's deadline when not given.
    pub deadline: Option<Located<Date>>,
    /// Whether the letter is sealed.
    pub sealed: bool,
    /// Who the national office may call.
    pub contact: ProvinceContact,
    /// The quota of each category.
    pub quotas: Vec<(Located<String>, Located<i64>)>,
    /// The recommended applicants of each category, in order of preference.
    pub recommended: Vec<(Located<String>, Vec<Located<String>>)>,
    /// Applicant folders, or folders of applicant folders (resolved against the province folder).
    pub applicants: Vec<Located<PathBuf>>,
    /// A roster workbook (resolved against the province folder).
    pub roster: Option<Located<PathBuf>>,
}

/// The contact printed under the letter.
#[derive(Debug, Clone)]
pub struct ProvinceContact {
    /// 联系人.
    pub person: Located<String>,
    /// 联系电话.
    pub phone: Located<String>,
}

impl Province {
    /// The quota of `category`, if `province.yaml` sets one.
    pub fn quota(&self, category: &str) -> Option<&Located<i64>> {
        self.quotas
            .iter()
            .find(|(c, _)| c.value == category)
            .map(|(_, n)| n)
    }

    /// Every recommended name with its category and rank (1 = first choice).
    pub fn recommendations(
        &self,
    ) -> impl Iterator<Item = (&Located<String>, usize, &Located<String>)> {
        self.recommended.iter().flat_map(|(category, names)| {
            names
                .iter()
                .enumerate()
                .map(move |(rank, name)| (category, rank + 1, name))
        })
    }
}

/// Reads `dir/province.yaml` (under the YAML size cap of the built-in limits, since the
/// templates of the run are not known yet), reporting every problem at once.
pub fn read(dir: &Path) -> Result<Province, Diagnostics> {
    let file = dir.join(PROVINCE_FILE);
    let limits = Limits::built_in()?;
    let text = confine::resolve(dir, Path::new(PROVINCE_FILE))
        .and_then(|path| confine::read_capped(&path, limits.file_bytes(FileKind::Yaml)))
        .map_err(|problem| {
            Diagnostics::from(
                Diagnostic::error(format!(
                    "无法读取 province.yaml（{}）",
                    problem.describe("省级推荐目录")
                ))
                .at(Location::file(&file))
                .hint("省级推荐目录中须有 province.yaml，写明推荐单位（office）、推荐函的文号（number）和日期（date）、名额（quotas）、推荐名单（recommended）和收到的申报目录（applicants）；发布包的 inputs/河南省/ 中有一份示例"),
            )
        })?;
    let text = String::from_utf8(text).map_err(|_| {
        Diagnostics::from(
            Diagnostic::error("province.yaml 不是 UTF-8 编码")
                .at(Location::file(&file))
                .hint("请用 UTF-8 编码另存该文件"),
        )
    })?;
    let root = yaml::parse(&file, &text)?;
    let mut diagnostics = Diagnostics::new();
    let province = from_root(dir, &file, &root, &mut diagnostics);
    let diagnostics: Diagnostics = diagnostics.into_iter().map(|d| d.quoting(&text)).collect();
    match province {
        Some(province) if !diagnostics.has_errors() => Ok(province),
        _ => Err(diagnostics),
    }
}

fn from_root(
    dir: &Path,
    file: &Path,
    root: &Node,
    diagnostics: &mut Diagnostics,
) -> Option<Province> {
    let mut fields = Fields::of(root, file, "", diagnostics)?;
    let office = fields.text("office", true, diagnostics);
    let number = fields.text("number", true, diagnostics);
    let date = fields.date("date", true, diagnostics);
    let deadline = fields.date("deadline", false, diagnostics);
    let sealed = fields.flag("sealed", true, diagnostics);
    let contact = read_contact(&mut fields, file, diagnostics);
    let quotas = mapping(&mut fields, "quotas", file, diagnostics, |node, path, d| {
        let location = node.location(file);
        match node.as_text().and_then(|t| t.trim().parse::<i64>().ok()) {
            Some(n) if n >= 0 => Some(Located::new(n, location)),
            _ => {
                d.push(Diagnostic::error(format!("{path} 应为名额数（非负整数）")).at(location));
                None
            }
        }
    });
    let recommended = mapping(
        &mut fields,
        "recommended",
        file,
        diagnostics,
        |node, path, d| names(node, file, &path, d),
    );
    let applicants = fields
        .texts("applicants", diagnostics)
        .unwrap_or_else(|| vec![Located::new(".".to_string(), Location::file(file))])
        .into_iter()
        .filter_map(|written| applicant_folder(dir, &written, diagnostics))
        .collect();
    let roster = fields
        .text("roster", false, diagnostics)
        .and_then(|written| roster_file(dir, &written, diagnostics));
    fields.finish(diagnostics);
    Some(Province {
        dir: dir.to_path_buf(),
        file: file.to_path_buf(),
        office: office?,
        number: number?,
        date: date?,
        deadline,
        sealed,
        contact: contact?,
        quotas: quotas?,
        recommended: recommended?,
        applicants,
        roster,
    })
}

fn read_contact(
    fields: &mut Fields,
    file: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<ProvinceContact> {
    let node = fields.node("contact");
    let Some(node) = node else {
        diagnostics.push(
            Diagnostic::error("缺少必填字段 contact")
                .at(Location::file(file))
                .hint("请添加“contact:”一节，写明 person（联系人）与 phone（联系电话）"),
        );
        return None;
    };
    let mut contact = Fields::of(node, file, "contact", diagnostics)?;
    let person = contact.text("person", true, diagnostics);
    let phone = contact.text("phone", true, diagnostics);
    contact.finish(diagnostics);
    Some(ProvinceContact {
        person: person?,
        phone: phone?,
    })
}

/// A required mapping from category to a value read by `value`.
fn mapping<T>(
    fields: &mut Fields,
    key: &'static str,
    file: &Path,
    diagnostics: &mut Diagnostics,
    value: impl Fn(&Node, String, &mut Diagnostics) -> Option<T>,
) -> Option<Vec<(Located<String>, T)>> {
    let path = fields.path(key);
    let Some(node) = fields.node(key) else {
        diagnostics.push(
            Diagnostic::error(format!("缺少必填字段 {path}"))
                .at(Location::file(file))
                .hint(format!("请按申报类别逐项填写 {key}，如“试点县: …”")),
        );
        return None;
    };
    let Value::Map(entries) = &node.value else {
        diagnostics.push(
            Diagnostic::error(format!(
                "{path} 应为按申报类别的键值表，实际是{}",
                node.kind_name()
            ))
            .at(node.location(file)),
        );
        return None;
    };
    let mut read = Vec::new();
    for (category, item) in entries {
        let name = category.as_text().unwrap_or_default();
        if let Some(v) = value(item, format!("{path}.{name}"), diagnostics) {
            read.push((Located::new(name, category.location(file)), v));
        }
    }
    Some(read)
}

/// A list of applicant names.
fn names(
    node: &Node,
    file: &Path,
    path: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Located<String>>> {
    match &node.value {
        Value::Null => Some(Vec::new()),
        Value::Seq(items) => Some(
            items
                .iter()
                .filter_map(|item| match item.as_text() {
                    Some(text) if !text.trim().is_empty() => {
                        Some(Located::new(text.trim().to_string(), item.location(file)))
                    }
                    _ => {
                        diagnostics.push(
                            Diagnostic::error(format!("{path} 的每一项应为申报单位名称"))
                                .at(item.location(file)),
                        );
                        None
                    }
                })
                .collect(),
        ),
        _ => {
            diagnostics.push(
                Diagnostic::error(format!(
                    "{path} 应为申报单位名称的列表（每项以“- ”开头，或写成 [甲, 乙]）"
                ))
                .at(node.location(file)),
            );
            None
        }
    }
}

/// The roster that `written` names: inside the province folder, a regular file.
fn roster_file(
    dir: &Path,
    written: &Located<String>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<PathBuf>> {
    let shown = tidy(&dir.join(&written.value));
    let folder = Folder {
        path: dir,
        name: "省级推荐目录",
    };
    match confine::resolve(dir, Path::new(&written.value)) {
        Ok(_) => Some(Located::new(shown, written.location.clone())),
        Err(Problem::Missing) => {
            diagnostics.push(
                Diagnostic::error(format!(
                    "名册文件“{}”不存在",
                    crate::diagnostics::display_path(&shown)
                ))
                .at(written.location.clone())
                .hint("roster 的路径相对于 province.yaml 所在目录；不用名册时删去这一行"),
            );
            None
        }
        Err(problem) => {
            let subject = confine::field_subject("roster", &written.value);
            diagnostics.push(folder.error(&subject, &problem, written.location.clone()));
            None
        }
    }
}

/// The applicant folder (or folder of them) that `written` names. The received folders sit
/// beside the province folder (`applicants: [..]`), so each must lie inside the province
/// folder's parent once links are followed, and be a folder.
fn applicant_folder(
    dir: &Path,
    written: &Located<String>,
    diagnostics: &mut Diagnostics,
) -> Option<Located<PathBuf>> {
    let problem = match confine::resolve_in(dir, Path::new(&written.value), &received_root(dir)) {
        Ok(real) if real.is_dir() => {
            return Some(Located::new(
                tidy(&dir.join(&written.value)),
                written.location.clone(),
            ));
        }
        Ok(_) => "不是目录".to_string(),
        Err(problem) => problem.describe("省级推荐目录的上级目录"),
    };
    diagnostics.push(
        Diagnostic::error(format!("applicants 中的“{}”{problem}", written.value))
            .at(written.location.clone())
            .hint("applicants 的每一项应为与省级推荐目录同在一个上级目录内的申报目录（或其上级目录），写相对路径，如 .. 或 ../洛阳市"),
    );
    None
}

/// The folder that holds the province folder `dir`: received submissions must lie inside it.
fn received_root(dir: &Path) -> PathBuf {
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    real.parent().map_or(real.clone(), Path::to_path_buf)
}

/// `a/b/../c` as `a/c`, so that messages name folders as a person would.
fn tidy(path: &Path) -> PathBuf {
    let mut tidied = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(
                    tidied.components().next_back(),
                    Some(std::path::Component::Normal(_))
                ) =>
            {
                tidied.pop();
            }
            other => tidied.push(other),
        }
    }
    if tidied.as_os_str().is_empty() {
        tidied.push(".");
    }
    tidied
}

/// The applicant folders that `province` names: each entry is an applicant folder, or a folder
/// whose sub-folders with an `applicant.yaml` are applicants (a sub-folder that is a link out of
/// the province folder's parent is not one).
pub fn applicant_dirs(province: &Province) -> Result<Vec<PathBuf>, Diagnostics> {
    let mut dirs = Vec::new();
    let mut diagnostics = Diagnostics::new();
    let root = received_root(&province.dir);
    let inside = |p: &PathBuf| p.canonicalize().is_ok_and(|real| real.starts_with(&root));
    for entry in &province.applicants {
        let path = &entry.value;
        if path.join(super::applicant::APPLICANT_FILE).is_file() {
            dirs.push(path.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|read| {
                read.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.join(super::applicant::APPLICANT_FILE).is_file())
                    .filter(inside)
                    .collect()
            })
            .unwrap_or_default();
        if found.is_empty() {
            diagnostics.push(
                Diagnostic::error(format!(
                    "“{}”既不是申报目录，也不含任何申报目录",
                    crate::diagnostics::display_path(path)
                ))
                .at(entry.location.clone())
                .hint("applicants 的每一项应为含 applicant.yaml 的目录，或这类目录的上级目录"),
            );
        }
        found.sort();
        dirs.extend(found);
    }
    // The same folder named twice (directly, or inside a parent also listed) is taken once,
    // in the order first named.
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|dir| seen.insert(dir.clone()));
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(dirs)
}
