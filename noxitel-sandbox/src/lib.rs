#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
#[cfg(feature = "cli")]
mod cli;
mod clock;
mod config;
mod control;
mod control_client;
mod error;
mod faults;
mod http;
mod ids;
mod magic;
mod state;
mod store;
mod web;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[cfg(feature = "cli")]
pub use cli::ServeArgs;
pub use config::Config;
pub use control_client::{Control, ControlError, EventRecord, Flushed, OtpInfo};
pub use faults::{FaultAction, FaultRule, FaultSpec};
pub use store::{SCHEMA_VERSION, Synchronous};

/// A running sandbox: an HTTP server on 127.0.0.1 serving `/api/v2` and `/sandbox`.
///
/// Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    token: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts a sandbox with the default configuration on an ephemeral 127.0.0.1 port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(Config::default()).await
    }

    /// Starts a sandbox with `config` on `config.addr` (port 0 = ephemeral).
    pub async fn start_with(config: Config) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.addr).await?;
        Self::serve(listener, config).await
    }

    /// Serves on an already bound listener.
    pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let faults = Arc::new(faults::Faults::new(config.faults.clone()));
        let shared = state::Shared::new(config).map_err(std::io::Error::other)?;
        let token = shared.default_token().to_owned();
        let app = http::router(Arc::clone(&shared), faults);
        let (tx, rx) = oneshot::channel::<()>();
        let ticker = state::spawn_ticker(Arc::clone(&shared));
        let deliverer = webhook::spawn(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let server = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(error) = server.await {
                tracing::error!(%error, "sandbox server stopped");
            }
            ticker.abort();
            if let Some(deliverer) = deliverer {
                deliverer.abort();
            }
        });
        Ok(Self {
            addr,
            token,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base URL, e.g. `http://127.0.0.1:40123/api/v2` — give it to
    /// `noxitel_api::Client::builder(token).base_url(..)`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.addr)
    }

    /// The base URL of the sandbox-control surface, e.g. `http://127.0.0.1:40123/sandbox`.
    pub fn control_url(&self) -> String {
        format!("http://{}/sandbox", self.addr)
    }

    /// The inbox, e.g. `http://127.0.0.1:40123/`: open it in a browser to see every message
    /// sent, its delivery reports and webhooks, and to act as the phone.
    pub fn inbox_url(&self) -> String {
        let ip = match self.addr.ip() {
            ip if !ip.is_unspecified() => ip,
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        };
        format!("http://{}/", SocketAddr::new(ip, self.addr.port()))
    }

    /// The API reference this sandbox serves (`/docs`, "try it" sends to the sandbox).
    pub fn docs_url(&self) -> String {
        format!("{}docs", self.inbox_url())
    }

    /// A warning to print at start when the sandbox listens on a non-loopback address: the
    /// inbox (and through it the control surface, without a token) is then reachable by
    /// whoever reaches the port. `None` on loopback.
    pub fn exposure_warning(&self) -> Option<String> {
        (!self.addr.ip().is_loopback()).then(|| {
            format!(
                "the inbox and its control of the sandbox are reachable without a token by anyone who reaches {} (a non-loopback --host was given)",
                self.addr
            )
        })
    }

    /// A typed client for this sandbox's control surface (with its first token).
    pub fn control(&self) -> Control {
        Control::new(&self.control_url(), self.token.clone())
    }

    /// The first configured bearer token (a random one unless configured).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Waits until the server stops (for the binary).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
