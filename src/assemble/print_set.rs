//! Paper sets: the rendered PDFs joined page by page (never laid out again) into one file per
//! set that an office prints duplex in one go. Every document and every copy starts on a
//! right-hand (odd) page; blank pages are added where needed and carry nothing, not even a page
//! number. Each document is parsed once: further copies are new page objects over the same
//! contents, fonts and images, so a set of three copies is hardly larger than one.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

/// A4 portrait, in points, for the blank pages.
const BLANK_PAGE: [f32; 4] = [0.0, 0.0, 595.28, 841.89];

/// What a print set is made of and how big it came out.
pub struct PrintSet {
    /// The joined PDF.
    pub pdf: Vec<u8>,
    /// Pages, blank ones included.
    pub pages: usize,
}

/// Joins `copies` copies of `parts` (each copy the parts in order), each part padded to an even
/// page count so that the next one starts on an odd page. With `separator`, a blank sheet goes
/// between copies.
pub fn join(parts: &[&[u8]], copies: u32, separator: bool) -> Result<PrintSet, lopdf::Error> {
    let mut builder = Builder::default();
    let mut appended = Vec::with_capacity(parts.len());
    for part in parts {
        appended.push(builder.append(Document::load_mem(part)?));
    }
    for _ in 1..copies {
        if separator {
            builder.blank_page();
            builder.blank_page();
        }
        for pages in &appended {
            builder.repeat(pages);
        }
    }
    builder.finish()
}

/// Collects pages and objects from several documents into one.
#[derive(Default)]
struct Builder {
    objects: BTreeMap<ObjectId, Object>,
    pages: Vec<ObjectId>,
    next_id: u32,
}

impl Builder {
    /// Adds the pages and objects of `document`; returns its page objects here.
    fn append(&mut self, mut document: Document) -> Vec<ObjectId> {
        document.renumber_objects_with(self.next_id.max(1));
        self.next_id = document.max_id + 1;
        let pages: Vec<ObjectId> = document.get_pages().into_values().collect();
        for &page in &pages {
            let inherited = inherited(&document, page);
            if let Some(Object::Dictionary(dict)) = document.objects.get_mut(&page) {
                for (key, value) in inherited {
                    dict.set(key, value);
                }
            }
        }
        for (id, object) in document.objects {
            if !is_structural(&object) {
                self.objects.insert(id, object);
            }
        }
        self.pages.extend(&pages);
        if pages.len() % 2 == 1 {
            self.blank_page();
        }
        pages
    }

    /// Adds another copy of `pages` (already added): new page dictionaries sharing their
    /// contents and resources; annotations, which belong to one page, are left out.
    fn repeat(&mut self, pages: &[ObjectId]) {
        for page in pages {
            let Some(Object::Dictionary(dict)) = self.objects.get(page) else {
                continue;
            };
            let mut copy = dict.clone();
            copy.remove(b"Annots");
            let id = self.add(Object::Dictionary(copy));
            self.pages.push(id);
        }
        if pages.len() % 2 == 1 {
            self.blank_page();
        }
    }

    fn blank_page(&mut self) {
        let contents = self.add(Object::Stream(Stream::new(dictionary! {}, Vec::new())));
        let page = dictionary! {
            "Type" => "Page",
            "MediaBox" => BLANK_PAGE.iter().map(|&v| Object::Real(v)).collect::<Vec<_>>(),
            "Resources" => dictionary! {},
            "Contents" => contents,
        };
        let id = self.add(Object::Dictionary(page));
        self.pages.push(id);
    }

    fn add(&mut self, object: Object) -> ObjectId {
        let id = (self.next_id.max(1), 0);
        self.next_id = id.0 + 1;
        self.objects.insert(id, object);
        id
    }

    fn finish(mut self) -> Result<PrintSet, lopdf::Error> {
        let pages_id = (self.next_id.max(1), 0);
        self.next_id = pages_id.0 + 1;
        for page in &self.pages {
            if let Some(Object::Dictionary(dict)) = self.objects.get_mut(page) {
                dict.set("Parent", pages_id);
                dict.remove(b"StructParents");
            }
        }
        let kids: Vec<Object> = self.pages.iter().map(|&id| Object::Reference(id)).collect();
        let count = self.pages.len();
        self.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count as i64 },
            ),
        );
        let catalog = self.add(Object::Dictionary(
            dictionary! { "Type" => "Catalog", "Pages" => pages_id },
        ));
        let mut document = Document::with_version("1.7");
        document.objects = self.objects;
        document.max_id = self.next_id;
        document.trailer.set("Root", catalog);
        document.prune_objects();
        document.renumber_objects();
        document.compress();
        let mut pdf = Vec::new();
        document.save_to(&mut pdf)?;
        Ok(PrintSet { pdf, pages: count })
    }
}

/// The document-level objects that the joined file replaces with its own.
fn is_structural(object: &Object) -> bool {
    let Ok(dict) = object.as_dict() else {
        return false;
    };
    matches!(
        dict.get(b"Type").and_then(Object::as_name),
        Ok(b"Catalog" | b"Pages")
    )
}

/// Page attributes a page inherits from its page tree (MediaBox, Resources, CropBox, Rotate).
fn inherited(document: &Document, page: ObjectId) -> Vec<(Vec<u8>, Object)> {
    let Ok(dict) = document.get_dictionary(page) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for key in [&b"MediaBox"[..], b"Resources", b"CropBox", b"Rotate"] {
        if dict.has(key) {
            continue;
        }
        if let Some(value) = lookup_up(document, dict, key) {
            found.push((key.to_vec(), value));
        }
    }
    found
}

fn lookup_up(document: &Document, dict: &Dictionary, key: &[u8]) -> Option<Object> {
    let mut parent = dict.get(b"Parent").and_then(Object::as_reference).ok();
    while let Some(id) = parent {
        let node = document.get_dictionary(id).ok()?;
        if let Ok(value) = node.get(key) {
            return Some(value.clone());
        }
        parent = node.get(b"Parent").and_then(Object::as_reference).ok();
    }
    None
}
