//! Helpers shared by the client test files (`client_*.rs`, `types_roundtrip.rs`).
//!
//! Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{Method, Mock, MockServer, Then, When};
use noxitel_api::types::{Contact, SendSmsRequest, SmsMode};
use noxitel_api::{Client, ClientBuilder, Error, RetryPolicy};
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

pub mod hostile;

/// The token every test client uses; it must never show up in any output.
pub const TOKEN: &str = "nx-test-token-7f3a9c2e5b1d4e8a";

/// The `Authorization` header the API expects.
pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// The default `User-Agent` (`noxitel-api/<version>`; both crates share the workspace version).
pub fn user_agent() -> String {
    format!("noxitel-api/{}", env!("CARGO_PKG_VERSION"))
}

/// Base path of the API on the mock servers (the client must keep it in front of every path).
pub const BASE_PATH: &str = "/api/v2";

pub use noxitel_tests::fixtures::seed;
pub use noxitel_tests::spec_support::json_eq;

/// The reference's curl SMS example (`sms-send-request-curl.json`), built with the fluent
/// constructors.
pub fn sms_example() -> SendSmsRequest {
    SendSmsRequest::new()
        .campaign_id(1)
        .route_id(1)
        .sender("NOXITEL")
        .mode(SmsMode::Text)
        .message("Hi #name#, your OTP is #otp#")
        .contact(sms_example_contact())
        .notify_url("https://yourapp.com/webhook/sms")
        .dlt_entity_id("1234567890")
        .dlt_template_id("1234567890")
}

/// The contact of [`sms_example`].
pub fn sms_example_contact() -> Contact {
    Contact::new("919887111111")
        .param("name", "Sam")
        .param("otp", "847291")
}

/// A seed fixture deserialized into `T`.
pub fn seed_as<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(seed(name))
        .unwrap_or_else(|e| panic!("{name} does not deserialize into the expected type: {e}"))
}

/// Retries that keep tests fast: up to 3 retries, 10–40 ms apart.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
    }
}

/// A builder for a client talking to `base_url`, with fast retries and a generous timeout.
pub fn builder_for(base_url: &str) -> ClientBuilder {
    Client::builder(TOKEN)
        .base_url(base_url)
        .retry(fast_retry())
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(5))
}

/// A client for `server`, with the API under `/api/v2`.
pub fn client_for(server: &MockServer) -> Client {
    builder_for(&server.url(BASE_PATH))
        .build()
        .expect("client builds")
}

/// One expected request on a fresh mock server (`expect` describes it), answered 200 with
/// `answer`: runs `call` with a client of that server, asserts that the request came exactly
/// once, and gives back what `call` returned.
pub async fn exchange<T>(
    expect: impl FnOnce(When) -> When,
    answer: Value,
    call: impl AsyncFnOnce(Client) -> T,
) -> T {
    let server = Answering::start(expect, |then| then.status(200).json_body(answer)).await;
    let out = call(server.client()).await;
    server.assert_once().await;
    out
}

/// A client for `server` that never retries, so that every answer is the final one.
pub fn no_retry_client_for(server: &MockServer) -> Client {
    builder_for(&server.url(BASE_PATH))
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

/// `then` as an answer `status` with a JSON content type and exactly `body`.
pub fn json_text(then: Then, status: u16, body: &str) -> Then {
    then.status(status)
        .header("content-type", "application/json")
        .body(body)
}

/// A fresh mock server with one mock: the requests that match `expect` get `answer`.
pub struct Answering {
    /// The server.
    pub server: MockServer,
    mock: usize,
}

impl Answering {
    /// Starts the server and its mock.
    pub async fn start(
        expect: impl FnOnce(When) -> When,
        answer: impl FnOnce(Then) -> Then,
    ) -> Self {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                expect(when);
                answer(then);
            })
            .await
            .id;
        Self { server, mock }
    }

    /// A client of the server ([`client_for`]: fast retries).
    pub fn client(&self) -> Client {
        client_for(&self.server)
    }

    /// A client of the server that never retries ([`no_retry_client_for`]).
    pub fn no_retry_client(&self) -> Client {
        no_retry_client_for(&self.server)
    }

    /// Asserts that exactly one request matched the mock (showing the closest request if not).
    pub async fn assert_once(&self) {
        Mock::new(self.mock, &self.server).assert_async().await;
    }

    /// How many requests matched the mock so far.
    pub async fn calls(&self) -> usize {
        Mock::new(self.mock, &self.server).calls_async().await
    }
}

