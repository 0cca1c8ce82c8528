//! Every request goes through here: auth header, user agent, retries, total deadline, tracing.
//!
//! It is progenitor's `ClientHooks::exec` for the generated client, so the generated builders
//! (reachable through [`crate::Client::raw`]) get the same behaviour as the typed methods.

use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Request, Response, ResponseBuilderExt as _, StatusCode};
use tracing::Instrument;

use noxitel_types::ApiError;

use crate::auth::ApiToken;
use crate::retry::{Outcome, RetryPolicy, is_retryable};

/// Header progenitor adds to every request. The Noxitel reference never mentions it, so the
/// client does not send it (locked by a test).
const PROGENITOR_API_VERSION_HEADER: &str = "api-version";

/// Settings shared by every request of a client, plus what one call's final answer left for
/// the error mapping.
#[derive(Clone)]
pub struct Transport {
    settings: Arc<Settings>,
    call: Arc<Mutex<CallRecord>>,
    capture: Option<RawCapture>,
}

pub(crate) struct Settings {
    pub(crate) token: ApiToken,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
}

/// What the error mapping needs from the final response when progenitor keeps only the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResponseMeta {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
}

#[derive(Default)]
struct CallRecord {
    meta: Option<ResponseMeta>,
    /// The error envelope (`{"status": "error", "message": …}`) of a 2xx answer: the typed
    /// success shape may have no `message` field to keep it in.
    envelope: Option<ApiError>,
}

/// The raw body of the successful answers received through a client made by
/// [`crate::Client::capture_raw`] — the API's JSON exactly as sent, for callers that must pass
/// it on unchanged (e.g. `noxitel -o json`). Holds the latest answer; meant for one call at a
/// time.
#[derive(Debug, Clone, Default)]
pub struct RawCapture(Arc<Mutex<Option<bytes::Bytes>>>);

impl RawCapture {
    /// The body of the latest successful answer, if any, leaving it in place.
    pub fn body(&self) -> Option<bytes::Bytes> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn store(&self, body: &bytes::Bytes) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(body.clone());
    }
}

