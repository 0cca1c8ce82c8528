#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
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
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
