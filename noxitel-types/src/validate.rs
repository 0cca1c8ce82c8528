//! The rules the reference states in prose ("required unless…", "required when type is…"),
//! checked before a request is sent (and by servers that receive one).

use std::fmt;

use crate::{
    Contact, RcsAgentLaunchRequest, RcsAgentRequest, RcsAgentSubmitRequest, RcsMessageContent,
    RcsMessageType, RcsTestDeviceRequest, SendOtpRequest, SendRcsMessageRequest, SendSmsRequest,
    SendWhatsappMessageRequest, SmsDlrRequest, VoiceCallRequest, WhatsappMessageType,
};

/// A request that breaks a rule of the reference; names the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// The JSON field at fault, e.g. `contacts[2].mobile`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl ValidationError {
    fn new(field: impl fmt::Display, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// Checks a request body against the rules of the reference.
pub trait Validate {
    /// `Ok(())` if the request may be sent.
    fn validate(&self) -> std::result::Result<(), ValidationError>;
}

type Result = std::result::Result<(), ValidationError>;

fn non_empty(field: &str, value: &str) -> Result {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    Ok(())
}

/// A phone number: digits, optionally after a leading `+`; at most 15 of them (E.164).
fn phone_number(field: &str, value: &str) -> Result {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValidationError::new(
            field,
            format!(
                "{value:?} is not a phone number (digits with country code, e.g. 919887111111)"
            ),
        ));
    }
    if digits.len() > 15 {
        return Err(ValidationError::new(
            field,
            format!(
                "has {} digits; a phone number has at most 15 (E.164)",
                digits.len()
            ),
        ));
    }
    Ok(())
}