/// The variant's name, for readable assertions.
pub fn variant(error: &Error) -> &'static str {
    match error {
        Error::InvalidRequest(_) => "InvalidRequest",
        Error::Config(_) => "Config",
        Error::BadRequest(_) => "BadRequest",
        Error::IpNotWhitelisted(_) => "IpNotWhitelisted",
        Error::InsufficientCredits(_) => "InsufficientCredits",
        Error::InvalidApiKey(_) => "InvalidApiKey",
        Error::NotFound(_) => "NotFound",
        Error::RateLimited { .. } => "RateLimited",
        Error::Server(_) => "Server",
        Error::Api(_) => "Api",
        Error::Timeout { .. } => "Timeout",
        Error::Transport(_) => "Transport",
        Error::Decode { .. } => "Decode",
        _ => "other",
    }
}

/// Asserts an answer's error: its variant (by [`variant`] name), HTTP status and API message.
#[track_caller]
pub fn assert_answer(error: &Error, expected: &str, status: u16, message: Option<&str>) {
    assert_eq!(variant(error), expected, "{error:?}");
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(status),
        "{error:?}"
    );
    assert_eq!(error.message(), message, "{error:?}");
}

/// `method` `BASE_PATH + path` with the headers every request must carry — and without the
/// `api-version` header progenitor would add (the reference never mentions it).
pub fn api(when: When, method: Method, path: &str) -> When {
    when.method(method)
        .path(format!("{BASE_PATH}{path}"))
        .header("authorization", bearer())
        .header("user-agent", user_agent())
        .header_missing("api-version")
}

/// Like [`api`], for a request with a JSON body equal to `body` and no query string.
pub fn api_json(when: When, method: Method, path: &str, body: Value) -> When {
    api(when, method, path)
        .header("content-type", "application/json")
        .json_body(body)
        .is_true(|req| req.query_params().is_empty())
}

/// Like [`api`], for a request without a body and with exactly `query` as its query string.
pub fn api_query(when: When, method: Method, path: &str, query: &[(&str, &str)]) -> When {
    let mut when = api(when, method, path).header_missing("content-type");
    for (name, value) in query {
        when = when.query_param(*name, *value);
    }
    let count = query.len();
    when.is_true(move |req| req.query_params().len() == count && req.body_ref().is_empty())
}

/// Asserts [`json_eq`], showing both values on failure.
#[track_caller]
pub fn assert_json_eq(actual: &Value, expected: &Value) {
    assert!(
        json_eq(actual, expected),
        "JSON differs\n actual: {}\n expected: {}",
        serde_json::to_string_pretty(actual).unwrap(),
        serde_json::to_string_pretty(expected).unwrap()
    );
}

/// A port on 127.0.0.1 that is bound but not listening, so connections to it are refused;
/// it stays reserved (no other test can start a server on it) while this value lives.
pub struct Refusing {
    _socket: tokio::net::TcpSocket,
    base_url: String,
}

impl Refusing {
    /// Reserves the port.
    pub fn new() -> Self {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
        let port = socket.local_addr().expect("addr").port();
        Self {
            _socket: socket,
            base_url: format!("http://127.0.0.1:{port}{BASE_PATH}"),
        }
    }

    /// Base URL (including `/api/v2`) pointing at the port.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A client of the port ([`builder_for`]: fast retries).
    pub fn client(&self) -> Client {
        builder_for(&self.base_url).build().expect("client builds")
    }
}

/// One request as a test server read it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request line and headers.
    pub head: String,
    /// The body.
    pub body: Vec<u8>,
}

/// Reads one request (head and `Content-Length` body).
pub async fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        head,
        body: buf[head_end..head_end + length].to_vec(),
    })
}

// ---------------------------------------------------------------------------------------------
// Capturing tracing output.
// ---------------------------------------------------------------------------------------------

/// A `MakeWriter` appending everything to a shared buffer.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The capture of everything traced (and logged through `log`) in this test binary, at TRACE,
/// with span fields and span open/close events: a global subscriber, installed on first use.
///
/// A global subscriber rather than per-test `set_default`: tracing caches per callsite whether
/// anyone is interested, and thread-local subscribers of tests running in parallel make that
/// cache (and so what gets recorded) racy. Tests tell their own lines apart by wrapping their
/// calls in a span with a unique name ([`Captured::lines_of`]).
///
/// The mock server's own logging is left out: it prints the requests it receives, headers
/// included, and it is not part of the client.
pub fn global_capture() -> &'static Captured {
    static CAPTURED: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace,httpmock=off"))
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_writer(captured.clone())
            .try_init()
            .expect("the only global subscriber of this test binary");
        captured
    })
}

impl Captured {
    /// The captured lines that mention `marker` (e.g. the name of a test's own span).
    pub fn lines_of(&self, marker: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|line| line.contains(marker))
            .map(str::to_owned)
            .collect()
    }
}
