//! Delivery reports, typed: one [`DeliveryStatus`] read from the free-text status of SMS
//! (`GET /dlr`), RCS (`GET /rcs/dlr`, webhooks) and WhatsApp (`GET /whatsapp/report`) answers,
//! with `is_delivered()` / `is_failed()` / `is_final()` on the records. Hand-written beside
//! the generated types (as async-stripe's `*_ext` modules); the raw text stays in the
//! records' fields, untouched, and a text this crate does not know is
//! [`DeliveryStatus::Unknown`].
//!
//! ```
//! use noxitel_types::{DeliveryStatus, SmsDlrResponse};
//!
//! let answer: SmsDlrResponse = serde_json::from_str(r#"{"status":"success","data":[{
//!     "sms_shoot_id":"user_6q0za64m0ql0vu7","mobile":918058111111,"sender_id":"NOXITEL",
//!     "sent":"2026-05-01 10:05:30","dlr":{"status":"Handset Delivered",
//!     "operator_reply":"DELIVRD","delivery_time":"2026-05-01 10:05:42"}}]}"#).unwrap();
//! let record = &answer.data[0];
//! assert!(record.is_delivered() && record.is_final());
//! assert_eq!(record.delivery_status(), Some(DeliveryStatus::Delivered));
//! // The text as sent is still there.
//! assert_eq!(record.dlr.as_ref().unwrap().status.as_deref(), Some("Handset Delivered"));
//! ```
//!
//! # Which texts mean what
//!
//! Only texts that Noxitel's API reference shows, plus the operator codes the workspace's
//! sandbox sends, are known (compared without regard to ASCII case or surrounding spaces):
//!
//! | text | where it is shown | [`DeliveryStatus`] |
//! |------|-------------------|--------------------|
//! | `Handset Delivered` | reference, SMS `GET /dlr` answer, `dlr.status` | `Delivered` |
//! | `DELIVRD` | reference, SMS `GET /dlr` answer, `dlr.operator_reply` | `Delivered` |
//! | `delivered` | reference, RCS `GET /rcs/dlr` (`dlr.status`), WhatsApp report (`status`), and its title graphic for `GET /api/v2/dlr` | `Delivered` |
//! | `pending`, `sent`, `failed`, `read`, `incompatible` | reference, RCS "Possible status values" | `Pending`, `Sent`, `Failed`, `Read`, `Incompatible` |
//! | `Scheduled` / `SCHEDULED` | sandbox only (a scheduled SMS) | `Scheduled` |
//! | `Submitted` / `PENDING` | sandbox only (an SMS without a report yet) | `Submitted` / `Pending` |
//! | `Failed` / `UNDELIV` | sandbox only (an SMS that was not delivered) | `Failed` / `Undelivered` |
//!
//! The RCS words apply to every channel (a WhatsApp report `failed` is `Failed`); the
//! reference lists no other SMS or WhatsApp values, so any other text — an SMPP code such as
//! `EXPIRED` or `REJECTD` included — is `Unknown`, for which every `is_*` helper is `false`.
//! A loop that waits for [`is_final`](SmsDlrRecord::is_final) needs a deadline of its own.
//!
//! # `sms_id`, `sms_shoot_id` and `batch_id`
//!
//! `POST /sms` answers with a `batch_id` for the send and one `sms_id` per contact
//! (`message_id[].sms_id`, e.g. `1ef4d949-7639-6880-bf73-ae794...`). `GET /dlr` takes either
//! (`batch_id` for every contact of the send, `sms_id` for one message), and each record it
//! returns carries an `sms_shoot_id` (e.g. `user_6q0za64m0ql0vu7`) and **no** `sms_id`. The
//! reference does not say what `sms_shoot_id` is or how it relates to `sms_id` — its examples
//! differ in form from both the `sms_id` and the `batch_id` (`samsms_eink1rilz6ucphk`) — so do
//! not assume `sms_shoot_id == sms_id`: ask by `sms_id` for one message's report, or match a
//! batch's records to contacts by `mobile` (a JSON number in the reference's record, a
//! string in the send answer: compare [`StringOrNumber`](crate::StringOrNumber)'s text). The
//! sandbox sets `sms_shoot_id` to the `sms_id`; a real account may not. RCS is simpler: the
//! send answer's `msg_id` is the record's `msg_id` and the `GET /rcs/dlr` `msg_id` parameter.

