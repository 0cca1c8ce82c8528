//! What every operation's builder ([`crate::calls`]) shares: the per-call options, the checks
//! before sending, and the answer with its HTTP metadata ([`Response`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use noxitel_types::Envelope;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::transport::RawCapture;
use crate::{Client, Error, RetryPolicy, raw};

/// The future of a call sent with `.await` on its builder (`IntoFuture`).
pub type CallFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// A builder's options and its checked request (or why it cannot be sent).
pub(crate) type Prepared<'a, R> = (Setup<'a>, Result<R, Error>);

/// Settings of one call that override the client's.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) headers: HeaderMap,
}

/// The client and the per-call options of one builder.
pub(crate) struct Setup<'a> {
    client: &'a Client,
    options: CallOptions,
    /// A header that could not be used, reported when the call is sent.
    invalid: Option<String>,
}

impl<'a> Setup<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self {
            client,
            options: CallOptions::default(),
            invalid: None,
        }
    }

    pub(crate) fn timeout(&mut self, timeout: Duration) {
        self.options.timeout = Some(timeout);
    }

    pub(crate) fn retry(&mut self, policy: RetryPolicy) {
        self.options.retry = Some(policy);
    }

    pub(crate) fn header(&mut self, name: &str, value: &str) {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), _) if name == AUTHORIZATION || name == USER_AGENT => {
                self.invalid = Some(format!("header {name} is set by the client"));
            }
            (Ok(name), Ok(value)) => {
                self.options.headers.append(name, value);
            }
            (Err(_), _) => self.invalid = Some(format!("{name:?} is not a valid header name")),
            (Ok(_), Err(_)) => {
                self.invalid = Some(format!("the value of header {name} is not valid"));
            }
        }
    }

    /// Sends the checked `request` through `exchange`: the typed answer.
    pub(crate) async fn send<R, T, F, Fut>(
        self,
        request: Result<R, Error>,
        exchange: F,
    ) -> Result<T, Error>
    where
        T: Envelope,
        F: FnOnce(raw::Client, R) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error>>,
    {
        let (_, _, value) = self.perform(request, exchange, None).await?;
        Ok(value)
    }

    /// Like [`Setup::send`], with the answer's status, headers and bytes.
    pub(crate) async fn with_response<R, T, F, Fut>(
        self,
        request: Result<R, Error>,
        exchange: F,
    ) -> Result<Response<T>, Error>
    where
        T: Envelope,
        F: FnOnce(raw::Client, R) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error>>,
    {
        let capture = RawCapture::default();
        let (status, headers, value) = self
            .perform(request, exchange, Some(capture.clone()))
            .await?;
        Ok(Response {
            status,
            headers,
            body: capture.body().unwrap_or_default(),
            value,
        })
    }

    async fn perform<R, T, F, Fut>(
        self,
        request: Result<R, Error>,
        exchange: F,
        capture: Option<RawCapture>,
    ) -> Result<(StatusCode, HeaderMap, T), Error>
    where
        T: Envelope,
        F: FnOnce(raw::Client, R) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error>>,
    {
        if let Some(reason) = self.invalid {
            return Err(Error::InvalidRequest(reason));
        }
        let request = request?;
        let generated = self.client.per_call(self.options, capture);
        let answer = exchange(generated.clone(), request).await?;
        let status = answer.status();
        let headers = answer.headers().clone();
        let value = Client::checked(&generated, status, answer.into_inner())?;
        Ok((status, headers, value))
    }
}

impl fmt::Debug for Setup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setup")
            .field("timeout", &self.options.timeout)
            .field("retry", &self.options.retry)
            .field("headers", &self.options.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A successful answer with its HTTP metadata, from a builder's `with_response()`.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    value: T,
}

impl<T> Response<T> {
    /// The HTTP status (any 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The typed answer.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The typed answer, leaving the rest.
    pub fn into_value(self) -> T {
        self.value
    }
}
