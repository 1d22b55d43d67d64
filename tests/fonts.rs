//! The shipped fonts show every character a dossier needs: all of GBK's ideographs
//! (U+4E00–U+9FA5), the place names Fandol lacks, and the punctuation and symbols in use; and
//! every file of `fonts/` is compiled into the program, with TrueType outlines.

use shenbao::layout::fonts::{BUNDLED, FontLibrary};
use shenbao::load::fonts::load_roles;
use shenbao::templates::TemplateStore;
use shenbao::validate::Glyphs as _;

#[test]
fn every_gbk_ideograph_and_the_punctuation_in_use_have_a_glyph() {
    let store = TemplateStore::new(None).unwrap();
    let roles = load_roles(&store, &[]).unwrap();
    let fonts = FontLibrary::scan(&[], false).unwrap();
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

#[test]
fn every_font_file_of_the_fonts_folder_is_compiled_in_as_truetype() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    let mut on_disk = Vec::new();
    for sub in ["fandol", "noto"] {
        for entry in std::fs::read_dir(folder.join(sub)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if [".ttf", ".otf", ".ttc"]
                .iter()
                .any(|ext| name.ends_with(ext))
            {
                on_disk.push(format!("{sub}/{name}"));
            }
        }
    }
    on_disk.sort();
    let mut compiled: Vec<String> = BUNDLED.iter().map(|(name, _)| name.to_string()).collect();
    compiled.sort();
    assert_eq!(compiled, on_disk);
    for (name, data) in BUNDLED {
        assert_eq!(
            *data,
            std::fs::read(folder.join(name)).unwrap().as_slice(),
            "{name}"
        );
        // sfnt version 0x00010000: TrueType outlines ("OTTO" would be CFF).
        assert_eq!(&data[..4], &[0, 1, 0, 0], "{name} is not TrueType");
    }
}
