//! `word/styles.xml`: which paragraph styles are headings, by outline level (through the
//! `basedOn` chain) or by name. Chinese Word and WPS give heading styles numeric ids (`1`, `2`)
//! while their `w:name` stays `heading 1`, so styles are recognised by name, never by id.

use std::collections::HashMap;

use super::xml::Element;

/// Styles are followed through at most this many `basedOn` links (a loop stops there too).
const MAX_CHAIN: usize = 16;

/// The `outlineLvl` that means body text.
pub const BODY_TEXT: u8 = 9;

/// One paragraph style.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Style {
    /// Its display name (`w:name`), such as `heading 1` or `标题 1`.
    pub name: String,
    /// The style it inherits from.
    pub based_on: Option<String>,
    /// Its own `w:outlineLvl` (0-based; 9 means body text).
    pub outline: Option<u8>,
    /// Its own automatic numbering (`numId`, `ilvl`).
    pub numbering: Option<(String, u8)>,
}

/// The paragraph styles of a document, by id.
#[derive(Debug, Clone, Default)]
pub struct Styles {
    by_id: HashMap<String, Style>,
    default_style: Option<String>,
}

/// How a style makes a paragraph a heading.
#[derive(Debug, Clone, PartialEq)]
pub enum StyleHeading {
    /// The style (or one it is based on) carries an outline level; the style's name.
    Outline(u8, String),
    /// The style's name says heading N; the name.
    Name(u8, String),
}

impl Styles {
    /// Reads `styles.xml`'s root element.
    pub fn parse(root: &Element) -> Self {
        let mut styles = Styles::default();
        for style in root.elements().filter(|e| e.name == "style") {
            if style.attr("type").is_some_and(|t| t != "paragraph") {
                continue;
            }
            let Some(id) = style.attr("styleId") else {
                continue;
            };
            if style.attr("default") == Some("1") {
                styles.default_style = Some(id.to_string());
            }
            let properties = style.child("pPr");
            let numbering = properties
                .and_then(|p| p.child("numPr"))
                .and_then(numbering_of);
            styles.by_id.insert(
                id.to_string(),
                Style {
                    name: style.child_val("name").unwrap_or(id).to_string(),
                    based_on: style.child_val("basedOn").map(str::to_string),
                    outline: properties
                        .and_then(|p| p.child_val("outlineLvl"))
                        .and_then(|v| v.parse().ok()),
                    numbering,
                },
            );
        }
        styles
    }

    /// The style `id`, or the default paragraph style when `id` is `None`.
    fn resolve<'a>(&'a self, id: Option<&'a str>) -> Option<&'a str> {
        id.or(self.default_style.as_deref())
    }

    /// The chain `id`, its `basedOn`, theirs…, as far as the styles exist.
    fn chain(&self, id: Option<&str>) -> Vec<&Style> {
        let mut chain = Vec::new();
        let mut next = self.resolve(id);
        while let Some(id) = next {
            let Some(style) = self.by_id.get(id) else {
                break;
            };
            if chain.len() >= MAX_CHAIN {
                break;
            }
            chain.push(style);
            next = style.based_on.as_deref();
        }
        chain
    }

    /// The display name of the style `id` (the id itself when the style is not defined).
    pub fn name(&self, id: Option<&str>) -> Option<String> {
        let id = self.resolve(id)?;
        Some(
            self.by_id
                .get(id)
                .map_or(id, |s| s.name.as_str())
                .to_string(),
        )
    }

    /// The outline level (0-based) the style `id` gives, through its `basedOn` chain.
    pub fn outline(&self, id: Option<&str>) -> Option<u8> {
        self.chain(id).iter().find_map(|s| s.outline)
    }

    /// Whether the style `id` makes a paragraph a heading, and how.
    pub fn heading(&self, id: Option<&str>) -> Option<StyleHeading> {
        let own = self.name(id).unwrap_or_default();
        if let Some(level) = self.outline(id).filter(|l| *l < BODY_TEXT) {
            return Some(StyleHeading::Outline(level, own));
        }
        self.chain(id)
            .iter()
            .find_map(|s| heading_level_of_name(&s.name))
            .map(|level| StyleHeading::Name(level, own))
    }

    /// Whether the style `id` is the document-title style (`Title` / `标题`).
    pub fn is_title(&self, id: Option<&str>) -> bool {
        self.chain(id).first().is_some_and(|s| {
            let name = s.name.trim().to_lowercase();
            name == "title" || name == "标题"
        })
    }

    /// The automatic numbering the style `id` gives, through its `basedOn` chain.
    pub fn numbering(&self, id: Option<&str>) -> Option<(String, u8)> {
        self.chain(id).iter().find_map(|s| s.numbering.clone())
    }
}

/// `numId` and `ilvl` of a `w:numPr`; `numId` 0 switches numbering off.
pub fn numbering_of(number: &Element) -> Option<(String, u8)> {
    let id = number.child_val("numId")?;
    let level = number
        .child_val("ilvl")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    Some((id.to_string(), level))
}

/// The heading level (0-based, as `outlineLvl`) a style name means: `heading 1`, `Heading1`,
/// `标题 1`, `标题1` → 0.
pub fn heading_level_of_name(name: &str) -> Option<u8> {
    let name = name.trim().to_lowercase();
    let digits = ["heading", "标题"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))?
        .trim();
    let level: u8 = digits.parse().ok()?;
    (1..=9).contains(&level).then(|| level - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::docx::xml::parse;

    fn styles(xml: &str) -> Styles {
        Styles::parse(&parse(&format!("<w:styles>{xml}</w:styles>")).unwrap())
    }

    #[test]
    fn names_of_heading_styles() {
        for (name, level) in [
            ("heading 1", Some(0)),
            ("Heading2", Some(1)),
            ("标题 3", Some(2)),
            ("标题4", Some(3)),
            ("标题", None),
            ("Normal", None),
            ("heading 12", None),
        ] {
            assert_eq!(heading_level_of_name(name), level, "{name}");
        }
    }

    #[test]
    fn numeric_ids_are_found_by_name_and_outline_levels_are_inherited() {
        let found = styles(
            r#"<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>
               <w:style w:type="paragraph" w:styleId="a5"><w:name w:val="一级标题"/>
                 <w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
               <w:style w:type="paragraph" w:styleId="a6"><w:name w:val="我的标题"/>
                 <w:basedOn w:val="a5"/></w:style>
               <w:style w:type="paragraph" w:styleId="a7"><w:name w:val="loop"/>
                 <w:basedOn w:val="a7"/></w:style>"#,
        );
        assert_eq!(
            found.heading(Some("1")),
            Some(StyleHeading::Name(0, "heading 1".into()))
        );
        assert_eq!(
            found.heading(Some("a6")),
            Some(StyleHeading::Outline(0, "我的标题".into()))
        );
        assert_eq!(found.heading(Some("a7")), None);
        assert_eq!(found.heading(Some("missing")), None);
    }
}
