//! Every request goes through here: auth header, user agent, retries, total deadline, bounded
//! reading of the answer, tracing.
//!
//! It is progenitor's `ClientHooks::exec` for the generated client, so the generated builders
//! (reachable through [`crate::Client::raw`]) get the same behaviour as the typed methods.
//!
//! The answer's body is read here, inside the attempt, so that a body that breaks off can be
//! retried like a lost connection (for idempotent requests) and so that no answer is ever held
//! beyond [`Settings::max_response_size`].

use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER, USER_AGENT,
};
use reqwest::{Method, Request, Response, ResponseBuilderExt as _, StatusCode, Url, Version};
use tracing::Instrument;

use noxitel_types::ApiError;

use crate::auth::ApiToken;
use crate::call::CallOptions;
use crate::error::{Error, NoAnswer, Phase, Redirect, TimeoutLimit};
use crate::retry::{AttemptEnd, RetryPolicy, is_retryable};

/// Header progenitor adds to every request. The Noxitel reference never mentions it, so the
/// client does not send it (locked by a test).
const PROGENITOR_API_VERSION_HEADER: &str = "api-version";

/// Settings shared by every request of a client, plus what one call's final answer left for
/// the error mapping.
#[derive(Clone)]
pub struct Transport {
    settings: Arc<Settings>,
    call: Arc<Mutex<CallRecord>>,
    /// This call's own options and capture (a builder of [`crate::calls`]).
    options: CallOptions,
    capture: Option<RawCapture>,
}

pub(crate) struct Settings {
    pub(crate) token: ApiToken,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    /// The connect timeout of the client's own HTTP client (unknown for a caller's).
    pub(crate) connect_timeout: Option<Duration>,
    /// The largest answer body read; past it the call fails and the connection is dropped.
    pub(crate) max_response_size: usize,
}

/// What the error mapping needs from the final answer when progenitor keeps only the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResponseMeta {
    pub(crate) method: Method,
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) content_type: Option<String>,
}

#[derive(Default)]
struct CallRecord {
    meta: Option<ResponseMeta>,
    /// The error envelope (`{"status": "error", "message": …}`) of a 2xx answer: the typed
    /// success shape may have no `message` field to keep it in.
    envelope: Option<ApiError>,
    /// Why the call failed, when the transport knows better than what progenitor can say.
    failure: Option<Failure>,
}

/// What the transport knows of a failed call.
pub(crate) enum Failure {
    /// The error itself: a redirect, an answer too large.
    Decided(Error),
    /// No complete answer: how far the request got. The error is made from the
    /// `reqwest::Error` progenitor hands back with it.
    NoAnswer(NoAnswer),
}

/// The raw body of one call's successful answer, for [`crate::Response::body`].
#[derive(Debug, Clone, Default)]
pub(crate) struct RawCapture(Arc<Mutex<Option<Bytes>>>);

impl RawCapture {
    /// The body of the successful answer, if any, leaving it in place.
    pub(crate) fn body(&self) -> Option<Bytes> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn store(&self, body: &Bytes) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(body.clone());
    }
}

/// An answer read whole (within the size limit).
struct Answer {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    url: Url,
    body: Bytes,
}

impl Answer {
    /// The answer as the `reqwest::Response` progenitor decodes (the body already in memory).
    fn into_response(self) -> Response {
        // With the URL attached, reqwest does not parse a placeholder one for every answer.
        let mut rebuilt = http::Response::builder()
            .url(self.url)
            .body(())
            .unwrap_or_default()
            .map(|()| reqwest::Body::from(self.body));
        *rebuilt.status_mut() = self.status;
        *rebuilt.version_mut() = self.version;
        *rebuilt.headers_mut() = self.headers;
        Response::from(rebuilt)
    }
}

/// How one attempt failed to produce an answer.
enum Failed {
    /// No answer arrived: the connection could not be made, broke, or timed out.
    Send(reqwest::Error),
    /// The answer's head arrived; its body broke off or timed out.
    Body {
        status: StatusCode,
        error: reqwest::Error,
    },
    /// The answer is larger than the limit; it was not read.
    TooLarge {
        status: StatusCode,
        headers: HeaderMap,
    },
}

