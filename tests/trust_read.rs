//! Hostile input on the reading side: every path that data names stays in its folder and is a
//! regular file read under its cap (a secret outside, `/dev/zero` and a FIFO are refused, nothing
//! hangs), names that become file names cannot form a path, workbooks with a far cell or a zip
//! bomb are refused quickly with the place named, evidence whose header lies, that is truncated,
//! damaged or encrypted is refused at `check`, and an empty `letter.body` is an error. Each case
//! runs through the real binary, `check` and then one `build` of all of them beside a clean
//! applicant that still builds; the inputs are unchanged by sha256, and no output names or
//! contains what lies outside.

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rust_xlsxwriter::Workbook;
use sha2::{Digest, Sha256};

use common::*;

/// What no output may ever contain: the secret file beside the inputs.
const SECRET: &str = "SECRET-3f9a1c-DO-NOT-PRINT";

/// Runs `shenbao ARGS` in `cwd`, killed (and the test failed) if it takes longer than `limit`:
/// a hang on a FIFO or `/dev/zero` must fail the test, not stall it.
fn run(cwd: &Path, args: &[&str], limit: Duration) -> (i32, String) {
    let log = tempfile::tempdir().unwrap();
    let (out, err) = (log.path().join("out"), log.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("shenbao {args:?} did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&std::fs::read(out).unwrap()),
        String::from_utf8_lossy(&std::fs::read(err).unwrap())
    );
    (status.code().unwrap_or(-1), said)
}

/// The sha256 of every regular file under `dir` (links and special files are not followed).
fn hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                let digest = Sha256::digest(std::fs::read(entry.path()).unwrap());
                found.insert(entry.path(), format!("{digest:x}"));
            }
        }
    }
    found
}

/// Replaces the line of `applicant.yaml` in `applicant` that starts with `prefix` (after
/// indentation) by `line`; returns the place of the value in it as `applicant.yaml:L:C`.
fn set_line(applicant: &Path, prefix: &str, line: &str) -> String {
    let file = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let index = lines
        .iter()
        .position(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix}"));
    lines[index] = line.to_string();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    place(index, line)
}

/// Inserts `line` after the line starting with `prefix`; returns the place of its value.
fn insert_after(applicant: &Path, prefix: &str, line: &str) -> String {
    let file = applicant.join("applicant.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let index = lines
        .iter()
        .position(|l| l.trim_start().starts_with(prefix))
        .unwrap()
        + 1;
    lines.insert(index, line.to_string());
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    place(index, line)
}

/// `applicant.yaml:L:C` of the value of `line`, the `index`-th line (0-based).
fn place(index: usize, line: &str) -> String {
    let value = line.find(": ").unwrap() + 2;
    let column = line[..value].chars().count() + 1;
    format!("applicant.yaml:{}:{column}", index + 1)
}

/// The place of the value of the line starting with `prefix` in `applicant.yaml`.
fn place_of(applicant: &Path, prefix: &str) -> String {
    let text = std::fs::read_to_string(applicant.join("applicant.yaml")).unwrap();
    let (index, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with(prefix))
        .unwrap();
    place(index, line)
}

/// An assessment workbook with its header and one value in the sheet's last cell.
fn far_cell_workbook(path: &Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("附件3").unwrap();
    sheet.write(0, 0, "序号").unwrap();
    sheet.write(0, 1, "完成情况").unwrap();
    sheet.write(1048575, 16383, "x").unwrap();
    book.save(path).unwrap();
}

/// A zip that names itself a workbook and holds one sheet that inflates to 300 MB of spaces.
fn zip_bomb(path: &Path) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    writer.start_file("[Content_Types].xml", options).unwrap();
    writer.write_all(b"<Types/>").unwrap();
    writer
        .start_file("xl/worksheets/sheet1.xml", options)
        .unwrap();
    let block = vec![b' '; 1 << 20];
    for _ in 0..300 {
        writer.write_all(&block).unwrap();
    }
    writer.finish().unwrap();
    let size = std::fs::metadata(path).unwrap().len();
    assert!(size < 2 << 20, "the bomb is small: {size} bytes");
}

