//! Every JSON example of the reference (responses, webhooks and request bodies) deserializes into
//! its type and serializes back to the same JSON; values the API may add to its enums survive
//! a round trip unchanged.

mod common;

use std::collections::BTreeSet;

use common::{assert_json_eq, seed};
use noxitel_api::types::webhooks::RcsEvent;
use noxitel_api::types::{
    ApiError, Contact, CreditsResponse, OtpMatched, OtpVerifyResponse, PostbackAction,
    RcsAgentLaunchRequest, RcsAgentRequest, RcsAgentSubmitRequest, RcsCapabilityResponse,
    RcsConversationResponse, RcsDeliveryStatus, RcsDlrResponse, RcsEventType, RcsFeature,
    RcsMessageContent, RcsTestDeviceRequest, RcsWebhookEvent, ResponseStatus, SendOtpRequest,
    SendOtpResponse, SendRcsMessageRequest, SendRcsMessageResponse, SendSmsRequest,
    SendSmsResponse, SendWhatsappMessageRequest, SendWhatsappMessageResponse, SmsDlrRequest,
    SmsDlrResponse, StringOrNumber, VoiceCallRequest, VoiceCallResponse, VoiceCallStatus,
    WhatsappContact, WhatsappMessageReport, WhatsappPriceList, WhatsappReport,
    WhatsappWindowResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Deserializes `value` into `T`, serializes it back and compares (numbers by value).
#[track_caller]
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| {
        panic!(
            "{what} does not deserialize into {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let back = serde_json::to_value(&typed).expect("serializes");
    assert!(
        common::json_eq(&back, value),
        "{what} does not round-trip through {}\n back: {back}\n sent: {value}",
        std::any::type_name::<T>()
    );
    typed
}

/// Round-trips a seed fixture through `T`.
#[track_caller]
fn fixture<T: DeserializeOwned + Serialize>(name: &str) -> T {
    round_trip(name, &seed(name))
}

/// Like [`round_trip`], for a request example: it must come back exactly as written
/// (`"suggestions": []` included — `RcsSuggestionList` keeps an empty list apart from none).
#[track_caller]
fn request_round_trip<T: DeserializeOwned + Serialize>(what: &str, value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| {
        panic!(
            "{what} does not deserialize into {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let back = serde_json::to_value(&typed).expect("serializes");
    let expected = value.clone();
    assert!(
        common::json_eq(&back, &expected),
        "{what} does not round-trip through {}\n back: {back}\n sent: {expected}",
        std::any::type_name::<T>()
    );
    typed
}

/// Round-trips a seed fixture that is a request example through `T`.
#[track_caller]
fn request_fixture<T: DeserializeOwned + Serialize>(name: &str) -> T {
    request_round_trip(name, &seed(name))
}

/// Which type each seed fixture is an example of. Returns `false` for an unknown fixture.
fn check_fixture(name: &str) -> bool {
    match name {
        // Error answers (both shapes).
        "error-codes-error-response.json"
        | "sms-send-error.json"
        | "otp-send-error.json"
        | "whatsapp-send-error.json" => {
            fixture::<ApiError>(name);
        }
        "otp-verify-wrong-or-expired.json" => {
            // A 200 verification answer, or the body of an error status.
            fixture::<OtpVerifyResponse>(name);
            fixture::<ApiError>(name);
        }
        // Responses.
        "sms-send-success.json" => {
            fixture::<SendSmsResponse>(name);
        }
        "sms-dlr-success.json" => {
            fixture::<SmsDlrResponse>(name);
        }
        "credits-success.json" => {
            fixture::<CreditsResponse>(name);
        }
        "whatsapp-send-success.json" => {
            fixture::<SendWhatsappMessageResponse>(name);
        }
        "whatsapp-report-message-success.json" => {
            fixture::<WhatsappReport>(name);
            fixture::<WhatsappMessageReport>(name);
        }
        "whatsapp-checkwindow-open.json" | "whatsapp-checkwindow-closed.json" => {
            fixture::<WhatsappWindowResponse>(name);
        }
        "whatsapp-prices-success.json" => {
            fixture::<WhatsappPriceList>(name);
        }
        "rcs-send-success.json" => {
            fixture::<SendRcsMessageResponse>(name);
        }
        "rcs-capability-enabled.json" | "rcs-capability-not-supported.json" => {
            fixture::<RcsCapabilityResponse>(name);
        }
        "rcs-conversation-active.json" => {
            fixture::<RcsConversationResponse>(name);
        }
        "rcs-dlr-success.json" => {
            fixture::<RcsDlrResponse>(name);
        }
        "voice-call-response.json" => {
            fixture::<VoiceCallResponse>(name);
        }
        "otp-send-success.json" => {
            fixture::<SendOtpResponse>(name);
        }
        "otp-verify-matched.json" => {
            fixture::<OtpVerifyResponse>(name);
        }
        // Webhooks.
        "rcs-webhook-suggestion-postback.json" => {
            fixture::<RcsWebhookEvent>(name);
        }
        // Request bodies and parts of them.
        "sms-send-request-curl.json"
        | "sms-send-request-node.json"
        | "sms-send-request-php-python.json"
        | "sms-send-request-go.json" => {
            request_fixture::<SendSmsRequest>(name);
        }
        "sms-contacts-basic.json" | "sms-contacts-with-variables.json" => {
            request_fixture::<Vec<Contact>>(name);
        }
        "sms-dlr-request-by-batch.json" | "sms-dlr-request-by-sms-id.json" => {
            request_fixture::<SmsDlrRequest>(name);
        }
        "whatsapp-send-request-template-curl.json"
        | "whatsapp-send-request-node.json"
        | "whatsapp-send-request-php.json"
        | "whatsapp-send-request-python.json" => {
            request_fixture::<SendWhatsappMessageRequest>(name);
        }
        "whatsapp-template-contacts.json" => {
            request_fixture::<Vec<WhatsappContact>>(name);
        }
        "rcs-content-text.json" | "rcs-content-rich-card.json" | "rcs-content-carousel.json" => {
            request_fixture::<RcsMessageContent>(name);
        }
        "rcs-send-request-curl.json"
        | "rcs-send-request-node.json"
        | "rcs-send-request-php.json"
        | "rcs-send-request-python.json" => {
            request_fixture::<SendRcsMessageRequest>(name);
        }
        "rcs-agent-create-request.json" => {
            request_fixture::<RcsAgentRequest>(name);
        }
        "rcs-agent-submit-request.json" => {
            request_fixture::<RcsAgentSubmitRequest>(name);
        }
        "rcs-agent-launch-request.json" => {
            request_fixture::<RcsAgentLaunchRequest>(name);
        }
        "rcs-testdevice-request-body.json"
        | "rcs-testdevice-add-request.json"
        | "rcs-testdevice-remove-request.json" => {
            request_fixture::<RcsTestDeviceRequest>(name);
        }
        "voice-call-request.json" => {
            request_fixture::<VoiceCallRequest>(name);
        }
        "otp-send-request.json" => {
            request_fixture::<SendOtpRequest>(name);
        }
        _ => return false,
    }
    true
}

#[test]
fn every_seed_fixture_round_trips_through_its_type() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seed");
    let names: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    assert!(names.len() >= 40, "seed fixtures missing: {names:?}");
    let unmapped: Vec<&String> = names.iter().filter(|name| !check_fixture(name)).collect();
    assert!(
        unmapped.is_empty(),
        "seed fixtures without a type in types_roundtrip.rs: {unmapped:?}"
    );
}

/// JSON examples of the reference that are not seed fixtures (Node.js/PHP/Python variants).
#[test]
fn inline_reference_examples_round_trip() {
    request_round_trip::<SendWhatsappMessageRequest>(
        "WhatsApp Node.js body",
        &json!({
            "phoneId": "1234567890",
            "type": "text",
            "message": "Hello! Your order has been shipped.",
            "contacts": [{ "msisdn": "919887111111" }]
        }),
    );
    request_round_trip::<SendRcsMessageRequest>(
        "RCS Node.js body",
        &json!({
            "agentId": 3, "type": "text",
            "content": {
                "text": "Hi #name#, your OTP is #otp#",
                "suggestions": [{ "type": "reply", "text": "Confirm" }]
            },
            "contacts": [{ "mobile": "919887111111", "parameters": { "name": "Sam", "otp": "1234" } }],
            "trafficType": "TRANSACTION"
        }),
    );
    // `"suggestions": []` is left out when written back.
    request_round_trip::<SendRcsMessageRequest>(
        "RCS PHP body",
        &json!({
            "agentId": 3, "type": "text",
            "content": { "text": "Hi #name#, OTP: #otp#", "suggestions": [] },
            "contacts": [{ "mobile": "919887111111", "parameters": { "otp": "1234" } }]
        }),
    );
}

#[test]
fn typed_fields_of_the_examples_are_read() {
    let dlr: SmsDlrResponse = fixture("sms-dlr-success.json");
    assert_eq!(
        dlr.data[0].mobile.as_ref().unwrap().as_i64(),
        Some(918058111111)
    );

    let event: RcsWebhookEvent = fixture("rcs-webhook-suggestion-postback.json");
    assert_eq!(event.event, RcsEventType::MessageReceived);
    assert_eq!(event.agent_id, Some(StringOrNumber::from("42")));
    match RcsEvent::try_from(event).unwrap() {
        RcsEvent::SuggestionReceived { postback, text, .. } => {
            assert_eq!(postback.msg_id, "1f134cd4-...");
            assert_eq!(postback.action, PostbackAction::Reply);
            assert_eq!(postback.payload, "Confirm");
            assert_eq!(text.as_deref(), Some("Confirm"));
        }
        other => panic!("expected a suggestion reply, got {other:?}"),
    }

    let error: ApiError = fixture("error-codes-error-response.json");
    assert_eq!(error.status, Some(StringOrNumber::from(403)));
    assert_eq!(error.success, Some(false));
    assert_eq!(error.message, "API Key Missing");
    let error: ApiError = fixture("whatsapp-send-error.json");
    assert_eq!(error.status, Some(StringOrNumber::from("error")));

    let wrong: OtpVerifyResponse = fixture("otp-verify-wrong-or-expired.json");
    assert_eq!(wrong.matched, OtpMatched::No);
    assert_eq!(wrong.status, Some(ResponseStatus::Error));

    let prices: WhatsappPriceList = fixture("whatsapp-prices-success.json");
    // `"service": 0` is read as a number and compares equal once written back as `0.0`.
    assert_eq!(prices.0[0].price.as_ref().unwrap().service, Some(0.0));
}

// --------------------------------------------------------------------------- Unknown enum values

#[test]
fn unknown_rcs_delivery_status_round_trips() {
    let mut answer = seed("rcs-dlr-success.json");
    answer["data"][0]["dlr"]["status"] = json!("expired");
    let typed: RcsDlrResponse = round_trip("dlr with status expired", &answer);
    let status = typed.data[0].dlr.as_ref().unwrap().status.clone().unwrap();
    assert_eq!(status, RcsDeliveryStatus::Unknown("expired".into()));
    assert!(!status.is_known());
    assert_eq!(status.as_str(), "expired");
}

#[test]
fn unknown_rcs_capability_feature_round_trips() {
    let mut answer = seed("rcs-capability-enabled.json");
    answer["features"]
        .as_array_mut()
        .unwrap()
        .push(json!("NEW_FEATURE"));
    let typed: RcsCapabilityResponse = round_trip("capability with NEW_FEATURE", &answer);
    assert_eq!(typed.features[0], RcsFeature::RichcardStandalone);
    assert_eq!(typed.features[3], RcsFeature::Unknown("NEW_FEATURE".into()));
}

#[test]
fn unknown_webhook_event_round_trips_and_is_reported_as_unknown() {
    let body = json!({
        "event": "message.revoked",
        "agentId": 42,
        "msgId": "1f134cd4-e08d-6de0-87b5-aefe80a0acca",
        "timestamp": "2026-05-01T14:17:00Z",
        "reason": "user request"
    });
    let typed: RcsWebhookEvent = round_trip("message.revoked event", &body);
    assert_eq!(typed.event, RcsEventType::Unknown("message.revoked".into()));
    // Unknown fields are kept too.
    assert_eq!(typed.extra.get("reason"), Some(&json!("user request")));
    let event = RcsEvent::from_slice(body.to_string().as_bytes()).unwrap();
    let RcsEvent::Unknown(payload) = &event else {
        panic!("expected Unknown, got {event:?}");
    };
    assert_json_eq(&serde_json::to_value(payload).unwrap(), &body);
}

#[test]
fn other_open_enums_keep_unknown_values() {
    let call: VoiceCallResponse = round_trip(
        "voice call busy",
        &json!({ "callId": "call_1", "status": "busy", "to": "919887111111" }),
    );
    assert_eq!(call.status, Some(VoiceCallStatus::Unknown("busy".into())));

    let verify: OtpVerifyResponse = round_trip(
        "otp verify maybe",
        &json!({ "status": "pending", "matched": "maybe" }),
    );
    assert_eq!(verify.matched, OtpMatched::Unknown("maybe".into()));
    assert_eq!(
        verify.status,
        Some(ResponseStatus::Unknown("pending".into()))
    );

    let event: RcsWebhookEvent = round_trip(
        "inbound of an unknown type",
        &json!({
            "event": "message.received",
            "agentId": "42",
            "message": { "type": "sticker", "stickerId": "s1" }
        }),
    );
    assert!(matches!(
        RcsEvent::try_from(event).unwrap(),
        RcsEvent::Received(_)
    ));
}

#[test]
fn every_documented_webhook_event_is_classified() {
    for (name, kind) in [
        ("message.sent", "Sent"),
        ("message.delivered", "Delivered"),
        ("message.read", "Read"),
        ("message.failed", "Failed"),
    ] {
        let body = json!({ "event": name, "agentId": "42", "msgId": "m1" });
        round_trip::<RcsWebhookEvent>(name, &body);
        let event = RcsEvent::from_slice(body.to_string().as_bytes()).unwrap();
        assert!(format!("{event:?}").starts_with(kind), "{name}: {event:?}");
    }
    let text = json!({
        "event": "message.received", "agentId": "42", "from": "919887111111",
        "message": { "type": "text", "text": "Hello" }
    });
    round_trip::<RcsWebhookEvent>("text reply", &text);
    match RcsEvent::from_slice(text.to_string().as_bytes()).unwrap() {
        RcsEvent::TextReceived { text, .. } => assert_eq!(text, "Hello"),
        other => panic!("expected TextReceived, got {other:?}"),
    }
}

#[test]
fn numbers_compare_by_value_in_these_tests() {
    // The comparison used above must not hide real differences.
    assert!(common::json_eq(&json!({"a": 0}), &json!({"a": 0.0})));
    assert!(!common::json_eq(&json!({"a": 0}), &json!({"a": 1})));
    assert!(!common::json_eq(&json!({"a": "0"}), &json!({"a": 0})));
    assert!(!common::json_eq(&json!({"a": []}), &json!({})));
    assert!(!common::json_eq(&json!([1, 2]), &json!([2, 1])));
}
