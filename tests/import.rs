//! The data bundle and `shenbao import`: a built applicant's `<申报单位>-申报数据.zip` unpacks
//! into a folder that builds to the same bytes; a second import of the same applicant goes
//! beside the first without touching it; hostile bundles are refused, all in one run, with
//! nothing written.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use common::*;

/// `sha256` of every file under `dir`, by relative path.
fn hashes(dir: &Path) -> Vec<(String, String)> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, shenbao::assemble::sha256(&bytes))
        })
        .collect()
}

/// Builds copies of the examples `names` in `root_dir/inputs` into `root_dir/out`.
fn built(root_dir: &Path, names: &[&str]) -> PathBuf {
    let mut args = vec!["build".to_string()];
    for name in names {
        copy_dir(
            &root().join("inputs").join(name),
            &root_dir.join("inputs").join(name),
        );
        args.push(format!("inputs/{name}"));
    }
    args.extend(["-o".to_string(), "out".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = shenbao(root_dir, &args);
    assert!(output.status.success(), "{}", said(&output));
    root_dir.join("out")
}

fn bundle_of(out: &Path, name: &str) -> String {
    format!("{}/{name}/{name}-申报数据.zip", out.display())
}

#[test]
fn an_imported_bundle_builds_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = built(dir.path(), &["洛阳市", "许昌市"]);
    let bundles = [bundle_of(&out, "洛阳市"), bundle_of(&out, "许昌市")];
    let output = shenbao(
        dir.path(),
        &["import", &bundles[0], &bundles[1], "-o", "received"],
    );
    let text = said(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("已导入到 received/洛阳市"), "{text}");
    assert!(text.contains("received/许昌市：检查通过"), "{text}");
    for name in ["洛阳市", "许昌市"] {
        let original = dir.path().join("inputs").join(name);
        let imported = dir.path().join("received").join(name);
        for (file, hash) in hashes(&imported) {
            let bytes = std::fs::read(original.join(&file)).unwrap();
            assert_eq!(hash, shenbao::assemble::sha256(&bytes), "{name}/{file}");
        }
        let files = files_under(&imported);
        assert!(files.contains(&"applicant.yaml".to_string()), "{files:?}");
        assert!(
            files.iter().any(|f| f.starts_with("evidence/")),
            "{files:?}"
        );
    }
    assert!(
        files_under(&dir.path().join("received/许昌市"))
            .iter()
            .any(|f| f.ends_with(".docx")),
        "许昌市's drafts are Word files"
    );
    let again = shenbao(
        dir.path(),
        &["build", "received/洛阳市", "received/许昌市", "-o", "again"],
    );
    assert!(again.status.success(), "{}", said(&again));
    for name in ["洛阳市", "许昌市"] {
        let first = hashes(&out.join(name));
        let second = hashes(&dir.path().join("again").join(name));
        let made = |files: &[(String, String)]| -> Vec<(String, String)> {
            files
                .iter()
                .filter(|(f, _)| f != "manifest.json")
                .cloned()
                .collect()
        };
        assert_eq!(made(&first).len(), 12, "{first:?}");
        assert_eq!(
            made(&first),
            made(&second),
            "{name}: PDFs, Word files, zips"
        );
    }
}

#[test]
fn a_second_import_goes_beside_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = built(dir.path(), &["洛阳市"]);
    let bundle = bundle_of(&out, "洛阳市");
    let first = shenbao(dir.path(), &["import", &bundle, "-o", "received"]);
    assert!(first.status.success(), "{}", said(&first));
    let kept = dir.path().join("received/洛阳市");
    std::fs::write(kept.join("evidence/备注.txt"), "省中心的笔记").unwrap();
    let before = hashes(&kept);
    let second = shenbao(dir.path(), &["import", &bundle, "-o", "received"]);
    let text = said(&second);
    assert!(second.status.success(), "{text}");
    assert!(
        text.contains("received/洛阳市 已存在，未作改动")
            && text.contains("received/洛阳市（导入2）"),
        "{text}"
    );
    assert_eq!(hashes(&kept), before, "the first import is untouched");
    let beside = dir.path().join("received/洛阳市（导入2）");
    assert_eq!(
        hashes(&beside),
        hashes(&kept)
            .into_iter()
            .filter(|(f, _)| f != "evidence/备注.txt")
            .collect::<Vec<_>>()
    );
    let third = shenbao(dir.path(), &["import", &bundle, "-o", "received"]);
    assert!(
        said(&third).contains("received/洛阳市（导入3）"),
        "{}",
        said(&third)
    );
}

