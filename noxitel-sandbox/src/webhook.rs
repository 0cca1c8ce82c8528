//! Webhook delivery: queued, concurrent, bounded retries, never on the request path.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{Semaphore, mpsc};

use crate::clock;

/// One event to POST.
#[derive(Debug, Clone)]
pub struct Hook {
    pub url: String,
    pub kind: &'static str,
    pub body: Value,
}

/// The outcome of one delivery, shown by `GET /sandbox/webhooks`.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub url: String,
    pub kind: &'static str,
    pub body: Value,
    pub attempts: u32,
    pub delivered: bool,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub finished_at: String,
}

const LOG_CAPACITY: usize = 1000;

#[derive(Debug)]
pub struct Webhooks {
    tx: mpsc::UnboundedSender<Hook>,
    pub log: Arc<Mutex<VecDeque<Delivery>>>,
}

impl Webhooks {
    pub fn spawn(attempts: u32, backoff: Duration, timeout: Duration) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Hook>();
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent("noxitel-sandbox-webhooks/0.1")
            .build()
            .unwrap_or_default();
        let limit = Arc::new(Semaphore::new(32));
        let log2 = Arc::clone(&log);
        tokio::spawn(async move {
            while let Some(hook) = rx.recv().await {
                let Ok(permit) = Arc::clone(&limit).acquire_owned().await else {
                    break;
                };
                let client = client.clone();
                let log = Arc::clone(&log2);
                tokio::spawn(async move {
                    let delivery = deliver(&client, hook, attempts.max(1), backoff).await;
                    if let Ok(mut log) = log.lock() {
                        if log.len() >= LOG_CAPACITY {
                            log.pop_front();
                        }
                        log.push_back(delivery);
                    }
                    drop(permit);
                });
            }
        });
        Self { tx, log }
    }

    /// Queues a delivery; never blocks.
    pub fn send(&self, hook: Hook) {
        let _ = self.tx.send(hook);
    }
}

async fn deliver(
    client: &reqwest::Client,
    hook: Hook,
    attempts: u32,
    backoff: Duration,
) -> Delivery {
    let mut wait = backoff;
    let mut last_status = None;
    let mut last_error = None;
    let mut delivered = false;
    let mut made = 0;
    for attempt in 1..=attempts {
        made = attempt;
        match client.post(&hook.url).json(&hook.body).send().await {
            Ok(response) => {
                let status = response.status();
                last_status = Some(status.as_u16());
                if status.is_success() {
                    delivered = true;
                    last_error = None;
                    break;
                }
                last_error = Some(format!("HTTP {status}"));
            }
            Err(error) => {
                let message = error.to_string();
                let permanent = error.is_builder() || message.contains("scheme");
                last_error = Some(message);
                if permanent {
                    break;
                }
            }
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    if delivered {
        tracing::debug!(kind = hook.kind, attempts = made, "webhook delivered");
    } else {
        tracing::info!(kind = hook.kind, attempts = made, error = ?last_error, "webhook not delivered");
    }
    Delivery {
        url: hook.url,
        kind: hook.kind,
        body: hook.body,
        attempts: made,
        delivered,
        last_status,
        last_error,
        finished_at: clock::rfc3339(chrono::Utc::now()),
    }
}