impl Transport {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            settings: Arc::new(settings),
            call: Arc::default(),
            capture: None,
        }
    }

    /// The same settings with a fresh record for one call's final answer.
    pub(crate) fn per_call(&self) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
            call: Arc::default(),
            capture: self.capture.clone(),
        }
    }

    /// The same settings, keeping successful answers' bodies in `capture`.
    pub(crate) fn capturing(&self, capture: RawCapture) -> Self {
        Self {
            capture: Some(capture),
            ..self.per_call()
        }
    }

    pub(crate) fn capture(&self) -> Option<&RawCapture> {
        self.capture.as_ref()
    }

    fn record(&self) -> std::sync::MutexGuard<'_, CallRecord> {
        self.call
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn last_response(&self) -> Option<ResponseMeta> {
        self.record().meta
    }

    fn remember(&self, meta: ResponseMeta) {
        self.record().meta = Some(meta);
    }

    /// The error envelope of this call's final 2xx answer, if it was one.
    pub(crate) fn envelope_error(&self) -> Option<ApiError> {
        self.record().envelope.take()
    }

    async fn execute(
        &self,
        client: &reqwest::Client,
        request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        match self.attempts(client, request, operation).await {
            Ok(response) if response.status().is_success() => self.read_success(response).await,
            other => other,
        }
    }

    /// Reads a success answer's body (within the call's deadline, which the request carries)
    /// and remembers it if it is the error envelope; returns the same answer.
    async fn read_success(&self, mut response: Response) -> reqwest::Result<Response> {
        let status = response.status();
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        let url = response.url().clone();
        let body = response.bytes().await?;
        if is_error_envelope(&body)
            && let Ok(api) = serde_json::from_slice::<ApiError>(&body)
        {
            self.record().envelope = Some(api);
        }
        if let Some(capture) = &self.capture {
            capture.store(&body);
        }
        // With the URL attached, reqwest does not parse a placeholder one for every answer.
        let mut rebuilt = http::Response::builder()
            .url(url)
            .body(())
            .unwrap_or_default()
            .map(|()| reqwest::Body::from(body));
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(Response::from(rebuilt))
    }

    async fn attempts(
        &self,
        client: &reqwest::Client,
        mut request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        let settings = &self.settings;
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_API_VERSION_HEADER);
        headers.insert(AUTHORIZATION, settings.token.header().clone());
        headers.insert(USER_AGENT, settings.user_agent.clone());

        let method = request.method().clone();
        let deadline = Instant::now() + settings.timeout;
        let mut retries = 0;
        loop {
            let span = tracing::info_span!(
                "noxitel.request",
                operation,
                method = %method,
                attempt = retries + 1,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            // Kept only while another attempt is possible.
            let next = match retries < settings.retry.max_retries {
                true => request.try_clone(),
                false => None,
            };
            *request.timeout_mut() = Some(deadline.saturating_duration_since(Instant::now()));
            let started = Instant::now();
            let result = client.execute(request).instrument(span.clone()).await;
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("duration_ms", duration_ms);

            let outcome = match &result {
                Ok(response) => {
                    let meta = ResponseMeta {
                        status: response.status(),
                        retry_after: retry_after(response.headers()),
                    };
                    self.remember(meta);
                    span.record("status", meta.status.as_u16());
                    span.in_scope(|| {
                        tracing::debug!(status = meta.status.as_u16(), duration_ms, "response")
                    });
                    Outcome::Status(meta.status)
                }
                Err(e) => {
                    let outcome = if e.is_connect() {
                        Outcome::ConnectFailed
                    } else {
                        Outcome::MaybeSent
                    };
                    span.in_scope(|| {
                        tracing::debug!(
                            timeout = e.is_timeout(),
                            connect = e.is_connect(),
                            duration_ms,
                            "request failed"
                        )
                    });
                    outcome
                }
            };

            let Some(next) = next else { return result };
            if retries >= settings.retry.max_retries || !is_retryable(&method, outcome) {
                return result;
            }
            retries += 1;
            let delay = result
                .as_ref()
                .ok()
                .and_then(|r| retry_after(r.headers()))
                .unwrap_or_else(|| settings.retry.backoff(retries));
            if Instant::now() + delay >= deadline {
                // Waiting would break the caller's deadline: report this attempt instead.
                return result;
            }
            span.in_scope(|| tracing::info!(delay_ms = delay.as_millis() as u64, "retrying"));
            drop(result);
            tokio::time::sleep(delay).await;
            request = next;
        }
    }
}

/// Built once: building a finder costs more than searching a typical answer.
static ERROR_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"\"error\""));

/// Whether a body is a JSON object whose `status` is `"error"`. Skips every other field
/// without building it, so a large answer that mentions "error" is scanned, not parsed twice.
fn is_error_envelope(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default)]
        status: Option<std::borrow::Cow<'a, str>>,
    }
    let is_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    // Most answers never mention "error": a byte search settles them without a parse.
    is_object
        && ERROR_FINDER.find(body).is_some()
        && serde_json::from_slice::<Probe>(body)
            .is_ok_and(|probe| probe.status.as_deref() == Some("error"))
}

/// `Retry-After` in seconds (the HTTP-date form is not used by JSON APIs and is ignored).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Transport")
            .field("token", &s.token)
            .field("user_agent", &s.user_agent)
            .field("retry", &s.retry)
            .field("timeout", &s.timeout)
            .finish()
    }
}

impl ClientHooks<Transport> for crate::raw::Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        self.inner()
            .execute(self.client(), request, info.operation_id)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::is_error_envelope;

    #[test]
    fn error_envelopes_are_recognised_without_parsing_the_rest() {
        assert!(is_error_envelope(br#" {"status":"error","message":"no"}"#));
        assert!(is_error_envelope(
            br#"{"data":[1,2,{"x":null}],"status":"error"}"#
        ));
        assert!(!is_error_envelope(br#"{"status":"success","data":[]}"#));
        assert!(!is_error_envelope(br#"{"status":403,"message":"m"}"#));
        assert!(!is_error_envelope(br#"[{"status":"error"}]"#));
        assert!(!is_error_envelope(b"<html>error</html>"));
        assert!(!is_error_envelope(b""));
    }
}