/// One request as every attempt sends it; the body is kept apart so that each attempt gets a
/// one-shot copy (see [`Template::attempt`]).
struct Template {
    method: Method,
    url: Url,
    headers: HeaderMap,
    version: Version,
    body: Option<Bytes>,
}

impl Template {
    fn new(mut request: Request, settings: &Settings, options: &CallOptions) -> Self {
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_API_VERSION_HEADER);
        for (name, value) in &options.headers {
            headers.append(name, value.clone());
        }
        headers.insert(AUTHORIZATION, settings.token.header().clone());
        headers.insert(USER_AGENT, settings.user_agent.clone());
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(Bytes::copy_from_slice);
        Self {
            method: request.method().clone(),
            url: request.url().clone(),
            headers: std::mem::take(request.headers_mut()),
            version: request.version(),
            body,
        }
    }

    /// One attempt's request. The body is a one-shot stream of known length (so it goes out
    /// with `Content-Length`): an HTTP client that follows redirects cannot re-send it, so a
    /// redirect can never repeat a send nor carry its text to another origin, whatever
    /// `reqwest::Client` the caller supplied.
    fn attempt(&self, timeout: Duration) -> Request {
        let mut request = Request::new(self.method.clone(), self.url.clone());
        *request.headers_mut() = self.headers.clone();
        *request.version_mut() = self.version;
        *request.timeout_mut() = Some(timeout);
        *request.body_mut() = self
            .body
            .clone()
            .map(|body| reqwest::Body::wrap(http_body_util::Full::new(body)));
        request
    }
}

