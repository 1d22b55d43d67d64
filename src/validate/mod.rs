//! Validate: the rules of the notice and of the layout standard, checked over a loaded applicant.
//! Every rule reports into one [`Diagnostics`] so the office learns every mistake at once.

mod cross;
mod outline;
pub mod province;
mod resolution;
mod texts;

use regex::Regex;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::applicant::Applicant;
use crate::load::notice::{Level, Notice};

/// The rules that need more than the applicant: the notice and the fonts.
pub struct Rules<'a> {
    /// The notice's facts.
    pub notice: &'a Notice,
    /// What the fonts can show.
    pub coverage: &'a dyn Glyphs,
}

/// Which characters the fonts of the roles can show (the fonts themselves are found at layout).
pub trait Glyphs {
    /// The characters of `text` that no role font can show, each once, in order.
    fn missing(&self, text: &str) -> Vec<char>;
}

impl Rules<'_> {
    /// Checks `applicant` against every rule.
    pub fn check(&self, applicant: &Applicant) -> Diagnostics {
        let mut found = Diagnostics::new();
        self.category(applicant, &mut found);
        self.document_number(applicant, &mut found);
        self.characters(applicant, &mut found);
        found
    }

    fn category(&self, applicant: &Applicant, found: &mut Diagnostics) {
        let category_name = &applicant.category.value;
        let Some(category) = self.notice.categories.get(category_name) else {
            let known: Vec<&str> = self.notice.categories.keys().map(String::as_str).collect();
            found.push(
                Diagnostic::error(format!("申报类别“{category_name}”不在通知规定的类别中"))
                    .at(applicant.category.location.clone())
                    .hint(format!("category 只能是：{}", known.join("、"))),
            );
            return;
        };
        for (field, value) in [
            ("full_name", &category.full_name),
            ("plan_name", &category.plan_name),
        ] {
            if let Some(problem) = crate::load::names::file_name_problem(value) {
                found.push(
                    Diagnostic::error(format!(
                        "notice.yaml 中申报类别“{category_name}”的 {field}“{}”{problem}",
                        value.escape_debug()
                    ))
                    .at(applicant.category.location.clone())
                    .hint(crate::load::names::HINT),
                );
            }
        }
        let level = applicant.level.value;
        if level != category.level {
            found.push(
                Diagnostic::error(format!("级别为“{level}”的单位不能申报“{category_name}”"))
                    .at(applicant.category.location.clone())
                    .hint(format!(
                        "“{category_name}”只面向级别为“{}”的单位",
                        category.level
                    )),
            );
        }
        let name = &applicant.name.value;
        if !category.eligible.is_empty() && !category.eligible.contains(name) {
            found.push(
                Diagnostic::error(format!("{name}不具备申报“{category_name}”的资格"))
                    .at(applicant.category.location.clone())
                    .hint(format!(
                        "按通知，只有国家知识产权强市建设试点城市（{}）可申报示范城市；其他城市可申报试点城市",
                        category.eligible.join("、")
                    )),
            );
        }
        self.city(applicant, found);
    }

    fn city(&self, applicant: &Applicant, found: &mut Diagnostics) {
        let cities = &self.notice.cities;
        match (applicant.level.value, &applicant.city) {
            (Level::County, None) => found.push(
                Diagnostic::error("县（市、区）申报须写明所属省辖市")
                    .at(applicant.level.location.clone())
                    .hint("请添加一行“city: 某某市”"),
            ),
            (Level::County, Some(city)) if !cities.contains(&city.value) => found.push(
                Diagnostic::error(format!("所属城市“{}”不是本省的省辖市", city.value))
                    .at(city.location.clone())
                    .hint(format!("可填写：{}", cities.join("、"))),
            ),
            (Level::City, Some(city)) => found.push(
                Diagnostic::warning("市级申报单位不需要填写 city，已忽略")
                    .at(city.location.clone())
                    .hint("删除 city 这一行"),
            ),
            (Level::City, None) if !cities.contains(&applicant.name.value) => found.push(
                Diagnostic::error(format!("“{}”不是本省的省辖市", applicant.name.value))
                    .at(applicant.name.location.clone())
                    .hint(format!("市级申报单位应为：{}", cities.join("、"))),
            ),
            _ => {}
        }
    }

    fn document_number(&self, applicant: &Applicant, found: &mut Diagnostics) {
        let rule = &self.notice.document_number;
        let number = &applicant.letter.number;
        let pattern = &rule.pattern.0;
        if pattern.is_match(&number.value) {
            return;
        }
        let corrected = correct_year_brackets(&number.value);
        let hint = if corrected != number.value && pattern.is_match(&corrected) {
            format!("年份应使用六角括号〔〕，应写为：{corrected}")
        } else {
            format!(
                "发文字号应由机关代字、〔年份〕和序号组成，例如：{}",
                rule.example
            )
        };
        found.push(
            Diagnostic::error(format!("发文字号“{}”格式不对", number.value))
                .at(number.location.clone())
                .hint(hint),
        );
    }

    fn characters(&self, applicant: &Applicant, found: &mut Diagnostics) {
        for text in &applicant.texts {
            let (field, value) = &text.value;
            let missing = self.coverage.missing(&crate::load::text::printable(value));
            if !missing.is_empty() {
                found.push(self.uncovered(
                    &format!("字段 {field}"),
                    &missing,
                    text.location.clone(),
                ));
            }
        }
    }

    /// The error for characters that no font can show, in `what` at `location`.
    fn uncovered(&self, what: &str, missing: &[char], location: Location) -> Diagnostic {
        let listed: String = missing
            .iter()
            .map(|c| format!("“{c}”(U+{:04X})", *c as u32))
            .collect();
        Diagnostic::error(format!("{what} 中的字符 {listed} 没有任何可用字体能显示"))
            .at(location)
            .hint("请改用常用字，或用 --font-path 加入含有该字的字体")
    }
}

/// Rewrites `[2023]`, `(2023)`, `（2023）`, `【2023】` and the like as `〔2023〕`.
pub fn correct_year_brackets(number: &str) -> String {
    let brackets = Regex::new(r"[\[\(（【［〔]\s*(\d{4})\s*[\]\)）】］〕]").expect("valid pattern");
    brackets.replace_all(number, "〔$1〕").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_brackets_are_corrected() {
        for wrong in [
            "洛政函[2023]45号",
            "洛政函(2023)45号",
            "洛政函（2023）45号",
            "洛政函【2023】45号",
        ] {
            assert_eq!(correct_year_brackets(wrong), "洛政函〔2023〕45号");
        }
    }
}
