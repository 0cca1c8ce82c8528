//! Building a [`Client`]: token, base URL, timeouts, user agent, retries, HTTP client, TLS.

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
            None => Client::http_client_builder()?
                .connect_timeout(self.connect_timeout)
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

    /// The `reqwest` client builder this crate builds its own HTTP client from: HTTPS through
    /// rustls with the crate's crypto provider (`ring`, or `aws-lc-rs` with that feature; a
    /// process-wide default your program installed wins) and the platform's certificate
    /// verifier, and no redirect followed. Start from it to give [`ClientBuilder::http_client`]
    /// a client of your own (proxy, pool settings, …).
    ///
    /// Prefer it to `reqwest::Client::new()` in a program whose `reqwest` has no TLS feature
    /// of its own: this crate turns on reqwest's rustls transport *without* its built-in
    /// provider, and a `reqwest::Client` built without a TLS config or an installed process
    /// default then panics.
    ///
    /// ```no_run
    /// let http = noxitel_api::Client::http_client_builder()?
    ///     .pool_max_idle_per_host(4)
    ///     .build()
    ///     .expect("HTTP client");
    /// let client = noxitel_api::Client::builder("token").http_client(http).build()?;
    /// # Ok::<(), noxitel_api::Error>(())
    /// ```
    ///
    /// Errors with [`Error::Config`] when TLS cannot be set up (no root certificate found on
    /// the system).
    pub fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
        let builder = reqwest::Client::builder()
            // The reference documents no redirect; following one could repeat a send.
            .redirect(reqwest::redirect::Policy::none());
        #[cfg(any(feature = "rustls", feature = "aws-lc-rs"))]
        let builder = builder.tls_backend_preconfigured(tls::client_config(Vec::new())?);
        Ok(builder)
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

/// HTTPS set up the way reqwest 0.13's own rustls transport is (`ClientBuilder::build`,
/// `TlsBackend::Rustls` with default settings), with the provider chosen here instead of
/// reqwest's built-in aws-lc-rs, and without installing a process-wide default.
#[cfg(any(feature = "rustls", feature = "aws-lc-rs"))]
mod tls {
    use std::sync::Arc;

    use rustls::ClientConfig;
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::CertificateDer;
    use rustls_platform_verifier::Verifier;

    use crate::Error;

