//! Exit codes and the one-line error message (see `EXIT_CODES_HELP`).

use std::fmt;

use noxitel_api::Error;

/// Success.
pub const OK: u8 = 0;
/// The API refused the request (400, 404, `"status": "error"`), or an OTP did not match.
pub const API: u8 = 1;
/// Usage: bad arguments or input.
pub const USAGE: u8 = 2;
/// Missing or invalid API key, IP not whitelisted.
pub const AUTH: u8 = 3;
/// Insufficient credits.
pub const CREDITS: u8 = 4;
/// Rate limited.
pub const RATE_LIMIT: u8 = 5;
/// Server error.
pub const SERVER: u8 = 6;
/// Network failure.
pub const NETWORK: u8 = 7;
/// Bulk send finished incomplete.
pub const INCOMPLETE: u8 = 8;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// A failure to report: one line on stderr and an exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// The line to print (without the `error: ` prefix).
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(API, message)
    }

    /// `what` failed because of `error`: one readable line with the API's message and the
    /// HTTP status.
    pub fn api(what: &str, error: &Error) -> Self {
        Self::new(code(error), describe(what, error))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The exit code for a client error.
pub fn code(error: &Error) -> u8 {
    match error {
        Error::InvalidRequest(_) | Error::Config(_) => USAGE,
        Error::IpNotWhitelisted(_) | Error::InvalidApiKey(_) => AUTH,
        Error::InsufficientCredits(_) => CREDITS,
        Error::RateLimited { .. } => RATE_LIMIT,
        Error::Server(_) | Error::Decode { .. } | Error::ResponseTooLarge { .. } => SERVER,
        Error::Timeout { .. } | Error::Transport(_) => NETWORK,
        Error::Redirect(_) => USAGE,
        _ => API,
    }
}

/// `<what> failed: <kind>: <API message> (HTTP <status>)`.
pub fn describe(what: &str, error: &Error) -> String {
    let kind = match error {
        Error::InvalidRequest(reason) => {
            return format!("{what}: invalid request (not sent): {reason}");
        }
        Error::Config(reason) => return format!("{what}: {reason}"),
        Error::BadRequest(_) => "bad request",
        Error::IpNotWhitelisted(_) => "IP address not whitelisted for this API key",
        Error::InsufficientCredits(_) => "insufficient credits",
        Error::InvalidApiKey(_) => "invalid or missing API key",
        Error::NotFound(_) => "not found",
        Error::RateLimited { .. } => "rate limit exceeded",
        Error::Server(_) => "server error",
        Error::Api(_) => "the API answered with an error",
        // Timeouts, broken connections, redirects, unreadable answers: the client's own
        // message says what happened, whether the request may have been processed and what
        // to do.
        other => return format!("{what} failed: {other}"),
    };
    let mut line = format!("{what} failed");
    match error.message() {
        // "insufficient credits: Insufficient credits: …" says it twice.
        Some(message) if message.to_lowercase().starts_with(kind) => {
            line.push_str(": ");
            line.push_str(message);
        }
        Some(message) => {
            line.push_str(&format!(": {kind}: {message}"));
        }
        None => line.push_str(&format!(": {kind}")),
    }
    if let Some(status) = error.status() {
        line.push_str(&format!(" (HTTP {})", status.as_u16()));
    }
    if let Error::RateLimited {
        retry_after: Some(after),
        ..
    } = error
    {
        line.push_str(&format!(", retry after {}s", after.as_secs()));
    }
    if let Some(advice) = error.resend_advice() {
        line.push_str("; ");
        line.push_str(advice);
    }
    line
}