/// A PNG whose header claims 100000×100000 pixels, followed by a few bytes of image data.
fn lying_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 100_000, 100_000);
    encoder.set_color(png::ColorType::Rgba);
    drop(encoder.write_header().unwrap());
    let end = bytes.len() - 12;
    let iend = bytes.split_off(end);
    let data = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
    bytes.extend((data.len() as u32).to_be_bytes());
    let chunk: Vec<u8> = b"IDAT".iter().chain(&data).copied().collect();
    bytes.extend(&chunk);
    bytes.extend(crc32(&chunk).to_be_bytes());
    bytes.extend(iend);
    assert!(bytes.len() < 100, "{} bytes", bytes.len());
    bytes
}

/// The CRC-32 of a PNG chunk (type and data).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The example JPEG with its frame header claiming 65500×65500 pixels.
fn lying_jpeg(real: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(real).unwrap();
    let sof = (2..bytes.len() - 9)
        .find(|&i| bytes[i] == 0xFF && matches!(bytes[i + 1], 0xC0..=0xC2))
        .expect("a frame header");
    for offset in [sof + 5, sof + 7] {
        bytes[offset..offset + 2].copy_from_slice(&65500u16.to_be_bytes());
    }
    bytes
}

/// A one-page PDF encrypted with `user` as the password to open it and `owner` to change it.
fn encrypted_pdf(user: &str, owner: &str) -> Vec<u8> {
    use lopdf::{Document, EncryptionState, EncryptionVersion, Object, Permissions};
    use lopdf::{Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::string_literal(b"0123456789abcdef"),
            Object::string_literal(b"fedcba9876543210"),
        ]),
    );
    let pages_id = doc.new_object_id();
    let content = Stream::new(dictionary! {}, b"0 0 m 100 100 l S".to_vec());
    let content_id = doc.add_object(content);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: owner,
        user_password: user,
        key_length: 128,
        permissions: Permissions::empty(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    pdf
}

/// One hostile applicant: its folder name, and the message and place its error must show.
struct Case {
    folder: &'static str,
    message: String,
    place: String,
}

/// Copies 洛阳市 to `inputs/<folder>` under `root` and spoils it with `spoil`, which returns the
/// expected message and the place (relative to the folder) it must be reported at.
fn case(root: &Path, folder: &'static str, spoil: impl FnOnce(&Path) -> (String, String)) -> Case {
    let applicant = root.join("inputs").join(folder);
    copy_dir(&common::root().join("inputs/洛阳市"), &applicant);
    let (message, place) = spoil(&applicant);
    Case {
        folder,
        message,
        place: format!("inputs/{folder}/{place}"),
    }
}

