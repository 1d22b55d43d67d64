//! What the desk's route tests share: a desk over copies of the shipped examples, and requests
//! sent to it in-process (tower's `oneshot`) with the Host, Origin and form encoding a browser
//! would send.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use shenbao::desk::{ServeOptions, router};
use shenbao::run::Settings;
use tower::ServiceExt;

use super::common;

pub const ADDRESS: &str = "127.0.0.1:7451";
pub const HOST: &str = "127.0.0.1:7451";

/// A workspace with copies of `examples`, its output folder, and the desk's router over them.
pub struct Desk {
    pub _scratch: tempfile::TempDir,
    pub workspace: PathBuf,
    pub out: PathBuf,
    pub app: Router,
}

pub fn desk(examples: &[&str], upload_limit: usize) -> Desk {
    let scratch = tempfile::tempdir().unwrap();
    let workspace = scratch.path().join("inputs");
    for name in examples {
        common::copy_dir(
            &common::root().join("inputs").join(name),
            &workspace.join(name),
        );
    }
    std::fs::create_dir_all(&workspace).unwrap();
    let out = scratch.path().join("out");
    let options = ServeOptions {
        workspace: workspace.clone(),
        out: out.clone(),
        listen: ADDRESS.parse().unwrap(),
        token: None,
        settings: Settings::default(),
        upload_limit,
    };
    let app = router(&options, ADDRESS.parse::<SocketAddr>().unwrap()).unwrap();
    Desk {
        _scratch: scratch,
        workspace,
        out,
        app,
    }
}

/// The status, headers and body of one request.
pub async fn send(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

pub async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    let request = Request::get(uri)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(app, request).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Posts a urlencoded form; returns the status and where it redirects (or the body).
pub async fn post(app: &Router, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let request = Request::post(uri)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    let (status, headers, body) = send(app, request).await;
    let answer = headers
        .get(header::LOCATION)
        .map(|l| decode(l.to_str().unwrap()))
        .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
    (status, answer)
}

/// Posts a multipart form with one file.
pub async fn upload(
    app: &Router,
    uri: &str,
    csrf: &str,
    file_name: &str,
    bytes: &[u8],
) -> (StatusCode, String) {
    upload_files(app, uri, csrf, &[(file_name, bytes)]).await
}

/// Posts a multipart form with the CSRF token and `files` (name, bytes), each as a `file` field.
pub async fn upload_files(
    app: &Router,
    uri: &str,
    csrf: &str,
    files: &[(&str, &[u8])],
) -> (StatusCode, String) {
    let boundary = "XshenbaoBoundary";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    for (file_name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::post(uri)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (status, headers, body) = send(app, request).await;
    let answer = headers
        .get(header::LOCATION)
        .map(|l| decode(l.to_str().unwrap()))
        .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
    (status, answer)
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The CSRF token of the desk, read from a page's form.
pub async fn csrf(app: &Router) -> String {
    let (_, page) = get(app, "/").await;
    let start = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a token")
        + 19;
    page[start..start + 64].to_string()
}

/// (sha256, bytes) of every file under `dir`, for before/after comparisons.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// The `version` field of the form whose action ends in `action` on `page`.
pub fn form_version(page: &str, action: &str) -> String {
    let form = page
        .split("<form ")
        .find(|f| f.contains(&format!("{action}\"")))
        .unwrap_or_else(|| panic!("a form posting to …{action}"));
    form.split("name=\"version\" value=\"")
        .nth(1)
        .map(|rest| rest[..64].to_string())
        .expect("the form carries its version")
}

/// A 4×4 grey PNG.
pub fn small_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 4, 4);
    encoder.set_color(png::ColorType::Grayscale);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&[128; 16])
        .unwrap();
    bytes
}
