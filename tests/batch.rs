//! Batch rendering: print sets, manifests, reproducible bytes, incremental runs, shards, a clean
//! stop on Ctrl-C, one broken applicant among many, and the bad inputs of the batch issue. Memory
//! over hundreds of applicants is measured by the benchmark (`SHENBAO_BENCH_RSS=100,1000`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Copies of the examples, `count` of them, named 申报单位N, with the evidence list removed to
/// keep them light (the letter, report, plan and table still render in full).
fn many_applicants(root_dir: &Path, count: usize) -> Vec<PathBuf> {
    let examples = ["洛阳市", "许昌市", "西峡县"];
    (0..count)
        .map(|i| {
            let name = format!("申报单位{i:04}");
            let folder = root_dir.join(&name);
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

fn build(cwd: &Path, dirs: &[PathBuf], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec!["build".into()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    args.extend(["-o".into(), out.display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    shenbao(cwd, &args)
}

fn manifest(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn pages_of(pdf: &Path) -> usize {
    lopdf::Document::load(pdf).unwrap().get_pages().len()
}

fn even(n: usize) -> usize {
    n + n % 2
}

#[test]
fn print_sets_start_every_document_on_an_odd_page() {
    let (dir, applicant) = example("洛阳市");
    let out = dir.path().join("out");
    let output = build(dir.path(), &[applicant], &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let target = out.join("洛阳市");
    let pages: Vec<usize> = (1..=4)
        .map(|m| {
            let name = files_under(&target)
                .into_iter()
                .find(|f| f.starts_with(&format!("材料{m}-")) && f.ends_with(".pdf"))
                .unwrap();
            pages_of(&target.join(name))
        })
        .collect();
    let letters = target.join("印制-材料1（各3份）.pdf");
    assert_eq!(pages_of(&letters), 3 * even(pages[0]));
    let rest = target.join("印制-材料2、3、4（各2份）.pdf");
    assert_eq!(
        pages_of(&rest),
        2 * (even(pages[1]) + even(pages[2]) + even(pages[3]))
    );
    // The blank pages carry nothing: a page after an odd-length document is empty.
    let text = pdf_text(&rest);
    let per_page: Vec<&str> = text.split('\u{c}').collect();
    let blank_index = even(pages[1]) - 1;
    if pages[1] % 2 == 1 {
        assert!(
            per_page[blank_index].trim().is_empty(),
            "blank page has text: {:?}",
            per_page[blank_index]
        );
    }
    // The second copy prints the same pages, sharing the first copy's contents, fonts and
    // images: the set is barely larger than the documents themselves.
    let copy = per_page.len() / 2;
    assert_eq!(per_page[..copy], per_page[copy..2 * copy]);
    let single: u64 = (2..=4)
        .map(|m| {
            let name = files_under(&target)
                .into_iter()
                .find(|f| f.starts_with(&format!("材料{m}-")) && f.ends_with(".pdf"))
                .unwrap();
            std::fs::metadata(target.join(name)).unwrap().len()
        })
        .sum();
    let joined = std::fs::metadata(&rest).unwrap().len();
    assert!(
        joined < single * 13 / 10,
        "two copies take {joined} bytes, one copy of each document {single}"
    );
    let blanks = per_page.iter().filter(|p| p.trim().is_empty()).count();
    let expected: usize = 2 * pages[1..].iter().map(|p| p % 2).sum::<usize>();
    assert!(
        blanks >= expected,
        "{blanks} blank pages, expected at least {expected}"
    );
    let json = manifest(&target.join("manifest.json"));
    let sets: Vec<&serde_json::Value> = json["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "print-set")
        .collect();
    assert_eq!(sets.len(), 2);
    for set in sets {
        assert_eq!(
            set["sheets"].as_u64().unwrap() * 2,
            set["pages"].as_u64().unwrap()
        );
    }
}

#[test]
fn a_separator_sheet_goes_between_copies() {
    let (dir, applicant) = example("许昌市");
    let out = dir.path().join("out");
    assert!(
        build(dir.path(), std::slice::from_ref(&applicant), &out, &[])
            .status
            .success()
    );
    let plain = pages_of(&out.join("许昌市/印制-材料1（各3份）.pdf"));
    assert!(
        build(dir.path(), &[applicant], &out, &["--separator"])
            .status
            .success()
    );
    assert_eq!(
        pages_of(&out.join("许昌市/印制-材料1（各3份）.pdf")),
        plain + 2 * 2
    );
}

#[test]
fn manifests_list_every_output_with_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 3);
    let out = dir.path().join("out");
    let output = build(dir.path(), &dirs, &out, &[]);
    assert!(output.status.success(), "{}", said(&output));
    let index = manifest(&out.join("manifest.json"));
    assert_eq!(index["applicants"].as_array().unwrap().len(), 3);
    for entry in index["applicants"].as_array().unwrap() {
        let target = out.join(entry["folder"].as_str().unwrap());
        let json = manifest(&out.join(entry["manifest"].as_str().unwrap()));
        let outputs = json["outputs"].as_array().unwrap();
        assert_eq!(
            outputs.len(),
            12,
            "four PDFs, two print sets, three Word files, the zip, the e-mail draft and the data bundle"
        );
        for output in outputs {
            let bytes = std::fs::read(target.join(output["path"].as_str().unwrap())).unwrap();
            assert_eq!(
                output["sha256"].as_str().unwrap(),
                shenbao::assemble::sha256(&bytes)
            );
            let paged = ["pdf", "print-set"].contains(&output["kind"].as_str().unwrap());
            assert_eq!(output["pages"].as_u64().is_some_and(|p| p > 0), paged);
            assert!(
                ["pdf", "print-set", "docx", "bundle", "email", "data"]
                    .contains(&output["kind"].as_str().unwrap())
            );
        }
    }
}

fn hashes(out: &Path) -> Vec<(String, String)> {
    files_under(out)
        .into_iter()
        .map(|f| {
            (
                f.clone(),
                shenbao::assemble::sha256(&std::fs::read(out.join(&f)).unwrap()),
            )
        })
        .collect()
}

#[test]
fn the_same_inputs_give_the_same_bytes_whatever_the_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 4);
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    assert!(
        build(dir.path(), &dirs, &one, &["--jobs", "1"])
            .status
            .success()
    );
    let later = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["build", "-o", two.to_str().unwrap(), "--jobs", "2"])
        .args(&dirs)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(later.status.success(), "{}", said(&later));
    let first = hashes(&one);
    assert!(first.len() >= 4 * 7);
    assert_eq!(first, hashes(&two));
}

#[test]
fn a_second_run_renders_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 2);
    let out = dir.path().join("out");
    assert!(build(dir.path(), &dirs, &out, &[]).status.success());
    let letter = out.join("申报单位0000/材料1-申报函.pdf");
    let report = out.join("申报单位0000/材料2-创建工作报告.pdf");
    let modified = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let (letter_before, report_before) = (modified(&letter), modified(&report));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let markdown = dirs[0].join("创建工作报告.md");
    let text = std::fs::read_to_string(&markdown).unwrap();
    std::fs::write(&markdown, format!("{text}\n补充一段说明。\n")).unwrap();
    assert!(build(dir.path(), &dirs, &out, &[]).status.success());
    assert_eq!(
        modified(&letter),
        letter_before,
        "the unchanged letter was rendered again"
    );
    assert_ne!(
        modified(&report),
        report_before,
        "the changed report was not rendered again"
    );
    assert!(
        build(dir.path(), &dirs, &out, &["--force"])
            .status
            .success()
    );
    assert_ne!(
        modified(&letter),
        letter_before,
        "--force renders everything"
    );
}

#[test]
fn shards_cover_the_batch_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 5);
    let out = dir.path().join("out");
    for k in 1..=2 {
        let shard = format!("{k}/2");
        assert!(
            build(dir.path(), &dirs, &out, &["--shard", &shard])
                .status
                .success()
        );
    }
    let output = shenbao(dir.path(), &["merge", "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", said(&output));
    let index = manifest(&out.join("manifest.json"));
    let folders: Vec<&str> = index["applicants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["folder"].as_str().unwrap())
        .collect();
    assert_eq!(
        folders,
        [
            "申报单位0000",
            "申报单位0001",
            "申报单位0002",
            "申报单位0003",
            "申报单位0004"
        ]
    );
    let first = manifest(&out.join("manifest-shard-1-of-2.json"));
    assert_eq!(first["applicants"].as_array().unwrap().len(), 3);
}

#[test]
fn two_applicants_writing_to_one_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("甲").join("洛阳市");
    let b = dir.path().join("乙").join("洛阳市");
    copy_dir(&root().join("inputs/洛阳市"), &a);
    copy_dir(&root().join("inputs/洛阳市"), &b);
    let out = dir.path().join("out");
    let output = build(dir.path(), &[a, b], &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        said(&output).contains("输出到同一个目录"),
        "{}",
        said(&output)
    );
    assert!(said(&output).contains("乙/洛阳市"), "{}", said(&output));
}

#[test]
fn two_dozen_applicants_of_which_three_are_broken() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 24);
    for broken in [7, 12, 23] {
        let yaml = dirs[broken].join("applicant.yaml");
        let text = std::fs::read_to_string(&yaml).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("date:"))
            .unwrap()
            .to_string();
        std::fs::write(&yaml, text.replace(&line, "date: 2023-02-30")).unwrap();
    }
    let out = dir.path().join("out");
    let output = build(dir.path(), &dirs, &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    let said = said(&output);
    assert!(said.contains("共 24 个申报目录，3 个未通过"), "{said}");
    let index = manifest(&out.join("manifest.json"));
    let entries = index["applicants"].as_array().unwrap();
    assert_eq!(entries.iter().filter(|a| a["ok"] == true).count(), 21);
    for broken in [7, 12, 23] {
        let folder = format!("申报单位{broken:04}");
        let entry = entries
            .iter()
            .find(|a| a["folder"] == folder.as_str())
            .unwrap();
        assert_eq!(entry["ok"], false);
        assert!(
            entry["errors"][0]
                .as_str()
                .unwrap()
                .contains("不是真实存在的日期")
        );
        assert!(
            !out.join(&folder).exists(),
            "nothing is written for a broken applicant"
        );
    }
}

