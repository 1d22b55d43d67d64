//! The body of `word/document.xml`: paragraphs with their style, outline level, numbering and
//! text, and the tables, in order. Wrappers are looked through (`w:sdt` → its content,
//! `w:hyperlink`, `w:smartTag`, fields' results); `mc:AlternateContent` gives its Fallback, or
//! its Choice when only that holds text; tracked insertions are kept and deletions left out.
//! What cannot be printed (images, comments) or is moved (text boxes, footnotes) is noted as an
//! [`Aside`] so that the caller reports it; unknown elements are skipped.

use std::collections::HashMap;

use super::styles::numbering_of;
use super::tables::{self, Table};
use super::xml::{Element, Node};
use crate::load::emphasis;
use crate::load::text::{self, Findings};

/// One body paragraph, before headings are decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paragraph {
    /// Its style id (`w:pStyle`).
    pub style: Option<String>,
    /// Its own `w:outlineLvl` (0-based; 9 means body text).
    pub outline: Option<u8>,
    /// Its own automatic numbering (`numId`, `ilvl`).
    pub numbering: Option<(String, u8)>,
    /// Its text, cleaned; `\n` where a line break (`w:br`) stands, bold runs between the
    /// emphasis marks.
    pub text: String,
    /// What it holds that is not plain text.
    pub asides: Vec<Aside>,
}

/// Something in a paragraph that is not printed as it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Aside {
    /// A picture or chart: not printed.
    Image,
    /// A text box: its text, printed as a paragraph after this one.
    TextBox(String),
    /// A footnote or endnote: its text, printed in brackets where it is referenced.
    Note(String),
    /// A comment: its text, not printed.
    Comment(String),
    /// A tracked deletion: its text, not printed.
    Deleted(String),
    /// A tracked insertion: printed.
    Inserted,
    /// Characters that cannot be printed (controls, invisible ones, U+FFFD): removed.
    Cleaned(Findings),
}

impl Paragraph {
    /// Appends text as written in a run, cleaned; bold text between the emphasis marks.
    fn push_text(&mut self, raw: &str, bold: bool) {
        let (kept, found) = text::scan(raw);
        if !found.is_empty() {
            let earlier = self.asides.iter_mut().find_map(|a| match a {
                Aside::Cleaned(earlier) => Some(earlier),
                _ => None,
            });
            match earlier {
                Some(earlier) => earlier.merge(found),
                None => self.asides.push(Aside::Cleaned(found)),
            }
        }
        if bold && !kept.is_empty() {
            self.text.push(emphasis::OPEN);
            self.text.push_str(&kept);
            self.text.push(emphasis::CLOSE);
        } else {
            self.text.push_str(&kept);
        }
    }
}

/// Whether a run is set in bold by its own properties (`w:b`, unless switched off).
fn is_bold(r: &Element) -> bool {
    r.child("rPr").and_then(|p| p.child("b")).is_some_and(|b| {
        b.attr("val")
            .is_none_or(|v| !matches!(v, "0" | "false" | "off"))
    })
}

/// A body item in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A paragraph.
    Paragraph(Paragraph),
    /// A table.
    Table(Table),
}

/// The side parts the body refers to: footnotes, endnotes and comments by id.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    /// Footnote texts by `w:id`.
    pub footnotes: HashMap<String, String>,
    /// Endnote texts by `w:id`.
    pub endnotes: HashMap<String, String>,
    /// Comment texts by `w:id`.
    pub comments: HashMap<String, String>,
}

impl Notes {
    /// The texts of the `footnote`/`endnote`/`comment` elements under `root`, by `w:id`.
    pub fn texts(root: &Element, kind: &str) -> HashMap<String, String> {
        root.elements()
            .filter(|e| e.name == kind)
            .filter_map(|e| {
                let text: Vec<String> = e
                    .elements()
                    .filter(|p| p.name == "p")
                    .map(Element::plain_text)
                    .collect();
                Some((e.attr("id")?.to_string(), text.join("").trim().to_string()))
            })
            .collect()
    }
}

