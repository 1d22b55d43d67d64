//! The children of the property elements the Word writer emits, checked against the schema
//! order of ECMA-376 part 1 in every part of three sample files.

use super::tests::{sample, try_part, written};

/// The schema order (ECMA-376 part 1) of the children written into these elements; Word reads
/// such children in sequence and may drop those out of order.
const SCHEMA_ORDER: [(&str, &[&str]); 9] = [
    (
        "w:pPr",
        &[
            "w:pStyle",
            "w:keepNext",
            "w:widowControl",
            "w:snapToGrid",
            "w:spacing",
            "w:ind",
            "w:jc",
            "w:outlineLvl",
        ],
    ),
    (
        "w:rPr",
        &[
            "w:rFonts", "w:b", "w:bCs", "w:color", "w:sz", "w:szCs", "w:lang",
        ],
    ),
    (
        "w:tblPr",
        &[
            "w:tblW",
            "w:jc",
            "w:tblBorders",
            "w:tblLayout",
            "w:tblCellMar",
        ],
    ),
    ("w:tbl", &["w:tblPr", "w:tblGrid", "w:tr"]),
    ("w:tcPr", &["w:tcW", "w:vMerge", "w:vAlign"]),
    (
        "w:sectPr",
        &[
            "w:footerReference",
            "w:pgSz",
            "w:pgMar",
            "w:cols",
            "w:titlePg",
            "w:docGrid",
        ],
    ),
    (
        "w:style",
        &[
            "w:name",
            "w:basedOn",
            "w:next",
            "w:uiPriority",
            "w:semiHidden",
            "w:unhideWhenUsed",
            "w:qFormat",
            "w:pPr",
            "w:rPr",
        ],
    ),
    (
        "w:settings",
        &[
            "w:defaultTabStop",
            "w:evenAndOddHeaders",
            "w:characterSpacingControl",
            "w:compat",
            "w:themeFontLang",
        ],
    ),
    (
        "w:tblBorders",
        &[
            "w:top",
            "w:left",
            "w:bottom",
            "w:right",
            "w:insideH",
            "w:insideV",
        ],
    ),
];

/// The names of the child elements of each element named `parent` in `xml`, in order.
fn children_of(xml: &str, parent: &str) -> Vec<Vec<String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut found, mut depth, mut inside): (Vec<Vec<String>>, usize, Option<usize>) =
        (Vec::new(), 0, None);
    loop {
        let event = reader.read_event().unwrap();
        let (name, opens) = match &event {
            quick_xml::events::Event::Start(tag) => (Some(tag.name().as_ref().to_string()), true),
            quick_xml::events::Event::Empty(tag) => (Some(tag.name().as_ref().to_string()), false),
            quick_xml::events::Event::End(_) => {
                depth -= 1;
                if inside == Some(depth) {
                    inside = None;
                }
                continue;
            }
            quick_xml::events::Event::Eof => break,
            _ => continue,
        };
        let name = name.unwrap();
        if inside.is_some_and(|at| depth == at + 1)
            && let Some(children) = found.last_mut()
        {
            children.push(name.clone());
        }
        if opens {
            if name == parent && inside.is_none() {
                inside = Some(depth);
                found.push(Vec::new());
            }
            depth += 1;
        }
    }
    found
}

#[test]
fn property_children_are_in_schema_order() {
    let mut unnumbered = sample(3);
    unnumbered.number_first_page = false;
    let files = [sample(2), unnumbered, sample(4)].map(|doc| written(&doc).bytes);
    let names = [
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/footer1.xml",
        "word/footer2.xml",
        "word/footer3.xml",
    ];
    for file in &files {
        for name in names {
            let Some(xml) = try_part(file, name) else {
                continue;
            };
            for (parent, order) in SCHEMA_ORDER {
                for children in children_of(&xml, parent) {
                    let ranks: Vec<usize> = children
                        .iter()
                        .map(|child| {
                            order
                                .iter()
                                .position(|known| known == child)
                                .unwrap_or_else(|| panic!("{child} in {parent} has no place"))
                        })
                        .collect();
                    assert!(ranks.is_sorted(), "{parent} in {name}: {children:?}");
                }
            }
        }
    }
}
