//! The fields of `applicant.yaml` as data (`templates/applicant-fields.yaml`, compiled in): the
//! one list that the loader accepts, the desk's new-applicant form shows and the JSON Schema
//! for editors is generated from ([`super::schema`]).

use std::sync::OnceLock;

use serde::Deserialize;

use super::roster::Choices;

/// The description file, as messages name it.
pub const SOURCE: &str = "templates/applicant-fields.yaml";

/// One field of `applicant.yaml`, or of one of its sections or list items.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The key as written in the file.
    pub name: String,
    /// What kind of value it holds.
    pub kind: Kind,
    /// Whether the loader reports it when missing or empty.
    #[serde(default)]
    pub required: bool,
    /// The list its values must come from, when there is one.
    #[serde(default)]
    pub choices: Option<Choices>,
    /// A short name: the form's label, the schema's title.
    pub label: String,
    /// What to write, for an editor's hover.
    pub description: String,
    /// The fields of a section, or of each item of a list.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// Its place in the desk's new-applicant form, when it has one.
    #[serde(default)]
    pub form: Option<FormInput>,
    /// The tab of an applicant's page in the desk that edits it (`letter`), when one does.
    #[serde(default)]
    pub tab: Option<String>,
}

/// The kind of value a field holds.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A scalar read as text (numbers as written).
    Text,
    /// A date such as `2023-08-10`.
    Date,
    /// A whole number (written bare or as text).
    Integer,
    /// `true` or `false`.
    Flag,
    /// A non-empty list of texts.
    Texts,
    /// A mapping of its own fields.
    Section,
    /// A list of mappings of its own fields.
    List,
    /// A workbook's file name, or `{序号: 完成情况}`.
    Assessment,
}

/// How a field is asked for in the new-applicant form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormInput {
    /// The HTML input type (`text`, `date`, `tel`) or `select` for a field with choices.
    pub input: String,
    /// Written in brackets after the label.
    #[serde(default)]
    pub hint: Option<String>,
    /// The example shown in an empty input.
    #[serde(default)]
    pub placeholder: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldsFile {
    fields: Vec<FieldSpec>,
}

/// The top-level fields of `applicant.yaml`, in the order the file lists them.
pub fn top_level() -> &'static [FieldSpec] {
    static FIELDS: OnceLock<Vec<FieldSpec>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let file: FieldsFile =
            serde_saphyr::from_str(include_str!("../../templates/applicant-fields.yaml"))
                .expect("templates/applicant-fields.yaml is valid (checked by a unit test)");
        file.fields
    })
}

/// The names of the fields allowed in the mapping at `path`: `""` for the top level, a section's
/// name (`contact`) or a list's name for its items (`timetable`).
pub fn names_at(path: &str) -> Vec<&'static str> {
    let fields = if path.is_empty() {
        top_level()
    } else {
        top_level()
            .iter()
            .find(|f| f.name == path)
            .map_or(&[][..], |f| &f.fields[..])
    };
    fields.iter().map(|f| f.name.as_str()).collect()
}

/// Every field that the new-applicant form asks for, with its dotted path, in the file's order.
pub fn form_fields() -> Vec<(String, &'static FieldSpec)> {
    let mut found = Vec::new();
    for field in top_level() {
        if field.form.is_some() {
            found.push((field.name.clone(), field));
        }
        for child in field.fields.iter().filter(|c| c.form.is_some()) {
            found.push((format!("{}.{}", field.name, child.name), child));
        }
    }
    found
}

/// Every field that the desk's tab `tab` edits, with its dotted path, in the file's order.
pub fn tab_fields(tab: &str) -> Vec<(String, &'static FieldSpec)> {
    let mut found = Vec::new();
    for field in top_level() {
        if field.tab.as_deref() == Some(tab) {
            found.push((field.name.clone(), field));
        }
        for child in &field.fields {
            if child.tab.as_deref() == Some(tab) {
                found.push((format!("{}.{}", field.name, child.name), child));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Diagnostic, Diagnostics};
    use crate::load::limits::Limits;

    /// Every problem the loader finds in `text` as an applicant folder's `applicant.yaml`.
    fn read(text: &str) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("applicant.yaml"), text).unwrap();
        let mut diagnostics = Diagnostics::new();
        let limits = Limits::built_in().unwrap();
        crate::load::applicant::read(dir.path(), None, &limits, &mut diagnostics);
        diagnostics.into_iter().collect()
    }

    fn example(name: &str) -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(root.join("inputs").join(name).join("applicant.yaml")).unwrap()
    }

    #[test]
    fn the_loader_reads_every_described_field_and_no_other() {
        for name in ["洛阳市", "许昌市", "西峡县"] {
            let found = read(&example(name));
            assert!(
                found.iter().all(|d| !d.message.contains("程序内部错误")),
                "{name}: {found:#?}"
            );
        }
    }

    #[test]
    fn an_unknown_field_is_told_the_described_ones() {
        let text = example("洛阳市")
            .replace("  person:", "  zzzzzzzz: 1\n  person:")
            .replace("  number:", "  zzzzzzzz: 1\n  number:")
            .replace(
                "    stage: 全面启动阶段",
                "    zzzzzzzz: 1\n    stage: 全面启动阶段",
            )
            .replace(
                "    title: 洛阳市知识产权保护",
                "    zzzzzzzz: 1\n    title: 洛阳市知识产权保护",
            )
            + "zzzzzzzz: 1\n";
        let mut told: Vec<(String, String)> = read(&text)
            .into_iter()
            .filter(|d| d.message.starts_with("未知字段"))
            .map(|d| (d.message, d.hint.unwrap_or_default()))
            .collect();
        told.sort();
        let hint = |path: &str| format!("此处可用的字段有：{}", names_at(path).join("、"));
        let expected = [
            ("contact.zzzzzzzz", hint("contact")),
            ("evidence[1].zzzzzzzz", hint("evidence")),
            ("letter.zzzzzzzz", hint("letter")),
            ("timetable[1].zzzzzzzz", hint("timetable")),
            ("zzzzzzzz", hint("")),
        ]
        .map(|(field, hint)| (format!("未知字段 {field}"), hint));
        assert_eq!(told, expected);
    }

    #[test]
    fn the_description_file_reads_and_nests_only_where_it_may() {
        for field in top_level() {
            let nests = matches!(field.kind, Kind::Section | Kind::List);
            assert_eq!(nests, !field.fields.is_empty(), "{}", field.name);
            for child in &field.fields {
                assert!(child.fields.is_empty(), "{}.{}", field.name, child.name);
            }
        }
        assert_eq!(names_at("contact"), ["person", "phone", "office", "email"]);
        assert!(names_at("nothing").is_empty());
    }

    #[test]
    fn every_roster_column_fills_a_described_field() {
        let store = crate::templates::TemplateStore::new(None).unwrap();
        let roster = crate::load::roster::RosterSpec::load(&store).unwrap();
        for column in roster.columns {
            let (section, name) = column.field.rsplit_once('.').unwrap_or(("", &column.field));
            assert!(names_at(section).contains(&name), "{}", column.field);
        }
    }

    #[test]
    fn form_fields_are_the_desk_form_in_order() {
        let paths: Vec<String> = form_fields().into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "name",
                "level",
                "category",
                "city",
                "government",
                "date",
                "contact.person",
                "contact.phone",
                "letter.number"
            ]
        );
    }
}