use std::fmt;

use crate::{
    RcsDeliveryStatus, RcsDlrRecord, RcsDlrState, RcsEventType, SmsDeliveryStatus, SmsDlrRecord,
    WhatsappMessageReport,
};

/// Where a message is, read from a delivery report's text. Open: a text this crate does not
/// know is [`Unknown`](Self::Unknown), kept verbatim. See the [module docs](self) for which
/// text means what and where the reference shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Scheduled for later: `Scheduled` / `SCHEDULED` (sandbox, a scheduled SMS).
    Scheduled,
    /// Accepted, no report yet: `Submitted` (sandbox, SMS `dlr.status`).
    Submitted,
    /// Waiting: RCS `pending` (reference); SMS operator code `PENDING` (sandbox).
    Pending,
    /// Dispatched to the carrier: RCS `sent` (reference; the `message.sent` webhook event).
    Sent,
    /// Delivered to the handset: SMS `Handset Delivered` / `DELIVRD`, RCS and WhatsApp
    /// `delivered` (reference).
    Delivered,
    /// Delivered and opened by the recipient: RCS `read` (reference).
    Read,
    /// Delivery failed: RCS `failed` (reference); SMS `Failed` (sandbox).
    Failed,
    /// Not delivered, as an operator reports it: `UNDELIV` (sandbox, SMS `operator_reply`).
    Undelivered,
    /// The device cannot receive RCS: RCS `incompatible` (reference).
    Incompatible,
    /// A text this crate does not know, verbatim.
    Unknown(String),
}

impl DeliveryStatus {
    /// Reads a status text or operator code (ASCII case and surrounding spaces ignored).
    pub fn parse(text: &str) -> Self {
        use DeliveryStatus::*;
        let words = [
            (
                ["Handset Delivered", "DELIVRD", "delivered"].as_slice(),
                Delivered,
            ),
            (&["read"], Read),
            (&["sent"], Sent),
            (&["pending"], Pending),
            (&["Submitted"], Submitted),
            (&["Scheduled"], Scheduled),
            (&["failed"], Failed),
            (&["UNDELIV"], Undelivered),
            (&["incompatible"], Incompatible),
        ];
        let trimmed = text.trim();
        words
            .into_iter()
            .find(|(known, _)| known.iter().any(|word| trimmed.eq_ignore_ascii_case(word)))
            .map_or_else(|| Unknown(text.to_owned()), |(_, status)| status)
    }

    /// Reached the handset: [`Delivered`](Self::Delivered) or [`Read`](Self::Read).
    pub fn is_delivered(&self) -> bool {
        matches!(self, Self::Delivered | Self::Read)
    }

    /// Will not be delivered: [`Failed`](Self::Failed), [`Undelivered`](Self::Undelivered)
    /// or [`Incompatible`](Self::Incompatible).
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::Failed | Self::Undelivered | Self::Incompatible)
    }

    /// The outcome is settled: delivered or failed. Only a read receipt (RCS `read`) may
    /// still follow a delivery. `false` for [`Unknown`](Self::Unknown).
    pub fn is_final(&self) -> bool {
        self.is_delivered() || self.is_failed()
    }

    /// No outcome yet: [`Scheduled`](Self::Scheduled), [`Submitted`](Self::Submitted),
    /// [`Pending`](Self::Pending) or [`Sent`](Self::Sent).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            Self::Scheduled | Self::Submitted | Self::Pending | Self::Sent
        )
    }

    /// Whether the text was one this crate knows.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown(_))
    }
}

impl From<&str> for DeliveryStatus {
    fn from(text: &str) -> Self {
        Self::parse(text)
    }
}

