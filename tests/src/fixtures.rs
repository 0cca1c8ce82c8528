//! The seed fixtures (`tests/fixtures/seed/`, verbatim JSON examples of the reference) and the
//! one table of which type each is an example of, read by `tests/tests/types_roundtrip.rs`
//! (every fixture round-trips through its types) and `tests/tests/wire_snapshots.rs` (the typed
//! value and its JSON are snapshotted). A new fixture is added here once.

use std::fmt::Debug;
use std::path::PathBuf;

use noxitel_types::{
    ApiError, Contact, CreditsResponse, OtpVerifyResponse, RcsAgentLaunchRequest, RcsAgentRequest,
    RcsAgentSubmitRequest, RcsCapabilityResponse, RcsConversationResponse, RcsDlrResponse,
    RcsMessageContent, RcsTestDeviceRequest, RcsWebhookEvent, SendOtpRequest, SendOtpResponse,
    SendRcsMessageRequest, SendRcsMessageResponse, SendSmsRequest, SendSmsResponse,
    SendWhatsappMessageRequest, SendWhatsappMessageResponse, SmsDlrRequest, SmsDlrResponse,
    VoiceCallRequest, VoiceCallResponse, WhatsappContact, WhatsappMessageReport, WhatsappPriceList,
    WhatsappReport, WhatsappWindowResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The directory of the seed fixtures.
pub fn seed_dir() -> PathBuf {
    crate::workspace_root().join("tests/fixtures/seed")
}

/// File names of the seed fixtures (`*.json`), sorted.
pub fn seed_names() -> Vec<String> {
    let dir = seed_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// A seed fixture, as text.
pub fn seed_text(name: &str) -> String {
    let path = seed_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A seed fixture as JSON.
pub fn seed(name: &str) -> Value {
    serde_json::from_str(&seed_text(name)).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// What a seed fixture is an example of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixtureKind {
    /// A response body (success or error).
    Response,
    /// A webhook payload.
    Webhook,
    /// A request body, or part of one.
    Request,
}

impl FixtureKind {
    /// The prefix of its snapshots' names.
    pub fn prefix(self) -> &'static str {
        match self {
            FixtureKind::Response => "response",
            FixtureKind::Webhook => "webhook",
            FixtureKind::Request => "request-example",
        }
    }
}

/// A type a fixture is read into.
pub struct As {
    /// Its short name (`Vec<Contact>`).
    pub name: String,
    /// Reads a value into the type: (`{:#?}` of the typed value, the value written back).
    pub probe: fn(&Value) -> Result<(String, Value), String>,
}

impl As {
    /// The entry for `T`.
    pub fn of<T: DeserializeOwned + Serialize + Debug>() -> Self {
        Self {
            name: short_type_name(std::any::type_name::<T>()),
            probe: probe::<T>,
        }
    }
}

fn probe<T: DeserializeOwned + Serialize + Debug>(
    value: &Value,
) -> Result<(String, Value), String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    Ok((format!("{typed:#?}"), back))
}

/// `alloc::vec::Vec<noxitel_types::x::Contact>` → `Vec<Contact>` (module paths are not part of
/// the public surface).
pub fn short_type_name(full: &str) -> String {
    let mut out = String::new();
    let mut segment = String::new();
    for ch in full.chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == ':' {
            segment.push(ch);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or_default());
            segment.clear();
            out.push(ch);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or_default());
    out
}

