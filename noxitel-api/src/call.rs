//! One call of an operation: per-call options, then `.await` for the typed answer or
//! [`Call::with_response`] for the answer with its HTTP metadata.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use noxitel_types::Envelope;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::transport::RawCapture;
use crate::{Client, Error, RetryPolicy, raw};

type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a>>;
type Run<'a, T> = Box<dyn FnOnce(raw::Client) -> Pending<'a, T> + Send + 'a>;
type Running<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Settings of one call that override the client's.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) headers: HeaderMap,
}

/// One call of an operation, returned by each [`Client`] method: a future of the typed
/// answer. Set per-call options before awaiting it if needed:
///
/// ```no_run
/// # async fn run(client: noxitel_api::Client) -> Result<(), noxitel_api::Error> {
/// use std::time::Duration;
/// use noxitel_api::RetryPolicy;
///
/// let credits = client
///     .get_credits()
///     .timeout(Duration::from_secs(5))
///     .retry(RetryPolicy::none())
///     .header("x-request-id", "support-4711")
///     .await?;
///
/// // The same answer with its status, headers and exact bytes (for logs, support tickets).
/// let response = client.get_credits().with_response().await?;
/// println!("HTTP {} {} bytes", response.status(), response.body().len());
/// # Ok(())
/// # }
/// ```
///
/// The request is checked and sent only when the call is awaited.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, T> {
    client: &'a Client,
    options: CallOptions,
    /// A header that could not be used, reported when the call is awaited.
    invalid: Option<String>,
    /// The request, until the call is first polled.
    run: Option<Run<'a, T>>,
    /// The call in flight, once polled.
    running: Option<Running<'a, T>>,
}

impl<'a, T: Envelope + Send + 'a> Call<'a, T> {
    pub(crate) fn new<F, Fut>(client: &'a Client, run: F) -> Self
    where
        F: FnOnce(raw::Client) -> Fut + Send + 'a,
        Fut: Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a,
    {
        Self {
            client,
            options: CallOptions::default(),
            invalid: None,
            run: Some(Box::new(move |generated| Box::pin(run(generated)))),
            running: None,
        }
    }

    /// Time allowed for this call — every attempt and every wait between them — instead of
    /// the client's [`crate::ClientBuilder::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Retry policy for this call instead of the client's. Sends stay safe whatever the
    /// policy: a `POST` is retried only when it cannot have been processed.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// An extra header on this call's request (e.g. for a proxy or a request id). It cannot
    /// replace `Authorization` or `User-Agent`; a name or value that is not valid in HTTP
    /// fails the call (nothing is sent).
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let name = name.as_ref();
        match (
            HeaderName::try_from(name),
            HeaderValue::try_from(value.as_ref()),
        ) {
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
        self
    }

    /// The typed answer together with its HTTP status, headers and body exactly as received.
    pub async fn with_response(mut self) -> Result<Response<T>, Error> {
        let capture = RawCapture::default();
        let run = self.run.take();
        let (status, headers, value) = perform(
            self.client,
            self.options,
            self.invalid,
            run,
            Some(capture.clone()),
        )
        .await?;
        Ok(Response {
            status,
            headers,
            body: capture.body().unwrap_or_default(),
            value,
        })
    }
}

/// Checks and sends the request with the call's options; the answer with its metadata.
async fn perform<'a, T: Envelope>(
    client: &'a Client,
    options: CallOptions,
    invalid: Option<String>,
    run: Option<Run<'a, T>>,
    capture: Option<RawCapture>,
) -> Result<(StatusCode, HeaderMap, T), Error> {
    if let Some(reason) = invalid {
        return Err(Error::InvalidRequest(reason));
    }
    let Some(run) = run else {
        return Err(Error::InvalidRequest("this call was already sent".into()));
    };
    let generated = client.per_call(options, capture);
    let answer = run(generated.clone()).await?;
    let status = answer.status();
    let headers = answer.headers().clone();
    let value = Client::checked(&generated, status, answer.into_inner())?;
    Ok((status, headers, value))
}

impl<'a, T: Envelope + Send + 'a> Future for Call<'a, T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let running = this.running.get_or_insert_with(|| {
            let call = perform(
                this.client,
                std::mem::take(&mut this.options),
                this.invalid.take(),
                this.run.take(),
                None,
            );
            Box::pin(async move { call.await.map(|(_, _, value)| value) })
        });
        running.as_mut().poll(cx)
    }
}

impl<T> fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("timeout", &self.options.timeout)
            .field("retry", &self.options.retry)
            .field("headers", &self.options.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A successful answer with its HTTP metadata, from [`Call::with_response`].
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
