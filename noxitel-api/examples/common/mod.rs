//! What every example does with its command line, its configuration and a failed call: one
//! readable line, a hint and an exit code (2 for a bad command line or configuration, 1 for a
//! failed call).
// Each example uses only part of this module.
#![allow(dead_code)]

use std::process::ExitCode;

use noxitel_api::{Client, Error};

/// Exactly `N` command-line arguments, or the usage line and exit code 2.
pub fn args<const N: usize>(usage: &str) -> Result<[String; N], ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.try_into().map_err(|_| usage_error(usage))
}

/// `N` command-line arguments and an optional one after them (any further are ignored), or
/// the usage line and exit code 2.
pub fn args_and_optional<const N: usize>(
    usage: &str,
) -> Result<([String; N], Option<String>), ExitCode> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < N {
        return Err(usage_error(usage));
    }
    let optional = args.drain(N..).next();
    let required = args.try_into().map_err(|_| usage_error(usage))?;
    Ok((required, optional))
}

fn usage_error(usage: &str) -> ExitCode {
    eprintln!("usage: {usage}");
    ExitCode::from(2)
}

/// The argument `what` as a number, or a message and exit code 2.
pub fn number(what: &str, text: &str) -> Result<i64, ExitCode> {
    text.parse().map_err(|_| {
        eprintln!("{what} must be a number, got {text:?}");
        ExitCode::from(2)
    })
}

/// The client configured from the environment ([`Client::from_env`]), or a message naming the
/// variables to set and exit code 2.
pub fn client() -> Result<Client, ExitCode> {
    Client::from_env().map_err(|error| {
        eprintln!("error: {error}");
        eprintln!(
            "set {} to your API token (and optionally {} to another base URL)",
            noxitel_api::TOKEN_ENV,
            noxitel_api::BASE_URL_ENV
        );
        ExitCode::from(2)
    })
}

/// Ends an example when a call failed.
pub trait OrExit<T> {
    /// The answer, or — the call failed — the failure printed with a hint ([`failed`]) and
    /// exit code 1.
    fn or_exit(self, what: &str) -> Result<T, ExitCode>;
}

impl<T> OrExit<T> for Result<T, Error> {
    fn or_exit(self, what: &str) -> Result<T, ExitCode> {
        self.map_err(|error| failed(what, &error))
    }
}

/// A call failed: print it with a hint; exit code 1.
pub fn failed(what: &str, error: &Error) -> ExitCode {
    eprintln!("{what} failed: {error}");
    match error {
        Error::InvalidRequest(_) => eprintln!("  (nothing was sent)"),
        Error::InvalidApiKey(_) => eprintln!("  check {}", noxitel_api::TOKEN_ENV),
        Error::IpNotWhitelisted(_) => eprintln!("  whitelist this machine's IP in the dashboard"),
        Error::InsufficientCredits(_) => eprintln!("  top up your balance"),
        Error::RateLimited {
            retry_after: Some(wait),
            ..
        } => eprintln!("  retry in {} s", wait.as_secs()),
        _ => {}
    }
    ExitCode::FAILURE
}
