//! Response and request shapes that are a choice the document can only describe with `anyOf`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::{RcsCarouselContent, RcsRichCardContent, RcsTextContent, WhatsappMessageReport};

/// Answer of `GET /whatsapp/report`.
///
/// `mode=message` answers one report object. The `mode=campaign` answer is not documented by
/// the reference: a list of reports is read as [`WhatsappReport::Messages`], anything else is
/// kept verbatim in [`WhatsappReport::Other`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum WhatsappReport {
    /// One message's report (`mode=message`).
    Message(WhatsappMessageReport),
    /// A list of message reports.
    Messages(Vec<WhatsappMessageReport>),
    /// Any other answer, kept as sent.
    Other(Value),
}

impl WhatsappReport {
    /// The reports this answer contains, whichever shape it had.
    pub fn reports(&self) -> Vec<&WhatsappMessageReport> {
        match self {
            WhatsappReport::Message(report) => vec![report],
            WhatsappReport::Messages(reports) => reports.iter().collect(),
            WhatsappReport::Other(_) => Vec::new(),
        }
    }
}

impl<'de> Deserialize<'de> for WhatsappReport {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        // Decide by shape first: every report field is optional, so any object would parse
        // as a report and a campaign envelope would silently become an empty one.
        let parsed = match &value {
            Value::Object(map) if map.contains_key("msg_id") => {
                serde_json::from_value(value.clone()).map(WhatsappReport::Message)
            }
            Value::Array(_) => serde_json::from_value(value.clone()).map(WhatsappReport::Messages),
            _ => return Ok(WhatsappReport::Other(value)),
        };
        Ok(parsed.unwrap_or(WhatsappReport::Other(value)))
    }
}

/// `content` of `POST /rcs/message`; which variant depends on the message `type`.
///
/// The `media` content shape is not documented by the reference: pass it as
/// [`RcsMessageContent::Other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum RcsMessageContent {
    /// For `type: text`.
    Text(RcsTextContent),
    /// For `type: rich_card`.
    RichCard(RcsRichCardContent),
    /// For `type: carousel`.
    Carousel(RcsCarouselContent),
    /// Any other object (e.g. `type: media`, whose shape is undocumented).
    Other(Map<String, Value>),
}

impl From<RcsTextContent> for RcsMessageContent {
    fn from(value: RcsTextContent) -> Self {
        RcsMessageContent::Text(value)
    }
}

impl From<RcsRichCardContent> for RcsMessageContent {
    fn from(value: RcsRichCardContent) -> Self {
        RcsMessageContent::RichCard(value)
    }
}

impl From<RcsCarouselContent> for RcsMessageContent {
    fn from(value: RcsCarouselContent) -> Self {
        RcsMessageContent::Carousel(value)
    }
}