fn hostile_cases(root: &Path) -> Vec<Case> {
    let secret = root.join("secret.md");
    let luoyang = common::root().join("inputs/洛阳市");
    vec![
        case(root, "passwd", |a| {
            let at = set_line(a, "report:", "report: ../../../../etc/passwd");
            (
                "字段 report 所指的文件“../../../../etc/passwd”位于申报目录之外".into(),
                at,
            )
        }),
        case(root, "absolute", |a| {
            let line = format!("report: {}", secret.display());
            let at = set_line(a, "report:", &line);
            let message = format!(
                "字段 report 所指的文件“{}”位于申报目录之外（写的是绝对路径）",
                secret.display()
            );
            (message, at)
        }),
        case(root, "link", |a| {
            std::os::unix::fs::symlink("../../secret.md", a.join("link.md")).unwrap();
            let at = set_line(a, "plan:", "plan: link.md");
            ("字段 plan 所指的文件“link.md”位于申报目录之外".into(), at)
        }),
        case(root, "zero", |a| {
            let at = set_line(a, "report:", "report: /dev/zero");
            std::os::unix::fs::symlink("/dev/zero", a.join("zero.md")).unwrap();
            set_line(a, "plan:", "plan: zero.md");
            (
                "字段 report 所指的文件“/dev/zero”位于申报目录之外".into(),
                at,
            )
        }),
        case(root, "fifo", |a| {
            let made = Command::new("mkfifo").arg(a.join("pipe.md")).status();
            assert!(made.unwrap().success());
            let at = set_line(a, "report:", "report: pipe.md");
            (
                "字段 report 所指的文件“pipe.md”不是普通文件，而是命名管道（FIFO）".into(),
                at,
            )
        }),
        case(root, "name", |a| {
            let at = set_line(a, "name:", "name: ../../inputs/西峡县/evidence/zz");
            (
                "申报单位名称“../../inputs/西峡县/evidence/zz”含有不能用于文件名的字符“/”".into(),
                at,
            )
        }),
        case(root, "body", |a| {
            let at = insert_after(a, "number:", "  body: []");
            ("字段 letter.body 是空列表".into(), at)
        }),
        case(root, "attachments", |a| {
            let at = insert_after(a, "number:", "  attachments: []");
            ("字段 letter.attachments 是空列表".into(), at)
        }),
        case(root, "farcell", |a| {
            far_cell_workbook(&a.join("测评表.xlsx"));
            (
                "测评表的单元格 附件3!XFD1048576 离其余内容太远".into(),
                "测评表.xlsx!附件3!XFD1048576".into(),
            )
        }),
        case(root, "bomb", |a| {
            zip_bomb(&a.join("测评表.xlsx"));
            ("测评表工作簿解压后超过上限".into(), "测评表.xlsx".into())
        }),
        case(root, "pnglie", |a| {
            std::fs::write(a.join("evidence/19-1.png"), lying_png()).unwrap();
            let at = place_of(a, "file: evidence/19-1.png");
            (
                "佐证材料“evidence/19-1.png”的尺寸为 100000×100000 像素，超过上限".into(),
                at,
            )
        }),
        case(root, "jpeglie", |a| {
            let jpeg = lying_jpeg(&luoyang.join("evidence/21-1.jpg"));
            std::fs::write(a.join("evidence/21-1.jpg"), jpeg).unwrap();
            let at = place_of(a, "file: evidence/21-1.jpg");
            ("佐证材料“evidence/21-1.jpg”的尺寸".into(), at)
        }),
        case(root, "pngcut", |a| {
            let png = std::fs::read(luoyang.join("evidence/19-1.png")).unwrap();
            std::fs::write(a.join("evidence/19-1.png"), &png[..png.len() / 2]).unwrap();
            let at = place_of(a, "file: evidence/19-1.png");
            ("佐证材料“evidence/19-1.png”已损坏或不完整".into(), at)
        }),
        case(root, "pdfbad", |a| {
            std::fs::write(a.join("evidence/01-1.pdf"), "%PDF-1.7\ngarbage").unwrap();
            let at = place_of(a, "file: evidence/01-1.pdf");
            ("佐证材料“evidence/01-1.pdf”是损坏的 PDF".into(), at)
        }),
        case(root, "pdflocked", |a| {
            let pdf = encrypted_pdf("open-sesame", "owner");
            std::fs::write(a.join("evidence/02-1.pdf"), pdf).unwrap();
            let at = place_of(a, "file: evidence/02-1.pdf");
            (
                "佐证材料“evidence/02-1.pdf”已加密（需要密码才能打开）".into(),
                at,
            )
        }),
    ]
}

#[test]
fn hostile_inputs_fail_check_and_build_while_a_clean_applicant_builds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("secret.md"),
        format!("# 申报条件符合情况\n{SECRET}\n"),
    )
    .unwrap();
    let cases = hostile_cases(root);
    let clean = root.join("inputs/clean");
    copy_dir(&common::root().join("inputs/许昌市"), &clean);
    let owner_only = encrypted_pdf("", "owner-secret");
    std::fs::write(clean.join("evidence/03-1.pdf"), owner_only).unwrap();
    let before = hashes(root);

    let mut folders: Vec<String> = cases
        .iter()
        .map(|c| format!("inputs/{}", c.folder))
        .collect();
    folders.push("inputs/clean".into());
    let mut args: Vec<&str> = vec!["check"];
    args.extend(folders.iter().map(String::as_str));
    let (code, checked) = run(root, &args, Duration::from_secs(180));
    assert_eq!(code, 1, "{checked}");
    for case in &cases {
        let wanted = format!("{}：{}", case.place, case.message);
        assert!(
            checked.contains(&wanted),
            "{}: wanted “{wanted}” in\n{checked}",
            case.folder
        );
    }
    assert!(
        !checked.contains("inputs/clean/applicant.yaml"),
        "{checked}"
    );

    args[0] = "build";
    args.extend(["-o", "out"]);
    let (code, built) = run(root, &args, Duration::from_secs(900));
    assert_eq!(code, 1, "{built}");
    for case in &cases {
        assert!(built.contains(&case.message), "{}: {built}", case.folder);
        let out = root.join("out").join(case.folder);
        assert!(
            files_under(&out).is_empty(),
            "{}: {:?}",
            case.folder,
            files_under(&out)
        );
    }
    for material in [
        "材料1-申报函.pdf",
        "材料2-创建工作报告.pdf",
        "材料4-客观工作成效测评表.pdf",
    ] {
        assert!(
            root.join("out/clean").join(material).is_file(),
            "{material}: {built}"
        );
    }

    for said in [&checked, &built] {
        assert!(
            !said.contains(SECRET) && !said.contains("root:x:0:0"),
            "{said}"
        );
    }
    let after = hashes(root);
    let outputs: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(!outputs.is_empty());
    for path in &outputs {
        assert!(
            path.starts_with(root.join("out")),
            "written outside out/: {path:?}"
        );
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET), "{path:?} holds the secret");
    }
    for (path, hash) in &before {
        assert_eq!(after.get(path), Some(hash), "input changed: {path:?}");
    }
    assert!(!root.join("inputs/西峡县").exists());
}

