//! Every operation, end to end over HTTP, with the typed client.

mod common;

use std::time::Duration;

use common::{Calls, contact, env, env_where, sms};
use noxitel_api::{Error, OtpVerification};
use noxitel_types::{
    DeliveryStatus, OtpMatched, RcsAgentLaunchRequest, RcsAgentRequest, RcsAgentSubmitRequest,
    RcsCard, RcsCardMedia, RcsDeliveryStatus, RcsDlrResponse, RcsMessageContent, RcsMessageType,
    RcsRichCardContent, RcsSmsFallback, RcsSuggestion, RcsTestDeviceRequest, RcsTextContent,
    ResponseStatus, SendOtpRequest, SendRcsMessageRequest, SendWhatsappMessageRequest,
    SmsDlrRequest, SmsMode, VoiceCallRequest, VoiceCallStatus, VoiceTts, WhatsappContact,
    WhatsappContactParameters, WhatsappLocation, WhatsappMedia, WhatsappMessageType,
    WhatsappReport, WhatsappReportMode, WhatsappTemplateButtonParameter,
    WhatsappTemplateHeaderParameter,
};
use serde_json::json;

fn wa(kind: WhatsappMessageType, to: &str) -> SendWhatsappMessageRequest {
    SendWhatsappMessageRequest::new(vec![WhatsappContact::new(to)])
        .phone_id("1234567890")
        .type_(kind)
}

pub fn rcs(
    agent: i64,
    content: RcsMessageContent,
    kind: RcsMessageType,
    to: &str,
) -> SendRcsMessageRequest {
    SendRcsMessageRequest::new(kind)
        .agent_id(agent)
        .contacts(vec![contact(to, &[("name", "Sam")])])
        .content(content)
}

/// The delivery status of an RCS DLR answer's first record.
fn first_status(dlr: &RcsDlrResponse) -> Option<RcsDeliveryStatus> {
    dlr.data[0].dlr.as_ref().unwrap().status.clone()
}