/// The kind and the type(s) of a seed fixture; `None` for a fixture this table misses (the
/// tests of both suites fail then).
pub fn fixture_types(name: &str) -> Option<(FixtureKind, Vec<As>)> {
    use FixtureKind::{Request, Response, Webhook};
    let entry = match name {
        "error-codes-error-response.json"
        | "sms-send-error.json"
        | "otp-send-error.json"
        | "whatsapp-send-error.json" => (Response, vec![As::of::<ApiError>()]),
        // A 200 verification answer, or the body of an error status.
        "otp-verify-wrong-or-expired.json" => (
            Response,
            vec![As::of::<OtpVerifyResponse>(), As::of::<ApiError>()],
        ),
        "sms-send-success.json" => (Response, vec![As::of::<SendSmsResponse>()]),
        "sms-dlr-success.json" => (Response, vec![As::of::<SmsDlrResponse>()]),
        "credits-success.json" => (Response, vec![As::of::<CreditsResponse>()]),
        "whatsapp-send-success.json" => (Response, vec![As::of::<SendWhatsappMessageResponse>()]),
        "whatsapp-report-message-success.json" => (
            Response,
            vec![
                As::of::<WhatsappReport>(),
                As::of::<WhatsappMessageReport>(),
            ],
        ),
        "whatsapp-checkwindow-open.json" | "whatsapp-checkwindow-closed.json" => {
            (Response, vec![As::of::<WhatsappWindowResponse>()])
        }
        "whatsapp-prices-success.json" => (Response, vec![As::of::<WhatsappPriceList>()]),
        "rcs-send-success.json" => (Response, vec![As::of::<SendRcsMessageResponse>()]),
        "rcs-capability-enabled.json" | "rcs-capability-not-supported.json" => {
            (Response, vec![As::of::<RcsCapabilityResponse>()])
        }
        "rcs-conversation-active.json" => (Response, vec![As::of::<RcsConversationResponse>()]),
        "rcs-dlr-success.json" => (Response, vec![As::of::<RcsDlrResponse>()]),
        "voice-call-response.json" => (Response, vec![As::of::<VoiceCallResponse>()]),
        "otp-send-success.json" => (Response, vec![As::of::<SendOtpResponse>()]),
        "otp-verify-matched.json" => (Response, vec![As::of::<OtpVerifyResponse>()]),
        "rcs-webhook-suggestion-postback.json" => (Webhook, vec![As::of::<RcsWebhookEvent>()]),
        "sms-send-request-curl.json"
        | "sms-send-request-node.json"
        | "sms-send-request-php-python.json"
        | "sms-send-request-go.json" => (Request, vec![As::of::<SendSmsRequest>()]),
        "sms-contacts-basic.json" | "sms-contacts-with-variables.json" => {
            (Request, vec![As::of::<Vec<Contact>>()])
        }
        "sms-dlr-request-by-batch.json" | "sms-dlr-request-by-sms-id.json" => {
            (Request, vec![As::of::<SmsDlrRequest>()])
        }
        "whatsapp-send-request-template-curl.json"
        | "whatsapp-send-request-node.json"
        | "whatsapp-send-request-php.json"
        | "whatsapp-send-request-python.json" => {
            (Request, vec![As::of::<SendWhatsappMessageRequest>()])
        }
        "whatsapp-template-contacts.json" => (Request, vec![As::of::<Vec<WhatsappContact>>()]),
        "rcs-content-text.json" | "rcs-content-rich-card.json" | "rcs-content-carousel.json" => {
            (Request, vec![As::of::<RcsMessageContent>()])
        }
        "rcs-send-request-curl.json"
        | "rcs-send-request-node.json"
        | "rcs-send-request-php.json"
        | "rcs-send-request-python.json" => (Request, vec![As::of::<SendRcsMessageRequest>()]),
        "rcs-agent-create-request.json" => (Request, vec![As::of::<RcsAgentRequest>()]),
        "rcs-agent-submit-request.json" => (Request, vec![As::of::<RcsAgentSubmitRequest>()]),
        "rcs-agent-launch-request.json" => (Request, vec![As::of::<RcsAgentLaunchRequest>()]),
        "rcs-testdevice-request-body.json"
        | "rcs-testdevice-add-request.json"
        | "rcs-testdevice-remove-request.json" => (Request, vec![As::of::<RcsTestDeviceRequest>()]),
        "voice-call-request.json" => (Request, vec![As::of::<VoiceCallRequest>()]),
        "otp-send-request.json" => (Request, vec![As::of::<SendOtpRequest>()]),
        _ => return None,
    };
    Some(entry)
}

/// The seed fixtures [`fixture_types`] misses.
pub fn untyped_seeds() -> Vec<String> {
    seed_names()
        .into_iter()
        .filter(|name| fixture_types(name).is_none())
        .collect()
}

/// The names of the seed fixtures, after asserting that they are all there (at least 41) and
/// that [`fixture_types`] gives each a type.
#[track_caller]
pub fn typed_seed_names() -> Vec<String> {
    let names = seed_names();
    assert!(names.len() >= 41, "seed fixtures missing: {names:?}");
    let unmapped = untyped_seeds();
    assert!(
        unmapped.is_empty(),
        "add these to fixture_types (tests/src/fixtures.rs): {unmapped:?}"
    );
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_type_names_drop_module_paths() {
        assert_eq!(
            short_type_name("alloc::vec::Vec<noxitel_types::a::Contact>"),
            "Vec<Contact>"
        );
    }
}