#[test]
fn an_owner_password_alone_does_not_stop_check() {
    let (dir, applicant) = example("许昌市");
    std::fs::write(
        applicant.join("evidence/03-1.pdf"),
        encrypted_pdf("", "owner"),
    )
    .unwrap();
    let (code, said) = run(
        dir.path(),
        &["check", applicant.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "{said}");
}

/// Writes a roster of 新郑市 to `path`, its phone written by `phone` and one more cell by `more`.
fn roster(
    path: &Path,
    name: &str,
    phone: Option<f64>,
    more: impl FnOnce(&mut rust_xlsxwriter::Worksheet),
) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("申报单位名册").unwrap();
    for (col, header) in ROSTER_HEADERS.iter().enumerate() {
        sheet.write(0, col as u16, *header).unwrap();
    }
    let row = [
        name,
        "县",
        "试点县",
        "郑州市",
        "新郑市人民政府",
        "新政函〔2023〕58号",
        "",
        "赵丽娟",
        "0371-62696518",
    ];
    for (col, value) in row.iter().enumerate() {
        sheet.write(1, col as u16, *value).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2023, 8, 11).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(1, 6, &date, &format)
        .unwrap();
    if let Some(phone) = phone {
        sheet.write_number(1, 8, phone).unwrap();
    }
    more(sheet);
    book.save(path).unwrap();
}

/// `check 新郑市 --roster 名册.xlsx` on a copy of 新郑市 whose phone is `phone`.
fn check_roster(yaml_phone: &str, write: impl FnOnce(&Path)) -> (i32, String) {
    let (dir, applicant) = example("新郑市");
    set_line(&applicant, "phone:", &format!("  phone: \"{yaml_phone}\""));
    write(&dir.path().join("名册.xlsx"));
    let before = hashes(dir.path());
    let result = run(
        dir.path(),
        &["check", "新郑市", "--roster", "名册.xlsx"],
        Duration::from_secs(60),
    );
    assert_eq!(hashes(dir.path()), before, "inputs changed");
    result
}

#[test]
fn a_far_cell_in_the_roster_is_refused_at_its_cell() {
    let (code, said) = check_roster("0371-62696518", |path| {
        roster(path, "新郑市", None, |sheet| {
            sheet.write(1048575, 16383, "x").unwrap();
        })
    });
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains(
            "名册.xlsx!申报单位名册!XFD1048576：名册的单元格 申报单位名册!XFD1048576 离其余内容太远"
        ),
        "{said}"
    );
}

#[test]
fn a_roster_name_that_forms_a_path_is_refused_at_its_cell() {
    let (code, said) = check_roster("0371-62696518", |path| {
        roster(path, "../../etc/新郑市", None, |_| {})
    });
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains(
            "名册.xlsx!申报单位名册!A2：名册中的名称“../../etc/新郑市”含有不能用于文件名的字符“/”"
        ),
        "{said}"
    );
}

#[test]
fn a_roster_phone_typed_as_a_number_gets_its_leading_zero_back() {
    let (code, said) = check_roster("037162696518", |path| {
        roster(path, "新郑市", Some(37162696518.0), |_| {})
    });
    assert_eq!(
        code, 0,
        "the restored number agrees with applicant.yaml: {said}"
    );
    assert!(
        said.contains("名册.xlsx!申报单位名册!I2：联系电话是数字格式，开头的 0 被 Excel 去掉了；已按“037162696518”读取"),
        "{said}"
    );
    let (code, said) = check_roster("0371-62696518", |path| {
        roster(path, "新郑市", Some(62696518.0), |_| {})
    });
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains(
            "名册.xlsx!申报单位名册!I2：联系电话“62696518”是数字格式，无法判断原来的号码"
        ),
        "{said}"
    );
}