#[tokio::test]
async fn credits_sms_and_delivery_reports() {
    // A DLR delay long enough to read "Submitted" first on a loaded machine.
    let env = env_where(|c| c.dlr_delay = Duration::from_millis(1500)).await;
    let c = &env.client;
    let before = c.get_credits().await.unwrap();
    assert_eq!(
        before.wallet.as_ref().unwrap().amount.as_deref(),
        Some("120.00")
    );
    assert_eq!(before.credits[0].credits, Some(3_946_684));

    let sent = c
        .send_sms()
        .body(sms(
            "Hi #name#, your code is #otp#",
            vec![
                contact("919887111111", &[("name", "Sam"), ("otp", "847291")]),
                contact("918058222222", &[("name", "Alex"), ("otp", "112233")]),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(sent.total_contacts, Some(2));
    assert_eq!(sent.message_id.len(), 2);
    assert!(sent.batch_id.starts_with("samsms_"));
    let after = c.get_credits().await.unwrap();
    assert_eq!(
        after.credits[0].credits,
        Some(3_946_682),
        "one credit per contact"
    );

    // personalization per contact
    let (_, first) = env
        .get(&format!("/sandbox/sms/{}", sent.message_id[0].sms_id))
        .await;
    assert_eq!(first["text"], "Hi Sam, your code is 847291");
    let (_, second) = env
        .get(&format!("/sandbox/sms/{}", sent.message_id[1].sms_id))
        .await;
    assert_eq!(second["text"], "Hi Alex, your code is 112233");
    assert_eq!(second["mode"], "text");

    let by_batch = SmsDlrRequest::new().batch_id(sent.batch_id.clone());
    let dlr = c.get_sms_dlr().body(by_batch.clone()).await.unwrap();
    assert_eq!(dlr.data.len(), 2);
    assert_eq!(
        dlr.data[0].dlr.as_ref().unwrap().status.as_deref(),
        Some("Submitted")
    );
    assert!(dlr.data[0].is_pending() && !dlr.data[0].is_final());

    tokio::time::sleep(Duration::from_millis(1800)).await;
    let dlr = c.get_sms_dlr().body(by_batch).await.unwrap();
    for record in &dlr.data {
        let state = record.dlr.as_ref().unwrap();
        assert_eq!(state.status.as_deref(), Some("Handset Delivered"));
        assert_eq!(state.operator_reply.as_deref(), Some("DELIVRD"));
        assert!(state.delivery_time.is_some());
        assert!(record.is_delivered() && record.is_final());
    }
    let one = c
        .get_sms_dlr()
        .body(SmsDlrRequest::new().sms_id(sent.message_id[1].sms_id.clone()))
        .await
        .unwrap();
    assert_eq!(one.data.len(), 1);
    assert_eq!(one.data[0].mobile.as_ref().unwrap(), "918058222222");
}

#[tokio::test]
async fn sms_unicode_failures_templates_groups_and_schedule() {
    let env = env().await;
    let c = &env.client;
    // unicode auto-detection and segment pricing (71 UCS-2 chars = 2 parts)
    let text = "नमस्ते ".repeat(12);
    let mut request = sms(&text, vec![contact("919887111111", &[])]);
    request.mode = Some(SmsMode::Text);
    let sent = c.send_sms().body(request).await.unwrap();
    let (_, stored) = env
        .get(&format!("/sandbox/sms/{}", sent.message_id[0].sms_id))
        .await;
    assert_eq!(stored["mode"], "unicode");
    assert!(stored["segments"].as_i64().unwrap() >= 2);

    // documented failing test number
    let sent = c
        .send_sms()
        .body(sms("hello", vec![contact("919999999000", &[])]))
        .await
        .unwrap();
    env.flush().await;
    let dlr = c
        .get_sms_dlr()
        .body(SmsDlrRequest::new().batch_id(sent.batch_id))
        .await
        .unwrap();
    assert!(dlr.data[0].is_failed(), "{:?}", dlr.data[0]);

    // template + contact group
    let mut request = sms("ignored", vec![]);
    request.message = None;
    request.template_id = Some(1);
    request.contact_group = Some(1);
    let sent = c.send_sms().body(request).await.unwrap();
    assert_eq!(sent.total_contacts, Some(2));
    let (_, stored) = env
        .get(&format!("/sandbox/sms/{}", sent.message_id[1].sms_id))
        .await;
    assert_eq!(stored["text"], "Hi Alex, your OTP is #otp#");

    // schedule honoured: stays Scheduled until the clock passes it
    let at = chrono::Utc::now() + chrono::TimeDelta::hours(2);
    let mut request = sms("later", vec![contact("919887111111", &[])]);
    request.schedule = Some(at.format("%Y-%m-%d %H:%M:%S").to_string());
    let sent = c.send_sms().body(request).await.unwrap();
    let by_batch = SmsDlrRequest::new().batch_id(sent.batch_id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dlr = c.get_sms_dlr().body(by_batch.clone()).await.unwrap();
    assert_eq!(
        dlr.data[0].delivery_status(),
        Some(DeliveryStatus::Scheduled)
    );
    env.advance(7201).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dlr = c.get_sms_dlr().body(by_batch).await.unwrap();
    assert!(dlr.data[0].is_delivered(), "{:?}", dlr.data[0]);
}

#[tokio::test]
async fn whatsapp_every_type_reports_window_and_prices() {
    let env = env().await;
    let c = &env.client;
    let mut text = wa(WhatsappMessageType::Text, "919887111111");
    text.message = Some("Hello! Your order has been shipped.".into());
    let sent = c.send_whatsapp_message().body(text).await.unwrap();
    assert_eq!(sent.total_cost, Some(0.05));
    let first = sent.message_id[0].msg_id.clone();

    let mut template = wa(WhatsappMessageType::Template, "919887111111");
    template.template_id = Some("welcome_template".into());
    template.contacts[0].parameters = Some(
        WhatsappContactParameters::new()
            .header(vec![WhatsappTemplateHeaderParameter::new("text", "Hello!")])
            .body(["Sam", "Special Offer"])
            .buttons(vec![
                WhatsappTemplateButtonParameter::new(0).url("https://brand.com/offer"),
            ]),
    );
    c.send_whatsapp_message().body(template).await.unwrap();

    for kind in [
        WhatsappMessageType::Image,
        WhatsappMessageType::Video,
        WhatsappMessageType::Audio,
        WhatsappMessageType::Document,
    ] {
        let mut media = wa(kind, "919887111111");
        media.media = Some(WhatsappMedia::new("https://cdn.example.com/f").caption("c"));
        c.send_whatsapp_message().body(media).await.unwrap();
    }
    let mut location = wa(WhatsappMessageType::Location, "919887111111");
    location.location = Some(WhatsappLocation::new("MG Road", 12.97, 77.59, "Office"));
    c.send_whatsapp_message().body(location).await.unwrap();
    for kind in [WhatsappMessageType::Reply, WhatsappMessageType::Reaction] {
        let mut reply = wa(kind, "919887111111");
        reply.reply_to_message_id = Some(first.clone());
        reply.message = Some("👍".into());
        c.send_whatsapp_message().body(reply).await.unwrap();
    }

    env.flush().await;
    let report = |mode, id: &str| c.get_whatsapp_report().mode(mode).id(id).into_future();
    let by_message = report(WhatsappReportMode::Message, &first).await.unwrap();
    let reports = by_message.reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].status.as_deref(), Some("delivered"));
    assert!(reports[0].is_delivered());
    assert_eq!(reports[0].direction.as_deref(), Some("outgoing"));

    let check_window = |msisdn| {
        c.check_whatsapp_window()
            .phone_id("1234567890")
            .msisdn(msisdn)
            .into_future()
    };
    // 918058222222 has not written: its window is closed until an inbound message opens it.
    let window = check_window("918058222222").await.unwrap();
    assert!(!window.window_open);
    let (status, _) = env
        .post(
            "/sandbox/whatsapp/inbound",
            json!({"from": "918058222222", "text": "hi"}),
        )
        .await;
    assert_eq!(status, 200);
    let window = check_window("918058222222").await.unwrap();
    assert!(window.window_open);
    assert!(window.expires_at.is_some());

    let (_, _, raw) = env
        .raw("POST", "/api/v2/whatsapp/message", Some(env.sandbox.token()), Some(
            serde_json::to_vec(&json!({"type": "text", "message": "hi", "contacts": [{"msisdn": "919887111111"}, {"msisdn": "918058222222"}]})).unwrap(),
        ))
        .await;
    assert_eq!(raw["total_cost"], 0.1, "{raw}");
    let campaign = raw["campaign_id"].as_str().unwrap().to_owned();
    let by_campaign = report(WhatsappReportMode::Campaign, &campaign)
        .await
        .unwrap();
    assert!(matches!(by_campaign, WhatsappReport::Messages(ref list) if list.len() == 2));

    let prices = c.get_whatsapp_prices().await.unwrap();
    assert!(
        prices
            .0
            .iter()
            .any(|p| p.country.as_deref() == Some("India"))
    );
}

#[tokio::test]
async fn rcs_agent_lifecycle_test_devices_capability_conversation_and_dlr() {
    let env = env().await;
    let c = &env.client;
    let profile = RcsAgentRequest::new("shop_bot", "Noxitel", "Shop");
    let created = c.upsert_rcs_agent().body(profile.clone()).await.unwrap();
    let id = created.extra["agentId"].as_i64().unwrap();
    assert_eq!(created.extra["agentStatus"], "draft");
    let updated = c
        .upsert_rcs_agent()
        .body({
            let mut renamed = profile;
            renamed.display_name = "Shop 2".into();
            renamed
        })
        .await
        .unwrap();
    assert_eq!(updated.extra["agentId"].as_i64(), Some(id));

    // draft agents can only message test devices
    let content: RcsMessageContent = RcsTextContent::new("hi").into();
    let to_test_device = || rcs(id, content.clone(), RcsMessageType::Text, "919887979736");
    let err = c
        .send_rcs_message()
        .body(to_test_device())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err}");
    c.add_rcs_test_device()
        .body(RcsTestDeviceRequest::new(id, "+919887979736"))
        .await
        .unwrap();
    let devices = c.list_rcs_test_devices().agent_id(id).await.unwrap();
    assert_eq!(devices.extra["data"][0]["phoneNumber"], "+919887979736");
    let sent = c.send_rcs_message().body(to_test_device()).await.unwrap();
    assert_eq!(sent.message_id.len(), 1);

    // launch needs review first
    let launch = RcsAgentLaunchRequest::new(id, ["airtel-india"]);
    assert!(matches!(
        c.launch_rcs_agent().body(launch.clone()).await,
        Err(Error::BadRequest(_))
    ));
    let submitted = c
        .submit_rcs_agent()
        .body(RcsAgentSubmitRequest::new(id))
        .await
        .unwrap();
    assert_eq!(submitted.extra["agentStatus"], "submitted");
    let agent = c.get_rcs_agent().id(id).await.unwrap();
    assert_eq!(
        agent.extra["data"]["status"], "approved",
        "review_delay 0 approves at once"
    );
    let launched = c.launch_rcs_agent().body(launch).await.unwrap();
    assert_eq!(launched.status, Some(ResponseStatus::Success));
    let agents = c.list_rcs_agents().await.unwrap();
    let list = agents.extra["data"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|a| a["agentId"] == id && a["status"] == "launched")
    );
    assert!(list.iter().any(|a| a["agentId"] == 3));

    c.remove_rcs_test_device()
        .body(RcsTestDeviceRequest::new(id, "+919887979736"))
        .await
        .unwrap();
    assert!(matches!(
        c.remove_rcs_test_device()
            .body(RcsTestDeviceRequest::new(id, "+919887979736"))
            .await,
        Err(Error::NotFound(_))
    ));

    // capability is deterministic per number
    let capability = |mobile| {
        c.get_rcs_capability()
            .mobile(mobile)
            .agent_id(42)
            .into_future()
    };
    let yes = capability("919887111111").await.unwrap();
    assert!(yes.rcs_enabled && !yes.features.is_empty());
    let no = capability("919887111110").await.unwrap();
    assert!(!no.rcs_enabled && no.features.is_empty());
    assert_eq!(capability("919887111111").await.unwrap(), yes);

    // rich card, DLR, tap opens the conversation window
    let read_conversation = || {
        c.get_rcs_conversation()
            .agent_id(3)
            .mobile("919887111111")
            .into_future()
    };
    let card: RcsMessageContent = RcsRichCardContent::new(
        RcsCard::new()
            .title("Flash Sale 40% Off")
            .description("Hi #name#, use FLASH40")
            .media(RcsCardMedia::new("https://cdn.example.com/sale.jpg").height("MEDIUM"))
            .suggestion(RcsSuggestion::url("Shop Now", "https://brand.com/sale")),
    )
    .orientation("VERTICAL")
    .into();
    let sent = c
        .send_rcs_message()
        .body(rcs(3, card, RcsMessageType::RichCard, "919887111111"))
        .await
        .unwrap();
    let msg_id = sent.message_id[0].msg_id.clone();
    env.flush().await;
    let dlr = c.get_rcs_dlr().batch_id(&sent.batch_id).await.unwrap();
    assert_eq!(first_status(&dlr), Some(RcsDeliveryStatus::Delivered));
    let conversation = read_conversation().await.unwrap();
    assert_eq!(conversation.active, Some(false));
    let (status, tap) = env
        .post(
            "/sandbox/rcs/tap",
            json!({"msgId": msg_id, "text": "Shop Now"}),
        )
        .await;
    assert_eq!(status, 200, "{tap}");
    assert_eq!(
        tap["event"]["suggestionResponse"]["postbackData"],
        format!("{msg_id}||CLICK||https://brand.com/sale")
    );
    let dlr = c.get_rcs_dlr().msg_id(&msg_id).await.unwrap();
    assert_eq!(first_status(&dlr), Some(RcsDeliveryStatus::Read));
    let conversation = read_conversation().await.unwrap();
    assert_eq!(conversation.active, Some(true));
    assert_eq!(conversation.direction.as_deref(), Some("P2A"));
}

