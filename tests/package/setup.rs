//! A scratch province for the package tests: a copy of `inputs/`, the package command, edits
//! of its files, and a run that must stop with nothing written.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::common::*;

/// A scratch copy of `inputs/` (the example province and all its applicants).
pub fn province_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("inputs"), &dir.path().join("inputs"));
    let province = dir.path().join("inputs").join("河南省");
    (dir, province)
}

pub fn package(cwd: &Path, out: &Path) -> std::process::Output {
    shenbao(
        cwd,
        &["package", "inputs/河南省", "-o", out.to_str().unwrap()],
    )
}

/// Replaces `old` by `new` in a text file, which must contain it.
pub fn edit(path: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(old), "{} lacks {old:?}", path.display());
    std::fs::write(path, text.replacen(old, new, 1)).unwrap();
}

/// Edits a line of `province.yaml`.
pub fn edit_province(province: &Path, old: &str, new: &str) {
    edit(&province.join("province.yaml"), old, new);
}

/// Runs a package that must stop: exit 1, the message said, and no file written.
pub fn refused(cwd: &Path, expected: &[&str]) -> String {
    let out = cwd.join("out");
    let output = package(cwd, &out);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    for message in expected {
        assert!(text.contains(message), "expected {message:?} in:\n{text}");
    }
    assert!(text.contains("推荐材料未生成"), "{text}");
    assert!(files_under(&out).is_empty(), "{:?}", files_under(&out));
    text
}

/// The index lists every file of the package with the sha256 of its bytes, and nothing else;
/// the index PDF shows the same list.
pub fn index_matches_files(out: &Path) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let listed: Vec<String> = files
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let mut on_disk = files_under(out);
    on_disk.retain(|p| p != "manifest.json");
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(
        sorted, on_disk,
        "the index lists exactly the files of the package"
    );
    let index_text = squeeze(&pdf_text(&out.join("推荐材料目录.pdf")));
    for file in files {
        let path = file["path"].as_str().unwrap();
        let bytes = std::fs::read(out.join(path)).unwrap();
        assert_eq!(file["sha256"].as_str().unwrap(), sha256(&bytes), "{path}");
        if path != "推荐材料目录.pdf" {
            assert!(
                index_text.contains(&sha256(&bytes)),
                "{path}'s sha256 in the index PDF"
            );
        }
        if path.ends_with(".pdf") {
            let pages = read_pdf(&out.join(path)).len() as u64;
            assert_eq!(file["pages"].as_u64(), Some(pages), "{path}");
        }
    }
    let applicants = manifest["applicants"].as_array().unwrap();
    let puyang = applicants.iter().find(|a| a["name"] == "濮阳市").unwrap();
    assert!(puyang["included"].is_null() && puyang["rank"].is_null());
    let xixia = applicants.iter().find(|a| a["name"] == "西峡县").unwrap();
    assert_eq!(xixia["rank"], 1);
    assert_eq!(xixia["included"], "西峡县");
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
