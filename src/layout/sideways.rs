//! Sideways table sheets (GB/T 9704-2012 10.1): pages laid out landscape are turned into portrait
//! sheets through the page's `/Rotate`, so that every sheet of a document prints and binds as a
//! portrait A4 page on any printer, with the table's head on the left (the binding side of odd
//! pages, the outer side of even ones). The templates draw the page numbers of such pages where
//! the portrait pages have theirs, so they come out in the same place once turned.

use lopdf::{Document, Object};

/// Quarter turns (clockwise, as PDF counts them) that bring a landscape page's top edge to the
/// left of the portrait sheet.
const TURN: i64 = 270;

/// Turns every landscape page of `pdf` into a portrait sheet. A PDF without landscape pages comes
/// back unchanged.
pub fn turn_landscape_pages(pdf: Vec<u8>) -> Result<Vec<u8>, lopdf::Error> {
    let mut document = Document::load_mem(&pdf)?;
    let landscape: Vec<_> = document
        .get_pages()
        .into_values()
        .filter(|&page| is_landscape(&document, page))
        .collect();
    if landscape.is_empty() {
        return Ok(pdf);
    }
    for page in landscape {
        document.get_dictionary_mut(page)?.set("Rotate", TURN);
    }
    let mut out = Vec::new();
    document.save_to(&mut out)?;
    Ok(out)
}

/// Whether the page's media box is wider than tall (and not already turned).
fn is_landscape(document: &Document, page: lopdf::ObjectId) -> bool {
    let Ok(dict) = document.get_dictionary(page) else {
        return false;
    };
    if dict.get(b"Rotate").and_then(Object::as_i64).unwrap_or(0) % 180 != 0 {
        return false;
    }
    let Ok(Object::Array(box_)) = dict.get(b"MediaBox") else {
        return false;
    };
    let numbers: Vec<f32> = box_.iter().filter_map(|v| v.as_float().ok()).collect();
    matches!(numbers[..], [x0, y0, x1, y1] if (x1 - x0).abs() > (y1 - y0).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};

    fn pdf_with(boxes: &[[i64; 4]]) -> Vec<u8> {
        let mut document = Document::with_version("1.7");
        let pages_id = document.new_object_id();
        let mut kids = Vec::new();
        for media in boxes {
            let contents = document.add_object(Stream::new(dictionary! {}, Vec::new()));
            let page = document.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => media.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
                "Contents" => contents,
            });
            kids.push(Object::Reference(page));
        }
        let count = kids.len() as i64;
        document.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let catalog = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        document.trailer.set("Root", catalog);
        let mut out = Vec::new();
        document.save_to(&mut out).unwrap();
        out
    }

    fn rotations(pdf: &[u8]) -> Vec<i64> {
        let document = Document::load_mem(pdf).unwrap();
        document
            .get_pages()
            .into_values()
            .map(|page| {
                let dict = document.get_dictionary(page).unwrap();
                dict.get(b"Rotate").and_then(Object::as_i64).unwrap_or(0)
            })
            .collect()
    }

    #[test]
    fn only_landscape_pages_are_turned() {
        let pdf = pdf_with(&[[0, 0, 595, 842], [0, 0, 842, 595], [0, 0, 595, 842]]);
        assert_eq!(rotations(&turn_landscape_pages(pdf).unwrap()), [0, 270, 0]);
    }

    #[test]
    fn a_portrait_document_comes_back_byte_for_byte() {
        let pdf = pdf_with(&[[0, 0, 595, 842]]);
        assert_eq!(turn_landscape_pages(pdf.clone()).unwrap(), pdf);
    }
}
