//! The rules across applicants that the provincial centre must respect before it recommends:
//! quotas, who may be a demo city, one county per city, one category per applicant, every
//! recommended applicant present and passing its checks, and late submissions flagged.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Location, display_path};
use crate::files::folder_name;
use crate::load::applicant::Applicant;
use crate::load::date::Date;
use crate::load::fields::{Located, nearest};
use crate::load::notice::Notice;
use crate::load::province::Province;

/// One applicant folder as its own checks left it.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// The folder.
    pub dir: &'a Path,
    /// The applicant, when its `applicant.yaml` could be read.
    pub applicant: Option<&'a Applicant>,
    /// How many errors its checks found.
    pub errors: usize,
}

impl Submission<'_> {
    fn name(&self) -> Option<&str> {
        self.applicant.map(|a| a.name.value.as_str())
    }

    /// Whether this is the submission of `name`: by its applicant's name, or, when its
    /// `applicant.yaml` could not be read, by its folder's name.
    fn is(&self, name: &str) -> bool {
        match self.name() {
            Some(own) => own == name,
            None => folder_name(self.dir).as_deref() == Some(name),
        }
    }
}

/// Checks `province`'s recommendations against the notice and the submissions.
pub fn check(province: &Province, notice: &Notice, submissions: &[Submission]) -> Diagnostics {
    let mut found = Diagnostics::new();
    let known: Vec<&str> = notice.categories.keys().map(String::as_str).collect();
    for (category, _) in &province.quotas {
        if !notice.categories.contains_key(&category.value) {
            found.push(unknown_category(category, &known));
        }
    }
    for (category, names) in &province.recommended {
        if notice.categories.contains_key(&category.value) {
            quota(province, category, names, &mut found);
            eligibility(notice, category, names, &mut found);
        } else {
            found.push(unknown_category(category, &known));
        }
    }
    if province.recommendations().next().is_none() {
        found.push(
            Diagnostic::error("推荐名单是空的")
                .at(Location::file(&province.file))
                .hint("请在 recommended 下按类别写出推荐的申报单位，如“试点县: [西峡县]”"),
        );
    }
    for (category, _, name) in province.recommendations() {
        present_and_passing(category, name, submissions, &mut found);
    }
    one_folder_each(submissions, &mut found);
    one_category_each(province, &mut found);
    one_county_per_city(province, notice, submissions, &mut found);
    late(province, notice, submissions, &mut found);
    found
}

fn unknown_category(category: &Located<String>, known: &[&str]) -> Diagnostic {
    let hint = match nearest(&category.value, known) {
        Some(near) => format!("是否应为“{near}”？可选：{}", known.join("、")),
        None => format!("可选：{}", known.join("、")),
    };
    Diagnostic::error(format!("申报类别“{}”不在通知规定的类别中", category.value))
        .at(category.location.clone())
        .hint(hint)
}

fn quota(
    province: &Province,
    category: &Located<String>,
    names: &[Located<String>],
    found: &mut Diagnostics,
) {
    let Some(quota) = province.quota(&category.value) else {
        found.push(
            Diagnostic::error(format!("quotas 中没有“{}”的推荐名额", category.value))
                .at(category.location.clone())
                .hint(format!(
                    "请在 quotas 下写明“{}: 名额数”（见通知“一、推荐名额”）",
                    category.value
                )),
        );
        return;
    };
    let allowed = quota.value.max(0) as usize;
    if names.len() > allowed {
        let extra: Vec<&str> = names[allowed..].iter().map(|n| n.value.as_str()).collect();
        found.push(
            Diagnostic::error(format!(
                "推荐的{}有 {} 个，超过名额 {} 个",
                category.value,
                names.len(),
                allowed
            ))
            .at(names[allowed].location.clone())
            .hint(format!(
                "名额见 quotas.{}（{}）；请按推荐顺序只保留前 {allowed} 个，删去{}",
                category.value,
                quota.location,
                extra.join("、")
            )),
        );
    }
}

fn eligibility(
    notice: &Notice,
    category: &Located<String>,
    names: &[Located<String>],
    found: &mut Diagnostics,
) {
    let Some(info) = notice.categories.get(&category.value) else {
        return;
    };
    if info.eligible.is_empty() {
        return;
    }
    for name in names.iter().filter(|n| !info.eligible.contains(&n.value)) {
        found.push(
            Diagnostic::error(format!(
                "{}不能被推荐为{}：按通知，只有{}可以申报",
                name.value,
                category.value,
                info.eligible.join("、")
            ))
            .at(name.location.clone())
            .hint("请从推荐名单中删去，或改为推荐其申报试点城市"),
        );
    }
}

fn present_and_passing(
    category: &Located<String>,
    name: &Located<String>,
    submissions: &[Submission],
    found: &mut Diagnostics,
) {
    let Some(submission) = submissions.iter().find(|s| s.is(&name.value)) else {
        let names: Vec<&str> = submissions.iter().filter_map(Submission::name).collect();
        let hint = match nearest(&name.value, &names) {
            Some(near) => format!("是否应为“{near}”？"),
            None => "请把它的申报目录加入 province.yaml 的 applicants，或写在命令行上".into(),
        };
        found.push(
            Diagnostic::error(format!("推荐的“{}”没有申报材料", name.value))
                .at(name.location.clone())
                .hint(format!("收到的申报单位：{}。{hint}", names.join("、"))),
        );
        return;
    };
    if submission.errors > 0 || submission.applicant.is_none() {
        found.push(
            Diagnostic::error(format!(
                "推荐的“{}”未通过检查（{} 个错误），推荐材料无法生成",
                name.value, submission.errors
            ))
            .at(name.location.clone())
            .hint(format!(
                "其错误见上文（{}）；请修正后重新运行，或从推荐名单中删去",
                display_path(submission.dir)
            )),
        );
    }
    if let Some(applicant) = submission.applicant
        && applicant.category.value != category.value
    {
        found.push(
            Diagnostic::error(format!(
                "“{}”申报的是{}，不能推荐为{}",
                name.value, applicant.category.value, category.value
            ))
            .at(name.location.clone())
            .hint(format!("其申报类别在 {}", applicant.category.location)),
        );
    }
}

