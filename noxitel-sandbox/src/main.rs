//! `noxitel-sandbox`: run the sandbox server.

use clap::Parser;
use noxitel_sandbox::{Sandbox, ServeArgs};

/// A local, stateful Noxitel API (/api/v2) with a control surface under /sandbox.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    serve: ServeArgs,
    /// Accepted bearer token; repeat for several accounts. Default: the tokens stored in --db,
    /// else one random token.
    #[arg(long = "token", visible_alias = "accept-token", value_name = "TOKEN")]
    tokens: Vec<String>,
    /// Log level filter (RUST_LOG syntax).
    #[arg(long, default_value = "info")]
    log: String,
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
    let config = args.serve.config(args.tokens.clone());
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
    if let Some(db) = &args.serve.db {
        banner += &format!(
            "  database : {} (synchronous={})\n",
            db.display(),
            args.serve.db_synchronous
        );
    }
    if !args.serve.allow_external_webhooks {
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
