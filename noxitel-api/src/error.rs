//! One error type for every way a call can fail.
//!
//! Each message says what happened without walking `source()`, and, where no answer arrived,
//! whether the request may have been processed ([`Error::may_have_been_processed`]).

use std::fmt;
use std::time::Duration;

use noxitel_types::{ApiError, StringOrNumber, ValidationError};
use reqwest::{Method, StatusCode, Url};

use crate::auth::ApiToken;
use crate::transport::{ResponseMeta, retry_after};

/// How much of an answer's body an error keeps ([`ErrorBody::Raw`], [`Error::Decode`]).
pub const KEPT_BODY_BYTES: usize = 4 * 1024;
/// How much of a body an error message shows.
const SHOWN_CHARS: usize = 200;

/// Why a call failed.
///
/// Answers from the API keep their HTTP status, the API's `message` and the body
/// ([`ApiFailure`]). Nothing here ever contains the API token, the request body or a request
/// URL's query (which may carry an OTP code); text taken from an answer is kept to its first
/// [`KEPT_BODY_BYTES`], with any occurrence of the token replaced by `<redacted>`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks a rule of the API reference; nothing was sent.
    #[error("invalid request (not sent): {0}")]
    InvalidRequest(String),
    /// The client could not be configured (bad token, base URL, missing environment variable).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// 400: the API rejected the request.
    #[error("bad request: {0}")]
    BadRequest(ApiFailure),
    /// 401: this machine's IP address is not whitelisted for the API key.
    #[error("IP address not whitelisted: {0}")]
    IpNotWhitelisted(ApiFailure),
    /// 402: not enough credits or wallet balance.
    #[error("insufficient credits: {0}")]
    InsufficientCredits(ApiFailure),
    /// 403: the API key is missing or invalid.
    #[error("invalid or missing API key: {0}")]
    InvalidApiKey(ApiFailure),
    /// 404: the resource does not exist.
    #[error("not found: {0}")]
    NotFound(ApiFailure),
    /// 429: rate limit exceeded (after the configured retries).
    #[error("rate limited{}: {failure}", retry_after_text(*.retry_after))]
    RateLimited {
        /// The answer.
        failure: ApiFailure,
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed. The request may have been processed before it did.
    #[error("server error: {}{}", .0, processed_hint(self))]
    Server(ApiFailure),
    /// Any other error answer, including a 2xx answer whose body says `"status": "error"`.
    #[error("API error: {0}")]
    Api(ApiFailure),
    /// A 3xx answer. Redirects are never followed (the reference documents none, and a send
    /// must never be repeated or delivered elsewhere); the base URL needs fixing.
    #[error(transparent)]
    Redirect(Redirect),
    /// The answer's body is larger than [`crate::ClientBuilder::max_response_size`]; it was
    /// not read and its connection was dropped.
    #[error(
        "the HTTP {} answer is larger than the {} limit (ClientBuilder::max_response_size) and was not read{}",
        .status.as_u16(), size(*.limit), processed_hint(self)
    )]
    ResponseTooLarge {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The limit, in bytes.
        limit: usize,
        /// The request's method.
        method: Method,
    },
    /// A deadline fired before the answer was complete.
    #[error("timed out after {} {}{}", .limit.after(*.elapsed), .phase.waiting(), processed_hint(self))]
    Timeout {
        /// How long the call had run when it gave up.
        elapsed: Duration,
        /// Which deadline fired.
        limit: TimeoutLimit,
        /// How far the request got.
        phase: Phase,
        /// The request's method.
        method: Method,
    },
    /// The connection failed or broke before the answer was complete.
    #[error(transparent)]
    Transport(TransportError),
    /// A success answer whose body is not the documented JSON.
    #[error(
        "unexpected HTTP {} answer ({}) that is not the documented JSON ({source}); it begins {}{}",
        .status.as_u16(),
        .content_type.as_deref().unwrap_or("no content type"),
        snippet(body),
        processed_hint(self)
    )]
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// The media type the answer declared, if any (e.g. `text/html`).
        content_type: Option<String>,
        /// The start of the body as received (lossy UTF-8, at most [`KEPT_BODY_BYTES`]).
        body: String,
        /// What did not match.
        #[source]
        source: serde_json::Error,
        /// The request's method.
        method: Method,
    },
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!(" (retry after {}s)", d.as_secs()))
}

