//! Payloads Noxitel POSTs to a `notifyUrl`, typed for receivers.
//!
//! ```
//! use noxitel_types::webhooks::RcsEvent;
//! use noxitel_types::PostbackAction;
//!
//! let body = br#"{"event":"message.received","agentId":"42","msgId":"m1","from":"919887111111",
//!   "message":{"type":"suggestion"},
//!   "suggestionResponse":{"postbackData":"m1||REPLY||Confirm","text":"Confirm"}}"#;
//! match RcsEvent::from_slice(body).unwrap() {
//!     RcsEvent::SuggestionReceived { postback, .. } => {
//!         assert_eq!(postback.action, PostbackAction::Reply);
//!         assert_eq!(postback.payload, "Confirm");
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{PostbackAction, RcsEventType, RcsInboundMessageType, RcsWebhookEvent};

/// Payload of an SMS delivery receipt POSTed to `notifyUrl`.
///
/// **The reference does not document this payload**: every field is kept as sent. Use
/// `GET /dlr` for the documented delivery report shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct SmsDeliveryReceipt(pub Map<String, Value>);

impl SmsDeliveryReceipt {
    /// A field of the receipt, if present.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }
}

/// Why a webhook body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The body is not the JSON shape of the event.
    #[error("webhook body is not a valid event: {0}")]
    Json(#[from] serde_json::Error),
    /// A suggestion reply whose `postbackData` is malformed.
    #[error("suggestion reply has a malformed postbackData: {source}")]
    Postback {
        /// What is wrong with the `postbackData`.
        #[source]
        source: PostbackError,
        /// The event, so that it can still be logged or acknowledged.
        event: Box<RcsWebhookEvent>,
    },
}

/// An RCS webhook event, by kind. Every variant keeps the full payload.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RcsEvent {
    /// `message.sent`: dispatched to the carrier.
    Sent(RcsWebhookEvent),
    /// `message.delivered`: delivered to the handset.
    Delivered(RcsWebhookEvent),
    /// `message.read`: the recipient opened the message.
    Read(RcsWebhookEvent),
    /// `message.failed`: delivery failed.
    Failed(RcsWebhookEvent),
    /// `message.received` with text the user typed.
    TextReceived {
        /// The text the user sent.
        text: String,
        /// The full payload.
        event: RcsWebhookEvent,
    },
    /// `message.received` for a tapped suggestion, with its parsed `postbackData`.
    SuggestionReceived {
        /// The parsed `postbackData`.
        postback: Postback,
        /// The suggestion's display text, if sent.
        text: Option<String>,
        /// The full payload.
        event: RcsWebhookEvent,
    },
    /// `message.received` carrying neither text nor a suggestion reply.
    Received(RcsWebhookEvent),
    /// An event name this crate does not know.
    Unknown(RcsWebhookEvent),
}

impl RcsEvent {
    /// Parses a webhook request body.
    pub fn from_slice(body: &[u8]) -> Result<Self, WebhookError> {
        Self::try_from(serde_json::from_slice::<RcsWebhookEvent>(body)?)
    }

    /// The full payload, whatever the kind.
    pub fn payload(&self) -> &RcsWebhookEvent {
        match self {
            RcsEvent::Sent(e)
            | RcsEvent::Delivered(e)
            | RcsEvent::Read(e)
            | RcsEvent::Failed(e)
            | RcsEvent::Received(e)
            | RcsEvent::Unknown(e)
            | RcsEvent::TextReceived { event: e, .. }
            | RcsEvent::SuggestionReceived { event: e, .. } => e,
        }
    }
}

impl TryFrom<RcsWebhookEvent> for RcsEvent {
    type Error = WebhookError;

    fn try_from(event: RcsWebhookEvent) -> Result<Self, WebhookError> {
        Ok(match &event.event {
            RcsEventType::MessageSent => RcsEvent::Sent(event),
            RcsEventType::MessageDelivered => RcsEvent::Delivered(event),
            RcsEventType::MessageRead => RcsEvent::Read(event),
            RcsEventType::MessageFailed => RcsEvent::Failed(event),
            RcsEventType::MessageReceived => received(event)?,
            _ => RcsEvent::Unknown(event),
        })
    }
}

fn received(event: RcsWebhookEvent) -> Result<RcsEvent, WebhookError> {
    if let Some(response) = &event.suggestion_response {
        return match response.postback_data.parse::<Postback>() {
            Ok(postback) => Ok(RcsEvent::SuggestionReceived {
                postback,
                text: response.text.clone(),
                event,
            }),
            Err(source) => Err(WebhookError::Postback {
                source,
                event: Box::new(event),
            }),
        };
    }
    let text = event
        .message
        .as_ref()
        .and_then(|m| match (&m.type_, &m.text) {
            (Some(RcsInboundMessageType::Text) | None, Some(text)) => Some(text.clone()),
            _ => None,
        });
    Ok(match text {
        Some(text) => RcsEvent::TextReceived { text, event },
        None => RcsEvent::Received(event),
    })
}