/// A zip of `entries` (name, bytes), deflated, the names as the zip writer takes them.
fn plain_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A zip of a few `entries` (name, bytes), deflated. Names are written as given, byte for byte:
/// each is first written as a placeholder of the same length, then replaced in the archive, so
/// no writer can tidy a hostile name.
fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut swaps = Vec::new();
    for (index, (name, bytes)) in entries.iter().enumerate() {
        let mark = char::from(b'a' + index as u8);
        let placeholder = format!("{}{mark}", "Q".repeat(name.len() - 1));
        writer.start_file(placeholder.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
        swaps.push((placeholder, name.to_string()));
    }
    let mut zip = writer.finish().unwrap().into_inner();
    for (placeholder, name) in swaps {
        replace_all(&mut zip, placeholder.as_bytes(), name.as_bytes());
    }
    zip
}

fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    let mut at = 0;
    while at + from.len() <= bytes.len() {
        if &bytes[at..at + from.len()] == from {
            bytes[at..at + from.len()].copy_from_slice(to);
            at += from.len();
        } else {
            at += 1;
        }
    }
}

/// Makes every header of `zip` declare `size` bytes unpacked.
fn declare_sizes(zip: &mut [u8], size: u32) {
    for at in 0..zip.len() - 4 {
        let field = match &zip[at..at + 4] {
            b"PK\x03\x04" => at + 22,
            b"PK\x01\x02" => at + 24,
            _ => continue,
        };
        zip[field..field + 4].copy_from_slice(&size.to_le_bytes());
    }
}

#[test]
fn hostile_bundles_are_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read(root().join("inputs/洛阳市/applicant.yaml")).unwrap();
    let pdf = std::fs::read(root().join("inputs/洛阳市/evidence/01-1.pdf")).unwrap();
    let with_yaml =
        |name: &str, bytes: Vec<u8>| zip_of(&[("applicant.yaml", yaml.clone()), (name, bytes)]);
    let mut bundles: Vec<(&str, Vec<u8>, &str)> = vec![
        ("上一级.zip", with_yaml("../x", b"x".to_vec()), "../x"),
        ("绝对.zip", with_yaml("/abs", b"x".to_vec()), "/abs"),
        (
            "绕出.zip",
            with_yaml("evidence/../../x", b"x".to_vec()),
            "evidence/../../x",
        ),
        ("盘符.zip", with_yaml("C:\\x", b"x".to_vec()), "C:\\x"),
        (
            "脚本.zip",
            with_yaml("run.sh", b"rm -rf /".to_vec()),
            "run.sh",
        ),
        (
            "假佐证.zip",
            with_yaml("evidence/01-1.pdf", b"MZ not a pdf".to_vec()),
            "evidence/01-1.pdf",
        ),
        (
            "缺申报信息.zip",
            zip_of(&[("创建工作报告.md", b"# x".to_vec())]),
            "没有 applicant.yaml",
        ),
        (
            "不是压缩包.zip",
            b"just some text".to_vec(),
            "不是 zip 压缩包",
        ),
    ];
    let mut link = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    link.start_file("applicant.yaml", options).unwrap();
    link.write_all(&yaml).unwrap();
    link.add_symlink("evidence/01-1.pdf", "/etc/passwd", options)
        .unwrap();
    bundles.push(("链接.zip", link.finish().unwrap().into_inner(), "符号链接"));
    let mut huge = with_yaml("evidence/01-1.pdf", pdf.clone());
    declare_sizes(&mut huge, 0xFFFF_FFF0);
    bundles.push(("声称巨大.zip", huge, "疑似压缩炸弹"));
    let mut liar = with_yaml("evidence/01-1.pdf", {
        let mut bomb = pdf.clone();
        bomb.resize(201 * 1024 * 1024, b'%');
        bomb
    });
    declare_sizes(&mut liar, 1000);
    assert!(liar.len() < 2 * 1024 * 1024, "a small file");
    bundles.push(("谎报大小.zip", liar, "evidence/01-1.pdf"));
    let crowd: Vec<(String, Vec<u8>)> = (0..1001)
        .map(|i| (format!("evidence/{i}.pdf"), pdf[..8].to_vec()))
        .collect();
    bundles.push(("太多.zip", plain_zip(&crowd), "超过上限 1000 个"));
    std::fs::create_dir(dir.path().join("sent")).unwrap();
    for (name, bytes, _) in &bundles {
        std::fs::write(dir.path().join("sent").join(name), bytes).unwrap();
    }
    // What a killed import leaves: removed by the next one.
    std::fs::create_dir_all(dir.path().join("received/.shenbao-Ab12cd.import/evidence")).unwrap();
    let mut args = vec!["import".to_string()];
    args.extend(bundles.iter().map(|(name, _, _)| format!("sent/{name}")));
    args.extend(["-o".to_string(), "received".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = shenbao(dir.path(), &args);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    for (name, _, what) in &bundles {
        let refused = format!("sent/{name}：导入未通过");
        assert!(text.contains(&refused), "{name} refused: {text}");
        let said_here = text
            .split(&refused)
            .next()
            .unwrap()
            .rsplit("未写入任何文件")
            .next()
            .unwrap();
        assert!(
            said_here.contains(&format!("sent/{name}")) && said_here.contains(what),
            "{name}: {what} in {said_here}"
        );
        assert!(said_here.contains("修改建议"), "{name}: {said_here}");
    }
    assert!(
        text.contains("已移除上次中断的导入留下的临时目录"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "共 {} 个压缩包：{} 个未能导入",
            bundles.len(),
            bundles.len()
        )),
        "{text}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path().join("received"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.is_empty(),
        "nothing, not even a temporary folder: {left:?}"
    );
    assert!(!dir.path().join("x").exists() && !dir.path().join("received/x").exists());
}