/// What a caller should do about a request that may have been processed, as a message tail.
fn processed_hint(error: &Error) -> String {
    error
        .resend_advice()
        .map_or_else(String::new, |advice| format!("; {advice}"))
}

/// The advice for a send that may have been processed.
const RESEND_ADVICE: &str = "the request may have been processed: check its delivery report \
     (GET /dlr, /whatsapp/report, /rcs/dlr) before sending it again";

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

/// The [`ApiFailure`] of an error that is an answer, borrowed as `$error` is (`&Error` or
/// `&mut Error`): the one list of the variants that carry one.
macro_rules! failure_of {
    ($error:expr) => {
        match $error {
            Error::BadRequest(f)
            | Error::IpNotWhitelisted(f)
            | Error::InsufficientCredits(f)
            | Error::InvalidApiKey(f)
            | Error::NotFound(f)
            | Error::Server(f)
            | Error::Api(f)
            | Error::RateLimited { failure: f, .. } => Some(f),
            _ => None,
        }
    };
}

impl Error {
    /// `InvalidRequest` for a call of `operation` whose required inputs (`(name, missing)`)
    /// were not all set: nothing was sent.
    pub(crate) fn missing(operation: &str, inputs: &[(&str, bool)]) -> Self {
        let missing: Vec<&str> = inputs
            .iter()
            .filter_map(|(name, missing)| missing.then_some(*name))
            .collect();
        Error::InvalidRequest(format!(
            "{operation}: missing required `{}` (set with .{}(..))",
            missing.join("`, `"),
            missing.join("(..), .")
        ))
    }

