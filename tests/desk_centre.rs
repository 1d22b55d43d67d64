//! The desk's page for the provincial centre: every received applicant with its check result
//! and the rules across applicants; the recommended list saved into `province.yaml` in the
//! order typed (only that list changes, the old file kept, stale forms refused); the package
//! built in the background and downloaded as one zip; bundles mailed in imported beside what is
//! there, with the difference shown, and hostile ones refused with nothing written.

mod common;
#[path = "desk/support.rs"]
mod support;

use std::io::{Read as _, Write as _};

use axum::http::StatusCode;
use support::*;

const ALL: [&str; 7] = [
    "河南省",
    "洛阳市",
    "濮阳市",
    "许昌市",
    "西峡县",
    "新郑市",
    "林州市",
];

/// The `<tr id="received-FOLDER">` row of `page`.
fn row<'a>(page: &'a str, folder: &str) -> &'a str {
    let start = page
        .find(&format!("<tr id=\"received-{folder}\""))
        .unwrap_or_else(|| panic!("a row for {folder}"));
    let rest = &page[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

/// The rank fields of the form as the page fills them in, with `changes` on top.
fn ranks(page: &str, csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("csrf".to_string(), csrf.to_string()),
        (
            "version".to_string(),
            form_version(page, "/centre/recommend"),
        ),
    ];
    for folder in &ALL[1..] {
        let value = row(page, folder)
            .split("value=\"")
            .nth(1)
            .map(|v| v[..v.find('"').unwrap()].to_string())
            .unwrap();
        fields.push((format!("rank-{folder}"), value));
    }
    for (folder, rank) in changes {
        let key = format!("rank-{folder}");
        fields.retain(|(k, _)| *k != key);
        fields.push((key, rank.to_string()));
    }
    fields
}

async fn post_fields(d: &Desk, uri: &str, fields: &[(String, String)]) -> String {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, location) = post(&d.app, uri, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    location
}

