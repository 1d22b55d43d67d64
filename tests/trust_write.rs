//! What shenbao promises about its output folder, checked on the files on disk after each run:
//! inputs unchanged (sha256 of every input file), nothing created outside the output folder
//! (every path under a scratch root before and after), and every manifest true (each file it
//! lists exists with its sha256, and no output is missing from it). The cases: names that would
//! form a path, outputs overlapping an input, `preview -o` and `--dpi`, stale temporary files,
//! two runs into one folder, `merge` with missing or mixed shards, an index that cannot be
//! written, and a package beside a user's own files.

mod common;
mod trust;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;
use shenbao::assemble::sha256;
use trust::*;

/// A scratch root with `inputs/` holding copies of the examples `names`.
fn scratch(names: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let dirs = names
        .iter()
        .map(|name| {
            let to = dir.path().join("inputs").join(name);
            copy_dir(&root().join("inputs").join(name), &to);
            to
        })
        .collect();
    (dir, dirs)
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    shenbao(cwd, args)
}

/// Replaces the line starting with `key` in `path`.
fn set_line(path: &Path, key: &str, line: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let old = text
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap()
        .to_string();
    std::fs::write(path, text.replacen(&old, line, 1)).unwrap();
}

#[test]
fn names_that_would_form_a_path_never_leave_the_output_folder() {
    let (dir, dirs) = scratch(&["西峡县"]);
    let root_dir = dir.path();
    let outside = root_dir.join("outside");
    for name in [
        format!("name: {}", outside.join("abs").display()),
        "name: ../../inputs/西峡县/evidence/zz".to_string(),
    ] {
        set_line(&dirs[0].join("applicant.yaml"), "name:", &name);
        let inputs = hashes(&root_dir.join("inputs"));
        let before = every_path(root_dir);
        let output = run(root_dir, &["build", "inputs/西峡县", "-o", "out"]);
        let text = said(&output);
        assert_ne!(output.status.code(), Some(0), "{name}: {text}");
        assert!(!outside.exists(), "{name}: {text}");
        assert_eq!(hashes(&root_dir.join("inputs")), inputs, "{name}");
        let created: Vec<String> = every_path(root_dir)
            .difference(&before)
            .filter(|p| !p.starts_with("out"))
            .cloned()
            .collect();
        assert!(created.is_empty(), "{name}: created {created:?}");
        assert!(
            !every_path(&root_dir.join("out"))
                .iter()
                .any(|p| p.ends_with(".zip") || p.ends_with(".eml")),
            "{name}: the bundle was written under a name from the data"
        );
        assert_manifests_true(&root_dir.join("out"));
    }
}

