//! `GET /otp/verify`, with a typed outcome.

use noxitel_types::{ApiError, OtpMatched, OtpVerifyResponse, ResponseStatus};

use crate::call::CallOptions;
use crate::error::ErrorBody;
use crate::{Client, Error};

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

impl Client {
    /// Verifies the OTP a user entered against the `reference` returned by
    /// [`Client::send_otp`].
    ///
    /// `GET /otp/verify` (operation `verifyOtp`). The reference shows a mismatch as
    /// `{"status": "error", "matched": "no", "message": …}` without saying its HTTP status;
    /// both a 200 and an error status carrying `matched: "no"` give
    /// [`OtpVerification::NotMatched`]. Other failures are errors.
    ///
    /// `otp` must be digits (leading zeros are kept).
    pub async fn verify_otp(&self, reference: &str, otp: &str) -> Result<OtpVerification, Error> {
        if reference.trim().is_empty() {
            return Err(Error::InvalidRequest("reference: must not be empty".into()));
        }
        if otp.is_empty() || !otp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidRequest("otp: must be digits".into()));
        }
        let generated = self.per_call(CallOptions::default(), None);
        let answer = generated
            .verify_otp()
            .reference(reference)
            .otp(otp)
            .send()
            .await;
        match Client::answer(&generated, answer).await {
            Ok(answer) => Ok(outcome(answer.into_inner())),
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