impl From<&RcsDeliveryStatus> for DeliveryStatus {
    fn from(status: &RcsDeliveryStatus) -> Self {
        match status {
            RcsDeliveryStatus::Pending => Self::Pending,
            RcsDeliveryStatus::Sent => Self::Sent,
            RcsDeliveryStatus::Failed => Self::Failed,
            RcsDeliveryStatus::Delivered => Self::Delivered,
            RcsDeliveryStatus::Read => Self::Read,
            RcsDeliveryStatus::Incompatible => Self::Incompatible,
            other => Self::parse(other.as_str()),
        }
    }
}

/// A lower-case name for the known states (`delivered`, `undelivered`, …); the text itself
/// for [`Unknown`](DeliveryStatus::Unknown).
impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scheduled => "scheduled",
            Self::Submitted => "submitted",
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Undelivered => "undelivered",
            Self::Incompatible => "incompatible",
            Self::Unknown(text) => text,
        })
    }
}

/// `is_delivered` / `is_failed` / `is_final` / `is_pending` from `delivery_status()`
/// (`false` when there is no status at all).
macro_rules! status_helpers {
    () => {
        /// Reached the handset (see [`DeliveryStatus::is_delivered`]).
        pub fn is_delivered(&self) -> bool {
            self.delivery_status().is_some_and(|s| s.is_delivered())
        }

        /// Will not be delivered (see [`DeliveryStatus::is_failed`]).
        pub fn is_failed(&self) -> bool {
            self.delivery_status().is_some_and(|s| s.is_failed())
        }

        /// Delivered or failed (see [`DeliveryStatus::is_final`]); `false` without a status
        /// or for a text this crate does not know.
        pub fn is_final(&self) -> bool {
            self.delivery_status().is_some_and(|s| s.is_final())
        }

        /// No outcome yet (see [`DeliveryStatus::is_pending`]).
        pub fn is_pending(&self) -> bool {
            self.delivery_status().is_some_and(|s| s.is_pending())
        }
    };
}

impl SmsDeliveryStatus {
    /// The status read from `status` (Noxitel's text, e.g. `Handset Delivered`), or from
    /// `operator_reply` (the operator's code, e.g. `DELIVRD`) when `status` is missing or
    /// unknown; `None` when neither is there. When both are known, `status` wins (the
    /// reference says nothing about the two disagreeing).
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        let status = self.status.as_deref().map(DeliveryStatus::parse);
        let reply = self.operator_reply.as_deref().map(DeliveryStatus::parse);
        match (status, reply) {
            (Some(status), _) if status.is_known() => Some(status),
            (_, Some(reply)) if reply.is_known() => Some(reply),
            (status, reply) => status.or(reply),
        }
    }

    status_helpers!();
}

impl SmsDlrRecord {
    /// The status of its `dlr` (see [`SmsDeliveryStatus::delivery_status`]); `None` without.
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        self.dlr
            .as_ref()
            .and_then(SmsDeliveryStatus::delivery_status)
    }

    status_helpers!();
}

impl RcsDeliveryStatus {
    /// The same state as a [`DeliveryStatus`].
    pub fn delivery_status(&self) -> DeliveryStatus {
        DeliveryStatus::from(self)
    }
}

impl RcsDlrState {
    /// Its `status` as a [`DeliveryStatus`]; `None` without.
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        self.status.as_ref().map(DeliveryStatus::from)
    }

    status_helpers!();
}

impl RcsDlrRecord {
    /// The status of its `dlr`; `None` without.
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        self.dlr.as_ref().and_then(RcsDlrState::delivery_status)
    }

    status_helpers!();
}

