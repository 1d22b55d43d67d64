//! A build killed at random points (kill -9, and Ctrl-C) never leaves a manifest or a run index
//! that describes files it no longer matches, nor a partial output file; the next run removes
//! the temporary files the killed one left and finishes the job. The points are drawn from a
//! seeded generator, so a failure can be replayed.

mod common;
mod trust;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use trust::*;

/// xorshift64*: small, seeded, good enough to spread kill points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A duration between zero and `max`.
    fn upto(&mut self, max: Duration) -> Duration {
        max.mul_f64((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Copies of three examples, with their evidence.
fn examples(root_dir: &Path) -> Vec<PathBuf> {
    ["洛阳市", "许昌市", "西峡县"]
        .iter()
        .map(|name| {
            let to = root_dir.join("inputs").join(name);
            copy_dir(&root().join("inputs").join(name), &to);
            to
        })
        .collect()
}

fn start(cwd: &Path, dirs: &[PathBuf], extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .arg("build")
        .args(dirs)
        .args(["-o", "out", "--jobs", "2"])
        .args(extra)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Every PDF an applicant folder holds (bookkeeping aside) opens: no file is ever half-written.
fn assert_whole_pdfs(out: &Path) {
    for file in files_under(out) {
        let name = file.rsplit('/').next().unwrap();
        if file.ends_with(".pdf") && !name.starts_with(".shenbao") {
            assert!(
                lopdf::Document::load(out.join(&file)).is_ok(),
                "{file} is not a whole PDF"
            );
        }
    }
}

/// What the run index on disk says, checked against the applicants' folders.
fn assert_index_true(out: &Path) {
    let index = out.join("manifest.json");
    if !index.exists() {
        return;
    }
    let index = json(&index);
    for entry in index["applicants"].as_array().unwrap() {
        if let Some(manifest) = entry["manifest"].as_str() {
            assert!(
                out.join(manifest).is_file(),
                "the index lists {manifest}, which is missing"
            );
        }
    }
}

fn assert_true(out: &Path, what: &str) {
    let checked = std::panic::catch_unwind(|| {
        assert_manifests_true(out);
        assert_index_true(out);
        assert_whole_pdfs(out);
    });
    assert!(checked.is_ok(), "after {what}: see the message above");
}

/// Changes a line of one applicant's report, so that the next run replaces some of its files.
fn touch_report(dir: &Path, round: usize) {
    let path = dir.join("创建工作报告.md");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("\n第 {round} 次补充说明。\n"));
    std::fs::write(&path, text).unwrap();
}

#[test]
fn a_build_killed_at_random_points_leaves_only_true_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = examples(dir.path());
    let out = dir.path().join("out");
    let started = Instant::now();
    let status = start(dir.path(), &dirs, &[]).wait().unwrap();
    let duration = started.elapsed();
    assert!(status.success(), "the first build");
    assert_true(&out, "the first build");
    let mut rng = Rng(0x5eed_2023_0038_0014);
    let mut killed = 0;
    for round in 0..20 {
        let force: &[&str] = if round % 3 == 0 { &[] } else { &["--force"] };
        if round % 3 == 0 {
            touch_report(&dirs[round % dirs.len()], round);
        }
        let delay = rng.upto(duration);
        let inputs = hashes(&dir.path().join("inputs"));
        let mut child = start(dir.path(), &dirs, force);
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_true(&out, &format!("kill -9 {round} after {delay:?}"));
        assert_eq!(hashes(&dir.path().join("inputs")), inputs, "inputs changed");
    }
    assert!(killed >= 10, "only {killed} of 20 runs were cut short");
    for round in 0..3 {
        let delay = Duration::from_millis(800) + rng.upto(duration / 2);
        let child = start(dir.path(), &dirs, &["--force"]);
        std::thread::sleep(delay);
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 130)),
            "Ctrl-C {round}: {:?}",
            output.status
        );
        assert_true(&out, &format!("Ctrl-C {round} after {delay:?}"));
    }
    let status = start(dir.path(), &dirs, &[]).wait().unwrap();
    assert!(status.success(), "the build after the kills");
    assert_true(&out, "the build after the kills");
    let left: Vec<String> = files_under(&out)
        .into_iter()
        .filter(|f| f.contains(".shenbao-"))
        .collect();
    assert!(left.is_empty(), "bookkeeping left behind: {left:?}");
    let index = json(&out.join("manifest.json"));
    assert_eq!(index["complete"], true);
    let entries = index["applicants"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["ok"] == true));
    for name in ["洛阳市", "许昌市", "西峡县"] {
        assert!(out.join(name).join("manifest.json").is_file(), "{name}");
    }
}
