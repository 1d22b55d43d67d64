//! Checks on an output folder shared by the tests of what shenbao promises about it.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::common::files_under;
use shenbao::assemble::sha256;

/// sha256 of every file under `dir`, by relative path.
pub fn hashes(dir: &Path) -> BTreeMap<String, String> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, sha256(&bytes))
        })
        .collect()
}

/// Every path (files, folders, links) under `dir`, relative.
pub fn every_path(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            found.insert(path.strip_prefix(dir).unwrap().display().to_string());
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            }
        }
    }
    found
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// shenbao's own bookkeeping files, which no manifest lists.
fn bookkeeping(name: &str) -> bool {
    name.starts_with(".shenbao")
}

/// Every applicant manifest under `out` is true, and so is the run index (when there is one):
/// each listed file exists with the listed sha256, and every other file of the applicant's
/// folder is listed.
pub fn assert_manifests_true(out: &Path) {
    for file in files_under(out) {
        let path = out.join(&file);
        if !file.ends_with("/manifest.json") {
            continue;
        }
        let folder = path.parent().unwrap();
        let manifest = json(&path);
        let Some(outputs) = manifest["outputs"].as_array() else {
            continue;
        };
        let mut listed = BTreeSet::new();
        for output in outputs {
            let name = output["path"].as_str().unwrap();
            let bytes = std::fs::read(folder.join(name))
                .unwrap_or_else(|_| panic!("{file} lists {name}, which is missing"));
            assert_eq!(
                output["sha256"].as_str().unwrap(),
                sha256(&bytes),
                "{file}: {name} is not the file it lists"
            );
            listed.insert(name.to_string());
        }
        for present in files_under(folder) {
            if present != "manifest.json" && !bookkeeping(&present) {
                assert!(listed.contains(&present), "{file} does not list {present}");
            }
        }
    }
    let index = out.join("manifest.json");
    if index.is_file() {
        let index = json(&index);
        for entry in index["applicants"].as_array().into_iter().flatten() {
            if let Some(manifest) = entry["manifest"].as_str() {
                assert!(
                    out.join(manifest).exists(),
                    "the run index lists {manifest}, which is missing"
                );
            }
        }
    }
}
