//! The sandbox in a browser, without a browser: the inbox page and its assets, the API
//! reference at /docs (offline), the document at /openapi.yaml and /openapi.json, and the
//! account header the page uses instead of a token (loopback origin only).

mod common;

use common::{Calls, data};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HOST};
use serde_json::Value;

async fn get(env: &common::Env, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = env.http.get(env.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("the sandbox answers")
}

/// Every `http(s)://` URL in a text that is not this sandbox's own.
fn external_urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for scheme in ["http://", "https://", "//fonts.", "//cdn."] {
        let mut rest = text;
        while let Some(at) = rest.find(scheme) {
            let url: String = rest[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"\"'`<>)".contains(*c))
                .collect();
            if !url.starts_with("http://127.0.0.1") && !url.starts_with("http://localhost") {
                found.push(url);
            }
            rest = &rest[at + scheme.len()..];
        }
    }
    found
}

#[tokio::test]
async fn the_inbox_is_served_to_a_browser_and_the_index_to_anything_else() {
    let env = common::env().await;
    let page = get(&env, "/", &[(ACCEPT.as_str(), "text/html,*/*")]).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'self'") && csp.contains("connect-src 'self'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<main") && html.contains("lang=\"en\""));
    assert!(html.contains("/inbox.js") && html.contains("/inbox.css"));
    assert_eq!(external_urls(&html), Vec::<String>::new());
    for asset in ["/inbox.js", "/inbox.css", "/icon.svg"] {
        let response = get(&env, asset, &[]).await;
        assert_eq!(response.status(), 200, "{asset}");
        let text = response.text().await.unwrap();
        // The page's own code loads nothing from elsewhere (media links are shown, not loaded).
        let urls: Vec<String> = external_urls(&text)
            .into_iter()
            .filter(|u| u != "http://www.w3.org/2000/svg")
            .collect();
        assert_eq!(urls, Vec::<String>::new(), "{asset}");
    }
    // curl and the existing clients still get the JSON index.
    assert_eq!(env.get_ok("/").await["service"], "noxitel-sandbox");
}

#[tokio::test]
async fn docs_render_the_document_offline() {
    let env = common::env().await;
    let page = get(&env, "/docs", &[]).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/docs/scalar.js"), "{html}");
    assert!(html.contains("/openapi.json"));
    assert!(html.contains("\"withDefaultFonts\":false") && html.contains("\"telemetry\":false"));
    // The only absolute URL is the sandbox itself, for "try it".
    assert_eq!(external_urls(&html), Vec::<String>::new(), "{html}");
    let js = get(&env, "/docs/scalar.js", &[]).await;
    assert_eq!(js.status(), 200);
    assert!(js.bytes().await.unwrap().len() > 100_000);
}

#[tokio::test]
async fn the_document_is_served_as_yaml_and_json() {
    let env = common::env().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let yaml = get(&env, "/openapi.yaml", &[]).await;
    assert_eq!(yaml.status(), 200);
    assert_eq!(
        yaml.text().await.unwrap(),
        std::fs::read_to_string(root.join("openapi/noxitel.yaml")).unwrap()
    );
    let json = get(&env, "/openapi.json", &[]).await;
    assert_eq!(json.status(), 200);
    assert_eq!(json.headers()[CONTENT_TYPE], "application/json");
    let served: Value = json.json().await.unwrap();
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("openapi/noxitel.json")).unwrap())
            .unwrap();
    assert_eq!(served, committed);
    let operations: usize = served["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(operations, 22);
}

#[tokio::test]
async fn the_page_names_its_account_from_a_loopback_origin_only() {
    let config = common::config()
        .token("sbx_first_token_A1b2")
        .token("sbx_second_token_Z9y8");
    let env = common::env_with(config).await;
    let header = "x-noxitel-inbox";
    // The default account, without a token: what the page does first.
    let listed: Value = get(&env, "/sandbox/accounts", &[(header, "default")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["current"], "acct_1");
    let accounts = data(&listed);
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["token_last4"], "A1b2");
    assert_eq!(accounts[1]["token_last4"], "Z9y8");
    // Tokens are never shown whole.
    assert!(!listed.to_string().contains("sbx_"));
    let second = get(&env, "/sandbox/accounts", &[(header, "acct_2")]).await;
    assert_eq!(second.json::<Value>().await.unwrap()["current"], "acct_2");
    // Another Host (DNS rebinding), a cross-site request or an unknown account: no access.
    for headers in [
        vec![(header, "default"), (HOST.as_str(), "evil.example:80")],
        vec![(header, "default"), ("sec-fetch-site", "cross-site")],
        vec![(header, "acct_9")],
        vec![],
    ] {
        let response = get(&env, "/sandbox/events", &headers).await;
        assert_eq!(response.status(), 403, "{headers:?}");
    }
    let page = get(
        &env,
        "/",
        &[
            (ACCEPT.as_str(), "text/html"),
            (HOST.as_str(), "evil.example"),
        ],
    )
    .await;
    assert_eq!(page.status(), 403);
    // localhost names are loopback too.
    let local = get(
        &env,
        "/sandbox/accounts",
        &[(header, "default"), (HOST.as_str(), "localhost:1")],
    )
    .await;
    assert_eq!(local.status(), 200);
    // The bearer token still works as before and wins over the header.
    assert_eq!(env.get_ok("/sandbox/accounts").await["current"], "acct_1");
}

#[tokio::test]
async fn the_urls_to_print_at_start() {
    let env = common::env().await;
    let port = env.sandbox.addr().port();
    assert_eq!(env.sandbox.inbox_url(), format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        env.sandbox.docs_url(),
        format!("http://127.0.0.1:{port}/docs")
    );
    assert_eq!(env.sandbox.exposure_warning(), None);
}

#[tokio::test]
async fn a_non_loopback_bind_serves_the_inbox_to_any_host_and_says_so() {
    let config = noxitel_sandbox::Config {
        addr: "0.0.0.0:0".parse().unwrap(),
        ..common::config()
    };
    let env = common::env_with(config).await;
    let port = env.sandbox.addr().port();
    // Printed URLs name loopback (a browser cannot open 0.0.0.0); the warning says who can reach it.
    assert_eq!(env.sandbox.inbox_url(), format!("http://127.0.0.1:{port}/"));
    let warning = env.sandbox.exposure_warning().expect("a warning");
    assert!(warning.contains("without a token"), "{warning}");
    let url = format!("http://127.0.0.1:{port}/sandbox/accounts");
    let response = env
        .http
        .get(url)
        .header("x-noxitel-inbox", "default")
        .header(HOST, "sandbox.lan:8787")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