/// The items of a block container (`w:body`, a table cell, a text box), in order.
pub fn items(container: &Element, notes: &Notes) -> Vec<Item> {
    let mut found = Vec::new();
    for element in container.elements() {
        match element.name.as_str() {
            "p" => found.push(Item::Paragraph(paragraph(element, notes))),
            "tbl" => found.push(Item::Table(tables::table(element, notes))),
            "sdt" => {
                if let Some(content) = element.child("sdtContent") {
                    found.extend(items(content, notes));
                }
            }
            "customXml" | "ins" | "moveTo" => found.extend(items(element, notes)),
            "AlternateContent" => found.extend(items(chosen(element), notes)),
            _ => {}
        }
    }
    found
}

/// The branch of an `mc:AlternateContent` to read: the Fallback, unless only the Choice holds
/// text.
pub fn chosen(alternate: &Element) -> &Element {
    let choice = alternate.child("Choice");
    let fallback = alternate.child("Fallback");
    match (choice, fallback) {
        (Some(choice), Some(fallback))
            if fallback.plain_text().trim().is_empty()
                && !choice.plain_text().trim().is_empty() =>
        {
            choice
        }
        (_, Some(fallback)) => fallback,
        (Some(choice), None) => choice,
        (None, None) => alternate,
    }
}

fn paragraph(p: &Element, notes: &Notes) -> Paragraph {
    let properties = p.child("pPr");
    let mut paragraph = Paragraph {
        style: properties
            .and_then(|p| p.child_val("pStyle"))
            .map(str::to_string),
        outline: properties
            .and_then(|p| p.child_val("outlineLvl"))
            .and_then(|v| v.parse().ok()),
        numbering: properties
            .and_then(|p| p.child("numPr"))
            .and_then(numbering_of),
        ..Paragraph::default()
    };
    inline(p, notes, &mut paragraph);
    paragraph
}

/// Reads the inline content of `container` (a paragraph, or a wrapper inside one).
fn inline(container: &Element, notes: &Notes, paragraph: &mut Paragraph) {
    for element in container.elements() {
        match element.name.as_str() {
            "r" => run(element, notes, paragraph),
            "ins" | "moveTo" => {
                paragraph.asides.push(Aside::Inserted);
                inline(element, notes, paragraph);
            }
            "del" | "moveFrom" => paragraph.asides.push(Aside::Deleted(deleted_text(element))),
            "hyperlink" | "smartTag" | "customXml" | "fldSimple" | "bdo" | "dir" => {
                inline(element, notes, paragraph)
            }
            "sdt" => {
                if let Some(content) = element.child("sdtContent") {
                    inline(content, notes, paragraph);
                }
            }
            "AlternateContent" => inline(chosen(element), notes, paragraph),
            "oMath" | "oMathPara" => paragraph.push_text(&element.plain_text(), false),
            _ => {}
        }
    }
}

fn deleted_text(element: &Element) -> String {
    let mut text = String::new();
    collect_named(element, "delText", &mut text);
    text
}

fn collect_named(element: &Element, name: &str, text: &mut String) {
    for child in element.elements() {
        if child.name == name {
            for node in &child.children {
                if let Node::Text(t) = node {
                    text.push_str(t);
                }
            }
        } else {
            collect_named(child, name, text);
        }
    }
}

fn run(r: &Element, notes: &Notes, paragraph: &mut Paragraph) {
    let bold = is_bold(r);
    for element in r.elements() {
        match element.name.as_str() {
            "t" => {
                for node in &element.children {
                    if let Node::Text(t) = node {
                        paragraph.push_text(t, bold);
                    }
                }
            }
            "tab" | "ptab" => paragraph.text.push(' '),
            "br" if !matches!(element.attr("type"), Some("page" | "column")) => {
                paragraph.text.push('\n')
            }
            "cr" => paragraph.text.push('\n'),
            "noBreakHyphen" => paragraph.text.push('-'),
            "drawing" | "pict" | "object" => drawing(element, notes, paragraph),
            "AlternateContent" => run(chosen(element), notes, paragraph),
            "footnoteReference" | "endnoteReference" => note(element, notes, paragraph),
            "commentReference" => {
                let id = element.attr("id").unwrap_or_default();
                let text = notes.comments.get(id).cloned().unwrap_or_default();
                paragraph.asides.push(Aside::Comment(text));
            }
            _ => {}
        }
    }
}

