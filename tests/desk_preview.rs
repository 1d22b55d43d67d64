//! The desk's previews: each material's tab links every page of it (as many as the built PDF
//! has), each link an image rendered by the same engine; after a save the links carry a new
//! stamp and the image shows the change, while the other materials keep theirs.

mod common;
#[path = "desk/support.rs"]
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::*;

/// The preview links of material `material` on `page`: (page number, URL), in order.
fn links(page: &str, material: u8) -> Vec<(usize, String)> {
    let prefix = format!("/a/{}/preview/{material}/", encode("洛阳市"));
    page.split("<img class=\"page\"")
        .skip(1)
        .filter_map(|img| {
            let src = img.split("src=\"").nth(1)?;
            let src = &src[..src.find('"')?];
            let rest = src.strip_prefix(&prefix)?;
            let number = rest[..rest.find('?')?].parse().ok()?;
            Some((number, src.replace("&amp;", "&")))
        })
        .collect()
}

async fn png(d: &Desk, url: &str) -> Vec<u8> {
    let request = Request::get(url)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (status, headers, bytes) = send(&d.app, request).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{url}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert!(bytes.starts_with(b"\x89PNG"));
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_of_every_material_is_previewed_and_a_save_refreshes_it() {
    let d = desk(&["洛阳市"], 1 << 20);
    let built = common::build_into(&d.workspace, &d.workspace.join("洛阳市"), &d.out, &[]);
    assert!(built.status.success(), "{}", common::said(&built));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.out.join("洛阳市/manifest.json")).unwrap())
            .unwrap();
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    for material in 1..=4u8 {
        let pdf_pages = manifest["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "pdf" && o["material"] == material)
            .and_then(|o| o["pages"].as_u64())
            .unwrap_or_else(|| panic!("material {material} in {manifest}"));
        let shown = links(&page, material);
        let numbers: Vec<usize> = shown.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            numbers,
            (1..=pdf_pages as usize).collect::<Vec<_>>(),
            "material {material}"
        );
        png(&d, &shown.last().unwrap().1).await;
    }
    let letter_before = links(&page, 1);
    let report_before = links(&page, 2);
    let first = png(&d, &letter_before[0].1).await;

    // A new title (written in the file, as an editor would): the letter's stamp changes and its first page with it; the report's stays.
    let file = d.workspace.join("洛阳市/applicant.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "  # title: 洛阳市人民政府关于申报国家知识产权强市建设示范城市的函",
            "  title: 洛阳市人民政府关于申报示范城市的函",
        ),
    )
    .unwrap();
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let letter_after = links(&page, 1);
    assert_ne!(letter_after[0].1, letter_before[0].1);
    assert_eq!(links(&page, 2), report_before);
    assert_ne!(png(&d, &letter_after[0].1).await, first);
    // An old link still gets an image (laid out afresh), never an error.
    assert_eq!(
        png(&d, &letter_before[0].1).await,
        png(&d, &letter_after[0].1).await
    );
}
