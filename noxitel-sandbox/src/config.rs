//! Sandbox settings.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultSpec;
use crate::store::Synchronous;

/// How a sandbox behaves. `Config::default()` is what [`crate::Sandbox::start`] uses.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (default `127.0.0.1:0`, an ephemeral port).
    pub addr: SocketAddr,
    /// Accepted bearer tokens; each is its own account, provisioned identically.
    /// Empty: one random token (`sbx_…`).
    pub tokens: Vec<String>,
    /// When set, only these client IPs may call `/api/v2` (others get 401).
    pub allowed_ips: Option<Vec<IpAddr>>,
    /// Time from submission to the final delivery state of SMS, RCS and WhatsApp
    /// messages, and between voice call states (default 2 s).
    pub dlr_delay: Duration,
    /// Time from `POST /rcs/agent/submit` to approval (default 0: approved at once).
    pub review_delay: Duration,
    /// OTP lifetime (default 10 min).
    pub otp_ttl: Duration,
    /// Verification attempts per OTP (default 3).
    pub otp_max_attempts: u32,
    /// Requests per second per token on `/api/v2`; `None` (default) = unlimited.
    pub rate_limit: Option<u32>,
    /// Largest accepted request body (default 1 MiB).
    pub max_body_bytes: usize,
    /// Attempts per webhook delivery (default 3).
    pub webhook_attempts: u32,
    /// First wait between webhook attempts, doubled each time (default 200 ms).
    pub webhook_backoff: Duration,
    /// Timeout of one webhook attempt (default 5 s).
    pub webhook_timeout: Duration,
    /// Initial credits of the `Standard` route (id 1) (default 3 946 684, the reference's example).
    pub initial_credits: i64,
    /// Initial wallet balance in cents (default 12 000 = `"120.00"` USD).
    pub initial_wallet_cents: i64,
    /// How often due events (DLRs, calls, approvals) are processed (default 50 ms).
    pub tick: Duration,
    /// A SQLite file holding the state (created if missing); `None` (default): in memory.
    pub db: Option<PathBuf>,
    /// `PRAGMA synchronous` of the database (default `FULL`).
    pub db_synchronous: Synchronous,
    /// Send webhooks to hosts that are not loopback or private (default: held, not sent).
    pub allow_external_webhooks: bool,
    /// Events kept in memory for `GET /sandbox/events` (default 100 000).
    pub event_capacity: usize,
    /// Fault rules in force from the start (`--fault`).
    pub faults: Vec<FaultSpec>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            tokens: Vec::new(),
            allowed_ips: None,
            dlr_delay: Duration::from_secs(2),
            review_delay: Duration::ZERO,
            otp_ttl: Duration::from_secs(600),
            otp_max_attempts: 3,
            rate_limit: None,
            max_body_bytes: 1024 * 1024,
            webhook_attempts: 3,
            webhook_backoff: Duration::from_millis(200),
            webhook_timeout: Duration::from_secs(5),
            initial_credits: 3_946_684,
            initial_wallet_cents: 12_000,
            tick: Duration::from_millis(50),
            db: None,
            db_synchronous: Synchronous::Full,
            allow_external_webhooks: false,
            event_capacity: 100_000,
            faults: Vec::new(),
        }
    }
}

impl Config {
    /// Sets the accepted tokens.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.tokens.push(token.into());
        self
    }

    /// Sets the delivery delay.
    pub fn dlr_delay(mut self, delay: Duration) -> Self {
        self.dlr_delay = delay;
        self
    }

    /// Keeps the state in a SQLite file.
    pub fn db(mut self, path: impl Into<PathBuf>) -> Self {
        self.db = Some(path.into());
        self
    }

    /// Adds a fault rule.
    pub fn fault(mut self, spec: FaultSpec) -> Self {
        self.faults.push(spec);
        self
    }

    /// Sets the rate limit (requests per second per token).
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = Some(per_second);
        self
    }
}
