//! The server's command-line flags, defined once: the `noxitel-sandbox` binary and the
//! `noxitel sandbox` command of `noxitel-cli` both flatten [`ServeArgs`] (feature `cli`, on by
//! default).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::config::Config;
use crate::faults::FaultSpec;
use crate::store::Synchronous;

/// How the sandbox server runs, as flags (`#[command(flatten)]` it into a clap parser).
///
/// The accepted tokens are not among them: the binary takes them as `--token` (repeatable),
/// and `noxitel sandbox` as its global `--token` (the one its control commands send), plus
/// `--accept-token` for more — the same spelling, in two programs whose `--token` means
/// different things to clap. Logging is each program's own too (`--log`, `-v`).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Server options")]
pub struct ServeArgs {
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Address to bind (keep the loopback default unless you know why).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Client IPs allowed to call /api/v2 (others get 401); repeatable. Default: any.
    #[arg(long = "allow-ip", value_name = "IP")]
    pub allow_ips: Vec<IpAddr>,
    /// Milliseconds from submission to the final delivery state (and between call states).
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub dlr_delay_ms: u64,
    /// Milliseconds from agent submission to approval.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub review_delay_ms: u64,
    /// OTP lifetime in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub otp_ttl_secs: u64,
    /// Verification attempts per OTP.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub otp_attempts: u32,
    /// Requests per second per token on /api/v2 (429 beyond). Default: unlimited.
    #[arg(long, value_name = "PER_SECOND")]
    pub rate_limit: Option<u32>,
    /// Largest accepted request body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Attempts per webhook delivery.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub webhook_attempts: u32,
    /// Milliseconds before the second webhook attempt (doubled for each further one).
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub webhook_backoff_ms: u64,
    /// Initial credits on route 1 (Standard).
    #[arg(long, default_value_t = 3_946_684)]
    pub credits: i64,
    /// Initial wallet balance in cents.
    #[arg(long, value_name = "CENTS", default_value_t = 12_000)]
    pub wallet_cents: i64,
    /// Keep the state in this SQLite file (created if missing; reopened after a restart).
    /// Default: in memory.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// SQLite `synchronous` for --db: `full` (durable across power loss) or `normal`
    /// (durable across a crash of the sandbox).
    #[arg(long, default_value = "full", value_parser = ["full", "normal"])]
    pub db_synchronous: String,
    /// Send webhooks to hosts that are not loopback or private networks (default: held,
    /// recorded in the event log, not sent).
    #[arg(long)]
    pub allow_external_webhooks: bool,
    /// A fault rule on /api/v2, e.g. `status=503,path=/api/v2/sms,next=2`,
    /// `status=429,retry-after=3`, `latency=100..400,probability=0.5`, `drop`, `cut`,
    /// `redirect[=URL]`, `stall[=MS]`; repeatable. Change them at runtime under /sandbox/faults.
    #[arg(long = "fault", value_name = "SPEC", value_parser = FaultSpec::parse)]
    pub faults: Vec<FaultSpec>,
}

impl ServeArgs {
    /// The `synchronous` setting `--db-synchronous` names.
    pub fn synchronous(&self) -> Synchronous {
        if self.db_synchronous == "normal" {
            Synchronous::Normal
        } else {
            Synchronous::Full
        }
    }

    /// The configuration these flags describe, with `tokens` accepted (empty: one random
    /// token).
    pub fn config(&self, tokens: Vec<String>) -> Config {
        Config {
            addr: SocketAddr::new(self.host, self.port),
            tokens,
            allowed_ips: (!self.allow_ips.is_empty()).then(|| self.allow_ips.clone()),
            dlr_delay: Duration::from_millis(self.dlr_delay_ms),
            review_delay: Duration::from_millis(self.review_delay_ms),
            otp_ttl: Duration::from_secs(self.otp_ttl_secs),
            otp_max_attempts: self.otp_attempts,
            rate_limit: self.rate_limit,
            max_body_bytes: self.max_body_bytes,
            webhook_attempts: self.webhook_attempts,
            webhook_backoff: Duration::from_millis(self.webhook_backoff_ms),
            initial_credits: self.credits,
            initial_wallet_cents: self.wallet_cents,
            db: self.db.clone(),
            db_synchronous: self.synchronous(),
            allow_external_webhooks: self.allow_external_webhooks,
            faults: self.faults.clone(),
            ..Config::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Program {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn the_defaults_are_configs_defaults_but_the_port() {
        let config = Program::parse_from(["p"]).serve.config(Vec::new());
        let default = Config::default();
        assert_eq!(config.addr.port(), 8787);
        assert_eq!(config.dlr_delay, default.dlr_delay);
        assert_eq!(config.review_delay, default.review_delay);
        assert_eq!(config.otp_ttl, default.otp_ttl);
        assert_eq!(config.otp_max_attempts, default.otp_max_attempts);
        assert_eq!(config.max_body_bytes, default.max_body_bytes);
        assert_eq!(config.webhook_attempts, default.webhook_attempts);
        assert_eq!(config.webhook_backoff, default.webhook_backoff);
        assert_eq!(config.initial_credits, default.initial_credits);
        assert_eq!(config.initial_wallet_cents, default.initial_wallet_cents);
        assert_eq!(config.db_synchronous, default.db_synchronous);
        assert_eq!(config.rate_limit, None);
        assert!(config.faults.is_empty() && config.allowed_ips.is_none());
    }

    #[test]
    fn every_flag_reaches_the_config() {
        let args = Program::parse_from([
            "p",
            "--port=0",
            "--host=127.0.0.2",
            "--allow-ip=127.0.0.1",
            "--dlr-delay-ms=5",
            "--review-delay-ms=6",
            "--otp-ttl-secs=7",
            "--otp-attempts=8",
            "--rate-limit=9",
            "--max-body-bytes=10",
            "--webhook-attempts=11",
            "--webhook-backoff-ms=12",
            "--credits=13",
            "--wallet-cents=14",
            "--db=/tmp/x.db",
            "--db-synchronous=normal",
            "--allow-external-webhooks",
            "--fault=status=503,next=1",
        ])
        .serve;
        let config = args.config(vec!["t".into()]);
        assert_eq!(config.addr, "127.0.0.2:0".parse().unwrap());
        assert_eq!(config.tokens, ["t"]);
        assert_eq!(config.allowed_ips, Some(vec!["127.0.0.1".parse().unwrap()]));
        assert_eq!(config.dlr_delay, Duration::from_millis(5));
        assert_eq!(config.review_delay, Duration::from_millis(6));
        assert_eq!(config.otp_ttl, Duration::from_secs(7));
        assert_eq!(config.otp_max_attempts, 8);
        assert_eq!(config.rate_limit, Some(9));
        assert_eq!(config.max_body_bytes, 10);
        assert_eq!(config.webhook_attempts, 11);
        assert_eq!(config.webhook_backoff, Duration::from_millis(12));
        assert_eq!(config.initial_credits, 13);
        assert_eq!(config.initial_wallet_cents, 14);
        assert_eq!(config.db, Some(PathBuf::from("/tmp/x.db")));
        assert_eq!(config.db_synchronous, Synchronous::Normal);
        assert!(config.allow_external_webhooks);
        assert_eq!(
            config.faults,
            [FaultSpec::parse("status=503,next=1").unwrap()]
        );
    }

    #[test]
    fn a_bad_fault_is_a_usage_error() {
        let error = Program::try_parse_from(["p", "--fault", "explode"])
            .err()
            .unwrap();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
    }
}
