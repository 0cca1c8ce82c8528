//! Every one of the 22 operations against a local mock server: the exact method, path, query,
//! headers and JSON body sent (request bodies are the reference's own examples), and the typed
//! answer parsed from the reference's response examples.

mod common;

use common::{Answering, api, api_json, api_query, exchange, seed, seed_as};
use httpmock::Method::{DELETE, GET, POST};
use httpmock::{Method, When};
use noxitel_api::OtpVerification;
use noxitel_api::types::{
    RcsAgentLaunchRequest, RcsAgentRequest, RcsDeliveryStatus, RcsFeature, RcsMessageContent,
    RcsMessageType, RcsSuggestion, RcsTestDeviceRequest, RcsTrafficType, ResponseStatus,
    SendRcsMessageRequest, SendSmsRequest, SendWhatsappMessageRequest, SmsDlrRequest, SmsMode,
    StringOrNumber, VoiceCallRequest, VoiceCallStatus, WhatsappMessageType, WhatsappReport,
    WhatsappReportMode,
};
use serde_json::{Value, json};

/// Serializes a request body, for comparison with the reference's example.
fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// A request `method` `path` whose JSON body is the seed fixture `fixture` ([`api_json`]).
fn sends_seed(
    method: Method,
    path: &'static str,
    fixture: &'static str,
) -> impl FnOnce(When) -> When {
    move |when| api_json(when, method, path, seed(fixture))
}

// ------------------------------------------------------------------------------------------ SMS

#[tokio::test]
async fn send_sms_posts_the_reference_curl_body() {
    let example = seed("sms-send-request-curl.json");

    let body: SendSmsRequest = seed_as("sms-send-request-curl.json");
    let answer = exchange(
        |when| api_json(when, POST, "/sms", example.clone()),
        seed("sms-send-success.json"),
        async |client| client.send_sms().body(body).await,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, ResponseStatus::Success);
    assert_eq!(
        answer.message.as_deref(),
        Some("SMS Submitted successfully")
    );
    assert_eq!(answer.batch_id, "samsms_eink1rilz6ucphk");
    assert_eq!(answer.total_contacts, Some(1));
    assert_eq!(answer.message_id.len(), 1);
    assert_eq!(answer.message_id[0].mobile, "919887111111");
    assert_eq!(
        answer.message_id[0].sms_id,
        "1ef4d949-7639-6880-bf73-ae794..."
    );
}

#[tokio::test]
async fn send_sms_request_built_in_code_serializes_to_the_reference_example() {
    let body = common::sms_example();
    assert_eq!(to_json(&body), seed("sms-send-request-curl.json"));

    let server = Answering::start(
        sends_seed(POST, "/sms", "sms-send-request-curl.json"),
        |then| then.status(200).json_body(seed("sms-send-success.json")),
    )
    .await;
    // The same request through the operation's builder (its setters in another order, which
    // does not matter), and passed whole.
    server
        .client()
        .send_sms()
        .contact(common::sms_example_contact())
        .message("Hi #name#, your OTP is #otp#")
        .mode(SmsMode::Text)
        .sender("NOXITEL")
        .dlt_template_id("1234567890")
        .campaign_id(1)
        .notify_url("https://yourapp.com/webhook/sms")
        .route_id(1)
        .dlt_entity_id("1234567890")
        .send()
        .await
        .unwrap();
    server.client().send_sms().body(body).await.unwrap();
    assert_eq!(server.calls().await, 2);
}

