//! Building a [`Client`]: token, base URL, timeouts, user agent, retries, HTTP client.

use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::auth::ApiToken;
use crate::retry::RetryPolicy;
use crate::transport::{Settings, Transport};
use crate::{Client, Error, raw};

/// Production base URL.
pub const DEFAULT_BASE_URL: &str = "https://dashboard.noxitel.com/api/v2";
/// Environment variable read by [`Client::from_env`] for the token.
pub const TOKEN_ENV: &str = "NOXITEL_API_TOKEN";
/// Environment variable read by [`Client::from_env`] for the base URL (optional).
pub const BASE_URL_ENV: &str = "NOXITEL_BASE_URL";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole call, retries and waits included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest answer body the client reads (8 MiB): far above any documented answer
/// (a delivery report of tens of thousands of messages), far below what hurts a process.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 8 * 1024 * 1024;

/// Configures a [`Client`]. Start with [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    token: Result<ApiToken, Error>,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    max_response_size: usize,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    pub(crate) fn new(token: &str) -> Self {
        Self {
            token: ApiToken::new(token),
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: concat!("noxitel-api/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            http: None,
        }
    }

    /// Base URL including `/api/v2` (default: [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Time allowed to open a connection (default 10 s). Ignored with [`Self::http_client`],
    /// whose own settings apply.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole call — every attempt and every wait between them
    /// (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `User-Agent` header (default `noxitel-api/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Retry policy (default: [`RetryPolicy::default`]; [`RetryPolicy::none`] turns retries off).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The largest answer body read (default [`DEFAULT_MAX_RESPONSE_SIZE`], 8 MiB). A longer
    /// answer — or one whose `Content-Length` announces more — fails the call with
    /// [`Error::ResponseTooLarge`] and its connection is dropped; the client never holds more
    /// than this (plus one network read) of any answer.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Sends requests through this `reqwest::Client` (proxies, custom TLS, connection pool
    /// shared with the rest of your program). Auth, user agent, retries, the total timeout
    /// and the answer size limit still apply.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`. The client's own HTTP
    /// client follows no redirect; one that does can still never re-send a request that has
    /// a body (every send: its body goes out once, as a one-shot stream), but it may follow a
    /// redirect of a request without a body — the client then refuses the answer with
    /// [`Error::Redirect`].
    ///
    /// **Redaction:** the token is a sensitive header value, so it is absent from this
    /// crate's errors, `Debug` output and tracing, and from reqwest's `Debug` output. A client
    /// built with `.connection_verbose(true)` makes reqwest log every byte written at TRACE
    /// level (target `reqwest::connect::verbose`), `Authorization` header and message text
    /// included: leave it off in production, or filter that target out.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let token = self.token?;
        let base_url = normalize_base_url(&self.base_url)?;
        let user_agent = HeaderValue::try_from(self.user_agent)
            .map_err(|_| Error::Config("the user agent is not a valid header value".into()))?;
        if self.timeout.is_zero() {
            return Err(Error::Config("the timeout must be longer than zero".into()));
        }
        let connect_timeout = self.http.is_none().then_some(self.connect_timeout);
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                // The reference documents no redirect; following one could repeat a send.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let transport = Transport::new(Settings {
            token,
            user_agent,
            retry: self.retry,
            timeout: self.timeout,
            connect_timeout,
            max_response_size: self.max_response_size,
        });
        Ok(Client {
            raw: raw::Client::new_with_client(&base_url, http, transport),
        })
    }
}

/// Checks the URL and drops a trailing `/` (the generated code appends `/sms` etc.).
fn normalize_base_url(base_url: &str) -> Result<String, Error> {
    let url = reqwest::Url::parse(base_url.trim())
        .map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::Config(format!(
            "invalid base URL {base_url:?}: expected http(s)://host/…"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "invalid base URL {base_url:?}: no query or fragment allowed"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl Client {
    /// A client for the production API with default settings.
    pub fn new(token: impl AsRef<str>) -> Result<Self, Error> {
        Self::builder(token).build()
    }

    /// Starts configuring a client.
    pub fn builder(token: impl AsRef<str>) -> ClientBuilder {
        ClientBuilder::new(token.as_ref())
    }

    /// A client configured from `NOXITEL_API_TOKEN` and, if set, `NOXITEL_BASE_URL`.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder_from_env()?.build()
    }

    /// Like [`Client::from_env`], returning the builder for further settings.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        let token = std::env::var(TOKEN_ENV)
            .map_err(|_| Error::Config(format!("{TOKEN_ENV} is not set")))?;
        let mut builder = Self::builder(token);
        match std::env::var(BASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => builder = builder.base_url(url),
            _ => {}
        }
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/api/v2/").unwrap(),
            "http://127.0.0.1:8080/api/v2"
        );
        assert_eq!(
            normalize_base_url(DEFAULT_BASE_URL).unwrap(),
            DEFAULT_BASE_URL
        );
        for bad in [
            "",
            "dashboard.noxitel.com",
            "ftp://x/api",
            "http://x/api?a=b",
        ] {
            assert!(
                matches!(normalize_base_url(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn zero_timeout_is_rejected() {
        let err = Client::builder("t")
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
    }
}
