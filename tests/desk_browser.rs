//! The desk end to end in a real browser (Debian's headless chromium, driven over WebDriver by
//! chromedriver and fantoccini): a clerk's path from the home page to the downloaded dossier.
//! The desk runs in-process on a real port over copies of the shipped examples. Each step saves
//! a screenshot under `target/desk-browser/` (`01-home.png`, …) to be looked at.

mod browser;
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use browser::{Browser, WAIT, wait_for};
use serde_json::{Value, json};
use shenbao::desk::{ServeOptions, router};
use shenbao::run::Settings;

/// The examples the workspace starts with.
const EXAMPLES: [&str; 6] = ["洛阳市", "濮阳市", "许昌市", "西峡县", "新郑市", "林州市"];
/// The provincial centre's folder, copied beside them.
const PROVINCE: &str = "河南省";
/// The applicant the clerk creates: a county applying as 试点县.
const NEW: &str = "西平县";
/// The stages typed into the timetable, one a year.
const STAGES: [&str; 3] = ["夯实基础阶段", "重点突破阶段", "巩固提升阶段"];
/// The letter the clerk writes (材料1).
const LETTER_TITLE: &str = "西平县人民政府关于申报国家知识产权强县建设试点县的函";
const LETTER_BODY: [&str; 3] = [
    "按照豫知〔2023〕38号通知要求，我县决定申报国家知识产权强县建设试点县，现将申报材料报送你局。",
    "我县将以试点建设为契机，全面提升知识产权创造、运用、保护、管理和服务水平。",
    "特此函告。",
];
const LETTER_ATTACHMENTS: [&str; 3] = [
    "西平县国家知识产权强县建设试点县创建工作报告",
    "西平县国家知识产权强县建设试点县试点工作方案",
    "国家知识产权强县建设示范县客观工作成效测评表",
];
/// How long a build may take on a busy machine.
const BUILD_TIME: Duration = Duration::from_secs(300);

/// The desk over a scratch workspace, served on 127.0.0.1 on a free port.
struct Desk {
    url: String,
    workspace: PathBuf,
    out: PathBuf,
    _scratch: tempfile::TempDir,
}

async fn start_desk() -> Desk {
    let scratch = tempfile::tempdir().unwrap();
    let workspace = scratch.path().join("inputs");
    for name in EXAMPLES.iter().chain([&PROVINCE]) {
        common::copy_dir(
            &common::root().join("inputs").join(name),
            &workspace.join(name),
        );
    }
    let out = scratch.path().join("out");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let options = ServeOptions {
        workspace: workspace.clone(),
        out: out.clone(),
        listen: address,
        token: None,
        settings: Settings {
            jobs: 1,
            ..Settings::default()
        },
        upload_limit: 64 << 20,
    };
    let app = router(&options, address).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Desk {
        url: format!("http://127.0.0.1:{}", address.port()),
        workspace,
        out,
        _scratch: scratch,
    }
}

