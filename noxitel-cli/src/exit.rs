//! Why a command failed ([`Kind`]), and what follows from it: the exit code (see
//! `EXIT_CODES_HELP`), the one-line message and any hint.

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

/// Why a command failed. The exit code and the hint are derived from it, never from the
/// message's text.
#[derive(Debug)]
pub enum Kind {
    /// A call through the API client failed.
    Client(Box<Error>),
    /// Bad arguments or input: an unreadable or invalid file, a journal that does not match.
    Usage,
    /// No API token was given.
    NoToken,
    /// The API answered, and the answer is a refusal (an OTP that did not match).
    Refused,
    /// A local address to listen on could not be bound (in use, not allowed, not local).
    Listen(std::io::ErrorKind),
    /// The control surface of a running sandbox failed: no answer (`None`) or this HTTP status.
    Sandbox(Option<u16>),
    /// This program failed (a task panicked, the runtime did not start).
    Internal,
}

/// A failure to report: one line on stderr, an exit code and perhaps a hint.
#[derive(Debug)]
pub struct Failure {
    kind: Kind,
    /// For [`Kind::Client`]: what was being done (`credits`, `sms send`); otherwise the line.
    message: String,
}

impl Failure {
    /// A failure of this kind with this message.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Bad arguments or input.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// This program failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Internal, message)
    }

    /// `what` failed because of `error`: one readable line with the API's message and the
    /// HTTP status.
    pub fn api(what: &str, error: Error) -> Self {
        Self::new(Kind::Client(Box::new(error)), what)
    }

    /// Listening on `addr` failed.
    pub fn listen(addr: impl fmt::Display, error: &std::io::Error) -> Self {
        let mut message = format!("cannot listen on {addr}: {error}");
        if error.kind() == std::io::ErrorKind::AddrInUse {
            message.push_str(
                " (another program uses that port: pass another --port, or 0 for any free one)",
            );
        }
        Self::new(Kind::Listen(error.kind()), message)
    }

    /// Why it failed.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The client error behind it, if it came from a call.
    pub fn client_error(&self) -> Option<&Error> {
        match &self.kind {
            Kind::Client(error) => Some(error),
            _ => None,
        }
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        match &self.kind {
            Kind::Client(error) => code(error),
            Kind::Usage | Kind::Listen(_) => USAGE,
            Kind::NoToken => AUTH,
            Kind::Refused | Kind::Internal => API,
            Kind::Sandbox(None) => NETWORK,
            Kind::Sandbox(Some(401 | 403)) => AUTH,
            Kind::Sandbox(Some(500..)) => SERVER,
            Kind::Sandbox(Some(_)) => API,
        }
    }

    /// A second line that says what to try, given the base URL the command used.
    pub fn hint(&self, base_url: &str) -> Option<String> {
        let error = self.client_error()?;
        (error.status().map(|s| s.as_u16()) == Some(404)
            && !base_url.trim_end_matches('/').ends_with("/api/v2"))
        .then(|| format!("the base URL usually ends with /api/v2 (it is {base_url})"))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Client(error) => match **error {
                // Nothing was sent: the operation did not "fail", it was not made.
                Error::InvalidRequest(_) | Error::Config(_) => {
                    write!(f, "{}: {}", self.message, reason(error))
                }
                _ => write!(f, "{} failed: {}", self.message, reason(error)),
            },
            _ => f.write_str(&self.message),
        }
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

/// What went wrong, without what was being done: `<kind>: <API message> (HTTP <status>)`,
/// and, for a send that may have been processed, what to do before sending it again.
pub fn reason(error: &Error) -> String {
    let kind = match error {
        Error::InvalidRequest(reason) => return format!("invalid request (not sent): {reason}"),
        Error::Config(reason) => return reason.clone(),
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
        other => return other.to_string(),
    };
    let mut line = match error.message() {
        // "insufficient credits: Insufficient credits: …" says it twice.
        Some(message) if message.to_lowercase().starts_with(kind) => message.to_owned(),
        Some(message) => format!("{kind}: {message}"),
        None => kind.to_owned(),
    };
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
