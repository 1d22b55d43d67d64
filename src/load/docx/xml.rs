//! A small element tree over quick-xml: the parts of a .docx are read whole (they are capped in
//! size), so the reader can look ahead and around without a streaming state machine. Names are
//! kept without their namespace prefix (`w:p` → `p`), which is enough for WordprocessingML.

use quick_xml::events::{BytesStart, Event};

/// Elements nested deeper than this are refused (no real document comes near it), so walking
/// the tree recursively cannot exhaust the stack.
const MAX_DEPTH: usize = 200;

/// One XML element: its local name, attributes (local names too) and children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// The local name, such as `p` for `w:p`.
    pub name: String,
    /// Attributes by local name, in document order.
    pub attrs: Vec<(String, String)>,
    /// Child elements and text, in document order.
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data, entities resolved.
    Text(String),
}

impl Element {
    /// The attribute `name` (local name), if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The `w:val` of the child element `name` (such as `pStyle`), if both exist.
    pub fn child_val(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|e| e.attr("val"))
    }

    /// The element at the end of `path`, one child name per step.
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// The text of every `w:t` below this element, in order.
    pub fn plain_text(&self) -> String {
        let mut text = String::new();
        self.collect_text(&mut text);
        text
    }

    fn collect_text(&self, text: &mut String) {
        for element in self.elements() {
            if element.name == "t" {
                for node in &element.children {
                    if let Node::Text(t) = node {
                        text.push_str(t);
                    }
                }
            } else if element.name != "delText" && element.name != "instrText" {
                element.collect_text(text);
            }
        }
    }
}

/// Parses `text` into its root element, or says what is malformed.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("第 {} 字节处：{e}", reader.error_position()))?;
        match event {
            Event::Start(start) => {
                if stack.len() > MAX_DEPTH {
                    return Err(format!("元素嵌套超过 {MAX_DEPTH} 层"));
                }
                stack.push(element(&start));
            }
            Event::Empty(start) => push(&mut stack, Node::Element(element(&start))),
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err("结束标记多于开始标记".to_string());
                }
                let done = stack.pop().unwrap_or_default();
                push(&mut stack, Node::Element(done));
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => push_text(&mut stack, &resolve_entity(&r.xml10_content())),
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("文件在元素结束前中断".to_string());
    }
    let document = stack.pop().unwrap_or_default();
    document
        .elements()
        .next()
        .cloned()
        .ok_or_else(|| "没有根元素".to_string())
}

fn push(stack: &mut [Element], node: Node) {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(node);
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(parent) = stack.last_mut() {
        match parent.children.last_mut() {
            Some(Node::Text(previous)) => previous.push_str(text),
            _ => parent.children.push(Node::Text(text.to_string())),
        }
    }
}

/// `amp` → `&`, `#x4E00` → `一`; an unknown entity is kept as written.
fn resolve_entity(name: &str) -> String {
    let number = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => name.strip_prefix('#').and_then(|d| d.parse().ok()),
    };
    if let Some(c) = number.and_then(char::from_u32) {
        return c.to_string();
    }
    quick_xml::escape::resolve_xml_entity(name).map_or_else(|| format!("&{name};"), str::to_string)
}

fn element(start: &BytesStart) -> Element {
    let name = local(start.name().as_ref());
    let attrs = start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .map(|a| {
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_or_else(|_| a.value.to_string(), |v| v.into_owned());
            (local(a.key.as_ref()), value)
        })
        .collect();
    Element {
        name,
        attrs,
        children: Vec::new(),
    }
}

/// `w:p` → `p`.
fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_prefix_and_entities_resolve() {
        let root = parse(r#"<w:p xmlns:w="x"><w:r><w:t xml:space="preserve">A &amp; &#x4E00;</w:t></w:r><w:pPr w:val="1"/></w:p>"#).unwrap();
        assert_eq!(root.name, "p");
        assert_eq!(root.plain_text(), "A & 一");
        assert_eq!(root.child("pPr").unwrap().attr("val"), Some("1"));
    }

    #[test]
    fn broken_or_too_deep_xml_is_an_error_not_a_panic() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse(&"<a>".repeat(500)).is_err());
        assert!(parse("").is_err());
    }
}
