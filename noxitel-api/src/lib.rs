#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod call;
mod config;
mod error;
mod otp;
mod retry;
mod transport;

/// The progenitor client generated from `openapi/noxitel.yaml`: one builder per operation,
/// answers as `ResponseValue` with headers. Requests sent through it get the same auth,
/// retries and tracing as [`Client`]'s methods.
#[allow(missing_docs, unused_imports, clippy::all, clippy::pedantic)]
pub mod raw {
    include!(concat!(env!("OUT_DIR"), "/raw.rs"));
}

/// One fluent builder per operation, generated from the document: started by the
/// [`Client`] method of the same name (`client.send_sms()` → [`calls::SendSms`]), it takes the
/// operation's parameters or body fields, per-call options, then `.send().await` (or just
/// `.await`).
pub mod calls {
    include!(concat!(env!("OUT_DIR"), "/calls.rs"));
}

use std::fmt;

pub use auth::ApiToken;
pub use call::{CallFuture, Response};
pub use config::{
    BASE_URL_ENV, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, TOKEN_ENV,
};
pub use error::{
    ApiFailure, Error, ErrorBody, KEPT_BODY_BYTES, Phase, Redirect, TimeoutLimit, TransportError,
};
/// The payload types of every operation (the `noxitel-types` crate, shown here so that the
/// client's documentation is complete on its own).
pub mod types {
    #[doc(inline)]
    pub use noxitel_types::*;
}
pub use otp::OtpVerification;
pub use retry::RetryPolicy;
pub use transport::Transport;

use call::CallOptions;
use reqwest::StatusCode;
use transport::Failure;
use transport::RawCapture;

use noxitel_types::{ApiError, Envelope, StringOrNumber};
use progenitor_client::{ClientInfo, ResponseValue};

/// The Noxitel API client: one `async` method per operation.
///
/// Cheap to clone (clones share the connection pool). See the crate docs for an example.
#[derive(Clone)]
pub struct Client {
    raw: raw::Client,
}

impl Client {
    /// The generated progenitor client, for the builder interface and response headers.
    pub fn raw(&self) -> &raw::Client {
        &self.raw
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.raw.baseurl()
    }

    /// A handle on the same connection pool whose transport remembers this call's answer,
    /// with the call's own options (and capture, for a builder's `with_response()`).
    fn per_call(&self, options: CallOptions, capture: Option<RawCapture>) -> raw::Client {
        self.sharing_pool(self.raw.inner().per_call(options, capture))
    }

    /// A generated client on the same base URL and connection pool with `transport`.
    fn sharing_pool(&self, transport: Transport) -> raw::Client {
        raw::Client::new_with_client(self.raw.baseurl(), self.raw.client().clone(), transport)
    }

    /// The typed answer of a decoded 2xx, or the error its envelope says.
    fn checked<T: Envelope>(
        generated: &raw::Client,
        status: StatusCode,
        value: T,
    ) -> Result<T, Error> {
        if !value.is_error() {
            return Ok(value);
        }
        // A 2xx answer whose envelope says "error" (the reference does not give the HTTP
        // status of its error examples). The body as received keeps the `message` even when
        // the success shape has no field for it.
        let api = generated
            .inner()
            .envelope_error()
            .unwrap_or_else(|| ApiError {
                success: None,
                status: Some(StringOrNumber::from("error")),
                message: value.message().unwrap_or("status: error").to_owned(),
                extra: serde_json::Map::new(),
            });
        let error = Error::Api(ApiFailure::new(status, ErrorBody::Json(Box::new(api))));
        Err(error.redacted(generated.inner().token()))
    }

    /// The decoded answer, or the error for a failed call: what the transport decided or knew
    /// of it, else what progenitor returned. Text taken from the answer loses the token.
    pub(crate) async fn answer<T>(
        generated: &raw::Client,
        result: Result<ResponseValue<T>, progenitor_client::Error<ApiError>>,
    ) -> Result<ResponseValue<T>, Error> {
        let transport = generated.inner();
        let error = match (transport.failure(), result) {
            // A redirect that a caller's HTTP client followed can end in a decodable answer.
            (Some(Failure::Decided(decided)), _) => decided,
            (_, Ok(answer)) => return Ok(answer),
            (
                Some(Failure::NoAnswer(context)),
                Err(progenitor_client::Error::CommunicationError(e)),
            ) => context.into_error(e),
            (_, Err(error)) => {
                let meta = transport.last_response();
                let method = meta.as_ref().map(|meta| meta.method.clone());
                Error::from_progenitor(error, meta).await.sent_with(method)
            }
        };
        Err(error.redacted(transport.token()))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.raw.baseurl())
            .field("transport", self.raw.inner())
            .finish()
    }
}
