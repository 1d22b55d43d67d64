//! The one place that parses YAML. It turns a file into a tree of [`Node`]s that remember their
//! line and column, so that every later check can say exactly where a value is.
//!
//! serde-saphyr parses (it is maintained, panic-free, refuses alias bombs, and reports the place
//! of a syntax error); the typed reading is done by hand in [`super::fields`] so that *every*
//! wrong field is reported in one run, not just the first one serde meets.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostics::{Diagnostic, Location};
use crate::templates::TemplateFile;

/// A YAML value with its place in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The scalar exactly as written, for numbers that must stay text (phone numbers, 序号).
    pub raw: Option<String>,
    /// Where the value came from when not from this file (a roster cell filled it in).
    pub origin: Option<Box<Location>>,
}

/// The shape of a YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order; keys keep their own places.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar as text (numbers and booleans as written), or `None` for collections and null.
    pub fn as_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => self.raw.clone(),
            _ => None,
        }
    }

    /// What kind of value this is, in Chinese, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "空值",
            Value::Bool(_) => "是/否",
            Value::Int(_) | Value::Float(_) => "数字",
            Value::Str(_) => "文字",
            Value::Seq(_) => "列表",
            Value::Map(_) => "键值表",
        }
    }

    /// A value that comes from somewhere else than the YAML file, such as a roster cell.
    pub fn from_elsewhere(value: Value, origin: Location) -> Self {
        Self {
            value,
            line: 0,
            column: 0,
            raw: None,
            origin: Some(Box::new(origin)),
        }
    }

    /// The place of this value in `file`, or where it came from when it was filled in.
    pub fn location(&self, file: &Path) -> Location {
        match &self.origin {
            Some(origin) => origin.as_ref().clone(),
            None => Location::at(file, self.line, self.column),
        }
    }
}

/// Parses `text` (the contents of `file`) into a located tree, or a located syntax error.
pub fn parse(file: &Path, text: &str) -> Result<Node, Diagnostic> {
    let spanned: Spanned<RawValue> = serde_saphyr::from_str(text).map_err(|error| {
        let bare = error.without_snippet();
        let location = bare
            .location()
            .map(|l| Location::at(file, l.line() as u32, l.column() as u32))
            .unwrap_or_else(|| Location::file(file));
        Diagnostic::error(format!("YAML 语法错误（{bare}）"))
            .at(location)
            .hint("检查该处的缩进、冒号后的空格和引号是否成对；含冒号或 # 的文字请用引号括起来")
            .quoting(text)
    })?;
    Ok(into_node(spanned, text))
}

/// Reads a data file of the templates (notice, catalogues, font roles) into a typed value. These
/// files are the maintainers', so serde's first-error-only reading is enough.
pub fn read_template<T: serde::de::DeserializeOwned>(
    file: &TemplateFile,
    what: &str,
) -> Result<T, Diagnostic> {
    let text = file.text()?;
    serde_saphyr::from_str(text).map_err(|error| {
        let bare = error.without_snippet();
        let location = bare
            .location()
            .map(|l| Location::at(&file.origin, l.line() as u32, l.column() as u32))
            .unwrap_or_else(|| Location::file(&file.origin));
        Diagnostic::error(format!("{what}有误（{bare}）"))
            .at(location)
            .hint("请对照内置模板中该文件的原有结构修改")
            .quoting(text)
    })
}

fn into_node(spanned: Spanned<RawValue>, text: &str) -> Node {
    let location = spanned.referenced;
    let raw = raw_slice(text, location.span());
    let value = match spanned.value {
        RawValue::Null => Value::Null,
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(f) => Value::Float(f),
        RawValue::Str(s) => Value::Str(s),
        RawValue::Seq(items) => Value::Seq(items.into_iter().map(|i| into_node(i, text)).collect()),
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (into_node(k, text), into_node(v, text)))
                .collect(),
        ),
    };
    Node {
        value,
        line: location.line() as u32,
        column: location.column() as u32,
        raw,
        origin: None,
    }
}

fn raw_slice(text: &str, span: serde_saphyr::Span) -> Option<String> {
    let start = span.byte_offset()? as usize;
    let len = span.byte_len()? as usize;
    text.get(start..start + len).map(|s| s.trim().to_string())
}

/// The untyped value as serde-saphyr hands it over, before places are attached.
enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawValue>>),
    Map(Vec<(Spanned<RawValue>, Spanned<RawValue>)>),
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawValue, E> {
        i64::try_from(v)
            .map(RawValue::Int)
            .or(Ok(RawValue::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(RawValue::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_places_and_raw_text() {
        let text = "name: 洛阳市\ncontact:\n  phone: 037165928665\nlist:\n  - 1\n  - 二\n";
        let root = parse(Path::new("a.yaml"), text).unwrap();
        let Value::Map(entries) = &root.value else {
            panic!("not a map")
        };
        let (key, name) = &entries[0];
        assert_eq!((key.line, key.column), (1, 1));
        assert_eq!(name.as_text().as_deref(), Some("洛阳市"));
        let Value::Map(contact) = &entries[1].1.value else {
            panic!()
        };
        let phone = &contact[0].1;
        assert_eq!(phone.line, 3);
        assert_eq!(phone.as_text().as_deref(), Some("037165928665"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let error = parse(Path::new("a.yaml"), "name: [洛阳市\nlevel: 市\n").unwrap_err();
        let location = error.location.clone().unwrap();
        assert!(location.line.is_some(), "{error:?}");
        assert!(error.message.contains("YAML 语法错误"));
    }
}
