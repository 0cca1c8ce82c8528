//! Runtime fault injection on `/api/v2`: rules added by `--fault` or `POST /sandbox/faults`,
//! listed, changed and cleared at runtime. A rule matches a path (or every path) and fires
//! with a probability or for the next N matching requests; the first rule that fires decides.
//!
//! The rules are the server's, not an account's state: `http` holds them (next to `state`,
//! which knows nothing of them), and they are not stored in `--db` (see the README).

use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::error::ApiErr;

/// What a fault does to the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answers `status` (e.g. 429, 500, 503) in the API's error shape; `retryAfter` seconds
    /// in a `Retry-After` header (429 and 503 get 1 unless given).
    Status {
        /// The HTTP status.
        status: u16,
        /// Seconds for `Retry-After`.
        #[serde(
            default,
            rename = "retryAfter",
            skip_serializing_if = "Option::is_none"
        )]
        retry_after: Option<u64>,
    },
    /// Waits `ms` (or a uniformly drawn time between `ms` and `maxMs`), then serves the request.
    Latency {
        /// Milliseconds (the least, with `maxMs`).
        ms: u64,
        /// The most milliseconds.
        #[serde(default, rename = "maxMs", skip_serializing_if = "Option::is_none")]
        max_ms: Option<u64>,
    },
    /// Reads the whole request, then closes the connection without answering.
    Drop,
    /// Serves the request but closes the connection half-way through the body (the
    /// `Content-Length` announces all of it).
    Cut,
    /// Answers `status` (default 307) with `Location: location` (default: the same URL, so a
    /// client that follows it sees the next rule or the real answer).
    Redirect {
        /// Where to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        /// A 3xx status.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
    /// Holds the request for `ms` (default 10 minutes) before serving it: a client's timeout
    /// fires first.
    Stall {
        /// Milliseconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms: Option<u64>,
    },
}

/// A rule as given: what, where, how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// What it does.
    #[serde(flatten)]
    pub action: FaultAction,
    /// `/api/v2/sms` (or `/sms`); a trailing `*` matches a prefix; absent: every path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only this method (`GET`, `POST`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Fires with this probability (0–1); default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Fires for the next N matching requests only, then stays listed as used up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}

impl FaultSpec {
    /// Checks the values a rule can't work with.
    pub fn check(&self) -> Result<(), String> {
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("probability must be between 0 and 1, got {p}"));
        }
        match &self.action {
            FaultAction::Status { status, .. } if !(400..=599).contains(status) => {
                Err(format!("status must be a 4xx or 5xx code, got {status}"))
            }
            FaultAction::Redirect {
                status: Some(s), ..
            } if !(300..=399).contains(s) => Err(format!("a redirect status must be 3xx, got {s}")),
            FaultAction::Latency {
                ms,
                max_ms: Some(max),
            } if max < ms => Err(format!("maxMs ({max}) is below ms ({ms})")),
            _ => Ok(()),
        }
    }

    /// Parses the `--fault` syntax: `KIND[=VALUE][,KEY=VALUE…]`, e.g.
    /// `status=503,path=/api/v2/sms,next=2`, `status=429,retry-after=3`,
    /// `latency=100..400,probability=0.5`, `drop`, `cut`, `redirect=http://…`, `stall=30000`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.split(',').map(str::trim).filter(|p| !p.is_empty());
        let head = parts.next().ok_or("an empty fault")?;
        let (kind, value) = match head.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (head, None),
        };
        let num = |name: &str, v: &str| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{name}: {v:?} is not a non-negative integer"))
        };
        let mut retry_after = None;
        let mut spec = FaultSpec {
            action: FaultAction::Drop,
            path: None,
            method: None,
            probability: None,
            next: None,
        };
        let mut redirect_status = None;
        for part in parts {
            let (key, v) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected KEY=VALUE"))?;
            let v = v.trim();
            match key.trim() {
                "path" => spec.path = Some(v.to_owned()),
                "method" => spec.method = Some(v.to_ascii_uppercase()),
                "probability" | "p" => {
                    spec.probability = Some(
                        v.parse()
                            .map_err(|_| format!("probability: {v:?} is not a number"))?,
                    )
                }
                "next" => spec.next = Some(num("next", v)?),
                "retry-after" | "retryAfter" => retry_after = Some(num("retry-after", v)?),
                "status" => redirect_status = Some(num("status", v)? as u16),
                other => return Err(format!("unknown fault option {other:?}")),
            }
        }
        spec.action = match (kind, value) {
            ("status", Some(v)) => FaultAction::Status {
                status: num("status", v)? as u16,
                retry_after,
            },
            ("latency", Some(v)) => match v.split_once("..") {
                Some((a, b)) => FaultAction::Latency {
                    ms: num("latency", a)?,
                    max_ms: Some(num("latency", b)?),
                },
                None => FaultAction::Latency {
                    ms: num("latency", v)?,
                    max_ms: None,
                },
            },
            ("drop", None) => FaultAction::Drop,
            ("cut", None) => FaultAction::Cut,
            ("redirect", location) => FaultAction::Redirect {
                location: location.map(str::to_owned),
                status: redirect_status,
            },
            ("stall", v) => FaultAction::Stall {
                ms: v.map(|v| num("stall", v)).transpose()?,
            },
            ("status" | "latency", None) => {
                return Err(format!("{kind} needs a value, e.g. {kind}=503"));
            }
            (other, _) => {
                return Err(format!(
                    "unknown fault {other:?} (status, latency, drop, cut, redirect, stall)"
                ));
            }
        };
        spec.check()?;
        Ok(spec)
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        let Some(want) = &self.path else {
            return true;
        };
        let short = path.strip_prefix("/api/v2").unwrap_or(path);
        match want.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix) || short.starts_with(prefix),
            None => want == path || want == short,
        }
    }
}

