//! [`Control`]: a typed client for the `/sandbox` control surface of a running sandbox.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::faults::{FaultRule, FaultSpec};

/// Talks to the control surface of a sandbox, embedded ([`crate::Sandbox::control`]) or
/// running elsewhere ([`Control::new`]).
#[derive(Debug, Clone)]
pub struct Control {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// What went wrong with a control call.
#[derive(Debug)]
pub enum ControlError {
    /// The sandbox could not be reached or its answer not read.
    Http(reqwest::Error),
    /// The sandbox answered with an error status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The answer's `message` (or its body).
        message: String,
    },
}

impl std::fmt::Display for ControlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlError::Http(e) => write!(f, "the sandbox control surface: {e}"),
            ControlError::Status { status, message } => write!(f, "HTTP {status}: {message}"),
        }
    }
}

impl std::error::Error for ControlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ControlError::Http(e) => Some(e),
            ControlError::Status { .. } => None,
        }
    }
}

impl From<reqwest::Error> for ControlError {
    fn from(e: reqwest::Error) -> Self {
        ControlError::Http(e)
    }
}

/// The last OTP sent to a number.
#[derive(Debug, Clone, Deserialize)]
pub struct OtpInfo {
    /// The number (digits).
    pub mobile: String,
    /// The code.
    pub otp: String,
    /// The reference to verify it with.
    pub reference: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Verifications so far.
    pub attempts: u32,
    /// Whether it was matched.
    pub verified: bool,
}

/// One entry of the event log.
#[derive(Debug, Clone, Deserialize)]
pub struct EventRecord {
    /// Increasing id.
    pub id: u64,
    /// RFC 3339 with milliseconds.
    pub time: String,
    /// `acct_N`.
    pub account: String,
    /// e.g. `sms_accepted`, `sms_status`, `webhook_attempted`.
    pub kind: String,
    /// The phone number concerned, if any.
    pub recipient: Option<String>,
    /// The change's fields.
    pub payload: Value,
}

/// What a flush did.
#[derive(Debug, Clone, Deserialize)]
pub struct Flushed {
    /// Pending steps before the flush.
    pub processed: u64,
    /// Webhooks it queued.
    pub webhooks: u64,
}

#[derive(Deserialize)]
struct DataEnvelope<T> {
    data: T,
}

impl Control {
    /// A client for the sandbox at `url` (`http://HOST:PORT`, its `…/api/v2` or `…/sandbox`
    /// URL) with one of its tokens.
    pub fn new(url: &str, token: impl Into<String>) -> Self {
        let root = url.trim_end_matches('/');
        let root = root
            .strip_suffix("/api/v2")
            .or_else(|| root.strip_suffix("/sandbox"))
            .unwrap_or(root);
        Self {
            http: crate::webhook::http_client_builder()
                .build()
                .expect("an HTTP client with a built TLS config"),
            base: format!("{root}/sandbox"),
            token: token.into(),
        }
    }

