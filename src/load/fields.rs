//! Typed reading of a YAML mapping that reports every problem at once: missing fields, wrong
//! types, malformed dates, and unknown fields (with the nearest valid name).

use std::path::Path;

use super::yaml::{Node, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::load::date::Date;

/// A value together with the place it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where the user wrote it.
    pub location: Location,
}

impl<T> Located<T> {
    /// Pairs a value with its place.
    pub fn new(value: T, location: Location) -> Self {
        Self { value, location }
    }
}

/// Reads the fields of one YAML mapping, remembering which were asked for.
pub struct Fields<'a> {
    file: &'a Path,
    prefix: String,
    entries: &'a [(Node, Node)],
    asked: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// Starts reading `node` as a mapping; reports and returns `None` when it is not one.
    pub fn of(
        node: &'a Node,
        file: &'a Path,
        prefix: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Self> {
        match &node.value {
            Value::Map(entries) => Some(Self {
                file,
                prefix: prefix.to_string(),
                entries,
                asked: Vec::new(),
            }),
            _ => {
                let what = if prefix.is_empty() {
                    "文件顶层".to_string()
                } else {
                    prefix.to_string()
                };
                diagnostics.push(
                    Diagnostic::error(format!(
                        "{what} 应为键值表（“字段: 值”），实际是{}",
                        node.kind_name()
                    ))
                    .at(node.location(file)),
                );
                None
            }
        }
    }

    /// The full dotted name of a field, as messages show it.
    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// The file being read.
    pub fn file(&self) -> &'a Path {
        self.file
    }

    /// The raw node of field `key`, if present and not null.
    pub fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        self.asked.push(key);
        self.entries
            .iter()
            .find(|(k, _)| k.as_text().as_deref() == Some(key))
            .map(|(_, v)| v)
            .filter(|v| v.value != Value::Null)
    }

    /// A text field; reports a wrong type, and a missing or empty value when `required`.
    pub fn text(
        &mut self,
        key: &'static str,
        required: bool,
        diagnostics: &mut Diagnostics,
    ) -> Option<Located<String>> {
        let Some(node) = self.node(key) else {
            if required {
                diagnostics.push(self.missing(key));
            }
            return None;
        };
        self.scalar_text(key, node, required, diagnostics)
    }

    fn scalar_text(
        &self,
        key: &str,
        node: &Node,
        required: bool,
        diagnostics: &mut Diagnostics,
    ) -> Option<Located<String>> {
        match node.as_text() {
            Some(text) if !text.trim().is_empty() => Some(super::text::located(
                text.trim(),
                node.location(self.file),
                diagnostics,
            )),
            Some(_) if required => {
                diagnostics.push(
                    Diagnostic::error(format!("字段 {} 不能为空", self.path(key)))
                        .at(node.location(self.file))
                        .hint("请填写该字段的内容"),
                );
                None
            }
            Some(_) => None,
            None => {
                diagnostics.push(self.wrong_type(key, node, "文字"));
                None
            }
        }
    }

    /// A date field, such as `2023-08-10`.
    pub fn date(
        &mut self,
        key: &'static str,
        required: bool,
        diagnostics: &mut Diagnostics,
    ) -> Option<Located<Date>> {
        let text = self.text(key, required, diagnostics)?;
        match Date::parse(&text.value) {
            Ok(date) => Some(Located::new(date, text.location)),
            Err(problem) => {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "字段 {} 的日期“{}”{problem}",
                        self.path(key),
                        text.value
                    ))
                    .at(text.location)
                    .hint("日期请写成 2023-08-10 的形式"),
                );
                None
            }
        }
    }

    /// A yes/no field; `default` when absent.
    pub fn flag(
        &mut self,
        key: &'static str,
        default: bool,
        diagnostics: &mut Diagnostics,
    ) -> bool {
        match self.node(key) {
            None => default,
            Some(Node {
                value: Value::Bool(b),
                ..
            }) => *b,
            Some(node) => {
                diagnostics.push(self.wrong_type(key, node, "true 或 false"));
                default
            }
        }
    }

    /// A list of texts, such as paragraphs; `None` when absent.
    pub fn texts(
        &mut self,
        key: &'static str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<Located<String>>> {
        let node = self.node(key)?;
        let Value::Seq(items) = &node.value else {
            diagnostics.push(self.wrong_type(key, node, "列表（每项以“- ”开头）"));
            return None;
        };
        if items.is_empty() {
            diagnostics.push(
                Diagnostic::error(format!("字段 {} 是空列表", self.path(key)))
                    .at(node.location(self.file))
                    .hint(format!(
                        "请逐项填写（每项以“- ”开头），或删去“{key}:”这一行以使用默认内容"
                    )),
            );
            return None;
        }
        let mut texts = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item.as_text() {
                Some(text) if !text.trim().is_empty() => texts.push(super::text::located(
                    text.trim(),
                    item.location(self.file),
                    diagnostics,
                )),
                _ => diagnostics.push(
                    Diagnostic::error(format!(
                        "{} 第 {} 项应为非空文字，实际是{}",
                        self.path(key),
                        index + 1,
                        item.kind_name()
                    ))
                    .at(item.location(self.file)),
                ),
            }
        }
        Some(texts)
    }

    /// A whole number.
    pub fn integer(
        &mut self,
        key: &'static str,
        required: bool,
        diagnostics: &mut Diagnostics,
    ) -> Option<Located<i64>> {
        let text = self.text(key, required, diagnostics)?;
        match text.value.parse::<i64>() {
            Ok(number) => Some(Located::new(number, text.location)),
            Err(_) => {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "字段 {} 应为整数，实际是“{}”",
                        self.path(key),
                        text.value
                    ))
                    .at(text.location),
                );
                None
            }
        }
    }

    /// The items of a list field; `None` (reported when `required`) when absent.
    pub fn items(
        &mut self,
        key: &'static str,
        required: bool,
        diagnostics: &mut Diagnostics,
    ) -> Option<&'a [Node]> {
        let Some(node) = self.node(key) else {
            if required {
                diagnostics.push(self.missing(key));
            }
            return None;
        };
        match &node.value {
            Value::Seq(items) => Some(items),
            _ => {
                diagnostics.push(self.wrong_type(key, node, "列表（每项以“- ”开头）"));
                None
            }
        }
    }

    /// Reports every field that was never asked for, naming the nearest valid one.
    pub fn finish(self, diagnostics: &mut Diagnostics) {
        let asked = self.asked.clone();
        self.report_unknown(&asked, diagnostics);
    }

    /// Reports every field that is not in `known` (the fields a description file lists for this
    /// mapping), naming the nearest one. A field asked for but not listed, or listed but never
    /// asked for, is the program's own mistake, and is reported as such.
    pub fn finish_as(self, known: &[&str], source: &str, diagnostics: &mut Diagnostics) {
        let unlisted: Vec<&str> = self
            .asked
            .iter()
            .copied()
            .filter(|a| !known.contains(a))
            .collect();
        let unread: Vec<&str> = known
            .iter()
            .copied()
            .filter(|k| !self.asked.contains(k))
            .collect();
        if !unlisted.is_empty() || !unread.is_empty() {
            diagnostics.push(
                Diagnostic::error(format!(
                    "程序内部错误：{source} 与读取程序不一致（{}：未列出 {}；未读取 {}）",
                    if self.prefix.is_empty() {
                        "文件顶层"
                    } else {
                        &self.prefix
                    },
                    unlisted.join("、"),
                    unread.join("、")
                ))
                .at(Location::file(self.file))
                .hint("请报告此问题"),
            );
        }
        self.report_unknown(known, diagnostics);
    }

    fn report_unknown(&self, known: &[&str], diagnostics: &mut Diagnostics) {
        for (key, _) in self.entries {
            let name = key.as_text().unwrap_or_default();
            if known.contains(&name.as_str()) {
                continue;
            }
            let mut problem = Diagnostic::error(format!("未知字段 {}", self.path(&name)))
                .at(key.location(self.file));
            problem = match nearest(&name, known) {
                Some(near) => problem.hint(format!("是否应为 {}？", self.path(near))),
                None => problem.hint(format!("此处可用的字段有：{}", known.join("、"))),
            };
            diagnostics.push(problem);
        }
    }

    fn missing(&self, key: &str) -> Diagnostic {
        let written = self
            .entries
            .iter()
            .find(|(k, _)| k.as_text().as_deref() == Some(key));
        if let Some((written, _)) = written {
            return Diagnostic::error(format!("字段 {} 尚未填写", self.path(key)))
                .at(written.location(self.file))
                .hint(format!("请在“{key}:”后填写内容（冒号后留一个空格）"));
        }
        let location = match self.entries.first() {
            Some((first, _)) if !self.prefix.is_empty() => first.location(self.file),
            _ => Location::file(self.file),
        };
        Diagnostic::error(format!("缺少必填字段 {}", self.path(key)))
            .at(location)
            .hint(format!("请添加一行“{key}: …”"))
    }

    fn wrong_type(&self, key: &str, node: &Node, expected: &str) -> Diagnostic {
        Diagnostic::error(format!(
            "字段 {} 应为{expected}，实际是{}",
            self.path(key),
            node.kind_name()
        ))
        .at(node.location(self.file))
    }
}

/// The valid name closest to a mistyped one, when it is close enough to be a likely typo.
pub fn nearest<'n>(name: &str, valid: &[&'n str]) -> Option<&'n str> {
    valid
        .iter()
        .map(|v| (strsim::levenshtein(name, v), *v))
        .filter(|(distance, v)| *distance <= (v.chars().count() / 2).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, v)| v)
}

/// Every text scalar under `node` with its field path and place, for checks that look at all
/// text an office typed (such as font coverage).
pub fn all_texts(node: &Node, file: &Path, path: &str, out: &mut Vec<Located<(String, String)>>) {
    match &node.value {
        Value::Str(text) => out.push(Located::new(
            (path.to_string(), text.clone()),
            node.location(file),
        )),
        Value::Seq(items) => {
            for (index, item) in items.iter().enumerate() {
                all_texts(item, file, &format!("{path}[{}]", index + 1), out);
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                let key = key.as_text().unwrap_or_default();
                let child = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                all_texts(value, file, &child, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_suggests_a_typo_fix_only() {
        assert_eq!(
            nearest("goverment", &["government", "name"]),
            Some("government")
        );
        assert_eq!(nearest("xyzzy", &["government", "name"]), None);
    }
}