#[tokio::test]
async fn send_sms_to_a_contact_group_with_a_template() {
    let body = json!({"contactGroup": 7, "templateId": 12});
    exchange(
        |when| api_json(when, POST, "/sms", body),
        seed("sms-send-success.json"),
        async |client| client.send_sms().contact_group(7).template_id(12).await,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn sms_dlr_sends_a_json_body_on_get() {
    for fixture in [
        "sms-dlr-request-by-batch.json",
        "sms-dlr-request-by-sms-id.json",
    ] {
        let body: SmsDlrRequest = seed_as(fixture);
        let answer = exchange(
            |when| api_json(when, GET, "/dlr", seed(fixture)),
            seed("sms-dlr-success.json"),
            async |client| client.get_sms_dlr().body(body).await,
        )
        .await
        .unwrap();
        assert_eq!(answer.status, ResponseStatus::Success);
        let record = &answer.data[0];
        assert_eq!(record.sms_shoot_id.as_deref(), Some("user_6q0za64m0ql0vu7"));
        // A JSON number in this answer, kept as one.
        assert_eq!(
            record.mobile,
            Some(StringOrNumber::Number(918058111111_i64.into()))
        );
        let dlr = record.dlr.as_ref().unwrap();
        assert_eq!(dlr.status.as_deref(), Some("Handset Delivered"));
        assert_eq!(dlr.operator_reply.as_deref(), Some("DELIVRD"));
    }
}

#[tokio::test]
async fn credits_is_a_bodiless_get() {
    let answer = exchange(
        |when| api_query(when, GET, "/credits", &[]),
        seed("credits-success.json"),
        async |client| client.get_credits().await,
    )
    .await
    .unwrap();
    assert_eq!(answer.billing_mode.as_deref(), Some("credits"));
    let wallet = answer.wallet.unwrap();
    assert_eq!(wallet.amount.as_deref(), Some("120.00"));
    assert_eq!(wallet.currency.as_deref(), Some("USD"));
    assert_eq!(answer.credits[0].route.as_deref(), Some("Standard"));
    assert_eq!(answer.credits[0].credits, Some(3946684));
}

// ------------------------------------------------------------------------------------- WhatsApp

#[tokio::test]
async fn send_whatsapp_template_posts_the_reference_curl_body() {
    let example = seed("whatsapp-send-request-template-curl.json");

    let body: SendWhatsappMessageRequest = seed_as("whatsapp-send-request-template-curl.json");
    assert_eq!(body.type_, Some(WhatsappMessageType::Template));
    let answer = exchange(
        |when| api_json(when, POST, "/whatsapp/message", example.clone()),
        seed("whatsapp-send-success.json"),
        async |client| client.send_whatsapp_message().body(body).await,
    )
    .await
    .unwrap();
    assert_eq!(
        answer.message.as_deref(),
        Some("Messages Sent Successfully")
    );
    assert_eq!(answer.total_cost, Some(0.05));
    assert_eq!(answer.total_contacts, Some(1));
    assert_eq!(answer.message_id[0].msisdn, "919887111111");
    assert_eq!(answer.message_id[0].msg_id, "msg_abc123");
}

#[tokio::test]
async fn send_whatsapp_text_posts_the_reference_node_body() {
    // The Node.js example of the reference (a JS object literal, written as JSON).
    let example = json!({
        "phoneId": "1234567890",
        "type": "text",
        "message": "Hello! Your order has been shipped.",
        "contacts": [{ "msisdn": "919887111111" }]
    });
    let body: SendWhatsappMessageRequest = serde_json::from_value(example.clone()).unwrap();
    exchange(
        |when| api_json(when, POST, "/whatsapp/message", example.clone()),
        seed("whatsapp-send-success.json"),
        async |client| client.send_whatsapp_message().body(body).await,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn whatsapp_report_passes_mode_and_id_in_the_query() {
    let answer = exchange(
        |when| {
            api_query(
                when,
                GET,
                "/whatsapp/report",
                &[("mode", "message"), ("id", "MSG_ID")],
            )
        },
        seed("whatsapp-report-message-success.json"),
        async |client| {
            client
                .get_whatsapp_report()
                .mode(WhatsappReportMode::Message)
                .id("MSG_ID")
                .await
        },
    )
    .await
    .unwrap();
    let WhatsappReport::Message(report) = &answer else {
        panic!("expected a single report, got {answer:?}");
    };
    assert_eq!(
        report.msg_id.as_deref(),
        Some("1f020deb-2669-6060-b900-1fc1c519d2b7")
    );
    assert_eq!(report.cost, Some(0.05));
    assert_eq!(report.status.as_deref(), Some("delivered"));
    assert_eq!(answer.reports().len(), 1);
}

#[tokio::test]
async fn whatsapp_campaign_report_uses_mode_campaign() {
    let report = seed("whatsapp-report-message-success.json");
    let answer = exchange(
        |when| {
            api_query(
                when,
                GET,
                "/whatsapp/report",
                &[("mode", "campaign"), ("id", "CAMPAIGN_ID")],
            )
        },
        json!([report.clone(), report.clone()]),
        async |client| {
            client
                .get_whatsapp_report()
                .mode(WhatsappReportMode::Campaign)
                .id("CAMPAIGN_ID")
                .await
        },
    )
    .await
    .unwrap();
    assert_eq!(answer.reports().len(), 2);
}

#[tokio::test]
async fn whatsapp_checkwindow_passes_phone_id_and_msisdn() {
    for (fixture, open) in [
        ("whatsapp-checkwindow-open.json", true),
        ("whatsapp-checkwindow-closed.json", false),
    ] {
        let answer = exchange(
            |when| {
                api_query(
                    when,
                    GET,
                    "/whatsapp/checkwindow",
                    &[("phoneId", "1234567890"), ("msisdn", "919887111111")],
                )
            },
            seed(fixture),
            async |client| {
                client
                    .check_whatsapp_window()
                    .phone_id("1234567890")
                    .msisdn("919887111111")
                    .await
            },
        )
        .await
        .unwrap();
        assert_eq!(answer.window_open, open);
        assert_eq!(
            answer.expires_at.as_deref(),
            open.then_some("2026-05-02T10:00:00Z")
        );
    }
}

#[tokio::test]
async fn whatsapp_prices_is_a_top_level_array() {
    let answer = exchange(
        |when| api_query(when, GET, "/whatsapp/prices", &[]),
        seed("whatsapp-prices-success.json"),
        async |client| client.get_whatsapp_prices().await,
    )
    .await
    .unwrap();
    let india = &answer.0[0];
    assert_eq!(india.country.as_deref(), Some("India"));
    assert_eq!(india.prefix.as_deref(), Some("+91"));
    let price = india.price.as_ref().unwrap();
    assert_eq!(price.marketing, Some(0.0492));
    assert_eq!(price.authentication_int, Some(0.0147));
    assert_eq!(price.service, Some(0.0));
}

// ------------------------------------------------------------------------------------------ RCS

#[tokio::test]
async fn send_rcs_text_posts_the_reference_curl_body() {
    let body: SendRcsMessageRequest = seed_as("rcs-send-request-curl.json");
    assert_eq!(body.type_, RcsMessageType::Text);
    assert_eq!(body.traffic_type, Some(RcsTrafficType::Transaction));
    let Some(RcsMessageContent::Text(text)) = &body.content else {
        panic!("text content expected, got {:?}", body.content);
    };
    assert_eq!(
        text.suggestions.as_ref().expect("suggestions")[0],
        RcsSuggestion::Reply {
            text: "Confirm".into()
        }
    );
    let answer = exchange(
        sends_seed(POST, "/rcs/message", "rcs-send-request-curl.json"),
        seed("rcs-send-success.json"),
        async |client| client.send_rcs_message().body(body).await,
    )
    .await
    .unwrap();
    assert_eq!(answer.batch_id, "rcs_k8a9s2lmnp4xvqr");
    assert_eq!(
        answer.message.as_deref(),
        Some("RCS submitted successfully")
    );
    assert_eq!(
        answer.message_id[0].msg_id,
        "1f134cd4-e08d-6de0-87b5-aefe80a0acca"
    );
}

#[tokio::test]
async fn send_rcs_rich_card_and_carousel_send_the_reference_content_shapes() {
    for (kind, fixture) in [
        ("rich_card", "rcs-content-rich-card.json"),
        ("carousel", "rcs-content-carousel.json"),
        ("text", "rcs-content-text.json"),
    ] {
        let example = json!({
            "type": kind,
            "content": seed(fixture),
            "contacts": [{ "mobile": "919887111111" }]
        });
        // Sent exactly as written, the carousel's `"suggestions": []` included.
        let body: SendRcsMessageRequest = serde_json::from_value(example.clone()).unwrap();
        exchange(
            |when| api_json(when, POST, "/rcs/message", example),
            seed("rcs-send-success.json"),
            async |client| client.send_rcs_message().body(body).await,
        )
        .await
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
}

#[tokio::test]
async fn upsert_rcs_agent_posts_the_reference_body() {
    let body: RcsAgentRequest = seed_as("rcs-agent-create-request.json");
    let answer = exchange(
        sends_seed(POST, "/rcs/agent", "rcs-agent-create-request.json"),
        // The reference does not document this answer.
        json!({"status": "success", "message": "Agent saved", "agentId": 42}),
        async |client| client.upsert_rcs_agent().body(body).await,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, Some(ResponseStatus::Success));
    assert_eq!(answer.message.as_deref(), Some("Agent saved"));
    assert_eq!(answer.extra.get("agentId"), Some(&json!(42)));
}

#[tokio::test]
async fn submit_rcs_agent_posts_the_agent_id() {
    let answer = exchange(
        sends_seed(POST, "/rcs/agent/submit", "rcs-agent-submit-request.json"),
        json!({"status": "success"}),
        async |client| client.submit_rcs_agent().agent_id(42).await,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, Some(ResponseStatus::Success));
}

#[tokio::test]
async fn get_rcs_agent_puts_the_id_in_the_path() {
    let answer = exchange(
        |when| api_query(when, GET, "/rcs/agent/42", &[]),
        json!({"status": "success", "agent": {"id": 42, "agentName": "support_bot"}}),
        async |client| client.get_rcs_agent().id(42).await,
    )
    .await
    .unwrap();
    assert_eq!(answer.extra["agent"]["agentName"], "support_bot");
}

#[tokio::test]
async fn list_rcs_agents_is_a_bodiless_get() {
    let answer = exchange(
        |when| api_query(when, GET, "/rcs/agents", &[]),
        json!({"status": "success", "data": [{"id": 42}]}),
        async |client| client.list_rcs_agents().await,
    )
    .await
    .unwrap();
    assert_eq!(answer.extra["data"][0]["id"], 42);
}

#[tokio::test]
async fn launch_rcs_agent_posts_the_carriers() {
    let body: RcsAgentLaunchRequest = seed_as("rcs-agent-launch-request.json");
    assert_eq!(body.carriers, ["airtel-india", "reliance-jio-india"]);
    exchange(
        sends_seed(POST, "/rcs/agent/launch", "rcs-agent-launch-request.json"),
        json!({"status": "success"}),
        async |client| client.launch_rcs_agent().body(body).await,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn add_rcs_test_device_posts_the_reference_body() {
    exchange(
        sends_seed(POST, "/rcs/testdevice", "rcs-testdevice-add-request.json"),
        json!({"status": "success"}),
        async |client| {
            client
                .add_rcs_test_device()
                .agent_id(42)
                .phone_number("+919887979736")
                .await
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn remove_rcs_test_device_sends_a_json_body_on_delete() {
    let body: RcsTestDeviceRequest = seed_as("rcs-testdevice-remove-request.json");
    exchange(
        sends_seed(
            DELETE,
            "/rcs/testdevice",
            "rcs-testdevice-remove-request.json",
        ),
        json!({"status": "success"}),
        async |client| client.remove_rcs_test_device().body(body).await,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn list_rcs_test_devices_passes_the_agent_id() {
    let answer = exchange(
        |when| api_query(when, GET, "/rcs/testdevices", &[("agentId", "42")]),
        json!({"status": "success", "devices": ["+919887979736"]}),
        async |client| client.list_rcs_test_devices().agent_id(42).await,
    )
    .await
    .unwrap();
    assert_eq!(answer.extra["devices"][0], "+919887979736");
}

#[tokio::test]
async fn rcs_capability_passes_mobile_and_agent_id() {
    for fixture in [
        "rcs-capability-enabled.json",
        "rcs-capability-not-supported.json",
    ] {
        let answer = exchange(
            |when| {
                api_query(
                    when,
                    GET,
                    "/rcs/capability",
                    &[("mobile", "919887111111"), ("agentId", "42")],
                )
            },
            seed(fixture),
            async |client| {
                client
                    .get_rcs_capability()
                    .mobile("919887111111")
                    .agent_id(42)
                    .await
            },
        )
        .await
        .unwrap();
        assert_eq!(
            answer.mobile,
            Some(StringOrNumber::String("919887111111".into()))
        );
        if answer.rcs_enabled {
            assert_eq!(
                answer.features,
                [
                    RcsFeature::RichcardStandalone,
                    RcsFeature::RichcardCarousel,
                    RcsFeature::ActionOpenUrl
                ]
            );
        } else {
            assert!(answer.features.is_empty());
        }
    }
}

#[tokio::test]
async fn rcs_conversation_passes_agent_id_and_mobile() {
    let answer = exchange(
        |when| {
            api_query(
                when,
                GET,
                "/rcs/conversation",
                &[("agentId", "42"), ("mobile", "919887111111")],
            )
        },
        seed("rcs-conversation-active.json"),
        async |client| {
            client
                .get_rcs_conversation()
                .agent_id(42)
                .mobile("919887111111")
                .await
        },
    )
    .await
    .unwrap();
    assert_eq!(answer.active, Some(true));
    assert_eq!(
        answer.conversation_id.as_deref(),
        Some("1f1328bb-a73a-64e0-a812-cff28c6df66c")
    );
    assert_eq!(answer.direction.as_deref(), Some("P2A"));
    assert_eq!(answer.expires_at.as_deref(), Some("2026-05-02 14:11:53"));
}

#[tokio::test]
async fn rcs_dlr_passes_exactly_the_given_identifier() {
    const BATCH: &str = "rcs_k8a9s2lmnp4xvqr";
    const MSG: &str = "1f134cd4-e08d-6de0-87b5-aefe80a0acca";
    let cases = [
        (Some(BATCH), None, ("batch_id", BATCH)),
        (None, Some(MSG), ("msg_id", MSG)),
    ];
    for (batch_id, msg_id, query) in cases {
        let answer = exchange(
            |when| api_query(when, GET, "/rcs/dlr", &[query]),
            seed("rcs-dlr-success.json"),
            async |client| {
                client
                    .get_rcs_dlr()
                    .set_batch_id(batch_id.map(str::to_owned))
                    .set_msg_id(msg_id.map(str::to_owned))
                    .await
            },
        )
        .await
        .unwrap();
        let record = &answer.data[0];
        assert_eq!(record.agent_id, Some(StringOrNumber::from(42)));
        let dlr = record.dlr.as_ref().unwrap();
        assert_eq!(dlr.status, Some(RcsDeliveryStatus::Delivered));
        assert_eq!(dlr.delivery_time.as_deref(), Some("2026-05-01 14:12:01"));
    }
}

// ---------------------------------------------------------------------------------------- Voice

#[tokio::test]
async fn voice_call_posts_the_reference_node_body() {
    let body: VoiceCallRequest = seed_as("voice-call-request.json");
    let answer = exchange(
        sends_seed(POST, "/voice/call", "voice-call-request.json"),
        seed("voice-call-response.json"),
        async |client| client.place_voice_call().body(body).await,
    )
    .await
    .unwrap();
    assert_eq!(answer.call_id, "call_Kx9Ab2");
    assert_eq!(answer.status, Some(VoiceCallStatus::Ringing));
    assert_eq!(answer.to.as_deref(), Some("919887111111"));
}

// ------------------------------------------------------------------------------------------ OTP

#[tokio::test]
async fn send_otp_posts_channel_and_mobile() {
    // Through the builder's setters: the reference's example on the wire.
    let answer = exchange(
        sends_seed(POST, "/otp", "otp-send-request.json"),
        seed("otp-send-success.json"),
        async |client| client.send_otp().channel(27).mobile("919887111111").await,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, ResponseStatus::Success);
    assert_eq!(answer.reference, "036BZDUHIX");
}

#[tokio::test]
async fn verify_otp_passes_reference_and_code_in_the_query() {
    let answer = exchange(
        |when| {
            api_query(
                when,
                GET,
                "/otp/verify",
                &[("reference", "036BZDUHIX"), ("otp", "847291")],
            )
        },
        seed("otp-verify-matched.json"),
        async |client| {
            client
                .verify_otp()
                .reference("036BZDUHIX")
                .otp("847291")
                .await
        },
    )
    .await
    .unwrap();
    assert_eq!(answer, OtpVerification::Matched);
}

// ---------------------------------------------------------------------------------- Cross-cutting

#[tokio::test]
async fn a_custom_user_agent_replaces_the_default() {
    let server = Answering::start(
        |when| {
            when.method(GET)
                .path("/api/v2/credits")
                .header("user-agent", "my-app/2.0")
                .header_missing("api-version")
        },
        |then| then.status(200).json_body(seed("credits-success.json")),
    )
    .await;
    let client = common::builder_for(&server.server.url("/api/v2/"))
        .user_agent("my-app/2.0")
        .build()
        .unwrap();
    client.get_credits().await.unwrap();
    server.assert_once().await;
}

#[tokio::test]
async fn the_raw_progenitor_client_gets_the_same_headers() {
    let answer = exchange(
        |when| api(when, GET, "/credits"),
        seed("credits-success.json"),
        async |client| client.raw().get_credits().send().await,
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.into_inner().credits[0].credits, Some(3946684));
}

#[test]
fn from_env_without_a_token_is_a_config_error_naming_the_variable() {
    // The variables are only read here (setting them would race with other tests).
    if std::env::var_os(noxitel_api::TOKEN_ENV).is_some() {
        return;
    }
    match noxitel_api::Client::from_env() {
        Err(noxitel_api::Error::Config(message)) => {
            assert!(message.contains("NOXITEL_API_TOKEN"), "{message}");
        }
        other => panic!("expected a Config error, got {other:?}"),
    }
}
