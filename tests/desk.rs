//! The desk's routes, in-process (tower's `oneshot`): the Host, Origin and CSRF checks, the pages
//! over the shipped examples, creating an applicant, the comment-keeping save, stale forms,
//! history and restore, uploads (names never become paths, limits), build and download.

mod common;
#[path = "desk/support.rs"]
mod support;

use axum::Router;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn refuses_other_hosts_cross_site_posts_and_missing_tokens() {
    let d = desk(&["洛阳市"], 1 << 20);
    let request = Request::get("/")
        .header(header::HOST, "evil.example:7451")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&d.app, request).await.0,
        StatusCode::MISDIRECTED_REQUEST
    );
    let request = Request::post("/new")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=x&category=%E8%AF%95%E7%82%B9%E5%8E%BF"))
        .unwrap();
    assert_eq!(send(&d.app, request).await.0, StatusCode::FORBIDDEN);
    let (status, body) = post(
        &d.app,
        "/new",
        &[("name", "西平县"), ("category", "试点县"), ("csrf", "0")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("此页已过期"), "{body}");
    assert!(!d.workspace.join("西平县").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn home_lists_each_applicant_with_its_check_result() {
    let d = desk(&["洛阳市", "西峡县"], 1 << 20);
    let (status, page) = get(&d.app, "/").await;
    assert_eq!(status, StatusCode::OK);
    for expected in ["洛阳市", "西峡县", "示范城市", "试点县", "未生成"] {
        assert!(page.contains(expected), "{expected} missing in {page}");
    }
    assert!(page.contains("通过"), "{page}");
    for action in ["/check", "/build"] {
        let form = format!("action=\"/a/{}{action}\"", encode("洛阳市"));
        assert!(page.contains(&form), "{form} in {page}");
    }
    assert!(
        !page.contains("dossier.zip"),
        "nothing built yet, nothing to download"
    );
    let token = csrf(&d.app).await;
    let (status, location) = post(&d.app, "/a/洛阳市/check", &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("检查结果：通过"), "{location}");
    let (_, location) = post(&d.app, "/a/洛阳市/check", &[("csrf", "0")]).await;
    assert!(location.contains("此页已过期"), "{location}");
    let built = common::build_into(&d.workspace, &d.workspace.join("洛阳市"), &d.out, &[]);
    assert!(built.status.success(), "{}", common::said(&built));
    let (_, page) = get(&d.app, "/").await;
    let link = format!("href=\"/a/{}/dossier.zip\"", encode("洛阳市"));
    assert!(page.contains(&link), "{link} in {page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_applicant_gets_init_files_with_the_form_values_and_comments_kept() {
    let d = desk(&[], 1 << 20);
    let token = csrf_from_new(&d.app).await;
    let (status, location) = post(
        &d.app,
        "/new",
        &[
            ("csrf", &token),
            ("name", "西平县"),
            ("category", "试点县"),
            ("level", "县"),
            ("city", "驻马店市"),
            ("government", "西平县人民政府"),
            ("date", "2023-08-10"),
            ("person", "王五"),
            ("phone", "0396-6212345"),
            ("number", "西政函〔2023〕12号"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/a/西平县"), "{location}");
    let yaml = std::fs::read_to_string(d.workspace.join("西平县/applicant.yaml")).unwrap();
    for line in [
        "name: \"西平县\"",
        "city: \"驻马店市\"",
        "government: \"西平县人民政府\"",
        "  person: \"王五\"",
        "  phone: \"0396-6212345\"",
        "  number: \"西政函〔2023〕12号\"",
    ] {
        assert!(yaml.contains(line), "{line} missing in\n{yaml}");
    }
    // Every comment `init` wrote is still there.
    let fresh = tempfile::tempdir().unwrap();
    let init = common::shenbao(fresh.path(), &["init", "x", "--category", "试点县"]);
    assert!(init.status.success(), "{}", common::said(&init));
    let original = std::fs::read_to_string(fresh.path().join("x/applicant.yaml")).unwrap();
    let comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.find('#').map(|i| l[i..].to_string()))
            .collect()
    };
    assert_eq!(comments(&yaml), comments(&original));
    for file in ["创建工作报告.md", "工作方案.md", "测评表.xlsx"] {
        assert!(d.workspace.join("西平县").join(file).is_file(), "{file}");
    }
    // A name that would be a path is refused, and nothing is created.
    let (_, page) = post(
        &d.app,
        "/new",
        &[
            ("csrf", &token),
            ("name", "../逃逸"),
            ("category", "试点县"),
        ],
    )
    .await;
    assert!(page.contains("普通的文件夹名"), "{page}");
    assert!(!d.workspace.parent().unwrap().join("逃逸").exists());
    // A city-level applicant has no 所属省辖市: said, not dropped.
    let (_, page) = post(
        &d.app,
        "/new",
        &[
            ("csrf", &token),
            ("name", "平顶山市"),
            ("category", "试点城市"),
            ("city", "驻马店市"),
        ],
    )
    .await;
    assert!(page.contains("所属省辖市只由县级申报单位填写"), "{page}");
    assert!(!d.workspace.join("平顶山市").exists());
    let (_, page) = post(
        &d.app,
        "/new",
        &[
            ("csrf", &token),
            ("name", "平顶山市"),
            ("category", "试点城市"),
            ("level", "县"),
        ],
    )
    .await;
    assert!(
        page.contains("级别“县”与申报类别“试点城市”（市级）不符"),
        "{page}"
    );
    assert!(!d.workspace.join("平顶山市").exists());
}

async fn csrf_from_new(app: &Router) -> String {
    let (_, page) = get(app, "/new").await;
    let start = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a token")
        + 19;
    page[start..start + 64].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn saving_a_text_keeps_the_previous_version_and_refuses_a_stale_form() {
    let d = desk(&["洛阳市"], 1 << 20);
    let token = csrf(&d.app).await;
    let dir = d.workspace.join("洛阳市");
    let report = dir.join("创建工作报告.md");
    let before = std::fs::read(&report).unwrap();
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let version = form_version(&page, "/text/report");
    let new_text = String::from_utf8(before.clone()).unwrap() + "\n补充一段。\n";
    let (status, location) = post(
        &d.app,
        "/a/洛阳市/text/report",
        &[("csrf", &token), ("version", &version), ("text", &new_text)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("已保存"), "{location}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), new_text);
    let kept: Vec<_> = std::fs::read_dir(dir.join(".history"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(kept[0].path()).unwrap(), before);
    // The same form again: the file changed since, so the save is refused.
    let (_, location) = post(
        &d.app,
        "/a/洛阳市/text/report",
        &[("csrf", &token), ("version", &version), ("text", "覆盖")],
    )
    .await;
    assert!(location.contains("此页已过期，请刷新"), "{location}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), new_text);
    // Restore puts the first version back and keeps the second.
    let name = kept[0].file_name().into_string().unwrap();
    let (_, location) = post(
        &d.app,
        "/a/洛阳市/restore",
        &[("csrf", &token), ("kept", &name)],
    )
    .await;
    assert!(location.contains("已恢复"), "{location}");
    assert_eq!(std::fs::read(&report).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.join(".history")).unwrap().count(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_named_by_the_desk_and_capped() {
    let d = desk(&["洛阳市"], 64 * 1024);
    let token = csrf(&d.app).await;
    let outside = snapshot(d.workspace.parent().unwrap());
    let dir = d.workspace.join("洛阳市");
    let png = small_png();
    let (_, location) = upload(
        &d.app,
        "/a/洛阳市/upload/evidence",
        &token,
        "../../../x.png",
        &png,
    )
    .await;
    assert!(location.contains("已上传为 evidence/上传-"), "{location}");
    let added: Vec<String> = common::files_under(d.workspace.parent().unwrap())
        .into_iter()
        .filter(|f| !outside.iter().any(|(o, _)| o == f))
        .collect();
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(
        added[0].starts_with("inputs/洛阳市/evidence/上传-"),
        "{added:?}"
    );
    let (_, location) = upload(
        &d.app,
        "/a/洛阳市/upload/report",
        &token,
        "报告.doc",
        b"\xd0\xcf\x11\xe0",
    )
    .await;
    assert!(location.contains("另存为 .docx"), "{location}");
    let (_, location) = upload(
        &d.app,
        "/a/洛阳市/upload/evidence",
        &token,
        "a.png",
        b"not an image",
    )
    .await;
    assert!(location.contains("只接受 PDF、PNG、JPEG"), "{location}");
    let (status, _) = upload(
        &d.app,
        "/a/洛阳市/upload/evidence",
        &token,
        "big.pdf",
        &vec![b'%'; 200 * 1024],
    )
    .await;
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::SEE_OTHER,
        "{status}"
    );
    assert_eq!(
        std::fs::read_dir(dir.join("evidence"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("上传-")
            })
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn build_then_download_the_dossier_and_preview_a_page() {
    let d = desk(&["洛阳市"], 1 << 20);
    let token = csrf(&d.app).await;
    let (status, _) = post(&d.app, "/a/洛阳市/build", &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut page = String::new();
    for _ in 0..600 {
        page = get(&d.app, "/a/洛阳市").await.1;
        if page.contains("生成完成") || page.contains("生成失败") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("生成完成"), "{page}");
    assert!(d.out.join("洛阳市/manifest.json").is_file());
    // The build counted its documents as it went: the page said how far it had come.
    let library = shenbao::run::Session::open(&shenbao::run::Settings::default()).unwrap();
    let progress = std::sync::Arc::new(shenbao::run::batch::Progress::default());
    let options = shenbao::run::batch::BuildOptions {
        out: d.out.join("again"),
        progress: Some(progress.clone()),
        ..Default::default()
    };
    library.build(&[d.workspace.join("洛阳市")], &options);
    let total = progress.total.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(total, 4, "the four materials");
    assert_eq!(
        progress.done.load(std::sync::atomic::Ordering::SeqCst),
        total
    );
    let request = Request::get("/a/洛阳市/dossier.zip")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (status, headers, zip) = send(&d.app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("材料1-申报函.pdf")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.ends_with(".docx")), "{names:?}");
    let request = Request::get("/a/洛阳市/preview/1/1")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (status, headers, png) = send(&d.app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert!(png.starts_with(b"\x89PNG"));
    let (status, _) = get(&d.app, "/a/..%2F..%2Fetc/file/0").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_outline_says_how_each_heading_was_found() {
    let d = desk(&["洛阳市", "许昌市"], 1 << 20);
    let (_, page) = get(&d.app, "/a/许昌市").await;
    let outline = &page[page.find("<ul class=\"outline\">").unwrap()..];
    let first = &outline[..outline.find("</li>").unwrap()];
    assert!(
        first.contains("申报条件符合情况") && first.contains("1级标题，第1段，按样式"),
        "{first}"
    );
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let outline = &page[page.find("<ul class=\"outline\">").unwrap()..];
    let first = &outline[..outline.find("</li>").unwrap()];
    assert!(
        first.contains("1级标题，第") && first.contains("行，按标题标记“#”"),
        "{first}"
    );
}
