//! One error type for every way a call can fail.

use std::fmt;
use std::time::Duration;

use noxitel_types::{ApiError, StringOrNumber, ValidationError};
use reqwest::StatusCode;

use crate::transport::{ResponseMeta, retry_after};

/// Why a call failed.
///
/// Answers from the API keep their HTTP status, the API's `message` and the body
/// ([`ApiFailure`]). Nothing here ever contains the API token or a request URL (which may carry
/// an OTP code in its query string).
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
    /// 5xx: the server failed.
    #[error("server error: {0}")]
    Server(ApiFailure),
    /// Any other error answer, including a 2xx answer whose body says `"status": "error"`.
    #[error("API error: {0}")]
    Api(ApiFailure),
    /// The call did not finish within the client's total timeout.
    #[error("timed out")]
    Timeout,
    /// The connection failed or broke (the URL is stripped from the source).
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success answer whose body is not the documented JSON.
    #[error("unexpected {status} response body: {source}")]
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// The body as received (lossy UTF-8).
        body: String,
        /// What did not match.
        #[source]
        source: serde_json::Error,
    },
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!(" (retry after {}s)", d.as_secs()))
}

impl Error {
    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Decode { status, .. } => Some(*status),
            other => other.failure().map(|f| f.status),
        }
    }

    /// The API's human-readable `message`, if it sent one.
    pub fn message(&self) -> Option<&str> {
        self.failure().and_then(|f| f.message.as_deref())
    }

    /// The API's answer, for errors that are answers.
    pub fn failure(&self) -> Option<&ApiFailure> {
        match self {
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

    /// Maps what progenitor returned; `meta` is the final response the transport saw.
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
                    status: StatusCode::OK,
                    retry_after: None,
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
                body: String::from_utf8_lossy(bytes).into_owned(),
                source,
            },
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout
        } else {
            Error::Transport(e.without_url())
        }
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

/// An error answer from the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The API's human-readable `message`, if the body had one.
    pub message: Option<String>,
    /// The body.
    pub body: ErrorBody,
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
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status.as_u16())?;
        match (&self.message, &self.body) {
            (Some(message), _) => write!(f, ": {message}"),
            (None, ErrorBody::Raw(raw)) => {
                const SHOWN: usize = 200;
                let snippet: String = raw.chars().take(SHOWN).collect();
                let more = if raw.chars().count() > SHOWN {
                    "…"
                } else {
                    ""
                };
                write!(f, " with a non-JSON body: {:?}{more}", snippet.trim())
            }
            (None, _) => write!(f, " with an empty body"),
        }
    }
}

/// The body of an error answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorBody {
    /// The documented error JSON (either of its two shapes).
    Json(Box<ApiError>),
    /// Anything else (an HTML error page from a proxy, say), as received.
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
            Err(_) => ErrorBody::Raw(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}
