//! What keeps the desk safe as a server: only the expected Host (no DNS rebinding), no
//! cross-site posts (Origin and Sec-Fetch-Site), a CSRF token on every form, and, when the desk
//! listens beyond this machine, a secret token in the first URL that becomes a cookie.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Desk;
use crate::diagnostics::Diagnostic;

/// The cookie that carries the access token once the first URL presented it.
const TOKEN_COOKIE: &str = "shenbao_token";

/// The desk's checks and secrets.
pub struct Guard {
    hosts: Vec<String>,
    csrf: String,
    token: Option<String>,
}

impl Guard {
    /// The guard of a desk reached at `address`, with an optional access token.
    pub fn new(address: SocketAddr, token: Option<String>) -> Result<Self, Diagnostic> {
        let port = address.port();
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        if !address.ip().is_loopback() {
            hosts.push(address.to_string());
        }
        Ok(Self {
            hosts,
            csrf: random_secret()?,
            token,
        })
    }

    /// The token every form carries in its `csrf` field.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Whether a submitted form's `csrf` field is this desk's token.
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), self.csrf.as_bytes()))
    }

    fn host_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| self.hosts.iter().any(|h| h == host))
    }

    fn origin_ok(&self, headers: &HeaderMap) -> bool {
        let same_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|site| site == "same-origin" || site == "none");
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        same_site
            && origin
                .is_none_or(|origin| self.hosts.iter().any(|h| origin == format!("http://{h}")))
    }

    fn token_ok(&self, request: &Request) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let from_query = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")));
        let from_cookie = request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| {
                c.trim()
                    .strip_prefix(&format!("{TOKEN_COOKIE}="))
                    .map(str::to_string)
            });
        [from_query.map(str::to_string), from_cookie]
            .into_iter()
            .flatten()
            .any(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
    }
}

/// The address to open first: with the token, when there is one.
pub fn start_url(address: SocketAddr, token: Option<&str>) -> String {
    let host = if address.ip().is_loopback() {
        format!("127.0.0.1:{}", address.port())
    } else {
        address.to_string()
    };
    match token {
        Some(token) => format!("http://{host}/?token={token}"),
        None => format!("http://{host}/"),
    }
}

/// The middleware: refuses a wrong Host, a cross-site post or a missing token before any route
/// runs, and hands the token on as a cookie.
pub async fn check(State(desk): State<Arc<Desk>>, request: Request, next: Next) -> Response {
    let guard = &desk.guard;
    if !guard.host_ok(request.headers()) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "请求的主机名不是本工作台的地址",
        );
    }
    if request.method() != Method::GET && !guard.origin_ok(request.headers()) {
        return refuse(StatusCode::FORBIDDEN, "拒绝来自其他网站的提交");
    }
    if !guard.token_ok(&request) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "需要访问口令：请使用启动时打印的完整地址（含 token）",
        );
    }
    let mut response = next.run(request).await;
    if let Some(token) = &guard.token
        && let Ok(cookie) =
            format!("{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/").parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_string(),
    )
        .into_response()
}

/// 32 random bytes as hex, from the operating system.
fn random_secret() -> Result<String, Diagnostic> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Diagnostic::error(format!("无法取得随机数（{e}）")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
