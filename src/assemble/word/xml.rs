//! A thin layer over quick-xml's `Writer` for the parts of a Word file: elements open, close and
//! stand empty with their attributes, text is escaped, and every part starts with the same XML
//! declaration. Writing goes into memory, so it cannot fail.

use std::fmt::Display;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The main WordprocessingML namespace.
pub const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
/// The relationships namespace (`r:id`).
pub const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Attributes of an element: names and values of any printable kind.
pub type Attrs<'a> = &'a [(&'a str, &'a dyn Display)];

/// One XML part being written.
pub struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    /// A part that starts with `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`.
    pub fn new() -> Self {
        let mut xml = Self {
            writer: Writer::new(Vec::new()),
        };
        xml.writer
            .config_mut()
            .add_space_before_slash_in_empty_elements = true;
        xml.emit(Event::Decl(BytesDecl::new(
            "1.0",
            Some("UTF-8"),
            Some("yes"),
        )));
        xml
    }

    /// Opens `<name attrs…>`.
    pub fn open(&mut self, name: &str, attrs: Attrs) {
        self.emit(Event::Start(start(name, attrs)));
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) {
        self.emit(Event::End(BytesEnd::new(name)));
    }

    /// Writes the empty element `<name attrs… />`.
    pub fn empty(&mut self, name: &str, attrs: Attrs) {
        self.emit(Event::Empty(start(name, attrs)));
    }

    /// Writes `<name attrs…>`, what `content` writes, then `</name>`.
    pub fn element(&mut self, name: &str, attrs: Attrs, content: impl FnOnce(&mut Self)) {
        self.open(name, attrs);
        content(self);
        self.close(name);
    }

    /// Writes `<name>text</name>` with the text escaped.
    pub fn text_element(&mut self, name: &str, attrs: Attrs, text: &str) {
        self.element(name, attrs, |xml| xml.text(text));
    }

    /// Writes character data, escaping `<`, `>` and `&`.
    pub fn text(&mut self, text: &str) {
        self.emit(Event::Text(BytesText::from_escaped(partial_escape(text))));
    }

    /// Writes `<name w:val="value" />`, the shape of most WordprocessingML properties.
    pub fn val(&mut self, name: &str, value: &dyn Display) {
        self.empty(name, &[("w:val", value)]);
    }

    /// The part's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.writer.into_inner()
    }

    fn emit(&mut self, event: Event) {
        self.writer
            .write_event(event)
            .expect("writing XML into memory cannot fail");
    }
}

/// The start tag of `name` with `attrs`, values escaped.
fn start<'a>(name: &'a str, attrs: Attrs) -> BytesStart<'a> {
    let mut tag = BytesStart::new(name);
    for (key, value) in attrs {
        tag.push_attribute((*key, value.to_string().as_str()));
    }
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_attributes_and_text_are_escaped() {
        let mut xml = Xml::new();
        xml.element("w:p", &[("a", &"x\"<&")], |xml| {
            xml.val("w:sz", &32);
            xml.text_element("w:t", &[], "甲 & <乙> \"丙\"");
        });
        let text = String::from_utf8(xml.into_bytes()).unwrap();
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:p a=\"x&quot;&lt;&amp;\"><w:sz w:val=\"32\" />\
             <w:t>甲 &amp; &lt;乙&gt; \"丙\"</w:t></w:p>"
        );
    }
}