#[test]
fn ctrl_c_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 30);
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["build", "--jobs", "2", "-o", out.to_str().unwrap()])
        .args(&dirs)
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "interrupted run exits 130");
    let files = files_under(&out);
    assert!(
        files
            .iter()
            .all(|f| !f.contains(".shenbao-") && !f.ends_with(".part")),
        "{files:?}"
    );
    let pdfs: Vec<&String> = files.iter().filter(|f| f.ends_with(".pdf")).collect();
    assert!(
        !pdfs.is_empty() && pdfs.len() < 30 * 6,
        "the run was cut short: {} PDFs",
        pdfs.len()
    );
    for pdf in pdfs {
        assert!(
            lopdf::Document::load(out.join(pdf)).is_ok(),
            "{pdf} is incomplete"
        );
    }
}

#[test]
fn an_applicant_folder_removed_during_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 20);
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(["build", "--jobs", "2", "-o", out.to_str().unwrap()])
        .args(&dirs)
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::fs::remove_dir_all(&dirs[19]).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("申报材料目录不存在"), "{said}");
    let index = manifest(&out.join("manifest.json"));
    assert_eq!(
        index["applicants"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["ok"] == true)
            .count(),
        19
    );
    assert!(files_under(&out).iter().all(|f| !f.contains(".shenbao-")));
}

