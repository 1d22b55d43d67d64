//! Fonts: the shipped fonts of `fonts/` compiled into the program, plus any `--font-path` folder
//! and, with `--system-fonts`, the fonts installed on the machine; indexed once per run, loaded
//! lazily, shared read-only by every document; and which characters the fonts of the roles
//! (`load::fonts`) can show.

use std::path::PathBuf;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontPath, FontSource, FontStore};

use crate::diagnostics::{Diagnostic, Location};
use crate::load::emphasis;
use crate::load::fonts::FontRoles;

/// Includes a file of the repository's `fonts/` folder, under its path there.
macro_rules! bundled {
    ($path:literal) => {
        (
            $path,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/", $path)) as &[u8],
        )
    };
}

/// The shipped fonts, compiled into the program so that a copied or installed binary renders
/// the same as one run from the source tree: each file of `fonts/` by its path there.
pub const BUNDLED: &[(&str, &[u8])] = &[
    bundled!("fandol/FandolFang-Regular.ttf"),
    bundled!("fandol/FandolHei-Regular.ttf"),
    bundled!("fandol/FandolHei-Bold.ttf"),
    bundled!("fandol/FandolKai-Regular.ttf"),
    bundled!("fandol/FandolSong-Regular.ttf"),
    bundled!("fandol/FandolSong-Bold.ttf"),
    bundled!("noto/NotoSerifCJKsc-Regular-GBK.ttf"),
    bundled!("noto/NotoSerifCJKsc-Bold-GBK.ttf"),
];

/// A shipped font file (one face), parsed when a document first uses it.
struct BundledFace(&'static [u8]);

impl FontSource for BundledFace {
    fn load(&self) -> Option<Font> {
        Font::new(Bytes::new(self.0), 0)
    }
}

/// The fonts of one run: indexed once, loaded on first use, shared by every document.
pub struct FontLibrary {
    store: FontStore,
    /// Every face's origin and size, in order of preference.
    fingerprint: String,
}

impl FontLibrary {
    /// Indexes the fonts of every extra folder, then the shipped fonts, then, only when
    /// `system` is set, the fonts installed on this machine (on Windows also the per-user
    /// fonts under `AppData\Local\Microsoft\Windows\Fonts`). Without `system` the output
    /// is the same on every machine. Earlier fonts win when two have the same family and style.
    pub fn scan(extra: &[PathBuf], system: bool) -> Result<Self, Diagnostic> {
        let mut library = Self {
            store: FontStore::new(),
            fingerprint: String::new(),
        };
        for dir in extra {
            if !dir.is_dir() {
                return Err(Diagnostic::error("--font-path 指定的字体目录不存在")
                    .at(Location::file(dir))
                    .hint("请检查路径是否正确"));
            }
            library.add_files(typst_kit::fonts::scan(dir));
        }
        for (name, data) in BUNDLED {
            library.add_bundled(name, data);
        }
        if system {
            library.add_files(typst_kit::fonts::system());
        }
        Ok(library)
    }

    /// Adds the faces of font files found on disk.
    fn add_files(&mut self, faces: impl Iterator<Item = (FontPath, FontInfo)>) {
        for (face, info) in faces {
            let size = std::fs::metadata(&face.path).map_or(0, |m| m.len());
            self.fingerprint
                .push_str(&format!("{}#{}:{size};", face.path.display(), face.index));
            self.store.push((face, info));
        }
    }

    /// Adds a shipped font file (each holds one face).
    fn add_bundled(&mut self, name: &str, data: &'static [u8]) {
        if let Some(info) = FontInfo::new(data, 0) {
            self.fingerprint
                .push_str(&format!("bundled/{name}:{};", data.len()));
            self.store.push((BundledFace(data), info));
        }
    }

    /// Every font's origin (file path or shipped name), face index and size, in order: changes
    /// when a font is added, removed or replaced, so outputs made with other fonts are redone.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The font metadata Typst selects from.
    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    /// The font at `index`, loaded now if it was not yet.
    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    /// Checks that every family every role names exists.
    pub fn check_roles(&self, roles: &FontRoles) -> Result<(), Diagnostic> {
        let book = self.book();
        for (role, spec) in roles {
            for family in &spec.fonts {
                if !book.contains_family(&family.to_lowercase()) {
                    return Err(Diagnostic::error(format!(
                        "字体角色 {role} 使用的字体“{family}”没有找到"
                    ))
                    .hint(
                        "本机已安装该字体时加 --system-fonts；否则用 --font-path 指定含有该字体的目录，或修改 fonts.yaml / --font-role",
                    ));
                }
            }
        }
        Ok(())
    }

    /// A checker for whether the fonts of `roles` can show a character.
    pub fn coverage(&self, roles: &FontRoles) -> Coverage {
        let book = self.book();
        let mut infos = Vec::new();
        for spec in roles.values() {
            for family in &spec.fonts {
                for index in book.select_family(&family.to_lowercase()) {
                    if let Some(info) = book.info(index) {
                        infos.push(info.clone());
                    }
                }
            }
        }
        Coverage {
            infos,
            known: Default::default(),
        }
    }
}

/// Which characters the role fonts can show. A font's coverage is a list of ranges searched from
/// the start, so answers are remembered: a dossier uses a few thousand distinct characters.
pub struct Coverage {
    infos: Vec<FontInfo>,
    known: std::sync::RwLock<std::collections::HashMap<char, bool>>,
}

impl Coverage {
    /// True when some role font has a glyph for `c` (spaces and controls always pass).
    pub fn covers(&self, c: char) -> bool {
        if c.is_whitespace() || c.is_control() {
            return true;
        }
        if let Some(&known) = self.known.read().unwrap_or_else(|e| e.into_inner()).get(&c) {
            return known;
        }
        let covered = self.infos.iter().any(|i| i.coverage.contains(c as u32));
        self.known
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(c, covered);
        covered
    }
}

impl crate::validate::Glyphs for Coverage {
    fn missing(&self, text: &str) -> Vec<char> {
        let mut missing: Vec<char> = text
            .chars()
            .filter(|&c| !emphasis::is_mark(c) && !self.covers(c))
            .collect();
        let mut seen = std::collections::HashSet::new();
        missing.retain(|c| seen.insert(*c));
        missing
    }
}