    /// The control surface's URL, e.g. `http://127.0.0.1:8787/sandbox`.
    pub fn url(&self) -> &str {
        &self.base
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, ControlError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            let message = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
            return Err(ControlError::Status {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| ControlError::Status {
            status: status.as_u16(),
            message: format!("unexpected answer: {e}"),
        })
    }

    /// The last OTP sent to `mobile`.
    pub async fn last_otp(&self, mobile: &str) -> Result<OtpInfo, ControlError> {
        let mobile = mobile.trim().trim_start_matches('+');
        self.call(reqwest::Method::GET, &format!("/otp/{mobile}"), None)
            .await
    }

    /// A user writes `text` to the default RCS agent (or `agent_id`); returns the answer
    /// (with the webhook event sent).
    pub async fn rcs_inbound(
        &self,
        from: &str,
        text: &str,
        agent_id: Option<i64>,
    ) -> Result<Value, ControlError> {
        let mut body = json!({"from": from, "text": text});
        if let Some(id) = agent_id {
            body["agentId"] = json!(id);
        }
        self.call(reqwest::Method::POST, "/rcs/inbound", Some(body))
            .await
    }

    /// A user taps the suggestion labelled `text` (the first one when `None`) of RCS message
    /// `msg_id`.
    pub async fn rcs_tap(&self, msg_id: &str, text: Option<&str>) -> Result<Value, ControlError> {
        let mut body = json!({"msgId": msg_id});
        if let Some(text) = text {
            body["text"] = json!(text);
        }
        self.call(reqwest::Method::POST, "/rcs/tap", Some(body))
            .await
    }

    /// An inbound WhatsApp message: opens the 24-hour service window.
    pub async fn whatsapp_inbound(&self, from: &str, text: &str) -> Result<Value, ControlError> {
        self.call(
            reqwest::Method::POST,
            "/whatsapp/inbound",
            Some(json!({"from": from, "text": text})),
        )
        .await
    }

    /// Every pending message reaches its final state now.
    pub async fn flush(&self) -> Result<Flushed, ControlError> {
        self.call(reqwest::Method::POST, "/flush", None).await
    }

    /// Moves the sandbox clock forward.
    pub async fn advance_clock(&self, seconds: i64) -> Result<(), ControlError> {
        self.call::<Value>(
            reqwest::Method::POST,
            "/clock/advance",
            Some(json!({"seconds": seconds})),
        )
        .await
        .map(drop)
    }

    /// This account's events after `after` (0: from the start), oldest first.
    pub async fn events(&self, after: u64) -> Result<Vec<EventRecord>, ControlError> {
        self.call::<DataEnvelope<_>>(
            reqwest::Method::GET,
            &format!("/events?after={after}"),
            None,
        )
        .await
        .map(|envelope| envelope.data)
    }

    /// Streams this account's events (server-sent events): those after `after`, or from now
    /// on when `None`, then live. Calls `on_event` for each until it returns `false` or the
    /// sandbox closes the stream.
    pub async fn follow(
        &self,
        after: Option<u64>,
        mut on_event: impl FnMut(EventRecord) -> bool,
    ) -> Result<(), ControlError> {
        let path = after.map_or_else(
            || "/events/stream".to_owned(),
            |a| format!("/events/stream?after={a}"),
        );
        let mut response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?;
        if !response.status().is_success() {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            return Err(ControlError::Status {
                status,
                message: text,
            });
        }
        let mut buffer: Vec<u8> = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = buffer.drain(..end + 2).collect();
                let block = String::from_utf8_lossy(&block);
                for line in block.lines() {
                    let Some(data) = line.strip_prefix("data:") else {
                        continue;
                    };
                    let event: EventRecord =
                        serde_json::from_str(data.trim()).map_err(|e| ControlError::Status {
                            status: 200,
                            message: format!("unexpected event: {e}"),
                        })?;
                    if !on_event(event) {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds a fault rule; returns it with its id.
    pub async fn add_fault(&self, spec: &FaultSpec) -> Result<FaultRule, ControlError> {
        let body = serde_json::to_value(spec).unwrap_or(Value::Null);
        self.call::<DataEnvelope<_>>(reqwest::Method::POST, "/faults", Some(body))
            .await
            .map(|envelope| envelope.data)
    }

    /// The fault rules in force.
    pub async fn faults(&self) -> Result<Vec<FaultRule>, ControlError> {
        self.call::<DataEnvelope<_>>(reqwest::Method::GET, "/faults", None)
            .await
            .map(|envelope| envelope.data)
    }

    /// Removes one fault rule (`Some(id)`) or all; returns how many were removed.
    pub async fn clear_faults(&self, id: Option<u64>) -> Result<u64, ControlError> {
        let path = id.map_or_else(|| "/faults".to_owned(), |id| format!("/faults/{id}"));
        let answer: Value = self.call(reqwest::Method::DELETE, &path, None).await?;
        Ok(answer["removed"].as_u64().unwrap_or(0))
    }

    /// Back to the provisioned fixtures: this account, or every account with `all`.
    pub async fn reset(&self, all: bool) -> Result<(), ControlError> {
        self.call::<Value>(reqwest::Method::POST, "/reset", Some(json!({"all": all})))
            .await
            .map(drop)
    }

    /// This account's state as JSON.
    pub async fn export(&self) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, "/export", None).await
    }
}