    /// The HTTP status of the answer, if there was one (also for an answer that broke off,
    /// was too large or did not decode).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Redirect(redirect) => Some(redirect.status),
            Error::Timeout { phase, .. } => phase.status(),
            Error::Transport(transport) => transport.phase.status(),
            other => other.failure().map(|f| f.status),
        }
    }

    /// The API's human-readable `message`, if it sent one.
    pub fn message(&self) -> Option<&str> {
        self.failure().and_then(|f| f.message.as_deref())
    }

    /// The API's answer, for errors that are answers.
    pub fn failure(&self) -> Option<&ApiFailure> {
        failure_of!(self)
    }

    fn failure_mut(&mut self) -> Option<&mut ApiFailure> {
        failure_of!(self)
    }

    /// Whether the API may have processed the request although the call failed — a message
    /// may have gone out. True when the request was sent and no answer says it was rejected:
    /// the connection broke or a deadline fired after the request was written, a success
    /// answer could not be read (cut off, too large, not the documented JSON), or the server
    /// failed (5xx). Before sending such a message again, check its delivery report.
    ///
    /// False when nothing was sent (invalid request, configuration, no connection), when the
    /// API rejected the request (4xx, an error envelope) and for a redirect (not followed).
    pub fn may_have_been_processed(&self) -> bool {
        let answered = |status: &StatusCode| status.is_success() || status.is_server_error();
        match self {
            Error::Server(_) => true,
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => {
                answered(status)
            }
            Error::Timeout { phase, .. } => phase.may_have_been_processed(),
            Error::Transport(transport) => transport.phase.may_have_been_processed(),
            _ => false,
        }
    }

    /// What to do before sending the request again, when it was not idempotent (a send) and
    /// [may have been processed](Self::may_have_been_processed): every message of such an
    /// error ends with it.
    pub fn resend_advice(&self) -> Option<&'static str> {
        let idempotent = self.method().is_some_and(is_idempotent);
        (self.may_have_been_processed() && !idempotent).then_some(RESEND_ADVICE)
    }

    /// The request's method, for errors that know it.
    fn method(&self) -> Option<&Method> {
        match self {
            Error::Timeout { method, .. }
            | Error::Decode { method, .. }
            | Error::ResponseTooLarge { method, .. } => Some(method),
            Error::Transport(transport) => Some(&transport.method),
            other => other.failure().and_then(|f| f.method.as_ref()),
        }
    }

    /// Builds the error for an error answer.
    pub(crate) fn from_answer(
        status: StatusCode,
        retry_after: Option<Duration>,
        body: ErrorBody,
    ) -> Self {
        let failure = ApiFailure::new(status, body);
        match status.as_u16() {
            400 => Error::BadRequest(failure),
            401 => Error::IpNotWhitelisted(failure),
            402 => Error::InsufficientCredits(failure),
            403 => Error::InvalidApiKey(failure),
            404 => Error::NotFound(failure),
            429 => Error::RateLimited {
                failure,
                retry_after,
            },
            500..=599 => Error::Server(failure),
            _ => Error::Api(failure),
        }
    }

    /// Maps what progenitor returned; `meta` is the final answer the transport saw.
    pub(crate) async fn from_progenitor(
        error: progenitor_client::Error<ApiError>,
        meta: Option<ResponseMeta>,
    ) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::InvalidRequest(reason) | P::Custom(reason) => Error::InvalidRequest(reason),
            P::ErrorResponse(answer) => {
                let status = answer.status();
                let retry_after = retry_after(answer.headers());
                Error::from_answer(
                    status,
                    retry_after,
                    ErrorBody::Json(Box::new(answer.into_inner())),
                )
            }
            P::InvalidResponsePayload(bytes, source) => {
                let meta = meta.unwrap_or(ResponseMeta {
                    method: Method::GET,
                    status: StatusCode::OK,
                    retry_after: None,
                    content_type: None,
                });
                Error::from_body(meta, &bytes, source)
            }
            P::UnexpectedResponse(response) => {
                let status = response.status();
                let retry_after = retry_after(response.headers());
                match response.bytes().await {
                    Ok(bytes) => Error::from_answer(status, retry_after, ErrorBody::parse(&bytes)),
                    Err(e) => Error::from_reqwest(e),
                }
            }
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
                Error::from_reqwest(e)
            }
        }
    }

    /// A body that progenitor could not decode as the documented type for its status.
    fn from_body(meta: ResponseMeta, bytes: &[u8], source: serde_json::Error) -> Self {
        let body = ErrorBody::parse(bytes);
        if !meta.status.is_success() {
            return Error::from_answer(meta.status, meta.retry_after, body);
        }
        match body {
            // A 2xx answer carrying the error envelope instead of the documented success.
            ErrorBody::Json(api) if api.status.as_ref().is_some_and(is_error_status) => {
                Error::Api(ApiFailure::new(meta.status, ErrorBody::Json(api)))
            }
            _ => Error::Decode {
                status: meta.status,
                content_type: meta.content_type,
                body: kept_text(bytes),
                source,
                method: meta.method,
            },
        }
    }

    /// A reqwest error the transport has no context for (the method unknown here, it is
    /// taken as a send: the message then errs on the side of "may have been processed").
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        let phase = match e.is_connect() {
            true => Phase::Connect,
            false => Phase::Request,
        };
        NoAnswer {
            phase,
            method: Method::POST,
            elapsed: Duration::ZERO,
            timeout: e.is_timeout().then_some(TimeoutLimit::HttpClient),
        }
        .into_error(e)
    }

    /// The same error with every occurrence of the token in text taken from the answer
    /// replaced (a misconfigured base URL may point at a server that echoes headers).
    pub(crate) fn redacted(mut self, token: &ApiToken) -> Self {
        match &mut self {
            Error::Decode { body, .. } => token.redact(body),
            Error::Redirect(redirect) => {
                if let Some(location) = &mut redirect.location {
                    token.redact(location);
                }
                if let Some(suggestion) = &mut redirect.suggested_base_url {
                    token.redact(suggestion);
                }
            }
            _ => {}
        }
        if let Some(failure) = self.failure_mut() {
            failure.redact(token);
        }
        self
    }

    /// The same error, knowing the request's method (for an answer: whether to say that a
    /// send may have been processed).
    pub(crate) fn sent_with(mut self, method: Option<Method>) -> Self {
        if let Some(failure) = self.failure_mut() {
            failure.method = method;
        }
        self
    }
}