/// A parsed `postbackData`: `"{msgId}||{ACTION}||{payload}"`, generated by the platform
/// when a user taps a suggestion.
///
/// The payload is everything after the second `||`, so it may itself contain `||`.
/// `Display` writes the original string back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postback {
    /// The message the suggestion belonged to.
    pub msg_id: String,
    /// What the user did.
    pub action: PostbackAction,
    /// Chip text, URL, phone number, `"lat,lon"` or event title, depending on `action`.
    pub payload: String,
}

impl Postback {
    /// For `VIEW_LOC`: the `"lat,lon"` payload as numbers.
    pub fn location(&self) -> Option<(f64, f64)> {
        if self.action != PostbackAction::ViewLoc {
            return None;
        }
        let (lat, lon) = self.payload.split_once(',')?;
        Some((lat.trim().parse().ok()?, lon.trim().parse().ok()?))
    }
}

/// Why a `postbackData` string is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostbackError {
    /// Fewer than three `||`-separated parts.
    #[error("expected \"{{msgId}}||{{ACTION}}||{{payload}}\", got {0:?}")]
    MissingParts(String),
    /// The msgId part is empty.
    #[error("empty msgId in {0:?}")]
    EmptyMessageId(String),
    /// The ACTION part is empty.
    #[error("empty ACTION in {0:?}")]
    EmptyAction(String),
}

impl FromStr for Postback {
    type Err = PostbackError;

    fn from_str(data: &str) -> Result<Self, PostbackError> {
        let mut parts = data.splitn(3, "||");
        let (Some(msg_id), Some(action), Some(payload)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(PostbackError::MissingParts(data.to_owned()));
        };
        if msg_id.is_empty() {
            return Err(PostbackError::EmptyMessageId(data.to_owned()));
        }
        if action.is_empty() {
            return Err(PostbackError::EmptyAction(data.to_owned()));
        }
        Ok(Postback {
            msg_id: msg_id.to_owned(),
            action: PostbackAction::from(action),
            payload: payload.to_owned(),
        })
    }
}

impl fmt::Display for Postback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}||{}||{}", self.msg_id, self.action, self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postback_parses_every_documented_action() {
        for (data, action, payload) in [
            ("m||REPLY||Confirm", PostbackAction::Reply, "Confirm"),
            (
                "m||CLICK||https://x.test/a?b=c",
                PostbackAction::Click,
                "https://x.test/a?b=c",
            ),
            (
                "m||DIAL||+919887000000",
                PostbackAction::Dial,
                "+919887000000",
            ),
            (
                "m||VIEW_LOC||12.5,77.25",
                PostbackAction::ViewLoc,
                "12.5,77.25",
            ),
            (
                "m||CALENDAR||Launch party",
                PostbackAction::Calendar,
                "Launch party",
            ),
            ("m||SHARE||x", PostbackAction::Unknown("SHARE".into()), "x"),
        ] {
            let postback: Postback = data.parse().unwrap();
            assert_eq!(
                (postback.action.clone(), postback.payload.as_str()),
                (action, payload)
            );
            assert_eq!(postback.to_string(), data);
        }
    }

    #[test]
    fn postback_payload_may_contain_the_separator_and_be_empty() {
        let postback: Postback = "m||REPLY||a||b".parse().unwrap();
        assert_eq!(postback.payload, "a||b");
        let empty: Postback = "m||REPLY||".parse().unwrap();
        assert_eq!(empty.payload, "");
    }

    #[test]
    fn malformed_postbacks_are_errors() {
        // Each error names the text it was given.
        type Names = fn(String) -> PostbackError;
        let cases: [(&str, Names); 4] = [
            ("m||REPLY", PostbackError::MissingParts),
            ("", PostbackError::MissingParts),
            ("||REPLY||x", PostbackError::EmptyMessageId),
            ("m||||x", PostbackError::EmptyAction),
        ];
        for (text, error) in cases {
            assert_eq!(
                text.parse::<Postback>(),
                Err(error(text.into())),
                "{text:?}"
            );
        }
    }

    #[test]
    fn view_location_payload_is_read_as_coordinates() {
        let postback: Postback = "m||VIEW_LOC||12.5, 77.25".parse().unwrap();
        assert_eq!(postback.location(), Some((12.5, 77.25)));
        let reply: Postback = "m||REPLY||12.5,77.25".parse().unwrap();
        assert_eq!(reply.location(), None);
    }
}