    /// A process-wide default the program installed (as reqwest honours it), else the one
    /// this crate's features name.
    pub(super) fn provider() -> Arc<CryptoProvider> {
        CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(built_in()))
    }

    #[cfg(feature = "aws-lc-rs")]
    pub(super) fn built_in() -> CryptoProvider {
        rustls::crypto::aws_lc_rs::default_provider()
    }

    #[cfg(not(feature = "aws-lc-rs"))]
    pub(super) fn built_in() -> CryptoProvider {
        rustls::crypto::ring::default_provider()
    }

    /// Every TLS version rustls has (1.3 and 1.2), the platform's verifier (the system's
    /// roots, plus `extra_roots` — used by the tests only), no client certificate, SNI on,
    /// ALPN `http/1.1`: reqwest offers `h2` too only with its `http2` feature, which this
    /// crate does not turn on, and offering it without would let a server pick a protocol
    /// the connection cannot speak.
    pub(super) fn client_config(
        extra_roots: Vec<CertificateDer<'static>>,
    ) -> Result<ClientConfig, Error> {
        let failed = |e: rustls::Error| Error::Config(format!("cannot set up TLS: {e}"));
        let provider = provider();
        let verifier = if extra_roots.is_empty() {
            Verifier::new(Arc::clone(&provider))
        } else {
            extra_roots_verifier(extra_roots, Arc::clone(&provider))
        }
        .map_err(failed)?;
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .map_err(failed)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }

    #[cfg(not(target_os = "android"))]
    fn extra_roots_verifier(
        roots: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Verifier, rustls::Error> {
        Verifier::new_with_extra_roots(roots, provider)
    }

    #[cfg(target_os = "android")]
    fn extra_roots_verifier(
        _: Vec<CertificateDer<'static>>,
        _: Arc<CryptoProvider>,
    ) -> Result<Verifier, rustls::Error> {
        Err(rustls::Error::General("no extra roots on Android".into()))
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

/// HTTPS against a TLS server the test starts on 127.0.0.1 (a self-signed certificate for
/// `127.0.0.1`/`localhost` valid until 2126, made with `openssl req -x509`; see `testdata/`).
#[cfg(all(test, any(feature = "rustls", feature = "aws-lc-rs")))]
mod tls_tests {
    use std::sync::Arc;

    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;
    use tokio::sync::mpsc;

    use super::*;

    const CERT: &str = include_str!("../testdata/loopback-cert.pem");
    const KEY: &str = include_str!("../testdata/loopback-key.pem");
    const CREDITS: &str = r#"{"status":"success","billing_mode":"credits","wallet":{"amount":"120.00","currency":"USD"},"credits":[{"route":"Standard","credits":3946684}]}"#;

    fn cert() -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(CERT.as_bytes()).expect("test certificate")
    }

    /// What the server saw of one connection: the ALPN protocol agreed and the request line,
    /// or the handshake error.
    type Seen = Result<(Option<Vec<u8>>, String), String>;

    /// Serves `GET /credits` over TLS, one connection at a time, and reports each.
    async fn tls_server() -> (String, mpsc::UnboundedReceiver<Seen>) {
        let key = PrivateKeyDer::from_pem_slice(KEY.as_bytes()).expect("test key");
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(tls::built_in()))
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert()], key)
            .unwrap();
        // The server would agree to h2 first: the client must not offer it.
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (seen, reports) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let mut tls = match acceptor.accept(tcp).await {
                    Ok(tls) => tls,
                    Err(e) => {
                        let _ = seen.send(Err(e.to_string()));
                        continue;
                    }
                };
                let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                let mut head = Vec::new();
                let mut buf = [0; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{CREDITS}",
                    CREDITS.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
                let _ = seen.send(Ok((alpn, line)));
            }
        });
        (format!("https://127.0.0.1:{port}/api/v2"), reports)
    }

    #[test]
    fn an_https_client_builds_without_a_process_wide_provider() {
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        Client::builder("t")
            .base_url(DEFAULT_BASE_URL)
            .build()
            .expect("the default client builds");
        Client::http_client_builder()
            .expect("TLS set up")
            .build()
            .expect("the HTTP client builds");
        assert!(
            rustls::crypto::CryptoProvider::get_default().is_none(),
            "no process-wide provider was installed"
        );
    }

    #[tokio::test]
    async fn https_to_a_loopback_server_with_http1_alpn() {
        let (base_url, mut seen) = tls_server().await;
        // `Client::http_client_builder`'s setup, with the test certificate as an extra root.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .tls_backend_preconfigured(tls::client_config(vec![cert()]).unwrap())
            .build()
            .unwrap();
        let answer = http.get(format!("{base_url}/credits")).send().await;
        let body = answer.expect("an answer over HTTPS").text().await.unwrap();
        assert_eq!(body, CREDITS);
        let (alpn, line) = seen.recv().await.unwrap().expect("handshake");
        assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(line, "GET /api/v2/credits HTTP/1.1");
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    }

    #[tokio::test]
    async fn the_default_setup_verifies_the_servers_certificate() {
        let (base_url, mut seen) = tls_server().await;
        let http = Client::http_client_builder().unwrap().build().unwrap();
        let error = http.get(format!("{base_url}/credits")).send().await;
        assert!(error.is_err(), "{error:?}");
        let handshake = seen.recv().await.unwrap();
        assert!(
            handshake.is_err(),
            "an unknown self-signed certificate was accepted"
        );
    }
}
