//! A local `/api/v2/sms` server for the bulk tests: counts what it received, and fails on cue.
#![allow(dead_code)]

// The sandbox's tests start their binaries the same way.
#[path = "../../../noxitel-sandbox/tests/common/output.rs"]
pub mod output;
pub mod sandbox;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};

#[derive(Debug, Default)]
pub struct Received {
    /// Requests that reached the handler.
    pub requests: u32,
    /// Contacts the server processed, per mobile.
    pub per_mobile: HashMap<String, u32>,
    /// Messages as personalized by the server, per mobile (last one).
    pub parameters: HashMap<String, Value>,
    /// Accepted batches.
    pub accepted: u32,
}

#[derive(Debug, Default)]
pub struct Behaviour {
    /// After this many accepted batches, answer 402 without processing.
    pub accept_limit: Option<u32>,
    /// The n-th request (0-based) is processed, then answered only after this delay.
    pub slow_request: Option<(u32, Duration)>,
}

#[derive(Clone, Default)]
pub struct Shared {
    pub received: Arc<Mutex<Received>>,
    pub behaviour: Arc<Mutex<Behaviour>>,
}

pub struct BulkServer {
    pub base_url: String,
    pub shared: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl BulkServer {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let shared = Shared::default();
        let app = Router::new()
            .route("/api/v2/sms", post(send_sms))
            .with_state(shared.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base_url: format!("http://{addr}/api/v2"),
            shared,
            _runtime: runtime,
        }
    }

    pub fn total(&self) -> u32 {
        self.shared
            .received
            .lock()
            .unwrap()
            .per_mobile
            .values()
            .sum()
    }

    pub fn max_per_mobile(&self) -> u32 {
        let r = self.shared.received.lock().unwrap();
        r.per_mobile.values().copied().max().unwrap_or(0)
    }

    pub fn distinct(&self) -> usize {
        self.shared.received.lock().unwrap().per_mobile.len()
    }

    /// The parameters the server last received for `mobile`.
    pub fn parameters(&self, mobile: &str) -> Value {
        self.shared.received.lock().unwrap().parameters[mobile].clone()
    }

    pub fn set(&self, f: impl FnOnce(&mut Behaviour)) {
        f(&mut self.shared.behaviour.lock().unwrap());
    }
}

async fn send_sms(
    State(shared): State<Shared>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let contacts = body["contacts"].as_array().cloned().unwrap_or_default();
    let (n, delay) = {
        let behaviour = shared.behaviour.lock().unwrap();
        let mut r = shared.received.lock().unwrap();
        let n = r.requests;
        r.requests += 1;
        if let Some(limit) = behaviour.accept_limit
            && r.accepted >= limit
        {
            return (
                StatusCode::PAYMENT_REQUIRED,
                Json(json!({"success": false, "status": 402, "message": "Insufficient credits"})),
            );
        }
        r.accepted += 1;
        for c in &contacts {
            let mobile = c["mobile"].as_str().unwrap_or("").to_owned();
            *r.per_mobile.entry(mobile.clone()).or_default() += 1;
            r.parameters
                .insert(mobile, c.get("parameters").cloned().unwrap_or(Value::Null));
        }
        let delay = behaviour
            .slow_request
            .filter(|(at, _)| *at == n)
            .map(|(_, d)| d);
        (n, delay)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    (
        StatusCode::OK,
        Json(json!({
            "status": "success",
            "message": "SMS Submitted successfully",
            "batch_id": format!("batch_{n}"),
            "total_contacts": contacts.len(),
            "message_id": [],
        })),
    )
}

/// Asserts a finished command's exit code (showing its stderr when it is another); its stdout
/// and stderr as text.
pub fn exited(out: &std::process::Output, code: i32) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    (stdout, stderr)
}

/// Asserts that `text` (a command's output) contains `needle`, showing the text when not.
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} not in:\n{text}");
}

/// Writes `rows` contacts (`mobile,name`) to a CSV.
pub fn write_csv(path: &std::path::Path, rows: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "mobile,name").unwrap();
    for i in 0..rows {
        writeln!(f, "91980{:07},Name {i}", i).unwrap();
    }
}
