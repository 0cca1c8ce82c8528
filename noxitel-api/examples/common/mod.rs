//! What every example does with a failed call: one readable line and a hint.

use std::process::ExitCode;

use noxitel_api::Error;

/// `Client::from_env` failed: say which variables to set; exit code 2.
pub fn missing_config(error: &Error) -> ExitCode {
    eprintln!("error: {error}");
    eprintln!(
        "set {} to your API token (and optionally {} to another base URL)",
        noxitel_api::TOKEN_ENV,
        noxitel_api::BASE_URL_ENV
    );
    ExitCode::from(2)
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