fn is_error_status(status: &StringOrNumber) -> bool {
    match status {
        StringOrNumber::String(s) => s == "error",
        StringOrNumber::Number(n) => n.as_u64().is_some_and(|n| n >= 400),
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}

/// How far a request got before the call failed without a complete answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// The connection could not be made: nothing was sent.
    Connect,
    /// The request was (or was being) written and no answer arrived: the server may have
    /// processed it.
    Request,
    /// The answer's status and headers arrived; its body did not arrive whole.
    Body(StatusCode),
}

impl Phase {
    /// The status of the answer whose body broke off.
    pub fn status(self) -> Option<StatusCode> {
        match self {
            Phase::Body(status) => Some(status),
            Phase::Connect | Phase::Request => None,
        }
    }

    fn may_have_been_processed(self) -> bool {
        match self {
            Phase::Connect => false,
            Phase::Request => true,
            Phase::Body(status) => status.is_success() || status.is_server_error(),
        }
    }

    fn waiting(self) -> String {
        match self {
            Phase::Connect => "while connecting; nothing was sent".into(),
            Phase::Request => "waiting for the answer after sending the request".into(),
            Phase::Body(status) => format!("while reading the HTTP {} answer", status.as_u16()),
        }
    }
}

/// Which deadline fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutLimit {
    /// The call's total timeout ([`crate::ClientBuilder::timeout`]), retries included.
    Call(Duration),
    /// The connect timeout ([`crate::ClientBuilder::connect_timeout`]; unknown for a
    /// caller-supplied HTTP client).
    Connect(Option<Duration>),
    /// A timeout of a caller-supplied `reqwest::Client` (e.g. its read timeout).
    HttpClient,
}

impl TimeoutLimit {
    /// `30 s (the call's total timeout)`: the limit where it is known, else how long the
    /// call had run.
    fn after(self, elapsed: Duration) -> String {
        match self {
            TimeoutLimit::Call(limit) => format!("{} (the call's total timeout)", duration(limit)),
            TimeoutLimit::Connect(Some(limit)) => {
                format!("{} (the connect timeout)", duration(limit))
            }
            TimeoutLimit::Connect(None) => {
                format!("{} (the HTTP client's connect timeout)", duration(elapsed))
            }
            TimeoutLimit::HttpClient => format!(
                "{} (a timeout of the supplied reqwest::Client)",
                duration(elapsed)
            ),
        }
    }
}

/// What the transport knew of a call that ended without a complete answer; made into an
/// [`Error`] with the `reqwest::Error` that ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoAnswer {
    pub(crate) phase: Phase,
    pub(crate) method: Method,
    pub(crate) elapsed: Duration,
    pub(crate) timeout: Option<TimeoutLimit>,
}

impl NoAnswer {
    pub(crate) fn into_error(self, error: reqwest::Error) -> Error {
        match self.timeout {
            Some(limit) => Error::Timeout {
                elapsed: self.elapsed,
                limit,
                phase: self.phase,
                method: self.method,
            },
            None => Error::Transport(TransportError {
                phase: self.phase,
                method: self.method,
                cause: root_cause(&error),
                source: error.without_url(),
            }),
        }
    }
}

/// A connection that failed or broke: how far the request got, and the root cause.
#[derive(Debug)]
pub struct TransportError {
    phase: Phase,
    method: Method,
    cause: String,
    source: reqwest::Error,
}

impl TransportError {
    /// How far the request got.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether the connection could not be made (nothing was sent).
    pub fn is_connect(&self) -> bool {
        self.phase == Phase::Connect
    }