/// The test's output folder, emptied: `target/desk-browser/`.
fn output_folder() -> PathBuf {
    let target = Path::new(env!("CARGO_BIN_EXE_shenbao"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    let dir = target.join("desk-browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_clerk_goes_from_a_new_applicant_to_the_downloaded_dossier() {
    // Like `shenbao serve`: typst lays out deeply nested content on the calling thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(32 << 20)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(900), clerk_path())
            .await
            .expect("the whole path took more than 15 minutes")
    });
}

async fn clerk_path() {
    let started = Instant::now();
    let shots = output_folder();
    let desk = start_desk().await;
    let browser = Browser::start(&shots.join("chromedriver.log")).await;
    eprintln!(
        "chromium pids {:?}; screenshots in {}",
        browser.chromium_pids(),
        shots.display()
    );
    let step = |name: &str| eprintln!("{:>6.1} s  {name}", started.elapsed().as_secs_f64());
    let b = &browser;
    let dir = desk.workspace.join(NEW);
    let yaml = || std::fs::read_to_string(dir.join("applicant.yaml")).unwrap();

    step("1. home page");
    b.goto(&format!("{}/", desk.url)).await;
    b.find("#applicants").await;
    for name in EXAMPLES {
        let row = b
            .js(
                "return Array.from(document.querySelectorAll('#applicants tr'))
                    .map(r => Array.from(r.cells).map(c => c.innerText))
                    .find(cells => cells[0] === arguments[0]) || null;",
                vec![json!(name)],
            )
            .await;
        let cells: Vec<String> = serde_json::from_value(row.clone())
            .unwrap_or_else(|_| panic!("no row for {name} on the home page: {row}"));
        assert!(
            cells[2].starts_with("通过") || cells[2].contains("个错误"),
            "{name}'s check result: {cells:?}"
        );
        assert_eq!(cells[3], "未生成", "{cells:?}");
    }
    b.screenshot(&shots, "01-home.png").await;

    step("2. new applicant");
    b.click_to_next_page("a[href='/new']").await;
    b.find("#new").await;
    let form = [
        ("name", NEW),
        ("government", "西平县人民政府"),
        ("person", "王五"),
        ("phone", "0396-6212345"),
        ("number", "西政函〔2023〕12号"),
    ];
    for (field, value) in form {
        let input = b.find(&format!("#new input[name='{field}']")).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    let category = b.find("#new select[name='category']").await;
    category.select_by_value("试点县").await.unwrap();
    let city = b.find("#new select[name='city']").await;
    city.select_by_value("驻马店市").await.unwrap();
    // The date picker's typed form depends on the browser's locale; set it as the picker does.
    b.js(
        "const d = document.querySelector(\"#new input[name='date']\");
         d.value = '2023-08-10'; d.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![],
    )
    .await;
    b.screenshot(&shots, "02-new.png").await;
    b.click_to_next_page("#new button").await;
    let title = b.text("#title").await.unwrap_or_default();
    assert!(
        title.starts_with(NEW),
        "the new applicant's page: {title:?}"
    );
    assert!(flash(b).await.contains("已创建"), "{:?}", flash(b).await);
    for line in [
        "name: \"西平县\"",
        "level: 县",
        "city: \"驻马店市\"",
        "category: 试点县",
        "government: \"西平县人民政府\"",
        "date: \"2023-08-10\"",
        "  person: \"王五\"",
        "  phone: \"0396-6212345\"",
        "  number: \"西政函〔2023〕12号\"",
    ] {
        assert!(yaml().contains(line), "{line} missing in\n{}", yaml());
    }
    step("3. letter (材料1)");
    b.click_to_next_page("a[href='/']").await;
    b.click_to_next_page(&format!("#applicants a[href='/a/{}']", encode(NEW)))
        .await;
    b.find("nav.tabs a[href='#m1']")
        .await
        .click()
        .await
        .unwrap();
    b.find("#letter-form").await;
    for (field, value) in [
        ("addressee", "河南省知识产权局"),
        ("title", LETTER_TITLE),
        ("note", "此件主动公开"),
    ] {
        let input = b.find(&format!("#letter-form input[name='{field}']")).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    for (field, lines) in [("body", LETTER_BODY), ("attachments", LETTER_ATTACHMENTS)] {
        let area = b
            .find(&format!("#letter-form textarea[name='{field}']"))
            .await;
        area.clear().await.unwrap();
        area.send_keys(&lines.join("\n")).await.unwrap();
    }
    let sealed = b.find("#letter-form input[name='sealed']").await;
    if !sealed.is_selected().await.unwrap() {
        sealed.click().await.unwrap();
    }
    b.scroll_to("#m1").await;
    b.screenshot(&shots, "03-letter.png").await;
    b.click_to_next_page("#save-letter").await;
    let said = flash(b).await;
    assert!(said.contains("已保存"), "after saving the letter: {said:?}");
    let saved = yaml();
    for text in [LETTER_TITLE, "河南省知识产权局", "此件主动公开"]
        .into_iter()
        .chain(LETTER_BODY)
        .chain(LETTER_ATTACHMENTS)
    {
        assert!(saved.contains(text), "{text} missing in\n{saved}");
    }
    let shown = b.find("#letter-form input[name='title']").await;
    assert_eq!(
        shown.prop("value").await.unwrap().as_deref(),
        Some(LETTER_TITLE)
    );

    step("3b. timetable (材料3 实施步骤)");
    // `init` leaves the three years with blank stages and tasks, each an error of the check.
    for (n, stage) in STAGES.iter().enumerate().map(|(i, s)| (i + 1, s)) {
        let input = b
            .find(&format!("#timetable-form input[name='stage-{n}']"))
            .await;
        input.send_keys(stage).await.unwrap();
        let tasks = b
            .find(&format!("#timetable-form textarea[name='tasks-{n}']"))
            .await;
        tasks
            .send_keys(&format!("完成第{n}年度试点任务。"))
            .await
            .unwrap();
    }
    b.click_to_next_page("#save-timetable").await;
    let said = flash(b).await;
    assert!(
        said.contains("已保存实施步骤"),
        "after the timetable: {said:?}"
    );
    let saved = yaml();
    for stage in STAGES {
        assert!(saved.contains(stage), "{stage} missing in\n{saved}");
    }

    step("4. report, plan and workbook uploads");
    let inputs = common::root().join("inputs");
    upload(b, "report", &inputs.join("许昌市/创建工作报告.docx")).await;
    assert!(
        flash(b).await.contains("已上传为 创建工作报告.docx"),
        "{:?}",
        flash(b).await
    );
    upload(b, "plan", &inputs.join("许昌市/示范工作方案.docx")).await;
    assert!(
        flash(b).await.contains("已上传为 工作方案.docx"),
        "{:?}",
        flash(b).await
    );
    for (part, file, heading) in [
        ("#m2", "创建工作报告.docx", "申报条件符合情况"),
        ("#m3", "工作方案.docx", "重点任务和重大工程"),
    ] {
        let text = b.text(part).await.unwrap_or_default();
        assert!(text.contains(&format!("文件：{file}")), "{part}: {text}");
        let outline = b
            .text(&format!("{part} ul.outline"))
            .await
            .unwrap_or_default();
        assert!(
            outline.contains(&format!("{heading} 1级标题")),
            "{part}: {outline}"
        );
    }
    assert!(
        yaml().contains("report: \"创建工作报告.docx\""),
        "{}",
        yaml()
    );
    assert!(yaml().contains("plan: \"工作方案.docx\""), "{}", yaml());
    // A city's workbook (附件3) for this county (附件4): the wrong category.
    upload(b, "workbook", &inputs.join("洛阳市/测评表.xlsx")).await;
    assert!(
        flash(b).await.contains("已上传为 测评表.xlsx"),
        "{:?}",
        flash(b).await
    );
    b.scroll_to("#m2").await;
    b.screenshot(&shots, "04-uploads.png").await;

    step("5. the workbook's error beside it (材料4)");
    let errors = problems(b, "#m4", "error").await;
    assert!(
        errors
            .iter()
            .any(|e| e.contains("测评表缺少指标") && e.contains("测评表.xlsx")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("附件4中没有序号为 26 的指标")),
        "{errors:?}"
    );
    for part in ["#m1", "#m2", "#m3", "#other"] {
        let elsewhere = problems(b, part, "error").await;
        assert!(elsewhere.is_empty(), "errors in {part}: {elsewhere:?}");
    }
    let summary = b.text("#summary").await.unwrap_or_default();
    assert!(summary.contains("个错误"), "{summary}");
    b.scroll_to("#m4").await;
    b.screenshot(&shots, "05-error.png").await;

    step("6. the county's workbook: the error is gone");
    upload(b, "workbook", &inputs.join("西峡县/测评表.xlsx")).await;
    assert!(
        flash(b).await.contains("已上传为 测评表.xlsx"),
        "{:?}",
        flash(b).await
    );
    let errors = problems(b, "#m4", "error").await;
    assert!(errors.is_empty(), "{errors:?}");
    let rows = b
        .js(
            "const rows = document.querySelectorAll(\"#indicators tr[id^='indicator-']\");
             return [rows.length, Array.from(rows).filter(r => r.classList.contains('has-problem')).length];",
            vec![],
        )
        .await;
    assert_eq!(
        rows,
        json!([25, 0]),
        "indicators read, and those with a problem"
    );
    let summary = b.text("#summary").await.unwrap_or_default();
    assert!(
        summary.contains("通过") && !summary.contains("错误"),
        "{summary}"
    );
    b.scroll_to("#m4").await;
    b.screenshot(&shots, "06-fixed.png").await;

    step("7. build and preview");
    b.js("window.scrollTo(0, 0);", vec![]).await;
    b.click_to_next_page("#build").await;
    let state = wait_for("the build to finish (#build-state)", BUILD_TIME, || async {
        let state = b.text("#build-state").await?;
        (state.contains("生成完成") || state.contains("生成失败")).then_some(state)
    })
    .await;
    assert!(state.contains("生成完成"), "{state}");
    b.wait_loaded().await;
    let width = wait_for("the preview image (img.page)", WAIT, || async {
        let width = b
            .js(
                "const i = document.querySelector('img.page');
                 return i && i.complete ? i.naturalWidth : null;",
                vec![],
            )
            .await;
        width.as_u64()
    })
    .await;
    assert!(width > 0, "the preview image did not load");
    b.screenshot(&shots, "07-built.png").await;
    b.scroll_to_middle("img.page").await;
    b.screenshot(&shots, "08-preview.png").await;

    step("8. download the dossier");
    b.scroll_to("#out").await;
    b.screenshot(&shots, "09-download.png").await;
    b.find("#dossier").await.click().await.unwrap();
    let zip = wait_for("the dossier's download", WAIT, || async {
        downloaded_zip(&browser.downloads)
    })
    .await;
    assert_eq!(
        zip.file_name().unwrap().to_string_lossy(),
        format!("{NEW}-申报材料.zip")
    );
    let names = zip_names(&zip);
    check_dossier(&names, &desk.out.join(NEW).join("manifest.json"));
    // The letter the clerk wrote is the one in the PDF.
    let letter = std::fs::read(&zip)
        .map(std::io::Cursor::new)
        .map(|c| zip::ZipArchive::new(c).unwrap())
        .map(|mut a| {
            let name = names
                .iter()
                .find(|n| n.ends_with("材料1-申报函.pdf"))
                .unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut a.by_name(name).unwrap(), &mut bytes).unwrap();
            bytes
        })
        .unwrap();
    let pdf = browser.downloads.join("letter.pdf");
    std::fs::write(&pdf, letter).unwrap();
    let text = common::squeeze(&common::pdf_text(&pdf));
    for paragraph in [LETTER_TITLE, LETTER_BODY[0]] {
        assert!(
            text.contains(&common::squeeze(paragraph)),
            "{paragraph} not in {text}"
        );
    }

    step("9. the provincial centre recommends the new county and builds the package");
    b.goto(&format!("{}/centre", desk.url)).await;
    b.find("#received").await;
    for (folder, rank) in [("林州市", ""), (NEW, "3")] {
        let input = b
            .find(&format!("#recommend-form input[name='rank-{folder}']"))
            .await;
        input.clear().await.unwrap();
        input.send_keys(rank).await.unwrap();
    }
    b.click_to_next_page("#save-recommended").await;
    let said = flash(b).await;
    assert!(said.contains("已保存推荐名单（5 个）"), "{said:?}");
    let province = std::fs::read_to_string(desk.workspace.join(PROVINCE).join("province.yaml"));
    assert!(
        province.unwrap().contains(&format!("    - \"{NEW}\"")),
        "the new county is recommended in province.yaml"
    );
    b.find("#build-package").await.click().await.unwrap();
    wait_for("the package", BUILD_TIME, || async {
        let state = b.text("#package-state").await.unwrap_or_default();
        (state.contains("生成完成") || state.contains("生成失败")).then_some(state)
    })
    .await;
    let state = b.text("#package-state").await.unwrap_or_default();
    assert!(state.contains("生成完成"), "{state}");
    b.find("#package-zip").await;
    b.screenshot(&shots, "10-centre.png").await;

    step("done");
    browser.close().await;
    keep_screenshots(&shots);
}

/// With `SHENBAO_UPDATE_SCREENSHOTS=1`, copies the screenshots the README shows into
/// `tests/desk/screenshots/`.
fn keep_screenshots(shots: &Path) {
    if std::env::var_os("SHENBAO_UPDATE_SCREENSHOTS").is_none() {
        return;
    }
    let kept = common::root().join("tests/desk/screenshots");
    std::fs::create_dir_all(&kept).unwrap();
    for name in [
        "01-home.png",
        "02-new.png",
        "03-letter.png",
        "05-error.png",
        "08-preview.png",
        "10-centre.png",
    ] {
        std::fs::copy(shots.join(name), kept.join(name)).unwrap();
    }
}

/// The flash message of the page, or "".
async fn flash(b: &Browser) -> String {
    b.text("#flash").await.unwrap_or_default()
}

/// The problems of `severity` listed in the part `part` of the page.
async fn problems(b: &Browser, part: &str, severity: &str) -> Vec<String> {
    let found = b
        .js(
            "return Array.from(document.querySelectorAll(arguments[0] + ' ul.problems li.' + arguments[1]))
                .map(li => li.innerText);",
            vec![json!(part), json!(severity)],
        )
        .await;
    serde_json::from_value(found).unwrap_or_default()
}

/// Chooses `file` in the upload form of `slot` and sends it, as a clerk does.
async fn upload(b: &Browser, slot: &str, file: &Path) {
    let form = format!("form[action$='/upload/{slot}']");
    let input = b.find(&format!("{form} input[type='file']")).await;
    input.send_keys(&file.display().to_string()).await.unwrap();
    b.click_to_next_page(&format!("{form} button")).await;
}

/// A finished download (a zip, not chromium's `.crdownload`) in `dir`.
fn downloaded_zip(dir: &Path) -> Option<PathBuf> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    if entries
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "crdownload"))
    {
        return None;
    }
    entries
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
}