#[tokio::test]
async fn rcs_sms_fallback_when_not_capable() {
    let env = env().await;
    let c = &env.client;
    let content: RcsMessageContent = RcsTextContent::new("Hi #name#").into();
    let mut request = rcs(3, content, RcsMessageType::Text, "919887111110");
    request.sms_fallback = Some(
        RcsSmsFallback::new()
            .enabled(true)
            .route_id(1)
            .sender("NOXITEL")
            .message("Hi #name#, (SMS)"),
    );
    let credits = c.get_credits().await.unwrap().credits[0].credits.unwrap();
    let sent = c.send_rcs_message().body(request).await.unwrap();
    let dlr = c.get_rcs_dlr().batch_id(&sent.batch_id).await.unwrap();
    assert_eq!(first_status(&dlr), Some(RcsDeliveryStatus::Incompatible));
    assert_eq!(
        c.get_credits().await.unwrap().credits[0].credits,
        Some(credits - 1)
    );
    let (_, raw) = env
        .get(&format!("/api/v2/rcs/dlr?batch_id={}", sent.batch_id))
        .await;
    let sms_id = raw["data"][0]["smsFallback"]["sms_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, stored) = env.get(&format!("/sandbox/sms/{sms_id}")).await;
    assert_eq!(stored["text"], "Hi Sam, (SMS)");
    assert_eq!(stored["origin"], "rcs-fallback");
}

/// Sends an OTP to `mobile` and reads it from the control surface: its reference, its code and
/// a code that does not match.
async fn otp_to(env: &common::Env, mobile: &str) -> (String, String, &'static str) {
    let sent = env
        .client
        .send_otp()
        .body(SendOtpRequest::new(27, mobile))
        .await
        .unwrap();
    let (_, otp) = env.get(&format!("/sandbox/otp/{mobile}")).await;
    let code = otp["otp"].as_str().unwrap().to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    (sent.reference, code, wrong)
}

/// Whether `code` verifies `reference`.
async fn matches(env: &common::Env, reference: &str, code: &str) -> bool {
    env.client
        .verify_otp()
        .reference(reference)
        .otp(code)
        .await
        .unwrap()
        .is_matched()
}

#[tokio::test]
async fn voice_and_otp() {
    let env = env_where(|c| c.otp_max_attempts = 3).await;
    let c = &env.client;
    let call = c
        .place_voice_call()
        .body(
            VoiceCallRequest::new("YOUR_VOICE_NUMBER", "919887111111").tts(
                VoiceTts::new("Your OTP is 8 4 7 2 9 1")
                    .language("en-IN")
                    .voice("female")
                    .repeat(2),
            ),
        )
        .await
        .unwrap();
    assert!(call.call_id.starts_with("call_"));
    assert_eq!(call.status, Some(VoiceCallStatus::Ringing));

    let (reference, code, wrong) = otp_to(&env, "919887111111").await;
    assert_eq!(reference.len(), 10);
    let outcome = c
        .verify_otp()
        .reference(&reference)
        .otp(wrong)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        OtpVerification::NotMatched {
            message: Some("OTP does not match or has expired".into())
        }
    );
    assert!(matches(&env, &reference, &code).await);
    assert!(!matches(&env, &reference, &code).await, "consumed");

    // attempt limit
    let (reference, code, wrong) = otp_to(&env, "918058222222").await;
    for _ in 0..3 {
        assert!(!matches(&env, &reference, wrong).await);
    }
    assert!(!matches(&env, &reference, &code).await);

    // expiry
    let (reference, code, _) = otp_to(&env, "918058333333").await;
    env.advance(601).await;
    assert!(!matches(&env, &reference, &code).await);

    // unknown reference: 404 carrying matched=no, which the client reads as not matched
    assert!(!matches(&env, "NOSUCHREF1", "123456").await);
    let (status, body) = env
        .get("/api/v2/otp/verify?reference=NOSUCHREF1&otp=12")
        .await;
    assert_eq!(
        (status, body["matched"].as_str()),
        (404, Some(OtpMatched::No.as_str()))
    );
}
