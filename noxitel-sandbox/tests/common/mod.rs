//! Shared helpers: a sandbox, a typed client for it, the control surface, a webhook receiver.
#![allow(dead_code)]

pub mod output;

use std::io::BufReader;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use noxitel_api::{Client, RetryPolicy};
use noxitel_sandbox::{Config, Sandbox};
use noxitel_types::{Contact, SendSmsRequest};
use serde_json::{Value, json};

pub struct Env {
    pub sandbox: Sandbox,
    pub client: Client,
    pub http: reqwest::Client,
}

pub fn config() -> Config {
    Config {
        dlr_delay: Duration::from_millis(200),
        webhook_backoff: Duration::from_millis(50),
        ..Config::default()
    }
}

pub async fn env() -> Env {
    env_with(config()).await
}

/// A sandbox with the test [`config`] as `change` changes it.
pub async fn env_where(change: impl FnOnce(&mut Config)) -> Env {
    let mut config = config();
    change(&mut config);
    env_with(config).await
}

pub async fn env_with(config: Config) -> Env {
    let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
    let client = Client::builder(sandbox.token())
        .base_url(sandbox.base_url())
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    Env {
        sandbox,
        client,
        http: Client::http_client_builder()
            .expect("TLS")
            .build()
            .expect("HTTP client"),
    }
}

/// Requests to a running sandbox with its token, by path: the status and the body as JSON (a
/// string when it is not JSON).
pub trait Calls {
    /// The HTTP client, the URL the paths are under, and the token.
    fn target(&self) -> (&reqwest::Client, String, &str);

    /// `method path` with an optional JSON body.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (http, root, token) = self.target();
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = http
            .request(method, format!("{root}{path}"))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// `GET path`.
    async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None).await
    }

    /// `GET path`, which must answer 200: the body.
    async fn get_ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// `POST path` with a JSON body.
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(body)).await
    }

    /// Moves the sandbox clock `seconds` forward.
    async fn advance(&self, seconds: i64) {
        let (status, body) = self
            .post("/sandbox/clock/advance", json!({ "seconds": seconds }))
            .await;
        assert_eq!(status, 200, "clock advance: {body}");
    }

    /// Whether the WhatsApp service window of phone 1234567890 with `msisdn` is open.
    async fn window_open(&self, msisdn: &str) -> bool {
        let (status, window) = self
            .get(&format!(
                "/api/v2/whatsapp/checkwindow?phoneId=1234567890&msisdn={msisdn}"
            ))
            .await;
        assert_eq!(status, 200, "checkwindow {msisdn}: {window}");
        window["window_open"] == true
    }
}

impl Calls for Env {
    fn target(&self) -> (&reqwest::Client, String, &str) {
        (&self.http, self.url(""), self.sandbox.token())
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.sandbox.addr())
    }

    /// A raw request with an arbitrary body and headers.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("Content-Type", "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn flush(&self) {
        let (status, _) = self.call("POST", "/sandbox/flush", None).await;
        assert_eq!(status, 200);
    }
}

/// The `data` array of an answer.
pub fn data(answer: &Value) -> &[Value] {
    answer["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data array in {answer}"))
}

/// Spawns `command` (the `noxitel-sandbox` binary) with its stdout piped and reads its banner
/// up to the base URL line: the child, the banner read so far, and the base URL. Stdout is
/// closed then, as a script that read the URL closes it.
pub fn start_binary(mut command: Command) -> (Child, String, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sandbox binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (url, banner) = output::read_until(&mut child, &mut stdout, output::base_url);
    (child, banner, url)
}

pub fn contact(mobile: &str, params: &[(&str, &str)]) -> Contact {
    Contact::new(mobile).parameters(params.iter().map(|(k, v)| (*k, *v)))
}

pub fn sms(message: &str, contacts: Vec<Contact>) -> SendSmsRequest {
    SendSmsRequest::new()
        .campaign_id(1)
        .contacts(contacts)
        .message(message)
        .route_id(1)
        .sender("NOXITEL")
}

/// A local webhook receiver that records every POST body; `fail_first` answers 500 that many times.
pub struct Receiver {
    pub url: String,
    pub bodies: Arc<Mutex<Vec<Value>>>,
    _task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct ReceiverState {
    bodies: Arc<Mutex<Vec<Value>>>,
    failures_left: Arc<Mutex<u32>>,
}

async fn receive(State(state): State<ReceiverState>, body: Bytes) -> StatusCode {
    {
        let mut left = state.failures_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.bodies.lock().unwrap().push(value);
    StatusCode::OK
}

pub async fn receiver(fail_first: u32) -> Receiver {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let state = ReceiverState {
        bodies: Arc::clone(&bodies),
        failures_left: Arc::new(Mutex::new(fail_first)),
    };
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver {
        url,
        bodies,
        _task: task,
    }
}

impl Receiver {
    /// Waits until `pred` holds for the received bodies (at most 5 s).
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..200 {
            {
                let bodies = self.bodies.lock().unwrap();
                if pred(&bodies) {
                    return bodies.clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "webhook receiver never saw {what}: {:?}",
            self.bodies.lock().unwrap()
        );
    }
}

pub fn events(bodies: &[Value]) -> Vec<String> {
    bodies
        .iter()
        .filter_map(|b| b.get("event").and_then(Value::as_str).map(str::to_owned))
        .collect()
}