fn zip_names(zip: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect()
}

/// The zip holds exactly the outputs of the manifest: the four materials' PDFs, the print sets,
/// the Word files, the e-mail draft and its zip, and the data bundle.
fn check_dossier(names: &[String], manifest: &Path) {
    let manifest: Value = serde_json::from_slice(&std::fs::read(manifest).unwrap()).unwrap();
    let listed: BTreeSet<String> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap().to_string())
        .collect();
    let zipped: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(zipped, listed, "the zip against the manifest");
    let has = |pattern: &dyn Fn(&str) -> bool, what: &str| {
        let count = names.iter().filter(|n| pattern(n)).count();
        assert!(count > 0, "no {what} in {names:?}");
        count
    };
    for number in 1..=4 {
        let prefix = format!("材料{number}-");
        has(&|n| n.starts_with(&prefix) && n.ends_with(".pdf"), &prefix);
    }
    assert_eq!(
        has(
            &|n| n.starts_with("印制-") && n.ends_with(".pdf"),
            "print set"
        ),
        2
    );
    assert_eq!(has(&|n| n.ends_with(".docx"), "Word file"), 3);
    has(&|n| n.ends_with(".eml"), "e-mail draft");
    has(&|n| n.ends_with("-申报数据.zip"), "data bundle");
}

/// `text` percent-encoded as the desk writes it in links.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