/// A webhook target: an absolute `http://` or `https://` URL with a host, no whitespace.
/// The API POSTs events there; anything else could never be delivered.
fn webhook_url(field: &str, value: &str) -> Result {
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host = rest.and_then(|r| r.split(['/', '?', '#']).next());
    let ok = host.is_some_and(|h| !h.is_empty()) && !value.chars().any(char::is_whitespace);
    if !ok {
        return Err(ValidationError::new(
            field,
            format!("{value:?} is not an absolute http(s) URL, e.g. https://yourapp.com/webhook"),
        ));
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM:SS`, the format of every `schedule` field.
fn schedule(field: &str, value: &str) -> Result {
    let shape_ok = value.len() == 19
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b' ',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(ValidationError::new(
            field,
            format!("{value:?} is not in the format YYYY-MM-DD HH:MM:SS"),
        ));
    }
    Ok(())
}

/// The list `field` holds at least one `item`, and each passes `check` (named `field[i]`).
fn each<T>(field: &str, item: &str, items: &[T], check: impl Fn(&str, &T) -> Result) -> Result {
    if items.is_empty() {
        return Err(ValidationError::new(
            field,
            format!("at least one {item} is required"),
        ));
    }
    for (i, value) in items.iter().enumerate() {
        check(&format!("{field}[{i}]"), value)?;
    }
    Ok(())
}

/// `value`, if set, passes `check` as `field`.
fn optional(field: &str, value: &Option<String>, check: fn(&str, &str) -> Result) -> Result {
    value.as_deref().map_or(Ok(()), |value| check(field, value))
}

fn contacts_or_group(contacts: &[Contact], group: Option<i64>) -> Result {
    if contacts.is_empty() && group.is_none() {
        return Err(ValidationError::new(
            "contacts",
            "at least one contact is required unless contactGroup is supplied",
        ));
    }
    for (i, contact) in contacts.iter().enumerate() {
        phone_number(&format!("contacts[{i}].mobile"), &contact.mobile)?;
    }
    Ok(())
}

impl Validate for SendSmsRequest {
    fn validate(&self) -> Result {
        contacts_or_group(&self.contacts, self.contact_group)?;
        match (&self.message, self.template_id) {
            (None, None) => {
                return Err(ValidationError::new(
                    "message",
                    "required unless templateId is supplied",
                ));
            }
            (Some(message), None) => non_empty("message", message)?,
            _ => {}
        }
        optional("sender", &self.sender, non_empty)?;
        optional("schedule", &self.schedule, schedule)?;
        optional("notifyUrl", &self.notify_url, webhook_url)?;
        Ok(())
    }
}

impl Validate for SmsDlrRequest {
    fn validate(&self) -> Result {
        match (&self.batch_id, &self.sms_id) {
            (None, None) => Err(ValidationError::new(
                "batch_id",
                "one of batch_id and sms_id is required",
            )),
            (batch, sms) => {
                if let Some(batch) = batch {
                    non_empty("batch_id", batch)?;
                }
                if let Some(sms) = sms {
                    non_empty("sms_id", sms)?;
                }
                Ok(())
            }
        }
    }
}

impl Validate for SendWhatsappMessageRequest {
    fn validate(&self) -> Result {
        each("contacts", "contact", &self.contacts, |field, contact| {
            phone_number(&format!("{field}.msisdn"), &contact.msisdn)
        })?;
        let kind = self.type_.unwrap_or(WhatsappMessageType::Text);
        let missing = |field: &str| {
            Err(ValidationError::new(
                field,
                format!("required when type is {kind}"),
            ))
        };
        match kind {
            WhatsappMessageType::Text => match &self.message {
                Some(message) => non_empty("message", message),
                None => missing("message"),
            },
            WhatsappMessageType::Image
            | WhatsappMessageType::Video
            | WhatsappMessageType::Audio
            | WhatsappMessageType::Document => match &self.media {
                Some(media) => non_empty("media.url", &media.url),
                None => missing("media"),
            },
            WhatsappMessageType::Location => match &self.location {
                Some(location) => {
                    let in_range = (-90.0..=90.0).contains(&location.latitude)
                        && (-180.0..=180.0).contains(&location.longitude);
                    if in_range {
                        Ok(())
                    } else {
                        Err(ValidationError::new(
                            "location",
                            "latitude/longitude out of range",
                        ))
                    }
                }
                None => missing("location"),
            },
            WhatsappMessageType::Reply | WhatsappMessageType::Reaction => {
                match &self.reply_to_message_id {
                    Some(id) => non_empty("replyToMessageId", id),
                    None => missing("replyToMessageId"),
                }
            }
            WhatsappMessageType::Template => match &self.template_id {
                Some(id) => non_empty("templateId", id),
                None => missing("templateId"),
            },
        }
    }
}

impl Validate for SendRcsMessageRequest {
    fn validate(&self) -> Result {
        contacts_or_group(&self.contacts, self.contact_group)?;
        optional("schedule", &self.schedule, schedule)?;
        optional("notifyUrl", &self.notify_url, webhook_url)?;
        let content = match (&self.content, self.template_id) {
            (None, None) => {
                return Err(ValidationError::new(
                    "content",
                    "required unless templateId is supplied",
                ));
            }
            (None, Some(_)) => return Ok(()),
            (Some(content), _) => content,
        };
        let matches = match (self.type_, content) {
            (RcsMessageType::Text, RcsMessageContent::Text(text)) => {
                non_empty("content.text", &text.text)?;
                true
            }
            (RcsMessageType::RichCard, RcsMessageContent::RichCard(_)) => true,
            (RcsMessageType::Carousel, RcsMessageContent::Carousel(carousel)) => {
                if carousel.cards.is_empty() {
                    return Err(ValidationError::new(
                        "content.cards",
                        "a carousel needs cards",
                    ));
                }
                true
            }
            (RcsMessageType::Media | RcsMessageType::Template, _) => true,
            _ => false,
        };
        if !matches {
            // Content that fits none of the documented shapes parses as `Other`: parsing it as
            // the shape `type` asks for names the field at fault.
            let precise = match (self.type_, content) {
                (RcsMessageType::Text, RcsMessageContent::Other(map)) => {
                    why_not::<crate::RcsTextContent>(map)
                }
                (RcsMessageType::RichCard, RcsMessageContent::Other(map)) => {
                    why_not::<crate::RcsRichCardContent>(map)
                }
                (RcsMessageType::Carousel, RcsMessageContent::Other(map)) => {
                    why_not::<crate::RcsCarouselContent>(map)
                }
                _ => None,
            };
            return Err(precise.unwrap_or_else(|| {
                ValidationError::new(
                    "content",
                    format!("does not have the shape of a {} message", self.type_),
                )
            }));
        }
        Ok(())
    }
}

impl Validate for RcsAgentRequest {
    fn validate(&self) -> Result {
        non_empty("agentName", &self.agent_name)?;
        if self.agent_name.chars().any(char::is_whitespace) {
            return Err(ValidationError::new("agentName", "must not contain spaces"));
        }
        non_empty("displayName", &self.display_name)?;
        non_empty("brandName", &self.brand_name)?;
        optional("color", &self.color, hex_color)?;
        Ok(())
    }
}

/// `#rrggbb`, as the reference's "Brand hex color e.g. #00a896".
fn hex_color(field: &str, value: &str) -> Result {
    let ok = value
        .strip_prefix('#')
        .is_some_and(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if !ok {
        return Err(ValidationError::new(
            field,
            format!("{value:?} is not a hex color like #00a896"),
        ));
    }
    Ok(())
}

impl Validate for RcsAgentSubmitRequest {
    fn validate(&self) -> Result {
        Ok(())
    }
}

impl Validate for RcsAgentLaunchRequest {
    fn validate(&self) -> Result {
        each("carriers", "carrier", &self.carriers, |field, carrier| {
            non_empty(field, carrier)
        })
    }
}

impl Validate for RcsTestDeviceRequest {
    fn validate(&self) -> Result {
        phone_number("phoneNumber", &self.phone_number)
    }
}

impl Validate for VoiceCallRequest {
    fn validate(&self) -> Result {
        phone_number("to", &self.to)?;
        non_empty("from", &self.from)?;
        match (&self.tts, &self.audio_url) {
            (None, None) => Err(ValidationError::new(
                "tts",
                "one of tts and audioUrl is required",
            )),
            (Some(tts), _) => non_empty("tts.text", &tts.text),
            (None, Some(url)) => non_empty("audioUrl", url),
        }?;
        optional("schedule", &self.schedule, schedule)?;
        optional("notifyUrl", &self.notify_url, webhook_url)?;
        Ok(())
    }
}

impl Validate for SendOtpRequest {
    fn validate(&self) -> Result {
        phone_number("mobile", &self.mobile)
    }
}

/// Why `content` is not a `T`, as a field path under `content` and serde's reason.
fn why_not<T: serde::de::DeserializeOwned>(
    content: &serde_json::Map<String, serde_json::Value>,
) -> Option<ValidationError> {
    let json = serde_json::Value::Object(content.clone());
    let error = serde_path_to_error::deserialize::<_, T>(json).err()?;
    let path = error.path().to_string();
    let field = match path.as_str() {
        "." | "" => "content".to_owned(),
        path => format!("content.{path}"),
    };
    let reason = error.into_inner().to_string();
    // "unknown variant `x`, expected one of …" / "missing field `url`" read well as they are.
    Some(ValidationError::new(field, reason))
}