#[tokio::test(flavor = "multi_thread")]
async fn the_centre_sees_every_applicant_and_saves_its_recommendation_order() {
    let d = desk(&ALL, 1 << 20);
    let token = csrf(&d.app).await;
    let (status, page) = get(&d.app, "/centre").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for folder in &ALL[1..] {
        assert!(
            row(&page, folder).contains("通过"),
            "{}",
            row(&page, folder)
        );
    }
    assert!(row(&page, "洛阳市").contains("value=\"1\""));
    assert!(row(&page, "濮阳市").contains("value=\"\""));
    assert!(
        page.contains("晚于截止日期"),
        "the late applicant is flagged"
    );
    assert!(page.contains("试点县 3/3"));

    let file = d.workspace.join("河南省/province.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let wrong = ranks(&page, &token, &[("林州市", "第一")]);
    let location = post_fields(&d, "/centre/recommend", &wrong).await;
    assert!(location.contains("应为 1、2、3 这样的正整数"), "{location}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    let order = ranks(
        &page,
        &token,
        &[("林州市", "1"), ("西峡县", "2"), ("新郑市", "")],
    );
    let location = post_fields(&d, "/centre/recommend", &order).await;
    assert!(location.contains("已保存推荐名单（4 个）"), "{location}");
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        before.replace(
            "  试点县: [西峡县, 新郑市, 林州市]\n",
            "  试点县:\n    - \"林州市\"\n    - \"西峡县\"\n"
        )
    );
    let kept: Vec<String> = std::fs::read_dir(d.workspace.join("河南省/.history"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(kept, std::slice::from_ref(&before));
    let (_, page) = get(&d.app, "/centre").await;
    assert!(row(&page, "林州市").contains("value=\"1\""));
    assert!(row(&page, "新郑市").contains("value=\"\""));
    assert!(page.contains("试点县 2/3"));

    // The form read before the save is stale now.
    let location = post_fields(&d, "/centre/recommend", &order).await;
    assert!(location.contains("此页已过期，请刷新"), "{location}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_centre_builds_the_package_and_downloads_it_as_one_zip() {
    let d = desk(&ALL, 1 << 20);
    let token = csrf(&d.app).await;
    let (_, location) = post(&d.app, "/centre/package", &[("csrf", &token)]).await;
    assert!(location.contains("已开始生成推荐材料"), "{location}");
    let mut page = String::new();
    for _ in 0..600 {
        page = get(&d.app, "/centre").await.1;
        if !page.contains("http-equiv=\"refresh\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("生成完成：推荐材料共"), "{page}");
    let request = axum::http::Request::get("/centre/package.zip")
        .header(axum::http::header::HOST, HOST)
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, headers, bytes) = send(&d.app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(&encode("河南省知识产权局-推荐材料.zip"))
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut manifest = String::new();
    zip.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(zip.len(), listed.len() + 1);
    for file in listed {
        let path = file["path"].as_str().unwrap();
        let mut entry = zip.by_name(path).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        assert_eq!(shenbao::assemble::sha256(&bytes), file["sha256"], "{path}");
    }
    assert!(listed.iter().any(|f| f["kind"] == "letter"
        && f["applicant"].is_null()
        && f["path"].as_str().unwrap().ends_with(".pdf")));
    for name in ["洛阳市", "许昌市", "西峡县", "新郑市", "林州市"] {
        assert!(listed.iter().any(|f| f["applicant"] == name), "{name}");
    }
    assert!(!listed.iter().any(|f| f["applicant"] == "濮阳市"));
}

/// A zip with `entries` (name, bytes).
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn bundles_mailed_in_are_imported_beside_with_the_difference_and_hostile_ones_refused() {
    let d = desk(&ALL, 8 << 20);
    let token = csrf(&d.app).await;
    // 洛阳市 sends its bundle again, with another phone number.
    let sent = d.out.join("sent");
    let source = d.out.join("source/洛阳市");
    common::copy_dir(&d.workspace.join("洛阳市"), &source);
    let yaml = source.join("applicant.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, text.replace("0379-63218765", "0379-63218000")).unwrap();
    let built = common::build_into(&d.out, &source, &sent, &[]);
    assert!(built.status.success(), "{}", common::said(&built));
    let bundle = std::fs::read(sent.join("洛阳市/洛阳市-申报数据.zip")).unwrap();
    let hostile = zip_of(&[
        ("applicant.yaml", b"name: \xe6\x81\xb6\n"),
        ("../../escaped.txt", b"x"),
    ]);
    let outside = snapshot(d.workspace.parent().unwrap());

    let (status, location) = upload_files(
        &d.app,
        "/centre/import",
        &token,
        &[
            ("洛阳市-申报数据.zip", &bundle),
            ("../../恶意.zip", &hostile),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(
        location.contains("已处理 2 个压缩包：导入 1 个，未导入 1 个"),
        "{location}"
    );
    let (_, page) = get(&d.app, "/centre").await;
    let imports = &page[page.find("id=\"imports\"").unwrap()..];
    let imports = &imports[..imports.find("</table>").unwrap()];
    assert!(imports.contains("已导入为 <a href=\"/a/"), "{imports}");
    assert!(imports.contains("洛阳市（导入2）"), "{imports}");
    assert!(imports.contains("已有“洛阳市”"), "{imports}");
    assert!(imports.contains("内容不同：applicant.yaml"), "{imports}");
    assert!(
        imports.contains("新 applicant.yaml 第14行：phone: 0379-63218000"),
        "{imports}"
    );
    assert!(
        imports.contains("原 applicant.yaml 第14行：phone: 0379-63218765"),
        "{imports}"
    );
    assert!(
        imports.contains("../../恶意.zip"),
        "the browser's name is shown"
    );
    assert!(imports.contains("未导入（未写入任何文件）"), "{imports}");

    // Only the new folder was written, and the first 洛阳市 is untouched.
    let now = snapshot(d.workspace.parent().unwrap());
    let added: Vec<&String> = now
        .iter()
        .filter(|(f, _)| !f.starts_with("out/"))
        .filter(|entry| !outside.contains(entry))
        .map(|(f, _)| f)
        .collect();
    assert!(!added.is_empty());
    assert!(
        added
            .iter()
            .all(|f| f.starts_with("inputs/洛阳市（导入2）/")),
        "{added:?}"
    );
    assert!(!d.workspace.parent().unwrap().join("escaped.txt").exists());
    let imported = std::fs::read_to_string(d.workspace.join("洛阳市（导入2）/applicant.yaml"));
    assert!(imported.unwrap().contains("0379-63218000"));
}
