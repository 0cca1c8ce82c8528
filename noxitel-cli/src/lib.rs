//! The `noxitel` command (see the README). The library part exists for the tests and
//! benchmarks; the supported interface is the command line.
#![forbid(unsafe_code)]

pub mod bulk;
pub mod cli;
pub mod commands;
pub mod exit;
pub mod flags;
pub mod output;
#[cfg(feature = "sandbox")]
pub mod sandbox_cmd;
pub mod webhook;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;
use noxitel_api::Client;

use crate::cli::{Cli, Command, Global, Output, Sms, Webhook};
use crate::exit::Failure;

/// Parses the command line, runs it, prints any error as one line and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap: 0 for --help/--version, 2 for usage errors.
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::emit_err(&format!("error: cannot start the async runtime: {e}"));
            return ExitCode::from(exit::API);
        }
    };
    let base_url = cli.global.base_url();
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            output::emit_err(&format!("error: {failure}"));
            if let Some(hint) = failure.hint(&base_url) {
                output::emit_err(&format!("hint: {hint}"));
            }
            ExitCode::from(failure.code())
        }
    }
}

fn init_tracing(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let filter = match verbose {
        1 => "noxitel_api=debug,noxitel_cli=debug,noxitel_sandbox=info",
        _ => "noxitel_api=trace,noxitel_cli=trace,noxitel_sandbox=debug,reqwest=debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // Its fallback report is an `eprintln!`, which panics once stderr is closed.
        .log_internal_errors(false)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .try_init();
}

/// The API client from the global options.
pub fn client(global: &Global) -> Result<Client, Failure> {
    let Some(token) = global.token() else {
        return Err(Failure::new(
            exit::Kind::NoToken,
            "no API token: pass --token or set NOXITEL_API_TOKEN",
        ));
    };
    Client::builder(token)
        .base_url(global.base_url())
        .timeout(Duration::from_secs(global.timeout.max(1)))
        .user_agent(concat!("noxitel-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure::api("configuration", e))
}

/// Runs a parsed command; `Ok` carries the exit code.
pub async fn run(cli: Cli) -> Result<u8, Failure> {
    let output = cli.global.output;
    match &cli.command {
        Command::Sms(Sms::Segments { text }) => {
            commands::sms_segments(output, text)?;
            return Ok(exit::OK);
        }
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a closed stdout (`… | head`).
            let mut script = Vec::new();
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "noxitel", &mut script);
            output::emit(&String::from_utf8_lossy(&script));
            return Ok(exit::OK);
        }
        Command::Webhook(Webhook::Listen { port, host }) => {
            webhook::listen(*host, *port, output).await?;
            return Ok(exit::OK);
        }
        Command::Sandbox(cmd) => {
            match &cmd.action {
                None => sandbox(cmd, &cli.global).await?,
                Some(action) => sandbox_control(action, &cli.global).await?,
            }
            return Ok(exit::OK);
        }
        _ => {}
    }
    // `-o json` prints the API's answer as sent (`with_response()`), not a re-serialisation of
    // the typed value.
    let client = client(&cli.global)?;
    match &cli.command {
        Command::Credits(flags) => commands::credits(&client, output, flags).await?,
        Command::Sms(Sms::Send(args)) => {
            if let Some(csv) = &args.csv {
                return bulk_send(&client, output, args, csv).await;
            }
            commands::sms_send(&client, output, args).await?;
        }
        Command::Sms(Sms::Dlr(args)) => commands::sms_dlr(&client, output, args).await?,
        Command::Whatsapp(cmd) => commands::whatsapp(&client, output, cmd).await?,
        Command::Rcs(cmd) => commands::rcs(&client, output, cmd).await?,
        Command::Voice(cmd) => commands::voice(&client, output, cmd).await?,
        Command::Otp(cmd) => commands::otp(&client, output, cmd).await?,
        Command::Sms(Sms::Segments { .. })
        | Command::Webhook(_)
        | Command::Sandbox(_)
        | Command::Completions { .. } => {
            unreachable!("handled above")
        }
    }
    Ok(exit::OK)
}

async fn bulk_send(
    client: &Client,
    output: Output,
    args: &cli::SmsSend,
    csv: &std::path::Path,
) -> Result<u8, Failure> {
    let template = commands::sms_template(args)?;
    let mut cfg = bulk::BulkConfig::new(csv, template);
    cfg.batch_size = args.bulk.batch_size as usize;
    cfg.concurrency = args.bulk.concurrency as usize;
    cfg.resend_unknown = args.bulk.resend_unknown;
    cfg.progress = bulk::Progress::auto();
    if let Some(j) = &args.bulk.journal {
        cfg.journal = j.clone();
    }
    if let Some(f) = &args.bulk.failures {
        cfg.failures = f.clone();
    }
    let summary = bulk::run(client, cfg).await?;
    match output {
        Output::Json => output::emit(&serde_json::to_string(&summary).expect("summary serializes")),
        Output::Table => output::emit(&summary.render()),
    };
    let code = summary.exit_code();
    if code != exit::OK {
        let why = summary.stopped.clone().unwrap_or_else(|| {
            if summary.interrupted {
                "interrupted".into()
            } else {
                format!(
                    "{} batch(es) not sent, {} with an unknown outcome",
                    summary.failed_batches.len(),
                    summary.unknown_batches.len()
                )
            }
        });
        output::emit_err(&format!("error: sms send --csv incomplete: {why}"));
    }
    Ok(code)
}

#[cfg(feature = "sandbox")]
async fn sandbox(args: &cli::SandboxCmd, global: &Global) -> Result<(), Failure> {
    // `--token` / NOXITEL_API_TOKEN is accepted too, so the same environment drives both
    // the server and the commands that talk to it.
    let given: Vec<String> = args
        .accept_tokens
        .iter()
        .cloned()
        .chain(global.token())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let config = args.serve.config(given.clone());
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| Failure::listen(config.addr, &e))?;
    let sandbox = noxitel_sandbox::Sandbox::serve(listener, config)
        .await
        .map_err(|e| Failure::usage(format!("cannot start the sandbox: {e}")))?;
    // A generated token is a local test credential and is printed; tokens the user gave
    // (perhaps a real one from the environment) are not.
    let token_line = if given.is_empty() {
        format!("  export NOXITEL_API_TOKEN={}", sandbox.token())
    } else {
        "  # NOXITEL_API_TOKEN: the token you gave (--token or --accept-token)".to_owned()
    };
    // Errors ignored: a closed stderr (a parent that read the URL and went away) must not
    // take the server down.
    let warning = sandbox
        .exposure_warning()
        .map(|w| format!("warning: {w}\n"))
        .unwrap_or_default();
    let banner = format!(
        "inbox: {} (open it in a browser; API reference: {})\n{warning}sandbox listening; use it with:\n  export NOXITEL_BASE_URL={}\n{token_line}\ncontrol surface: {} (Ctrl-C to stop)\n",
        sandbox.inbox_url(),
        sandbox.docs_url(),
        sandbox.base_url(),
        sandbox.control_url()
    );
    output::emit_err(&banner);
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(())
}

#[cfg(feature = "sandbox")]
async fn sandbox_control(action: &cli::SandboxAction, global: &Global) -> Result<(), Failure> {
    sandbox_cmd::run(action, global).await
}

#[cfg(not(feature = "sandbox"))]
async fn sandbox_control(_: &cli::SandboxAction, _: &Global) -> Result<(), Failure> {
    Err(Failure::usage(
        "`noxitel sandbox` commands are not in this build (feature `sandbox` off)",
    ))
}

#[cfg(not(feature = "sandbox"))]
async fn sandbox(_: &cli::SandboxCmd, _: &Global) -> Result<(), Failure> {
    Err(Failure::usage(
        "`noxitel sandbox` is not in this build (feature `sandbox` off); \
         run the noxitel-sandbox binary instead",
    ))
}