/// An output folder on a disk that fills up during the run: a 700 KiB tmpfs mounted in a private
/// mount namespace (`unshare`), so the test needs no privileges beyond a user namespace. The run
/// must say the disk is full, in Chinese, and leave only complete files: no temporary file and no
/// PDF that poppler cannot open.
#[test]
fn an_output_folder_that_fills_up_leaves_only_complete_files() {
    let (dir, applicant) = example("洛阳市");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=700k tmpfs '{out}' && echo MOUNTED && \
         '{bin}' build '{applicant}' -o '{out}'; echo \"EXIT $?\"; \
         find '{out}' -type f | sed 's/^/FILE /'; \
         for f in $(find '{out}' -name '*.pdf'); do pdfinfo \"$f\" >/dev/null 2>&1 || echo \"CORRUPT $f\"; done",
        out = out.display(),
        bin = env!("CARGO_BIN_EXE_shenbao"),
        applicant = applicant.display(),
    );
    let output = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .current_dir(dir.path())
        .output()
        .expect("unshare runs");
    let text = said(&output);
    assert!(
        text.contains("MOUNTED"),
        "the small disk could be mounted: {text}"
    );
    assert!(text.contains("EXIT 1"), "the run fails: {text}");
    assert!(text.contains("无法写入输出文件（磁盘已满"), "{text}");
    assert!(text.contains("洛阳市：生成未通过"), "{text}");
    let files: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("FILE "))
        .collect();
    assert!(!files.is_empty(), "some documents fitted: {text}");
    assert!(
        files
            .iter()
            .all(|f| !f.contains(".shenbao-") && !f.ends_with(".part")),
        "no temporary file is left: {files:?}"
    );
    assert!(
        !text.contains("CORRUPT"),
        "every PDF left is complete: {text}"
    );
    assert!(
        !files.iter().any(|f| f.ends_with("洛阳市/manifest.json")),
        "a failed applicant gets no manifest: {files:?}"
    );
}

/// The run's fingerprint covers the template files that can shape a document, not the notes
/// beside them: editing a template folder's README re-renders nothing, editing its wording does.
#[test]
fn a_note_in_the_template_folder_renders_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = many_applicants(dir.path(), 1);
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("README.md"), "我们的模板。\n").unwrap();
    let letter_tera = root().join("templates/letter.tera");
    std::fs::copy(&letter_tera, templates.join("letter.tera")).unwrap();
    let out = dir.path().join("out");
    let with = ["--templates", templates.to_str().unwrap()];
    assert!(build(dir.path(), &dirs, &out, &with).status.success());
    let letter = out.join("申报单位0000/材料1-申报函.pdf");
    let modified = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let before = modified(&letter);
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(templates.join("README.md"), "我们的模板，已改。\n").unwrap();
    assert!(build(dir.path(), &dirs, &out, &with).status.success());
    assert_eq!(modified(&letter), before, "a note re-rendered the letter");
    let wording = std::fs::read_to_string(&letter_tera).unwrap();
    std::fs::write(
        templates.join("letter.tera"),
        format!("{wording}\n特此函告。\n"),
    )
    .unwrap();
    assert!(build(dir.path(), &dirs, &out, &with).status.success());
    assert_ne!(
        modified(&letter),
        before,
        "the changed wording did not re-render the letter"
    );
}