    /// The innermost cause, e.g. `connection closed before message completed`.
    pub fn cause(&self) -> &str {
        &self.cause
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cause = &self.cause;
        match self.phase {
            Phase::Connect => write!(f, "could not connect ({cause}); nothing was sent"),
            Phase::Request => write!(
                f,
                "no answer came back after the request was sent ({cause})"
            ),
            Phase::Body(status) => write!(
                f,
                "the HTTP {} answer broke off before its end ({cause})",
                status.as_u16()
            ),
        }?;
        if self.phase.may_have_been_processed() && !is_idempotent(&self.method) {
            write!(f, "; {RESEND_ADVICE}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The innermost message of an error's chain (reqwest's own outer messages, such as "error
/// sending request", say nothing of the cause, and name the URL).
fn root_cause(error: &reqwest::Error) -> String {
    let Some(mut cause) = std::error::Error::source(error) else {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else if error.is_body() || error.is_decode() {
            "the body could not be read"
        } else {
            "the request failed"
        };
        return kind.to_owned();
    };
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// A redirect answer, which the client does not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The redirect's status (301, 302, 307, 308…), or for a redirect the supplied HTTP
    /// client followed, the status of the answer it got from there.
    pub status: StatusCode,
    /// Where the server pointed (without query or credentials), if it said.
    pub location: Option<String>,
    /// The base URL that the redirect suggests (the same API path on the new location).
    pub suggested_base_url: Option<String>,
    /// Whether a caller-supplied `reqwest::Client` followed it (only requests without a body
    /// can be followed; the answer from there is not trusted).
    pub followed: bool,
}

impl Redirect {
    pub(crate) fn new(
        status: StatusCode,
        request: &Url,
        base_url: &str,
        location: Option<&str>,
        followed: bool,
    ) -> Self {
        let target = location.and_then(|location| request.join(location).ok());
        let suggested_base_url = target.as_ref().and_then(|target| {
            let base = Url::parse(base_url).ok()?;
            let operation_path = request.path().strip_prefix(base.path())?;
            let base_path = target.path().strip_suffix(operation_path)?;
            Some(format!(
                "{}{}",
                target.origin().ascii_serialization(),
                base_path
            ))
        });
        Self {
            status,
            location: target.map(|target| shown_url(&target)),
            suggested_base_url,
            followed,
        }
    }
}

/// A URL as an error may show it: no credentials, the query and fragment elided.
fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    let elided = shown.query().is_some() || shown.fragment().is_some();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    // A hostile Location can be kilobytes long; an error message shows its start.
    const SHOWN: usize = 300;
    let full = shown.as_str();
    let mut text: String = full.chars().take(SHOWN).collect();
    if elided || text.len() < full.len() {
        text.push_str(if elided { "?…" } else { "…" });
    }
    text
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status.as_u16();
        let location = self.location.as_deref().unwrap_or("an unnamed location");
        match self.followed {
            true => write!(
                f,
                "the supplied reqwest::Client followed a redirect to {location} (HTTP {status} \
                 from there), so the answer is not the API's: build that client with \
                 `redirect(reqwest::redirect::Policy::none())`"
            )?,
            false => write!(
                f,
                "the server answered HTTP {status}, a redirect to {location}; redirects are not \
                 followed, so that a request is never sent twice or to another host"
            )?,
        }
        let joiner = if self.followed { "; then" } else { ":" };
        match &self.suggested_base_url {
            Some(base) => write!(f, "{joiner} set the base URL to {base}"),
            None => write!(
                f,
                "{joiner} check the base URL (e.g. http:// where the server wants https://)"
            ),
        }
    }
}

impl std::error::Error for Redirect {}

/// An error answer from the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The API's human-readable `message`, if the body had one.
    pub message: Option<String>,
    /// The body.
    pub body: ErrorBody,
    /// The request's method, when known.
    method: Option<Method>,
}

impl ApiFailure {
    pub(crate) fn new(status: StatusCode, body: ErrorBody) -> Self {
        let message = match &body {
            ErrorBody::Json(api) => Some(api.message.clone()),
            ErrorBody::Raw(_) | ErrorBody::Empty => None,
        };
        Self {
            status,
            message,
            body,
            method: None,
        }
    }

    fn redact(&mut self, token: &ApiToken) {
        if let Some(message) = &mut self.message {
            token.redact(message);
        }
        match &mut self.body {
            ErrorBody::Json(api) => {
                token.redact(&mut api.message);
                for value in api.extra.values_mut() {
                    token.redact_json(value);
                }
            }
            ErrorBody::Raw(raw) => token.redact(raw),
            ErrorBody::Empty => {}
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status.as_u16())?;
        match (&self.message, &self.body) {
            (Some(message), _) => write!(f, ": {message}"),
            (None, ErrorBody::Raw(raw)) => write!(f, " with a non-JSON body: {}", snippet(raw)),
            (None, _) => write!(f, " with an empty body"),
        }
    }
}

/// The body of an error answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorBody {
    /// The documented error JSON (either of its two shapes).
    Json(Box<ApiError>),
    /// Anything else (an HTML error page from a proxy, say): its first [`KEPT_BODY_BYTES`].
    Raw(String),
    /// No body.
    Empty,
}

