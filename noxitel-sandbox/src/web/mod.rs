//! The sandbox in a browser: the inbox at `/` (a page reading the control surface and the
//! event stream), the API reference at `/docs` (Scalar, embedded by the
//! `scalar_api_reference` crate: no CDN, no web fonts, no telemetry) and the document at
//! `/openapi.yaml` and `/openapi.json`.
//!
//! The page holds no token: its requests to `/sandbox/...` name an account with the
//! [`ACCOUNT_HEADER`] header instead, which [`inbox_account`] accepts only from a page this
//! sandbox served — a `Host` that is a loopback name while the sandbox is bound to loopback
//! (no DNS rebinding), and never a cross-site request (a custom header needs a CORS preflight,
//! which the sandbox never grants). On a non-loopback bind (`--host`, the user's choice) the
//! inbox is reachable by whoever reaches the port; the binaries say so at start.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::http::SharedState;
use crate::state::{Account, Shared};
use crate::store::AccountNo;

/// The header the inbox page names its account with (`acct_N`, or `default`).
pub const ACCOUNT_HEADER: &str = "x-noxitel-inbox";

const INBOX_HTML: &str = include_str!("inbox.html");
const INBOX_JS: &str = include_str!("inbox.js");
const INBOX_CSS: &str = include_str!("inbox.css");
const ICON_SVG: &str = include_str!("icon.svg");
/// `openapi/noxitel.yaml` (through the crate's `noxitel.yaml` link).
pub const OPENAPI_YAML: &str = include_str!("../../noxitel.yaml");
/// `openapi/noxitel.json`, the committed JSON export of the document.
pub const OPENAPI_JSON: &str = include_str!("../../noxitel.json");

/// What the page must not do: load anything from another origin, be framed, or be sniffed.
const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
    script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
    form-action 'none'";
/// Scalar builds its styles and runs its configuration inline; everything else stays local.
const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
    script-src 'self' 'unsafe-inline' 'unsafe-eval'; font-src 'self' data:; connect-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(index))
        .route(
            "/inbox.js",
            get(async || asset("text/javascript", INBOX_JS)),
        )
        .route("/inbox.css", get(async || asset("text/css", INBOX_CSS)))
        .route("/icon.svg", get(async || asset("image/svg+xml", ICON_SVG)))
        .route(
            "/favicon.ico",
            get(async || asset("image/svg+xml", ICON_SVG)),
        )
        .route("/docs", get(docs))
        .route("/docs/scalar.js", get(scalar_js))
        .route(
            "/openapi.yaml",
            get(async || asset("application/yaml; charset=utf-8", OPENAPI_YAML)),
        )
        .route(
            "/openapi.json",
            get(async || asset("application/json", OPENAPI_JSON)),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

fn page(csp: &'static str, html: impl Into<String>) -> Response {
    let mut response = Html(html.into()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /`: the inbox for a browser (`Accept: text/html`), the JSON index for anything else.
async fn index(state: SharedState, headers: HeaderMap) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !wants_html {
        return crate::control::index().await.into_response();
    }
    if !ui_allowed(&state, &headers) {
        return not_here();
    }
    page(PAGE_CSP, INBOX_HTML)
}

fn not_here() -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(
            "<!doctype html><title>Not here</title><p>The sandbox inbox answers on a loopback \
             address (http://127.0.0.1:PORT/ or http://localhost:PORT/) only.</p>",
        ),
    )
        .into_response()
}

/// `GET /docs`: the document rendered by Scalar, "try it" sending to this sandbox.
async fn docs(headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1");
    let config = json!({
        "url": "/openapi.json",
        "servers": [{"url": format!("http://{host}/api/v2"), "description": "this sandbox"}],
        "metaData": {"title": "Noxitel API reference — sandbox"},
        // Offline: no web fonts, no telemetry, no AI agent, no hosted proxy.
        "withDefaultFonts": false,
        "telemetry": false,
        "agent": {"disabled": true},
        "showDeveloperTools": "never",
        "hideClientButton": true,
        "defaultOpenAllTags": true,
        "darkMode": false,
    });
    page(
        DOCS_CSP,
        scalar_api_reference::scalar_html(&config, Some("/docs/scalar.js")).replace(
            "<title>Scalar API Reference</title>",
            "<title>Noxitel API reference — sandbox</title>\n    \
             <link rel=\"icon\" href=\"/icon.svg\" type=\"image/svg+xml\" />",
        ),
    )
}

async fn scalar_js() -> Response {
    match scalar_api_reference::get_asset("scalar.js") {
        Some(js) => (
            [
                (header::CONTENT_TYPE, "text/javascript"),
                (header::CACHE_CONTROL, "max-age=3600"),
            ],
            js,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "scalar.js is missing from this build",
        )
            .into_response(),
    }
}

/// Whether the inbox may answer this request: on a loopback bind only to a loopback `Host`
/// (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`), on another bind to any.
pub fn ui_allowed(shared: &Shared, headers: &HeaderMap) -> bool {
    !shared.config.addr.ip().is_loopback() || loopback_host(headers)
}

fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The account a request of the inbox page names ([`ACCOUNT_HEADER`]), if the page may.
pub fn inbox_account(shared: &Shared, headers: &HeaderMap) -> Option<Arc<Account>> {
    let wanted = headers.get(ACCOUNT_HEADER)?.to_str().ok()?.trim();
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v != "same-origin" && v != "none");
    if cross_site || !ui_allowed(shared, headers) {
        return None;
    }
    if wanted.is_empty() || wanted == "default" {
        return shared.account(shared.default_token());
    }
    let no: AccountNo = wanted.strip_prefix("acct_")?.parse().ok()?;
    accounts(shared)
        .into_iter()
        .find(|l| l.account.no == no)
        .map(|l| l.account)
}

/// One account as the inbox lists it: never its token, only the token's last 4 characters.
pub struct Listed {
    pub account: Arc<Account>,
    pub token_last4: String,
    pub is_default: bool,
}

/// Every account once (by its first token), in the order the tokens were configured.
pub fn accounts(shared: &Shared) -> Vec<Listed> {
    let mut out: Vec<Listed> = Vec::new();
    for token in &shared.config.tokens {
        let Some(account) = shared.account(token) else {
            continue;
        };
        if out.iter().any(|l| l.account.no == account.no) {
            continue;
        }
        let chars: Vec<char> = token.chars().collect();
        out.push(Listed {
            account,
            token_last4: chars[chars.len().saturating_sub(4)..].iter().collect(),
            is_default: token == shared.default_token(),
        });
    }
    out
}