/// A rule with its id and how often it has fired.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRule {
    /// Its id (for `PUT`/`DELETE /sandbox/faults/{id}`).
    pub id: u64,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Firings left for a `next` rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// Times it has fired.
    #[serde(default)]
    pub fired: u64,
}

/// The rules in force.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<(u64, Vec<FaultRule>)>,
    /// Rules in force, read without the lock on every request.
    count: std::sync::atomic::AtomicUsize,
}

impl Faults {
    pub fn new(specs: Vec<FaultSpec>) -> Self {
        let faults = Self::default();
        for spec in specs {
            faults.add(spec);
        }
        faults
    }

    pub fn add(&self, spec: FaultSpec) -> FaultRule {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.0 += 1;
        let rule = FaultRule {
            id: inner.0,
            remaining: spec.next,
            spec,
            fired: 0,
        };
        inner.1.push(rule.clone());
        self.count
            .store(inner.1.len(), std::sync::atomic::Ordering::Release);
        rule
    }

    /// Replaces rule `id`'s spec (its counters restart); `None` if there is no such rule.
    pub fn replace(&self, id: u64, spec: FaultSpec) -> Option<FaultRule> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let rule = inner.1.iter_mut().find(|r| r.id == id)?;
        rule.remaining = spec.next;
        rule.spec = spec;
        rule.fired = 0;
        Some(rule.clone())
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    /// Removes one rule (`Some(id)`) or all; returns how many were removed.
    pub fn clear(&self, id: Option<u64>) -> usize {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let before = inner.1.len();
        match id {
            Some(id) => inner.1.retain(|r| r.id != id),
            None => inner.1.clear(),
        }
        self.count
            .store(inner.1.len(), std::sync::atomic::Ordering::Release);
        before - inner.1.len()
    }

    /// The action of the first rule that fires for this request.
    fn pick(&self, method: &str, path: &str) -> Option<(u64, FaultAction)> {
        if self.count.load(std::sync::atomic::Ordering::Acquire) == 0 {
            return None;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for rule in inner.1.iter_mut() {
            if rule.remaining == Some(0) || !rule.spec.matches(method, path) {
                continue;
            }
            if let Some(p) = rule.spec.probability
                && fastrand::f64() >= p
            {
                continue;
            }
            if let Some(n) = rule.remaining.as_mut() {
                *n -= 1;
            }
            rule.fired += 1;
            return Some((rule.id, rule.spec.action.clone()));
        }
        None
    }
}

/// A body that fails (hyper then closes the connection): at once, or after `first` has had
/// time to reach the client.
fn broken_body(first: Option<Bytes>) -> Body {
    let stream = futures_util::stream::unfold(first.map(Some), |state| async move {
        let error = || std::io::Error::other("connection cut by an injected fault");
        match state {
            Some(Some(bytes)) => Some((Ok(bytes), Some(None))),
            Some(None) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Err(error()), None))
            }
            None => Some((Err(error()), None)),
        }
    });
    Body::from_stream(stream)
}

/// The middleware on `/api/v2`.
pub async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let Some((id, action)) = path
        .starts_with("/api/v2")
        .then(|| faults.pick(request.method().as_str(), path))
        .flatten()
    else {
        return next.run(request).await;
    };
    tracing::info!(
        rule = id,
        ?action,
        path = request.uri().path(),
        "fault injected"
    );
    match action {
        FaultAction::Status {
            status,
            retry_after,
        } => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut err = ApiErr::new(
                code,
                format!(
                    "{} (fault injected by the sandbox, rule {id})",
                    code.canonical_reason().unwrap_or("Error")
                ),
            );
            err.retry_after = retry_after.or(matches!(status, 429 | 503).then_some(1));
            err.into_response()
        }
        FaultAction::Latency { ms, max_ms } => {
            let wait = match max_ms {
                Some(max) if max > ms => fastrand::u64(ms..=max),
                _ => ms,
            };
            tokio::time::sleep(Duration::from_millis(wait)).await;
            next.run(request).await
        }
        FaultAction::Stall { ms } => {
            tokio::time::sleep(Duration::from_millis(ms.unwrap_or(600_000))).await;
            next.run(request).await
        }
        FaultAction::Drop => {
            let _ = axum::body::to_bytes(request.into_body(), usize::MAX).await;
            Response::new(broken_body(None))
        }
        FaultAction::Cut => {
            let response = next.run(request).await;
            let (mut parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts.headers.insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(bytes.len().max(2)),
            );
            let half = bytes.slice(..bytes.len() / 2);
            Response::from_parts(parts, broken_body(Some(half)))
        }
        FaultAction::Redirect { location, status } => {
            let location = location.unwrap_or_else(|| request.uri().to_string());
            let code = status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::TEMPORARY_REDIRECT);
            let mut response = code.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
    }
}