impl ErrorBody {
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return ErrorBody::Empty;
        }
        match serde_json::from_slice::<ApiError>(bytes) {
            Ok(api) => ErrorBody::Json(Box::new(api)),
            Err(_) => ErrorBody::Raw(kept_text(bytes)),
        }
    }
}

/// The first [`KEPT_BODY_BYTES`] of a body as text (lossy UTF-8, cut at a character).
fn kept_text(bytes: &[u8]) -> String {
    let kept = &bytes[..bytes.len().min(KEPT_BODY_BYTES)];
    let mut text = String::from_utf8_lossy(kept).into_owned();
    if bytes.len() > KEPT_BODY_BYTES {
        // A character cut in half at the end shows as U+FFFD; drop it.
        if text.ends_with('\u{FFFD}') {
            text.pop();
        }
        text.push('…');
    }
    text
}

/// The first [`SHOWN_CHARS`] characters, quoted, with control characters escaped.
fn snippet(text: &str) -> String {
    let trimmed = text.trim();
    let shown: String = trimmed.chars().take(SHOWN_CHARS).collect();
    let more = if shown.len() < trimmed.len() {
        "…"
    } else {
        ""
    };
    format!("{shown:?}{more}")
}

/// A byte count as people read it (`8 MiB`, `512 KiB`, `1000 bytes`).
pub(crate) fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// A duration as people read it (`30 s`, `1.5 s`, `300 ms`).
fn duration(d: Duration) -> String {
    let millis = d.as_millis();
    match millis {
        m if m >= 1000 && m % 1000 == 0 => format!("{} s", m / 1000),
        m if m >= 10_000 => format!("{} s", (m + 500) / 1000),
        m if m >= 1000 => format!("{:.1} s", d.as_secs_f64()),
        m => format!("{m} ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_naturally() {
        assert_eq!(size(8 * 1024 * 1024), "8 MiB");
        assert_eq!(size(64 * 1024), "64 KiB");
        assert_eq!(size(1000), "1000 bytes");
        assert_eq!(duration(Duration::from_secs(30)), "30 s");
        assert_eq!(duration(Duration::from_millis(30_004)), "30 s");
        assert_eq!(duration(Duration::from_millis(1_500)), "1.5 s");
        assert_eq!(duration(Duration::from_millis(300)), "300 ms");
    }

    #[test]
    fn kept_bodies_are_bounded_and_snippets_escaped() {
        let long = "é".repeat(KEPT_BODY_BYTES);
        let kept = kept_text(long.as_bytes());
        assert!(
            kept.len() <= KEPT_BODY_BYTES + '…'.len_utf8(),
            "{}",
            kept.len()
        );
        assert!(kept.ends_with("é…"), "{kept:?}");
        assert_eq!(snippet("<html>\n\u{1b}[31m"), r#""<html>\n\u{1b}[31m""#);
        assert!(snippet(&"x".repeat(500)).ends_with("\"…"));
    }

    #[test]
    fn redirects_suggest_the_base_url_and_hide_queries() {
        let request = Url::parse("http://api.example/api/v2/otp/verify?otp=123456").unwrap();
        let redirect = Redirect::new(
            StatusCode::MOVED_PERMANENTLY,
            &request,
            "http://api.example/api/v2",
            Some("https://api.example/api/v2/otp/verify?otp=123456"),
            false,
        );
        assert_eq!(
            redirect.location.as_deref(),
            Some("https://api.example/api/v2/otp/verify?…")
        );
        assert_eq!(
            redirect.suggested_base_url.as_deref(),
            Some("https://api.example/api/v2")
        );
        let text = redirect.to_string();
        assert!(!text.contains("123456"), "{text}");
        assert!(text.contains("HTTP 301"), "{text}");

        let long = format!("https://api.example/{}", "a".repeat(10_000));
        let redirect = Redirect::new(
            StatusCode::FOUND,
            &request,
            "http://api.example/api/v2",
            Some(&long),
            false,
        );
        assert!(
            redirect.to_string().len() < 1000,
            "{}",
            redirect.to_string().len()
        );
    }
}
