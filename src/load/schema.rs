//! The JSON Schema of `applicant.yaml` (draft-07, what yaml-language-server reads), generated from
//! the field descriptions of [`super::applicant_fields`] and the notice's lists, so an editor
//! offers the same fields, and flags the same unknown ones, as `shenbao check`. It accepts
//! everything the loader accepts; finer rules (the document number, dates that exist, a county's
//! city) are left to `check`.

use serde_json::{Map, Value, json};

use super::applicant_fields::{self, FieldSpec, Kind};
use super::notice::Notice;

/// A scalar that the loader reads as text: numbers and `true`/`false` count as written.
const SCALAR: [&str; 3] = ["string", "number", "boolean"];

/// Text that is not only spaces (the loader trims it).
const NOT_BLANK: &str = "\\S";

/// What [`super::date::Date::parse`] can read: year, month and day split by `-`, `/`, `.`, 年, 月.
const DATE: &str = "^\\s*[0-9]+\\s*[-/.年月]\\s*[0-9]+\\s*[-/.年月]\\s*[0-9]+\\s*日*\\s*$";

/// A whole number written as text.
const INTEGER_TEXT: &str = "^\\s*[+-]?[0-9]+\\s*$";

/// The schema of `applicant.yaml` under `notice` (whose categories, levels and cities are the
/// allowed values of the fields that name them).
pub fn applicant_schema(notice: &Notice) -> Value {
    let mut schema = mapping(applicant_fields::top_level(), notice);
    let object = schema.as_object_mut().expect("a mapping is an object");
    object.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    object.insert("title".into(), json!("applicant.yaml（申报信息）"));
    object.insert(
        "description".into(),
        json!(format!(
            "{}申报单位的申报信息；由 {} 生成，以 `shenbao check` 的检查为准",
            notice.notice.number,
            applicant_fields::SOURCE
        )),
    );
    schema
}

/// [`applicant_schema`] as the text of the shipped file: pretty JSON ending in a newline.
pub fn applicant_schema_text(notice: &Notice) -> String {
    let mut text = serde_json::to_string_pretty(&applicant_schema(notice))
        .expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// A mapping that holds `fields` and nothing else.
fn mapping(fields: &[FieldSpec], notice: &Notice) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.clone(), field(f, notice)))
        .collect();
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name.as_str())
        .collect();
    json!({
        "type": ["object"],
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// One field: its value's schema, with the label and description, and `null` allowed when it is
/// optional (the loader treats an empty value as absent).
fn field(spec: &FieldSpec, notice: &Notice) -> Value {
    let schema = value(spec, notice);
    let mut schema = if spec.required {
        schema
    } else {
        allow_null(schema)
    };
    let object = schema
        .as_object_mut()
        .expect("every field schema is an object");
    object.insert("title".into(), json!(spec.label));
    object.insert("description".into(), json!(spec.description));
    schema
}

fn value(spec: &FieldSpec, notice: &Notice) -> Value {
    match spec.kind {
        Kind::Text => match spec.choices {
            Some(choices) => json!({ "enum": choices.values(notice) }),
            None => text(),
        },
        Kind::Date => json!({ "type": ["string"], "pattern": DATE }),
        Kind::Integer => json!({ "type": ["integer", "string"], "pattern": INTEGER_TEXT }),
        Kind::Flag => json!({ "type": ["boolean"] }),
        Kind::Texts => json!({ "type": ["array"], "minItems": 1, "items": text() }),
        Kind::Section => mapping(&spec.fields, notice),
        Kind::List => json!({ "type": ["array"], "items": mapping(&spec.fields, notice) }),
        Kind::Assessment => json!({
            "anyOf": [
                text(),
                {
                    "type": "object",
                    "propertyNames": { "pattern": INTEGER_TEXT },
                    "additionalProperties": text(),
                },
            ]
        }),
    }
}

/// A text the loader reads (numbers as written), not blank.
fn text() -> Value {
    json!({ "type": SCALAR, "pattern": NOT_BLANK })
}

/// Lets `null` stand for the value: added to its allowed values or its types, or as the other
/// alternative.
fn allow_null(mut schema: Value) -> Value {
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.push(Value::Null);
    } else if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.push(json!("null"));
    } else {
        return json!({ "anyOf": [schema, { "type": "null" }] });
    }
    schema
}
