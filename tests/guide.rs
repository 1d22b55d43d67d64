//! The template guide's reference of the data each template receives is generated from the Rust
//! types (their serialized form for the example applicants), so it cannot drift: this test fails
//! when `templates/README.md` differs, and `SHENBAO_UPDATE_GUIDE=1` rewrites that section.

mod common;

use std::collections::BTreeMap;

use common::root;
use serde_json::Value;
use shenbao::run::{Session, Settings};

const START: &str = "<!-- generated: data reference (tests/guide.rs) -->";
const END: &str = "<!-- end of generated data reference -->";

/// Every path in `value` with the JSON types seen there, arrays written as `[]`.
fn paths(value: &Value, prefix: &str, out: &mut BTreeMap<String, Vec<&'static str>>) {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !prefix.is_empty() {
        let kinds = out.entry(prefix.to_string()).or_default();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn section(title: &str, values: &[Value]) -> String {
    let mut all = BTreeMap::new();
    for value in values {
        paths(value, "", &mut all);
    }
    let mut text = format!("\n### {title}\n\n| path | type |\n| --- | --- |\n");
    for (path, kinds) in all {
        let path = match path.strip_prefix("fonts.") {
            Some(rest) => format!("fonts.<role>{}", rest.find('.').map_or("", |i| &rest[i..])),
            None => path,
        };
        let row = format!("| `{path}` | {} |\n", kinds.join(" / "));
        if !text.contains(&row) {
            text.push_str(&row);
        }
    }
    text
}

fn generated() -> String {
    let session = Session::open(&Settings::default()).unwrap();
    let mut documents = Vec::new();
    let mut wording = Vec::new();
    for name in ["洛阳市", "许昌市", "西峡县"] {
        let dir = root().join("inputs").join(name);
        let dossier = session.dossier(&dir).unwrap();
        documents.extend(
            dossier
                .documents
                .iter()
                .map(|d| serde_json::to_value(d).unwrap()),
        );
        wording.push(session.wording_values(&dir).unwrap());
    }
    format!(
        "{START}\n{}{}\n{END}",
        section(
            "Typst templates: `json(\"/data/document.json\")` (every material)",
            &documents
        ),
        section(
            "Tera wording templates (`letter.tera`, `email.tera`, titles in `notice.yaml`)",
            &wording
        )
    )
}

#[test]
fn the_guide_lists_the_data_templates_receive() {
    let path = root().join("templates/README.md");
    let guide = std::fs::read_to_string(&path).unwrap();
    let start = guide
        .find(START)
        .expect("the guide has the generated section's start marker");
    let end = guide.find(END).expect("the guide has the end marker") + END.len();
    let fresh = generated();
    if std::env::var_os("SHENBAO_UPDATE_GUIDE").is_some() {
        std::fs::write(
            &path,
            format!("{}{fresh}{}", &guide[..start], &guide[end..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        &guide[start..end],
        fresh,
        "templates/README.md is out of date: run SHENBAO_UPDATE_GUIDE=1 cargo test --release --test guide"
    );
}