impl Transport {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            settings: Arc::new(settings),
            call: Arc::default(),
            options: CallOptions::default(),
            capture: None,
        }
    }

    /// The same settings with a fresh record for one call's final answer, the call's own
    /// options and, if given, a capture of its successful answer's body.
    pub(crate) fn per_call(&self, options: CallOptions, capture: Option<RawCapture>) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
            call: Arc::default(),
            options,
            capture,
        }
    }

    pub(crate) fn token(&self) -> &ApiToken {
        &self.settings.token
    }

    /// The call's total timeout.
    fn timeout(&self) -> Duration {
        self.options.timeout.unwrap_or(self.settings.timeout)
    }

    fn record(&self) -> std::sync::MutexGuard<'_, CallRecord> {
        self.call
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn last_response(&self) -> Option<ResponseMeta> {
        self.record().meta.clone()
    }

    /// The error envelope of this call's final 2xx answer, if it was one.
    pub(crate) fn envelope_error(&self) -> Option<ApiError> {
        self.record().envelope.take()
    }

    /// What the transport knows of why this call failed.
    pub(crate) fn failure(&self) -> Option<Failure> {
        self.record().failure.take()
    }

    async fn execute(
        &self,
        client: &reqwest::Client,
        base_url: &str,
        request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        let template = Template::new(request, &self.settings, &self.options);
        let result = self.attempts(client, &template, operation).await;
        let (failure, result) = match result {
            Ok(answer) => self.check_answer(base_url, &template, answer),
            Err((failed, started)) => self.failure_of(&template, failed, started),
        };
        if let Some(failure) = failure {
            self.record().failure = Some(failure);
        }
        result
    }

    /// A complete answer: remembered for the error mapping, captured if asked, and checked
    /// for a redirect (never followed by the client's own HTTP client; followed by a caller's
    /// only for a request without a body).
    fn check_answer(
        &self,
        base_url: &str,
        template: &Template,
        answer: Answer,
    ) -> (Option<Failure>, reqwest::Result<Response>) {
        let meta = ResponseMeta {
            method: template.method.clone(),
            status: answer.status,
            retry_after: retry_after(&answer.headers),
            content_type: content_type(&answer.headers),
        };
        self.record().meta = Some(meta);
        let followed = answer.url != template.url;
        let failure = if answer.status.is_redirection() || followed {
            let location = match followed {
                true => Some(answer.url.to_string()),
                false => header_text(&answer.headers, LOCATION),
            };
            Some(Failure::Decided(Error::Redirect(Redirect::new(
                answer.status,
                &template.url,
                base_url,
                location.as_deref(),
                followed,
            ))))
        } else {
            None
        };
        if failure.is_none() && answer.status.is_success() {
            if is_error_envelope(&answer.body)
                && let Ok(api) = serde_json::from_slice::<ApiError>(&answer.body)
            {
                self.record().envelope = Some(api);
            }
            if let Some(capture) = &self.capture {
                capture.store(&answer.body);
            }
        }
        (failure, Ok(answer.into_response()))
    }

    /// The typed error of a failed call, and what progenitor gets back for it (so that the
    /// generated builders also fail, with reqwest's own error where there is one).
    fn failure_of(
        &self,
        template: &Template,
        failed: Failed,
        started: Instant,
    ) -> (Option<Failure>, reqwest::Result<Response>) {
        let method = template.method.clone();
        match failed {
            Failed::Send(error) => {
                let phase = match error.is_connect() {
                    true => Phase::Connect,
                    false => Phase::Request,
                };
                let context = self.no_answer(&error, phase, method, started);
                (Some(Failure::NoAnswer(context)), Err(error))
            }
            Failed::Body { status, error } => {
                self.record().meta = Some(ResponseMeta {
                    method: method.clone(),
                    status,
                    retry_after: None,
                    content_type: None,
                });
                let context = self.no_answer(&error, Phase::Body(status), method, started);
                (Some(Failure::NoAnswer(context)), Err(error))
            }
            Failed::TooLarge { status, headers } => {
                let limit = self.settings.max_response_size;
                let typed = Error::ResponseTooLarge {
                    status,
                    limit,
                    method,
                };
                let response = refused_answer(status, headers, &template.url, limit);
                (Some(Failure::Decided(typed)), Ok(response))
            }
        }
    }

    /// How far a call got that ended without a complete answer.
    fn no_answer(
        &self,
        error: &reqwest::Error,
        phase: Phase,
        method: Method,
        started: Instant,
    ) -> NoAnswer {
        let elapsed = started.elapsed();
        // Which deadline fired: the call's own, the connect timeout, or one of a caller's
        // HTTP client (its read timeout, say), which fires before the call's.
        let timeout = error.is_timeout().then(|| {
            if elapsed + Duration::from_millis(20) >= self.timeout() {
                TimeoutLimit::Call(self.timeout())
            } else if phase == Phase::Connect {
                TimeoutLimit::Connect(self.settings.connect_timeout)
            } else {
                TimeoutLimit::HttpClient
            }
        });
        NoAnswer {
            phase,
            method,
            elapsed,
            timeout,
        }
    }

    /// Sends `template` until an attempt ends in an answer that is not retried, the retries
    /// run out, or the deadline would be broken. Returns the answer read whole, or how the last
    /// attempt failed (with the call's start).
    async fn attempts(
        &self,
        client: &reqwest::Client,
        template: &Template,
        operation: &'static str,
    ) -> Result<Answer, (Failed, Instant)> {
        let settings = &self.settings;
        let retry = self.options.retry.as_ref().unwrap_or(&settings.retry);
        let started = Instant::now();
        let deadline = started + self.timeout();
        let mut retries = 0;
        loop {
            let span = tracing::info_span!(
                "noxitel.request",
                operation,
                method = %template.method,
                attempt = retries + 1,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let request = template.attempt(deadline.saturating_duration_since(Instant::now()));
            let attempt_started = Instant::now();
            let result = self.attempt(client, request).instrument(span.clone()).await;
            let duration_ms =
                u64::try_from(attempt_started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("duration_ms", duration_ms);

            let end = match &result {
                Ok(answer) => {
                    span.record("status", answer.status.as_u16());
                    span.in_scope(|| {
                        tracing::debug!(status = answer.status.as_u16(), duration_ms, "response")
                    });
                    AttemptEnd::Status(answer.status)
                }
                Err(failed) => {
                    let (error, status) = match failed {
                        Failed::Send(error) => (Some(error), None),
                        Failed::Body { status, error } => (Some(error), Some(*status)),
                        Failed::TooLarge { status, .. } => (None, Some(*status)),
                    };
                    if let Some(status) = status {
                        span.record("status", status.as_u16());
                    }
                    span.in_scope(|| {
                        tracing::debug!(
                            timeout = error.is_some_and(reqwest::Error::is_timeout),
                            connect = error.is_some_and(reqwest::Error::is_connect),
                            too_large = error.is_none(),
                            duration_ms,
                            "request failed"
                        )
                    });
                    match failed {
                        Failed::Send(error) if error.is_connect() => AttemptEnd::NotSent,
                        Failed::TooLarge { status, .. } => AttemptEnd::Status(*status),
                        Failed::Send(_) | Failed::Body { .. } => AttemptEnd::NoAnswer,
                    }
                }
            };

            if retries >= retry.max_retries || !is_retryable(&template.method, end) {
                return result.map_err(|failed| (failed, started));
            }
            retries += 1;
            let delay = result
                .as_ref()
                .ok()
                .and_then(|answer| retry_after(&answer.headers))
                .unwrap_or_else(|| retry.backoff(retries));
            if Instant::now() + delay >= deadline {
                // Waiting would break the caller's deadline: report this attempt instead.
                return result.map_err(|failed| (failed, started));
            }
            span.in_scope(|| tracing::info!(delay_ms = delay.as_millis() as u64, "retrying"));
            drop(result);
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt: the request sent and the answer read whole, within the size limit.
    async fn attempt(&self, client: &reqwest::Client, request: Request) -> Result<Answer, Failed> {
        let mut response = client.execute(request).await.map_err(Failed::Send)?;
        let status = response.status();
        let limit = self.settings.max_response_size;
        let body = match read_capped(&mut response, limit).await {
            Ok(Some(body)) => body,
            Ok(None) => {
                // Dropping the response (unread) closes its connection.
                return Err(Failed::TooLarge {
                    status,
                    headers: std::mem::take(response.headers_mut()),
                });
            }
            Err(error) => return Err(Failed::Body { status, error }),
        };
        Ok(Answer {
            status,
            version: response.version(),
            url: response.url().clone(),
            headers: std::mem::take(response.headers_mut()),
            body,
        })
    }
}

/// The body, or `None` if it is (or announces itself as) longer than `limit` bytes. A body in
/// one chunk — most answers — is kept without a copy.
async fn read_capped(response: &mut Response, limit: usize) -> reqwest::Result<Option<Bytes>> {
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit as u64) {
        return Ok(None);
    }
    let Some(first) = response.chunk().await? else {
        return Ok(Some(Bytes::new()));
    };
    if first.len() > limit {
        return Ok(None);
    }
    let Some(second) = response.chunk().await? else {
        return Ok(Some(first));
    };
    // Grown by hand, never past the limit: peak memory stays near the limit.
    let expected = announced.map_or(0, |length| length as usize);
    let mut body = Vec::with_capacity(expected.max(first.len() + second.len()));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        let needed = body.len() + chunk.len();
        if needed > limit {
            return Ok(None);
        }
        if needed > body.capacity() {
            let grown = needed.max(body.len().saturating_mul(2)).min(limit);
            body.reserve_exact(grown - body.len());
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await?;
    }
    Ok(Some(Bytes::from(body)))
}

/// The answer progenitor gets for one that was too large: its status and headers, and a body
/// that fails to read with the reason.
fn refused_answer(status: StatusCode, headers: HeaderMap, url: &Url, limit: usize) -> Response {
    let body = RefusedBody(Some(format!(
        "the answer is larger than the {} limit and was not read",
        crate::error::size(limit)
    )));
    let mut rebuilt = http::Response::builder()
        .url(url.clone())
        .body(())
        .unwrap_or_default()
        .map(|()| reqwest::Body::wrap(body));
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    Response::from(rebuilt)
}

/// A body whose first read fails with its message.
struct RefusedBody(Option<String>);

impl http_body::Body for RefusedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.take().map(|message| Err(message.into())))
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

/// A header as text, if it is text.
fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The answer's media type (`text/html`, without parameters).
pub(crate) fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = header_text(headers, CONTENT_TYPE)?;
    let media = value.split(';').next().unwrap_or_default().trim();
    Some(media.chars().take(100).collect())
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Transport")
            .field("token", &s.token)
            .field("user_agent", &s.user_agent)
            .field("retry", &s.retry)
            .field("timeout", &s.timeout)
            .field("max_response_size", &s.max_response_size)
            .finish()
    }
}

impl ClientHooks<Transport> for crate::raw::Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        self.inner()
            .execute(self.client(), self.baseurl(), request, info.operation_id)
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