#[test]
fn a_bundle_refused_after_a_good_one_leaves_the_good_one_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = built(dir.path(), &["洛阳市"]);
    let yaml = std::fs::read(dir.path().join("inputs/洛阳市/applicant.yaml")).unwrap();
    std::fs::write(
        dir.path().join("坏.zip"),
        zip_of(&[("applicant.yaml", yaml), ("run.sh", b"x".to_vec())]),
    )
    .unwrap();
    let good = bundle_of(&out, "洛阳市");
    let output = shenbao(dir.path(), &["import", &good, "坏.zip", "-o", "received"]);
    let text = said(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("坏.zip!run.sh"), "{text}");
    let names: Vec<_> = std::fs::read_dir(dir.path().join("received"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["洛阳市"]);
}

/// The bundle's name is data: `data_bundle_suffix` in `notice.yaml` names it, and an import with
/// the same templates reads it back.
#[test]
fn the_bundle_suffix_comes_from_the_notice() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("我的模板");
    std::fs::create_dir_all(&templates).unwrap();
    let notice = std::fs::read_to_string(root().join("templates/notice.yaml")).unwrap();
    assert!(notice.contains("\ndata_bundle_suffix: -申报数据\n"));
    let edited = notice.replace(
        "\ndata_bundle_suffix: -申报数据\n",
        "\ndata_bundle_suffix: -数据包\n",
    );
    std::fs::write(templates.join("notice.yaml"), edited).unwrap();
    let applicant = dir.path().join("inputs/洛阳市");
    copy_dir(&root().join("inputs/洛阳市"), &applicant);
    let out = dir.path().join("out");
    let output = build_with_templates(dir.path(), &applicant, &out, &templates);
    assert!(output.status.success(), "{}", said(&output));
    let files = files_under(&out.join("洛阳市"));
    assert!(
        files.contains(&"洛阳市-数据包.zip".to_string()),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.contains("申报数据")), "{files:?}");
    let bundle = out.join("洛阳市/洛阳市-数据包.zip");
    let output = shenbao(
        dir.path(),
        &[
            "import",
            bundle.to_str().unwrap(),
            "-o",
            "received",
            "--templates",
            templates.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", said(&output));
    assert!(
        said(&output).contains("已导入到 received/洛阳市"),
        "{}",
        said(&output)
    );
}