fn one_category_each(province: &Province, found: &mut Diagnostics) {
    let mut first: BTreeMap<&str, &Located<String>> = BTreeMap::new();
    for (category, _, name) in province.recommendations() {
        match first.get(name.value.as_str()) {
            Some(earlier) if earlier.value == category.value => found.push(
                Diagnostic::error(format!(
                    "“{}”在{}的推荐名单中出现了两次",
                    name.value, category.value
                ))
                .at(name.location.clone())
                .hint("请删去重复的一项"),
            ),
            Some(earlier) => found.push(
                Diagnostic::error(format!(
                    "“{}”同时被推荐为{}和{}",
                    name.value, earlier.value, category.value
                ))
                .at(name.location.clone())
                .hint("每个申报单位只能被推荐一个类别；请从其中一个名单中删去"),
            ),
            None => {
                first.insert(&name.value, category);
            }
        }
    }
}

/// Counties grouped by their city: an error among the recommended, a warning among all
/// submissions (each city may put forward one county).
fn one_county_per_city(
    province: &Province,
    notice: &Notice,
    submissions: &[Submission],
    found: &mut Diagnostics,
) {
    let counties: Vec<&Applicant> = submissions
        .iter()
        .filter_map(|s| s.applicant)
        .filter(|a| a.is_county())
        .collect();
    let recommended = |a: &Applicant| {
        province
            .recommendations()
            .find(|(_, _, n)| n.value == a.name.value)
            .map(|(_, _, n)| n)
    };
    let mut by_city: BTreeMap<&str, Vec<&Applicant>> = BTreeMap::new();
    for county in &counties {
        let city = county.city.as_ref().map_or("", |c| c.value.as_str());
        by_city.entry(city).or_default().push(county);
        if let Some(name) = recommended(county)
            && !notice.cities.iter().any(|c| c == city)
        {
            found.push(
                Diagnostic::error(format!(
                    "推荐的“{}”所属城市“{city}”不是本省的省辖市",
                    county.name.value
                ))
                .at(name.location.clone())
                .hint(format!(
                    "请核对其 applicant.yaml 中的 city（{}）",
                    county
                        .city
                        .as_ref()
                        .map_or(String::new(), |c| c.location.to_string())
                )),
            );
        }
    }
    for (city, members) in by_city.into_iter().filter(|(_, m)| m.len() > 1) {
        let names: Vec<&str> = members.iter().map(|a| a.name.value.as_str()).collect();
        let picked: Vec<&Located<String>> = members.iter().filter_map(|a| recommended(a)).collect();
        let problem = format!("{}同属{city}：每个城市只能推荐 1 个县", names.join("、"));
        match picked.get(1) {
            Some(second) => found.push(
                Diagnostic::error(problem)
                    .at(second.location.clone())
                    .hint("请只保留其中一个"),
            ),
            None => found.push(
                Diagnostic::warning(problem)
                    .at(members[1].name.location.clone())
                    .hint(format!("请与{city}核实报送的是哪一个县")),
            ),
        }
    }
}

fn late(province: &Province, notice: &Notice, submissions: &[Submission], found: &mut Diagnostics) {
    let Some(deadline) = deadline(province, notice) else {
        return;
    };
    for applicant in submissions.iter().filter_map(|s| s.applicant) {
        if applicant.date.value > deadline {
            found.push(
                Diagnostic::warning(format!(
                    "{}的申报材料成文日期为{}，晚于截止日期{}（逾期不再受理）",
                    applicant.name.value,
                    applicant.date.value.chinese(),
                    deadline.chinese()
                ))
                .at(applicant.date.location.clone())
                .hint("请核实实际报送日期；逾期的申报在汇总表中标出"),
            );
        }
    }
}

/// Two folders of one applicant make the package ambiguous.
fn one_folder_each(submissions: &[Submission], found: &mut Diagnostics) {
    let mut first: BTreeMap<&str, &Path> = BTreeMap::new();
    for submission in submissions {
        let Some(name) = submission.name() else {
            continue;
        };
        match first.get(name) {
            Some(earlier) => found.push(
                Diagnostic::error(format!(
                    "“{name}”有两个申报目录：{} 与 {}",
                    display_path(earlier),
                    display_path(submission.dir)
                ))
                .at(Location::file(submission.dir))
                .hint("每个申报单位只能报送一份材料；请删去或移走其中一个目录"),
            ),
            None => {
                first.insert(name, submission.dir);
            }
        }
    }
}

/// The deadline: the province's, or the notice's.
fn deadline(province: &Province, notice: &Notice) -> Option<Date> {
    province
        .deadline
        .as_ref()
        .map(|d| d.value)
        .or(Some(notice.notice.deadline))
}

/// Whether `applicant` was submitted after the deadline.
pub fn is_late(province: &Province, notice: &Notice, applicant: &Applicant) -> bool {
    deadline(province, notice).is_some_and(|d| applicant.date.value > d)
}
