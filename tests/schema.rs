//! The JSON Schema of `applicant.yaml` for editors: the shipped `templates/applicant.schema.json`
//! is what the code generates (`SHENBAO_UPDATE_SCHEMA=1 cargo test --release --test schema`
//! rewrites it), every example validates against it, mistakes do not, and `shenbao init` writes
//! it beside each new `applicant.yaml` with the line that points editors at it.

mod common;

use std::path::Path;

use common::{root, said, shenbao};
use serde_json::{Map, Value};
use shenbao::load::notice::Notice;
use shenbao::load::schema::applicant_schema_text;
use shenbao::load::yaml::{self, Node};
use shenbao::templates::TemplateStore;

/// The shipped schema's place in the repository.
const SHIPPED: &str = "templates/applicant.schema.json";

fn generated() -> String {
    let store = TemplateStore::new(None).unwrap();
    applicant_schema_text(&Notice::load(&store).unwrap())
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&generated()).unwrap();
    jsonschema::meta::validate(&schema).expect("a valid draft-07 schema");
    jsonschema::draft7::new(&schema).unwrap()
}

/// A YAML tree as the JSON an editor validates: keys as written, scalars by their YAML type.
fn to_json(node: &Node) -> Value {
    match &node.value {
        yaml::Value::Null => Value::Null,
        yaml::Value::Bool(b) => Value::Bool(*b),
        yaml::Value::Int(i) => Value::from(*i),
        yaml::Value::Float(f) => Value::from(*f),
        yaml::Value::Str(s) => Value::String(s.clone()),
        yaml::Value::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        yaml::Value::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_text().unwrap_or_default(), to_json(v)))
                .collect::<Map<String, Value>>(),
        ),
    }
}

fn json_of(text: &str) -> Value {
    to_json(&yaml::parse(Path::new("applicant.yaml"), text).unwrap())
}

/// Every message of validating `text`, with the place it concerns.
fn problems(text: &str) -> Vec<String> {
    let validator = validator();
    let instance = json_of(text);
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn example() -> String {
    std::fs::read_to_string(root().join("inputs/洛阳市/applicant.yaml")).unwrap()
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let path = root().join(SHIPPED);
    let fresh = generated();
    if std::env::var_os("SHENBAO_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == fresh,
        "{SHIPPED} is out of date: run SHENBAO_UPDATE_SCHEMA=1 cargo test --release --test schema"
    );
}

#[test]
fn every_example_validates() {
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("inputs")).unwrap() {
        let file = entry.unwrap().path().join("applicant.yaml");
        if !file.is_file() {
            continue;
        }
        let found = problems(&std::fs::read_to_string(&file).unwrap());
        assert!(found.is_empty(), "{}: {found:#?}", file.display());
        checked += 1;
    }
    assert_eq!(checked, 6, "the six example applicants");
}

#[test]
fn an_unknown_field_a_wrong_type_and_a_missing_field_fail() {
    let text = example()
        .replace("government:", "goverment:")
        .replace("  - year: 2024", "  - year: 二〇二四")
        .replace("  phone: 0379-63218765", "  phone: [0379, 63218765]")
        .replace("category: 示范城市", "category: 示范县");
    let found = problems(&text);
    let has = |place: &str, words: &str| {
        found
            .iter()
            .any(|p| p.starts_with(&format!("{place}: ")) && p.contains(words))
    };
    assert!(has("", "goverment"), "{found:#?}");
    assert!(has("", "government"), "the missing field: {found:#?}");
    assert!(has("/timetable/0/year", "二〇二四"), "{found:#?}");
    assert!(has("/contact/phone", "is not of types"), "{found:#?}");
    assert!(has("/category", "示范县"), "{found:#?}");
    assert_eq!(found.len(), 5, "{found:#?}");
}

#[test]
fn what_the_loader_reads_as_text_or_leaves_empty_validates() {
    let text = example()
        .replace("  phone: 0379-63218765", "  phone: 13812345678")
        .replace("  email: lyzscq@163.com", "  email:")
        .replace("date: 2023-08-10", "date: 2023年8月10日")
        .replace("  - year: 2024", "  - year: \"2024\"")
        .replace(
            "assessment: 测评表.xlsx",
            "assessment:\n  1: 已出台\n  \"2\": 已成立",
        );
    let found = problems(&text);
    assert!(found.is_empty(), "{found:#?}");
    let empty_list = example().replace("  number:", "  body: []\n  number:");
    assert_eq!(problems(&empty_list).len(), 1, "letter.body: [] is refused");
}

#[test]
fn init_writes_the_schema_beside_and_points_to_it_on_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = shenbao(dir.path(), &["init", "西平县", "--category", "试点县"]);
    assert!(output.status.success(), "{}", said(&output));
    let folder = dir.path().join("西平县");
    let yaml = std::fs::read_to_string(folder.join("applicant.yaml")).unwrap();
    assert_eq!(
        yaml.lines().next(),
        Some("# yaml-language-server: $schema=.shenbao/applicant.schema.json")
    );
    let beside = std::fs::read_to_string(folder.join(".shenbao/applicant.schema.json")).unwrap();
    assert_eq!(beside, generated());
    // A fresh file differs from the schema only in the fields still to fill in.
    let mut places: Vec<String> = problems(&yaml)
        .iter()
        .map(|p| p.split(": ").next().unwrap().to_string())
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            "/contact/person",
            "/contact/phone",
            "/date",
            "/government",
            "/letter/number",
            "/name",
            "/timetable/0/tasks",
            "/timetable/1/tasks",
            "/timetable/2/tasks",
        ]
    );
}
