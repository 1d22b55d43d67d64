//! The shipped fonts show every character a dossier needs: all of GBK's ideographs
//! (U+4E00–U+9FA5), the place names Fandol lacks, and the punctuation and symbols in use.

use shenbao::layout::fonts::{FontLibrary, load_roles};
use shenbao::templates::TemplateStore;

#[test]
fn every_gbk_ideograph_and_the_punctuation_in_use_have_a_glyph() {
    let store = TemplateStore::new(None).unwrap();
    let roles = load_roles(&store, &[]).unwrap();
    let fonts = FontLibrary::scan(&[]).unwrap();
    fonts.check_roles(&roles).unwrap();
    let coverage = fonts.coverage(&roles);
    let ideographs: String = ('\u{4E00}'..='\u{9FA5}').collect();
    let missing = coverage.missing(&ideographs);
    assert!(
        missing.is_empty(),
        "{} ideographs without a glyph: {:?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
    let in_use = "浉河区瀍河回族区㎡①②〔〕：；“”‘’《》——、，。？！（）【】…·";
    assert!(
        coverage.missing(in_use).is_empty(),
        "{:?}",
        coverage.missing(in_use)
    );
}