impl RcsEventType {
    /// The delivery state a status event reports (`message.sent` → `Sent`,
    /// `message.delivered` → `Delivered`, `message.read` → `Read`, `message.failed` →
    /// `Failed`); `None` for `message.received` (an inbound reply) and unknown events.
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        match self {
            RcsEventType::MessageSent => Some(DeliveryStatus::Sent),
            RcsEventType::MessageDelivered => Some(DeliveryStatus::Delivered),
            RcsEventType::MessageRead => Some(DeliveryStatus::Read),
            RcsEventType::MessageFailed => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

impl WhatsappMessageReport {
    /// Its `status` as a [`DeliveryStatus`] (the reference shows only `delivered`; the RCS
    /// words are read the same way); `None` without.
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        self.status.as_deref().map(DeliveryStatus::parse)
    }

    status_helpers!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(status: Option<&str>, reply: Option<&str>) -> SmsDeliveryStatus {
        SmsDeliveryStatus {
            status: status.map(Into::into),
            operator_reply: reply.map(Into::into),
            delivery_time: None,
        }
    }

    #[test]
    fn every_known_text_maps() {
        use DeliveryStatus::*;
        let table = [
            // the reference
            ("Handset Delivered", Delivered),
            ("DELIVRD", Delivered),
            ("delivered", Delivered),
            ("pending", Pending),
            ("sent", Sent),
            ("failed", Failed),
            ("read", Read),
            ("incompatible", Incompatible),
            // the sandbox
            ("Scheduled", Scheduled),
            ("SCHEDULED", Scheduled),
            ("Submitted", Submitted),
            ("PENDING", Pending),
            ("Failed", Failed),
            ("UNDELIV", Undelivered),
            // case and spaces
            (" handset delivered ", Delivered),
            ("Delivered", Delivered),
        ];
        for (text, expected) in table {
            let status = DeliveryStatus::parse(text);
            assert_eq!(status, expected, "{text:?}");
            assert!(status.is_known(), "{text:?}");
            assert_eq!(DeliveryStatus::from(text), expected);
        }
    }

    #[test]
    fn unknown_texts_are_kept_and_say_nothing() {
        for text in ["EXPIRED", "REJECTD", "Handset Delivered!", "", "queued"] {
            let status = DeliveryStatus::parse(text);
            assert_eq!(status, DeliveryStatus::Unknown(text.to_owned()));
            assert_eq!(status.to_string(), text);
            assert!(!status.is_known());
            assert!(!status.is_delivered() && !status.is_failed());
            assert!(!status.is_final() && !status.is_pending());
        }
    }

    #[test]
    fn classes() {
        use DeliveryStatus::*;
        // Every variant but Unknown: those still on their way, then the final ones.
        let on_the_way = [Scheduled, Submitted, Pending, Sent];
        let finals = [Delivered, Read, Failed, Undelivered, Incompatible];
        for status in &on_the_way {
            assert!(status.is_pending(), "{status}");
        }
        for status in &finals {
            assert!(status.is_final(), "{status}");
        }
        for status in on_the_way.into_iter().chain(finals) {
            let (delivered, failed) = (status.is_delivered(), status.is_failed());
            assert_eq!(delivered, matches!(status, Delivered | Read), "{status}");
            assert_eq!(
                failed,
                matches!(status, Failed | Undelivered | Incompatible),
                "{status}"
            );
            assert_eq!(status.is_final(), delivered || failed, "{status}");
            assert_eq!(status.is_pending(), !status.is_final(), "{status}");
            // Display names read back as the same state.
            if status != Undelivered {
                assert_eq!(DeliveryStatus::parse(&status.to_string()), status);
            }
        }
    }

    #[test]
    fn sms_status_text_wins_then_operator_code() {
        use DeliveryStatus::*;
        let cases = [
            // the reference's record
            (Some("Handset Delivered"), Some("DELIVRD"), Some(Delivered)),
            // the sandbox's states
            (Some("Scheduled"), Some("SCHEDULED"), Some(Scheduled)),
            (Some("Submitted"), Some("PENDING"), Some(Submitted)),
            (Some("Failed"), Some("UNDELIV"), Some(Failed)),
            // one of the two
            (None, Some("DELIVRD"), Some(Delivered)),
            (Some("Handset Delivered"), None, Some(Delivered)),
            // an unknown text falls back to a known code, and is kept when nothing is known
            (Some("Zugestellt"), Some("DELIVRD"), Some(Delivered)),
            (
                Some("Zugestellt"),
                Some("EXPIRED"),
                Some(Unknown("Zugestellt".into())),
            ),
            (None, Some("EXPIRED"), Some(Unknown("EXPIRED".into()))),
            (None, None, None),
        ];
        for (status, reply, expected) in cases {
            assert_eq!(
                sms(status, reply).delivery_status(),
                expected,
                "{status:?} {reply:?}"
            );
        }
    }

    #[test]
    fn sms_records() {
        let delivered = SmsDlrRecord {
            dlr: Some(sms(Some("Handset Delivered"), Some("DELIVRD"))),
            ..Default::default()
        };
        assert!(delivered.is_delivered() && delivered.is_final());
        assert!(!delivered.is_failed() && !delivered.is_pending());
        let failed = SmsDlrRecord {
            dlr: Some(sms(Some("Failed"), Some("UNDELIV"))),
            ..Default::default()
        };
        assert!(failed.is_failed() && failed.is_final() && !failed.is_delivered());
        let waiting = SmsDlrRecord {
            dlr: Some(sms(Some("Submitted"), Some("PENDING"))),
            ..Default::default()
        };
        assert!(waiting.is_pending() && !waiting.is_final());
        let empty = SmsDlrRecord::default();
        assert_eq!(empty.delivery_status(), None);
        assert!(!empty.is_final() && !empty.is_pending());
    }

    #[test]
    fn rcs_states_records_and_events() {
        let pairs = [
            (RcsDeliveryStatus::Pending, DeliveryStatus::Pending),
            (RcsDeliveryStatus::Sent, DeliveryStatus::Sent),
            (RcsDeliveryStatus::Failed, DeliveryStatus::Failed),
            (RcsDeliveryStatus::Delivered, DeliveryStatus::Delivered),
            (RcsDeliveryStatus::Read, DeliveryStatus::Read),
            (
                RcsDeliveryStatus::Incompatible,
                DeliveryStatus::Incompatible,
            ),
            (
                RcsDeliveryStatus::Unknown("expired".into()),
                DeliveryStatus::Unknown("expired".into()),
            ),
        ];
        assert_eq!(pairs.len() - 1, RcsDeliveryStatus::KNOWN.len());
        for (rcs, expected) in pairs {
            assert_eq!(rcs.delivery_status(), expected);
            let record = RcsDlrRecord {
                dlr: Some(RcsDlrState {
                    status: Some(rcs.clone()),
                    delivery_time: None,
                }),
                ..Default::default()
            };
            assert_eq!(record.delivery_status(), Some(expected.clone()));
            assert_eq!(record.is_final(), expected.is_final());
            assert_eq!(record.is_delivered(), expected.is_delivered());
            assert_eq!(record.is_failed(), expected.is_failed());
            assert_eq!(record.is_pending(), expected.is_pending());
        }
        assert_eq!(RcsDlrRecord::default().delivery_status(), None);

        let events = [
            (RcsEventType::MessageSent, Some(DeliveryStatus::Sent)),
            (
                RcsEventType::MessageDelivered,
                Some(DeliveryStatus::Delivered),
            ),
            (RcsEventType::MessageRead, Some(DeliveryStatus::Read)),
            (RcsEventType::MessageFailed, Some(DeliveryStatus::Failed)),
            (RcsEventType::MessageReceived, None),
            (RcsEventType::Unknown("message.expired".into()), None),
        ];
        for (event, expected) in events {
            assert_eq!(event.delivery_status(), expected, "{event}");
        }
    }

    #[test]
    fn whatsapp_reports() {
        let report: WhatsappMessageReport = serde_json::from_str(
            r#"{"msg_id":"1f020deb-2669-6060-b900-1fc1c519d2b7","msisdn":"919887111111",
            "phone_id":"12345678909812","direction":"outgoing",
            "timestamp":"2026-05-01T07:35:29.000Z","cost":0.05,"status":"delivered"}"#,
        )
        .unwrap();
        assert_eq!(report.delivery_status(), Some(DeliveryStatus::Delivered));
        assert!(report.is_delivered() && report.is_final());
        let failed = WhatsappMessageReport {
            status: Some("failed".into()),
            ..report.clone()
        };
        assert!(failed.is_failed());
        let without = WhatsappMessageReport {
            status: None,
            ..report
        };
        assert_eq!(without.delivery_status(), None);
        assert!(!without.is_final());
    }
}
