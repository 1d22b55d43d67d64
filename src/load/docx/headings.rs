//! Which Word paragraphs are headings, and by which rule, tried in this order:
//!
//! 1. the paragraph's own `w:outlineLvl` (level 9, body text, makes it body text outright);
//! 2. the `w:outlineLvl` of its style, through the `basedOn` chain;
//! 3. its style's name (`heading N`, `标题 N`, `标题N`), through the chain;
//! 4. its automatic numbering: a numbered paragraph is a heading only when the numbering level
//!    is linked to a heading style, or when the rendered number is a 公文 heading number
//!    (一、 （一） 1. （1）) and the paragraph is short (a numbered list of sentences stays text);
//! 5. a typed 公文 number at the start of a short paragraph, or of a run-in heading.
//!
//! Rules 4 and 5 are guesses; the caller reports each heading they find so a clerk can confirm it.
//! A heading's number is never kept: the composer numbers headings itself (GB/T 9704).

use super::numbering::Rendered;
use super::paragraphs::Paragraph;
use super::styles::{BODY_TEXT, StyleHeading, Styles};
use crate::load::emphasis;
use crate::load::markdown::strip_heading_number;
use crate::load::numbered::typed_heading;

/// The rule that made a paragraph a heading.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// The paragraph's own outline level.
    ParagraphOutline,
    /// The outline level of the named style (or one it is based on).
    StyleOutline(String),
    /// The named style's name.
    StyleName(String),
    /// The automatic number, as rendered.
    Numbering(String),
    /// The typed number.
    Typed(String),
}

impl Rule {
    /// Whether the rule guesses (numbering) rather than reads a heading setting.
    pub fn guessed(&self) -> bool {
        matches!(self, Rule::Numbering(_) | Rule::Typed(_))
    }

    /// The rule in words, for messages.
    pub fn describe(&self) -> String {
        match self {
            Rule::ParagraphOutline => "段落的大纲级别".to_string(),
            Rule::StyleOutline(name) => format!("样式“{name}”的大纲级别"),
            Rule::StyleName(name) => format!("样式“{name}”"),
            Rule::Numbering(number) => format!("自动编号“{number}”"),
            Rule::Typed(number) => format!("手写编号“{number}”"),
        }
    }
}

/// A paragraph found to be a heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1-based level, not yet limited to the four of a 公文.
    pub level: u8,
    /// How it was found.
    pub rule: Rule,
    /// The text without its number.
    pub text: String,
    /// For a run-in heading: the paragraph text after it.
    pub run_in: Option<String>,
}

/// Whether `paragraph` (whose automatic number, if any, is `number`) is a heading.
pub fn decide(
    paragraph: &Paragraph,
    number: Option<&Rendered>,
    styles: &Styles,
) -> Option<Heading> {
    let text: String = paragraph.text.chars().filter(|c| *c != '\n').collect();
    let text = text.trim();
    let plain = emphasis::plain(text);
    let set = |outline: u8, rule: Rule| {
        let stripped = strip_heading_number(plain.trim());
        (!stripped.is_empty()).then(|| Heading {
            level: outline.saturating_add(1),
            rule,
            text: stripped.to_string(),
            run_in: None,
        })
    };
    match paragraph.outline {
        Some(outline) if outline < BODY_TEXT => return set(outline, Rule::ParagraphOutline),
        Some(_) => return None,
        None => {}
    }
    match styles.heading(paragraph.style.as_deref()) {
        Some(StyleHeading::Outline(outline, name)) => {
            return set(outline, Rule::StyleOutline(name));
        }
        Some(StyleHeading::Name(outline, name)) => return set(outline, Rule::StyleName(name)),
        None => {}
    }
    if let Some(number) = number.filter(|n| !n.text.trim().is_empty()) {
        return numbered(text, &plain, number, styles);
    }
    let typed = typed_heading(text)?;
    Some(Heading {
        level: typed.level,
        rule: Rule::Typed(typed.number),
        text: typed.text,
        run_in: typed.run_in,
    })
}

/// Rule 4: an automatically numbered paragraph.
/// `text` is the paragraph as written (bold marked), `plain` without its marks.
fn numbered(text: &str, plain: &str, number: &Rendered, styles: &Styles) -> Option<Heading> {
    let rule = Rule::Numbering(number.text.trim().to_string());
    if let Some(linked) = styles.heading(number.style.as_deref()) {
        let (StyleHeading::Outline(outline, _) | StyleHeading::Name(outline, _)) = linked;
        let plain = plain.trim();
        return (!plain.is_empty()).then(|| Heading {
            level: outline + 1,
            rule,
            text: plain.to_string(),
            run_in: None,
        });
    }
    let typed = typed_heading(&format!("{}{text}", number.text.trim()))?;
    Some(Heading {
        level: typed.level,
        rule,
        text: typed.text,
        run_in: typed.run_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::docx::xml::parse;

    fn styles() -> Styles {
        Styles::parse(
            &parse(
                r#"<w:styles><w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style>
                   <w:style w:type="paragraph" w:styleId="a3"><w:name w:val="List Paragraph"/></w:style></w:styles>"#,
            )
            .unwrap(),
        )
    }

    fn paragraph(text: &str, style: Option<&str>, outline: Option<u8>) -> Paragraph {
        Paragraph {
            style: style.map(str::to_string),
            outline,
            text: text.to_string(),
            ..Paragraph::default()
        }
    }

    #[test]
    fn rules_apply_in_order() {
        let styles = styles();
        let found = |p: &Paragraph, n: Option<&Rendered>| {
            decide(p, n, &styles).map(|h| (h.level, h.rule, h.text))
        };
        assert_eq!(
            found(&paragraph("（一）总体要求", Some("2"), Some(0)), None),
            Some((1, Rule::ParagraphOutline, "总体要求".into()))
        );
        assert_eq!(
            found(&paragraph("（一）总体要求", Some("2"), Some(9)), None),
            None,
            "outline level 9 is body text"
        );
        assert_eq!(
            found(&paragraph("总体要求", Some("2"), None), None),
            Some((2, Rule::StyleName("heading 2".into()), "总体要求".into()))
        );
        let number = Rendered {
            text: "一、".into(),
            style: None,
        };
        assert_eq!(
            found(&paragraph("总体要求", Some("a3"), None), Some(&number)),
            Some((1, Rule::Numbering("一、".into()), "总体要求".into()))
        );
        let long = "全市专利拥有量持续增长，质押融资规模不断扩大，知识产权保护满意度稳步提升，服务业集聚发展。";
        assert_eq!(
            found(&paragraph(long, Some("a3"), None), Some(&number)),
            None
        );
        assert_eq!(
            found(&paragraph("1.健全机制", None, None), None),
            Some((3, Rule::Typed("1.".into()), "健全机制".into()))
        );
        assert_eq!(found(&paragraph("一是健全机制", None, None), None), None);
    }
}
