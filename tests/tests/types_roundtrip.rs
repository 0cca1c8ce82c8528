//! Every JSON example of the reference (responses, webhooks and request bodies) deserializes into
//! its type and serializes back to the same JSON; values the API may add to its enums survive
//! a round trip unchanged.

mod common;

use common::{assert_json_eq, seed};
use noxitel_api::types::webhooks::RcsEvent;
use noxitel_api::types::{
    ApiError, OtpMatched, OtpVerifyResponse, PostbackAction, RcsCapabilityResponse,
    RcsDeliveryStatus, RcsDlrResponse, RcsEventType, RcsFeature, RcsWebhookEvent, ResponseStatus,
    SendRcsMessageRequest, SendWhatsappMessageRequest, SmsDlrResponse, StringOrNumber,
    VoiceCallResponse, VoiceCallStatus, WhatsappPriceList,
};
use noxitel_tests::fixtures::{fixture_types, typed_seed_names};
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

/// Every seed fixture round-trips through each type `noxitel_tests::fixtures` gives it (a
/// request example comes back exactly as written: `"suggestions": []` included, since
/// `RcsSuggestionList` keeps an empty list apart from none).
#[test]
fn every_seed_fixture_round_trips_through_its_type() {
    let names = typed_seed_names();
    let mut failures = Vec::new();
    for name in &names {
        let value = seed(name);
        for ty in fixture_types(name)
            .map(|(_, types)| types)
            .unwrap_or_default()
        {
            match (ty.probe)(&value) {
                Ok((_, back)) if common::json_eq(&back, &value) => {}
                Ok((_, back)) => failures.push(format!(
                    "{name} does not round-trip through {}\n back: {back}\n sent: {value}",
                    ty.name
                )),
                Err(e) => {
                    failures.push(format!("{name} does not deserialize into {}: {e}", ty.name))
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// JSON examples of the reference that are not seed fixtures (Node.js/PHP/Python variants).
#[test]
fn inline_reference_examples_round_trip() {
    round_trip::<SendWhatsappMessageRequest>(
        "WhatsApp Node.js body",
        &json!({
            "phoneId": "1234567890",
            "type": "text",
            "message": "Hello! Your order has been shipped.",
            "contacts": [{ "msisdn": "919887111111" }]
        }),
    );
    round_trip::<SendRcsMessageRequest>(
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
    round_trip::<SendRcsMessageRequest>(
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