#[test]
fn an_output_overlapping_an_input_is_refused_for_every_command() {
    let (dir, _) = scratch(&["洛阳市"]);
    let root_dir = dir.path();
    std::os::unix::fs::symlink(root_dir.join("inputs"), root_dir.join("link")).unwrap();
    std::fs::create_dir(root_dir.join("tpl")).unwrap();
    std::fs::write(root_dir.join("notes.txt"), "a user's notes").unwrap();
    let refusals: Vec<Vec<&str>> = vec![
        vec![
            "build",
            "inputs/洛阳市",
            "-o",
            "inputs/../inputs/洛阳市/new",
        ],
        vec!["build", "inputs/洛阳市", "-o", "link/洛阳市/sub"],
        vec!["build", "inputs/洛阳市", "-o", "inputs"],
        vec!["build", "inputs/洛阳市", "-o", "."],
        vec![
            "build",
            "inputs/洛阳市",
            "--templates",
            "tpl",
            "-o",
            "tpl/out",
        ],
        vec![
            "build",
            "inputs/洛阳市",
            "-o",
            "out",
            "--emit-typst",
            "link/洛阳市/typst",
        ],
        vec!["build", "inputs/洛阳市", "-o", "out", "--emit-typst", "out"],
        vec!["watch", "inputs/洛阳市", "-o", "inputs/洛阳市/out"],
        vec!["watch", "inputs/洛阳市", "--templates", "tpl", "-o", "tpl"],
        vec![
            "preview",
            "inputs/洛阳市",
            "--material",
            "1",
            "-o",
            "inputs/洛阳市/测评表.xlsx",
        ],
        vec![
            "preview",
            "inputs/洛阳市",
            "--material",
            "1",
            "-o",
            "link/洛阳市/page.png",
        ],
    ];
    let inputs = hashes(&root_dir.join("inputs"));
    let before = every_path(root_dir);
    for args in &refusals {
        let output = run(root_dir, args);
        let text = said(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
        assert!(text.contains("重叠"), "{args:?}: {text}");
        assert_eq!(hashes(&root_dir.join("inputs")), inputs, "{args:?}");
        assert_eq!(every_path(root_dir), before, "{args:?} wrote something");
    }
    let output = run(
        root_dir,
        &[
            "preview",
            "inputs/洛阳市",
            "--material",
            "1",
            "-o",
            "notes.txt",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", said(&output));
    assert!(said(&output).contains("不是 PNG"), "{}", said(&output));
    assert_eq!(
        std::fs::read_to_string(root_dir.join("notes.txt")).unwrap(),
        "a user's notes"
    );
    for dpi in ["inf", "NaN", "100000", "0", "0.5", "abc"] {
        let output = run(
            root_dir,
            &[
                "preview",
                "inputs/洛阳市",
                "--material",
                "1",
                "--dpi",
                dpi,
                "-o",
                "page.png",
            ],
        );
        let text = said(&output);
        assert_eq!(output.status.code(), Some(2), "--dpi {dpi}: {text}");
        assert!(text.contains("1 到 600"), "--dpi {dpi}: {text}");
        assert!(!root_dir.join("page.png").exists(), "--dpi {dpi}");
    }
    let output = run(
        root_dir,
        &[
            "preview",
            "inputs/洛阳市",
            "--material",
            "1",
            "--dpi",
            "20",
            "-o",
            "page.png",
        ],
    );
    assert!(output.status.success(), "{}", said(&output));
    let png = std::fs::read(root_dir.join("page.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let again = run(
        root_dir,
        &[
            "preview",
            "inputs/洛阳市",
            "--material",
            "1",
            "--dpi",
            "20",
            "-o",
            "page.png",
        ],
    );
    assert!(
        again.status.success(),
        "a PNG may be replaced: {}",
        said(&again)
    );
    assert_eq!(hashes(&root_dir.join("inputs")), inputs);
}

/// Copies of the examples without their evidence, to keep the runs short.
fn light_applicants(root_dir: &Path, count: usize) -> Vec<PathBuf> {
    let examples = ["洛阳市", "许昌市", "西峡县"];
    (0..count)
        .map(|i| {
            let folder = root_dir.join("inputs").join(format!("申报单位{i:02}"));
            copy_dir(&root().join("inputs").join(examples[i % 3]), &folder);
            let yaml = folder.join("applicant.yaml");
            let text = std::fs::read_to_string(&yaml).unwrap();
            let cut = text.find("\nevidence:").unwrap();
            std::fs::write(&yaml, format!("{}\nevidence: []\n", &text[..cut])).unwrap();
            std::fs::remove_dir_all(folder.join("evidence")).unwrap();
            folder
        })
        .collect()
}

fn build_args<'a>(dirs: &'a [PathBuf], out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["build"];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    args.extend(["-o", out]);
    args.extend(extra);
    args
}

#[test]
fn stale_temporary_files_are_removed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = light_applicants(dir.path(), 1);
    let out = dir.path().join("out");
    let target = out.join("申报单位00");
    std::fs::create_dir_all(&target).unwrap();
    for stale in [".shenbao-a1B2c3.part", "申报单位00/.shenbao-Zz9yX8.part"] {
        std::fs::write(out.join(stale), "half a file").unwrap();
    }
    for kept in [".shenbao-notes.txt", "申报单位00/自己的说明.part"] {
        std::fs::write(out.join(kept), "a user's file").unwrap();
    }
    let output = run(dir.path(), &build_args(&dirs, "out", &[]));
    assert!(output.status.success(), "{}", said(&output));
    assert!(!out.join(".shenbao-a1B2c3.part").exists());
    assert!(!target.join(".shenbao-Zz9yX8.part").exists());
    assert!(out.join(".shenbao-notes.txt").exists());
    assert!(target.join("自己的说明.part").exists());
}

#[test]
fn a_second_run_into_a_busy_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = light_applicants(dir.path(), 6);
    let out = dir.path().join("out");
    let first = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(build_args(&dirs, "out", &["--jobs", "1"]))
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = out.join(".shenbao.lock");
    while !lock.exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let second = run(dir.path(), &build_args(&dirs, "out", &["--force"]));
    let merge = run(dir.path(), &["merge", "-o", "out"]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", said(&first));
    for (what, output) in [("build", second), ("merge", merge)] {
        let text = said(&output);
        assert_ne!(output.status.code(), Some(0), "{what}: {text}");
        assert!(text.contains("另一个 shenbao 正在写入"), "{what}: {text}");
    }
    assert_manifests_true(&out);
    let index = json(&out.join("manifest.json"));
    assert_eq!(index["complete"], true);
    assert_eq!(index["applicants"].as_array().unwrap().len(), 6);
    let third = run(dir.path(), &build_args(&dirs, "out", &[]));
    assert!(
        third.status.success(),
        "the lock is released: {}",
        said(&third)
    );
}

#[test]
fn merge_refuses_missing_mixed_and_unfinished_shards() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = light_applicants(dir.path(), 3);
    let shard = |k: &str, dirs: &[PathBuf]| {
        let output = run(dir.path(), &build_args(dirs, "out", &["--shard", k]));
        assert!(output.status.success(), "{k}: {}", said(&output));
    };
    let merge = || run(dir.path(), &["merge", "-o", "out"]);
    let out = dir.path().join("out");
    shard("1/3", &dirs);
    shard("3/3", &dirs);
    let output = merge();
    assert_eq!(output.status.code(), Some(2), "{}", said(&output));
    assert!(said(&output).contains("缺少分片 2/3"), "{}", said(&output));
    assert!(!out.join("manifest.json").exists());
    shard("2/2", &dirs);
    let output = merge();
    assert!(
        said(&output).contains("来自不同的运行"),
        "{}",
        said(&output)
    );
    assert!(!out.join("manifest.json").exists());
    std::fs::remove_file(out.join("manifest-shard-2-of-2.json")).unwrap();
    shard("2/3", &dirs[..2]);
    let output = merge();
    assert!(
        said(&output).contains("来自不同的运行"),
        "{}",
        said(&output)
    );
    shard("2/3", &dirs);
    let path = out.join("manifest-shard-2-of-3.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("\"complete\": true", "\"complete\": false"),
    )
    .unwrap();
    let output = merge();
    assert!(
        said(&output).contains("分片 2/3 的运行没有完成"),
        "{}",
        said(&output)
    );
    shard("2/3", &dirs);
    let output = merge();
    assert!(output.status.success(), "{}", said(&output));
    let index = json(&out.join("manifest.json"));
    assert_eq!(index["applicants"].as_array().unwrap().len(), 3);
    assert_manifests_true(&out);
}

