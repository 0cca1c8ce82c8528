//! Magic test numbers: recipients whose outcome is fixed, so tests in any language can script
//! delivery, failure, silence, delays, replies, RCS capability and OTP codes.
//!
//! Exact numbers are checked first; the two suffix rules (`…000` fails, `…0` has no RCS) apply
//! to every other number.

use chrono::TimeDelta;
use serde::Serialize;

pub const DELIVERED: &str = "15550100001";
pub const FAILED: &str = "15550100002";
pub const UNDELIVERED_LATE: &str = "15550100003";
pub const NO_DLR: &str = "15550100004";
pub const REPLIES: &str = "15550100005";
pub const NO_RCS: &str = "15550100006";
pub const FIXED_OTP: &str = "15550100007";
/// `1555010` + `2` + three digits: the DLR comes after that many seconds.
pub const DELAY_PREFIX: &str = "15550102";

/// Seconds before `UNDELIVERED_LATE` reports its failure.
pub const LATE_SECS: i64 = 30;
/// The code every OTP to `FIXED_OTP` has.
pub const OTP_CODE: &str = "123456";
/// What a scripted reply says.
pub const REPLY_TEXT: &str = "Yes, confirmed";
/// Seconds after delivery the scripted reply arrives.
pub const REPLY_AFTER_SECS: i64 = 1;

/// A phone number as the sandbox keys it: trimmed, without the leading `+`.
pub fn bare_number(number: &str) -> &str {
    number.trim().strip_prefix('+').unwrap_or(number.trim())
}

fn digits(number: &str) -> &str {
    bare_number(number)
}

fn delay_secs(number: &str) -> Option<i64> {
    let rest = digits(number).strip_prefix(DELAY_PREFIX)?;
    (rest.len() == 3 && rest.bytes().all(|b| b.is_ascii_digit()))
        .then(|| rest.parse().ok())
        .flatten()
}

fn is_exact(number: &str) -> bool {
    let n = digits(number);
    [
        DELIVERED,
        FAILED,
        UNDELIVERED_LATE,
        NO_DLR,
        REPLIES,
        NO_RCS,
        FIXED_OTP,
    ]
    .contains(&n)
        || delay_secs(n).is_some()
}

/// Delivery fails (SMS `Failed`/`UNDELIV`, RCS and WhatsApp `failed`, voice `failed`).
pub fn fails(number: &str) -> bool {
    let n = digits(number);
    match n {
        FAILED | UNDELIVERED_LATE => true,
        _ if is_exact(n) => false,
        _ => n.ends_with("000"),
    }
}

/// The message stays submitted/sent: no final DLR, no receipt webhook.
pub fn never_reports(number: &str) -> bool {
    digits(number) == NO_DLR
}

/// Time from submission to the final DLR.
pub fn dlr_delay(number: &str, default: TimeDelta) -> TimeDelta {
    if digits(number) == UNDELIVERED_LATE {
        return TimeDelta::seconds(LATE_SECS);
    }
    delay_secs(number).map_or(default, TimeDelta::seconds)
}

/// Whether the number supports RCS (test devices always do).
pub fn rcs_capable(number: &str) -> bool {
    let n = digits(number);
    match n {
        NO_RCS => false,
        _ if is_exact(n) => true,
        _ => !n.ends_with('0'),
    }
}

/// The recipient answers an RCS or WhatsApp message once it is delivered.
pub fn replies(number: &str) -> bool {
    digits(number) == REPLIES
}

/// The OTP code sent to the number, when fixed.
pub fn fixed_otp(number: &str) -> Option<&'static str> {
    (digits(number) == FIXED_OTP).then_some(OTP_CODE)
}

/// One row of the table.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub number: &'static str,
    pub channels: &'static str,
    pub outcome: String,
}

/// The documented table (README and `GET /sandbox/magic-numbers`).
pub fn table() -> Vec<Entry> {
    let row = |number, channels, outcome: &str| Entry {
        number,
        channels,
        outcome: outcome.to_owned(),
    };
    vec![
        row(
            DELIVERED,
            "all",
            "delivered after the DLR delay (SMS Handset Delivered/DELIVRD, RCS and WhatsApp delivered, call completed)",
        ),
        row(
            FAILED,
            "all",
            "fails after the DLR delay (SMS Failed/UNDELIV, RCS/WhatsApp failed, call failed)",
        ),
        row(
            UNDELIVERED_LATE,
            "SMS, RCS",
            &format!(
                "submitted, then undelivered (Failed/UNDELIV, RCS failed) after {LATE_SECS} s"
            ),
        ),
        row(
            NO_DLR,
            "SMS, RCS",
            "no final DLR ever: stays Submitted/PENDING (RCS: sent); no receipt webhook",
        ),
        row(
            "15550102NNN",
            "SMS, RCS",
            "delivered after NNN seconds (e.g. 15550102030: 30 s)",
        ),
        row(
            REPLIES,
            "RCS, WhatsApp",
            &format!(
                "delivered, then the user replies {REPLY_TEXT:?} {REPLY_AFTER_SECS} s later (RCS: message.received webhook to the message's notifyUrl and an open conversation; WhatsApp: an inbound message that opens the 24 h window). SMS has no inbound API, so none there"
            ),
        ),
        row(
            NO_RCS,
            "RCS",
            "not RCS capable: status incompatible, smsFallback used when given",
        ),
        row(
            FIXED_OTP,
            "OTP",
            &format!("every OTP has the code {OTP_CODE}"),
        ),
        row(
            "…000",
            "all",
            "any other number ending in 000 fails delivery",
        ),
        row(
            "…0",
            "RCS",
            "any other number ending in 0 is not RCS capable",
        ),
    ]
}