/// A footnote or endnote is printed in brackets where it is referenced.
fn note(reference: &Element, notes: &Notes, paragraph: &mut Paragraph) {
    let id = reference.attr("id").unwrap_or_default();
    let texts = if reference.name == "footnoteReference" {
        &notes.footnotes
    } else {
        &notes.endnotes
    };
    let text = texts.get(id).cloned().unwrap_or_default();
    if !text.is_empty() {
        paragraph.push_text(&format!("（注：{text}）"), false);
    }
    paragraph.asides.push(Aside::Note(text));
}

/// A drawing holds a text box (its text is kept) or a picture or chart (not printed).
fn drawing(drawing: &Element, notes: &Notes, paragraph: &mut Paragraph) {
    let mut boxes = Vec::new();
    text_boxes(drawing, notes, &mut boxes);
    if boxes.is_empty() {
        paragraph.asides.push(Aside::Image);
    }
    for text in boxes {
        paragraph.asides.push(Aside::TextBox(text));
    }
}

fn text_boxes(element: &Element, notes: &Notes, found: &mut Vec<String>) {
    for child in element.elements() {
        match child.name.as_str() {
            "txbxContent" => {
                let texts: Vec<String> = items(child, notes)
                    .into_iter()
                    .map(|item| match item {
                        Item::Paragraph(p) => p.text.trim().to_string(),
                        Item::Table(t) => t.plain_text(),
                    })
                    .filter(|t| !t.is_empty())
                    .collect();
                found.push(texts.join("\n"));
            }
            "AlternateContent" => text_boxes(chosen(child), notes, found),
            _ => text_boxes(child, notes, found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::docx::xml::parse;

    fn body(xml: &str) -> Vec<Item> {
        items(
            &parse(&format!("<w:body>{xml}</w:body>")).unwrap(),
            &Notes::default(),
        )
    }

    fn text(item: &Item) -> &str {
        match item {
            Item::Paragraph(p) => &p.text,
            Item::Table(_) => "",
        }
    }

    #[test]
    fn bold_runs_are_marked_and_unprintable_characters_noted() {
        let found = body(
            "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>一是</w:t></w:r><w:r><w:t>加强</w:t></w:r>\
             <w:r><w:rPr><w:b w:val=\"0\"/></w:rPr><w:t>领导\u{200B}</w:t></w:r></w:p>",
        );
        let Item::Paragraph(p) = &found[0] else {
            panic!("{found:?}")
        };
        let strong: Vec<(&str, bool)> = emphasis::segments(&p.text);
        assert_eq!(strong, vec![("一是", true), ("加强领导", false)]);
        let Some(Aside::Cleaned(findings)) = p.asides.first() else {
            panic!("{:?}", p.asides)
        };
        assert_eq!(findings.invisible, vec!["U+200B".to_string()]);
    }

    #[test]
    fn insertions_kept_deletions_left_out_and_noted() {
        let found = body(
            r#"<w:p><w:r><w:t>保留</w:t></w:r><w:ins><w:r><w:t>插入</w:t></w:r></w:ins>
               <w:del><w:r><w:delText>删除</w:delText></w:r></w:del></w:p>"#,
        );
        let Item::Paragraph(p) = &found[0] else {
            panic!("{found:?}")
        };
        assert_eq!(p.text, "保留插入");
        assert_eq!(
            p.asides,
            vec![Aside::Inserted, Aside::Deleted("删除".into())]
        );
    }

    #[test]
    fn content_controls_and_alternate_content_are_looked_through() {
        let found = body(
            r#"<w:sdt><w:sdtContent><w:p><w:r><w:t>控件内</w:t></w:r></w:p></w:sdtContent></w:sdt>
               <w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing><wps:txbx><w:txbxContent>
               <w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
               <mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p>
               </w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
               <w:p><w:r><w:t>甲</w:t><w:br/><w:t>乙</w:t></w:r><w:unknown><w:r><w:t>x</w:t></w:r></w:unknown></w:p>"#,
        );
        assert_eq!(text(&found[0]), "控件内");
        let Item::Paragraph(boxed) = &found[1] else {
            panic!()
        };
        assert_eq!(boxed.asides, vec![Aside::TextBox("框内".into())]);
        assert_eq!(text(&found[2]), "甲\n乙");
    }
}