#[test]
fn a_run_whose_index_cannot_be_written_fails() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = light_applicants(dir.path(), 1);
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("manifest.json")).unwrap();
    let output = run(dir.path(), &build_args(&dirs, "out", &[]));
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("manifest.json"), "{text}");
    assert_manifests_true(&out);
}

#[test]
fn ctrl_c_adds_no_interruption_to_an_applicant_that_had_failed() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = light_applicants(dir.path(), 30);
    set_line(&dirs[0].join("applicant.yaml"), "date:", "date: 2023-02-30");
    let child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(build_args(&dirs, "out", &["--jobs", "1"]))
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = said(&output);
    assert_eq!(output.status.code(), Some(130), "{text}");
    assert!(text.contains("不是真实存在的日期"), "{text}");
    assert!(text.contains("已中断"), "the run was cut short: {text}");
    assert!(
        !text
            .lines()
            .any(|l| l.contains("申报单位00") && l.contains("已中断")),
        "{text}"
    );
    assert_manifests_true(&dir.path().join("out"));
}

/// Removes one applicant from the example province's recommendation.
fn drop_county(province: &Path) {
    let yaml = province.join("province.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(
        &yaml,
        text.replace(
            "试点县: [西峡县, 新郑市, 林州市]",
            "试点县: [西峡县, 新郑市]",
        ),
    )
    .unwrap();
}

#[test]
fn a_package_removes_only_the_unchanged_files_its_index_listed() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("inputs"), &dir.path().join("inputs"));
    let out = dir.path().join("out");
    let package = || run(dir.path(), &["package", "inputs/河南省", "-o", "out"]);
    let first = package();
    assert!(first.status.success(), "{}", said(&first));
    let backup = out.join("洛阳市-备份");
    copy_dir(&out.join("洛阳市"), &backup);
    std::fs::write(out.join("林州市/盖章扫描件.pdf"), "%PDF a sealed scan").unwrap();
    std::fs::write(out.join("林州市/材料1-申报函.pdf"), "%PDF edited by hand").unwrap();
    std::fs::write(out.join("说明.txt"), "a user's note").unwrap();
    let backup_hashes = hashes(&backup);
    let listed: Vec<String> = json(&out.join("manifest.json"))["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .filter(|p| p.starts_with("林州市/") && p != "林州市/材料1-申报函.pdf")
        .collect();
    assert!(listed.len() > 5);
    let inputs = hashes(&dir.path().join("inputs"));
    drop_county(&dir.path().join("inputs/河南省"));
    let second = package();
    let text = said(&second);
    assert!(second.status.success(), "{text}");
    for path in &listed {
        assert!(!out.join(path).exists(), "{path} was left");
        assert!(
            text.contains(path.as_str()),
            "removing {path} was not said: {text}"
        );
    }
    assert!(text.contains("已保留"), "{text}");
    assert_eq!(
        hashes(&backup),
        backup_hashes,
        "the user's backup is intact"
    );
    assert!(out.join("林州市/盖章扫描件.pdf").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("林州市/材料1-申报函.pdf")).unwrap(),
        "%PDF edited by hand"
    );
    assert!(out.join("说明.txt").exists());
    assert_eq!(
        hashes(&dir.path().join("inputs")).len(),
        inputs.len(),
        "no input was removed"
    );
    let index = json(&out.join("manifest.json"));
    for file in index["files"].as_array().unwrap() {
        let bytes = std::fs::read(out.join(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(file["sha256"].as_str().unwrap(), sha256(&bytes));
    }
    assert!(!out.join(".shenbao-previous-package.json").exists());
    assert_manifests_true(&out);
}
