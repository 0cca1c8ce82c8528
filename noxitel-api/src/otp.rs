//! `GET /otp/verify`, with a typed outcome.

use noxitel_types::{ApiError, OtpMatched, OtpVerifyResponse, ResponseStatus};

use crate::Error;
use crate::error::ErrorBody;

/// The outcome of an OTP verification.
#[derive(Debug, Clone, PartialEq)]
pub enum OtpVerification {
    /// The code matched.
    Matched,
    /// The code is wrong or expired, with the API's message.
    NotMatched {
        /// The API's explanation, e.g. `OTP does not match or has expired`.
        message: Option<String>,
    },
}

impl OtpVerification {
    /// Whether the code matched.
    pub fn is_matched(&self) -> bool {
        matches!(self, OtpVerification::Matched)
    }
}

/// Checks the inputs of `verifyOtp` before anything is sent: `otp` must be digits (leading
/// zeros are kept), `reference` not empty.
pub(crate) fn check((reference, otp): &(String, String)) -> Result<(), Error> {
    if reference.trim().is_empty() {
        return Err(Error::InvalidRequest("reference: must not be empty".into()));
    }
    if otp.is_empty() || !otp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidRequest("otp: must be digits".into()));
    }
    Ok(())
}

/// The outcome of `GET /otp/verify` ([`crate::calls::VerifyOtp`]). The reference shows a
/// mismatch as `{"status": "error", "matched": "no", "message": …}` without saying its HTTP
/// status: a 2xx or an error status carrying `matched: "no"` is
/// [`OtpVerification::NotMatched`]; other failures stay errors.
pub(crate) fn verification(
    answer: Result<OtpVerifyResponse, Error>,
) -> Result<OtpVerification, Error> {
    match answer {
        Ok(answer) => Ok(outcome(answer)),
        Err(error) => match error.failure().map(|f| &f.body) {
            Some(ErrorBody::Json(api)) if says_not_matched(api) => {
                Ok(OtpVerification::NotMatched {
                    message: Some(api.message.clone()),
                })
            }
            _ => Err(error),
        },
    }
}

fn outcome(answer: OtpVerifyResponse) -> OtpVerification {
    match answer.matched {
        OtpMatched::Yes if answer.status != Some(ResponseStatus::Error) => OtpVerification::Matched,
        _ => OtpVerification::NotMatched {
            message: answer.message,
        },
    }
}

fn says_not_matched(api: &ApiError) -> bool {
    api.extra.get("matched").and_then(|m| m.as_str()) == Some("no")
}
