//! `noxitel-sandbox`: run the sandbox server.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use noxitel_sandbox::{Config, FaultSpec, Sandbox, Synchronous};

/// A local, stateful Noxitel API (/api/v2) with a control surface under /sandbox.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Address to bind (keep the loopback default unless you know why).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Accepted bearer token; repeat for several accounts. Default: one random token.
    #[arg(long = "token")]
    tokens: Vec<String>,
    /// Client IPs allowed to call /api/v2 (others get 401); repeatable. Default: any.
    #[arg(long = "allow-ip")]
    allow_ips: Vec<IpAddr>,
    /// Milliseconds from submission to the final delivery state (and between call states).
    #[arg(long, default_value_t = 2000)]
    dlr_delay_ms: u64,
    /// Milliseconds from agent submission to approval.
    #[arg(long, default_value_t = 0)]
    review_delay_ms: u64,
    /// OTP lifetime in seconds.
    #[arg(long, default_value_t = 600)]
    otp_ttl_secs: u64,
    /// Verification attempts per OTP.
    #[arg(long, default_value_t = 3)]
    otp_attempts: u32,
    /// Requests per second per token on /api/v2 (429 beyond). Default: unlimited.
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Largest accepted request body in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Attempts per webhook delivery.
    #[arg(long, default_value_t = 3)]
    webhook_attempts: u32,
    /// Milliseconds before the second webhook attempt (doubled for each further one).
    #[arg(long, default_value_t = 200)]
    webhook_backoff_ms: u64,
    /// Initial credits on route 1 (Standard).
    #[arg(long, default_value_t = 3_946_684)]
    credits: i64,
    /// Initial wallet balance in cents.
    #[arg(long, default_value_t = 12_000)]
    wallet_cents: i64,
    /// Keep the state in this SQLite file (created if missing; reopened after a restart).
    /// Default: in memory.
    #[arg(long)]
    db: Option<std::path::PathBuf>,
    /// SQLite `synchronous` for --db: `full` (durable across power loss) or `normal`
    /// (durable across a crash of the sandbox).
    #[arg(long, default_value = "full", value_parser = ["full", "normal"])]
    db_synchronous: String,
    /// Send webhooks to hosts that are not loopback or private networks (default: held,
    /// recorded in the event log, not sent).
    #[arg(long)]
    allow_external_webhooks: bool,
    /// A fault rule on /api/v2, e.g. `status=503,path=/api/v2/sms,next=2`,
    /// `status=429,retry-after=3`, `latency=100..400,probability=0.5`, `drop`, `cut`,
    /// `redirect[=URL]`, `stall[=MS]`; repeatable. Change them at runtime under /sandbox/faults.
    #[arg(long = "fault", value_parser = parse_fault)]
    faults: Vec<FaultSpec>,
    /// Log level filter (RUST_LOG syntax).
    #[arg(long, default_value = "info")]
    log: String,
}

fn parse_fault(text: &str) -> Result<FaultSpec, String> {
    FaultSpec::parse(text)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Logs on stderr (stdout carries the banner), coloured only for a terminal.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(tracing_subscriber::EnvFilter::new(&args.log))
        // Its fallback report is an `eprintln!`, which panics once the output is closed.
        .log_internal_errors(false)
        .init();
    let config = Config {
        addr: SocketAddr::new(args.host, args.port),
        tokens: args.tokens.clone(),
        allowed_ips: (!args.allow_ips.is_empty()).then(|| args.allow_ips.clone()),
        dlr_delay: Duration::from_millis(args.dlr_delay_ms),
        review_delay: Duration::from_millis(args.review_delay_ms),
        otp_ttl: Duration::from_secs(args.otp_ttl_secs),
        otp_max_attempts: args.otp_attempts,
        rate_limit: args.rate_limit,
        max_body_bytes: args.max_body_bytes,
        webhook_attempts: args.webhook_attempts,
        webhook_backoff: Duration::from_millis(args.webhook_backoff_ms),
        initial_credits: args.credits,
        initial_wallet_cents: args.wallet_cents,
        db: args.db.clone(),
        db_synchronous: if args.db_synchronous == "normal" {
            Synchronous::Normal
        } else {
            Synchronous::Full
        },
        allow_external_webhooks: args.allow_external_webhooks,
        faults: args.faults.clone(),
        ..Config::default()
    };
    let sandbox = Sandbox::start_with(config).await?;
    let mut banner = format!(
        "noxitel-sandbox listening\n  inbox    : {}  (open in a browser; API reference: {})\n  base URL : {}\n  control  : {}\n",
        sandbox.inbox_url(),
        sandbox.docs_url(),
        sandbox.base_url(),
        sandbox.control_url()
    );
    if let Some(warning) = sandbox.exposure_warning() {
        banner += &format!("  warning  : {warning}\n");
    }
    if let Some(db) = &args.db {
        banner += &format!(
            "  database : {} (synchronous={})\n",
            db.display(),
            args.db_synchronous
        );
    }
    if !args.allow_external_webhooks {
        banner += "  webhooks : loopback and private hosts only (others are held: --allow-external-webhooks)\n";
    }
    if args.tokens.is_empty() {
        banner += &format!("  token    : {}\n", sandbox.token());
    } else {
        banner += &format!("  tokens   : {} configured\n", args.tokens.len());
    }
    let token = match args.tokens.len() {
        0 => sandbox.token().to_owned(),
        _ => "<token>".to_owned(),
    };
    banner += &format!(
        "  try      : curl -H 'Authorization: Bearer {token}' {}/credits\n",
        sandbox.base_url()
    );
    // Errors ignored: a closed stdout (`| head -3`) must not take the server down.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), banner.as_bytes());
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = sandbox.wait() => {}
    }
    Ok(())
}
