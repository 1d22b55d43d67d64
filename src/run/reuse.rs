//! What an earlier run's output lets this one skip: the fingerprint of everything besides an
//! applicant's own data that shapes the output, each document's input hash, and the name of a
//! batch that its shards share.

use std::path::PathBuf;

use super::batch::BuildOptions;
use super::output::folder_name;
use super::slot::Slot;
use super::{Session, Settings};
use crate::assemble::{self, Output};
use crate::compose::model::Document;
use crate::files;
use crate::layout::fonts::FontLibrary;
use crate::templates::TemplateStore;

/// A fingerprint of everything besides an applicant's own data that shapes the output: the
/// program version, every template file that can (not its notes), the fonts and their roles.
pub fn run_fingerprint(store: &TemplateStore, settings: &Settings, fonts: &FontLibrary) -> String {
    let mut parts: Vec<u8> = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    let names = TemplateStore::built_in_names();
    let overrides = store.override_names();
    for name in names
        .iter()
        .chain(&overrides)
        .filter(|n| TemplateStore::shapes_output(n))
    {
        if let Some(file) = store.get(name) {
            parts.extend(name.as_bytes());
            parts.extend(files::sha256(&file.bytes).as_bytes());
        }
    }
    parts.extend(fonts.fingerprint().as_bytes());
    for remap in &settings.font_roles {
        parts.extend(format!("{remap};").as_bytes());
    }
    files::sha256(&parts)
}

impl Session {
    /// A hash naming the batch of `dirs` (all of them, before sharding) with this session's
    /// templates and fonts: the shards of one batch share it, and `merge` joins only those.
    pub fn batch_id(&self, dirs: &[PathBuf]) -> String {
        let mut names: Vec<String> = dirs.iter().map(|d| folder_name(d)).collect();
        names.sort();
        files::sha256(format!("{}\n{}", self.fingerprint, names.join("\n")).as_bytes())
    }

    /// A hash of everything that shapes one document's bytes: the evidence files by the hashes
    /// their inspection found, so none is read again for it.
    pub(super) fn input_hash(&self, document: &Document) -> String {
        let mut parts = self.fingerprint.as_bytes().to_vec();
        parts.extend(serde_json::to_vec(document).unwrap_or_default());
        for source in &document.sources {
            parts.extend(source.sha256.as_bytes());
        }
        files::sha256(&parts)
    }
}

/// The earlier run's file `name` of `slot`, unless `--force`, when it was made from the same
/// `input` and is still the file recorded.
pub(super) fn reused(
    slot: &Slot,
    name: &str,
    input: &str,
    options: &BuildOptions,
) -> Option<Output> {
    if options.force {
        return None;
    }
    assemble::reusable(&slot.previous, &slot.target, name, input)
}
