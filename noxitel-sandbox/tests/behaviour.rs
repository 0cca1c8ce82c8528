//! Credit accounting under concurrency, bad input, auth, rate limits, webhooks, and the
//! reference's own request examples copy-pasted.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{Calls, contact, data, env, env_where, events, receiver, sms};
use noxitel_api::Error;
use noxitel_types::webhooks::RcsEvent;
use noxitel_types::{
    PostbackAction, RcsCard, RcsMessageContent, RcsMessageType, RcsRichCardContent, RcsSuggestion,
    SendRcsMessageRequest,
};
use serde_json::{Value, json};

#[tokio::test]
async fn credit_accounting_is_exact_under_concurrency() {
    let env = env().await;
    let (status, _) = env
        .post("/sandbox/credits", json!({"routeId": 1, "credits": 1000}))
        .await;
    assert_eq!(status, 200);
    let contacts: Vec<_> = (0..30)
        .map(|i| contact(&format!("9198870{i:05}"), &[]))
        .collect();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let client = env.client.clone();
            let request = sms("hello", contacts.clone());
            tokio::spawn(async move { client.send_sms().body(request).await })
        })
        .collect();
    let (mut ok, mut short) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(sent) => {
                assert_eq!(sent.message_id.len(), 30);
                ok += 1;
            }
            Err(Error::InsufficientCredits(_)) => short += 1,
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!((ok, short), (33, 17));
    let credits = env.client.get_credits().await.unwrap();
    assert_eq!(credits.credits[0].credits, Some(10));
}

#[tokio::test]
async fn auth_ip_allow_list_and_rate_limit() {
    let env = env().await;
    let (status, _, body) = env.raw("GET", "/api/v2/credits", None, None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (403, Some("API Key Missing"))
    );
    assert_eq!(body["success"], false);
    assert_eq!(body["status"], 403);
    let (status, _, body) = env.raw("GET", "/api/v2/credits", Some("nope"), None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (403, Some("Invalid API Key"))
    );

    let blocked =
        env_where(|c| c.allowed_ips = Some(vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))])).await;
    assert!(matches!(
        blocked.client.get_credits().await,
        Err(Error::IpNotWhitelisted(_))
    ));

    let limited = env_where(|c| c.rate_limit = Some(5)).await;
    let mut saw_429 = false;
    for _ in 0..20 {
        let (status, headers, body) = limited
            .raw(
                "GET",
                "/api/v2/credits",
                Some(limited.sandbox.token()),
                None,
            )
            .await;
        if status == 429 {
            assert!(headers.get("retry-after").is_some());
            assert_eq!(body["status"], 429);
            saw_429 = true;
            break;
        }
    }
    assert!(saw_429);
    assert!(matches!(
        limited.client.get_credits().await,
        Err(Error::RateLimited { .. })
    ));
}

#[tokio::test]
async fn bad_input_gets_precise_4xx() {
    let env = env_where(|c| c.max_body_bytes = 4096).await;
    let token = Some(env.sandbox.token());
    type Case = (
        &'static str,
        &'static str,
        Option<Vec<u8>>,
        u16,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        ("POST", "/api/v2/sms", Some(b"{not json".to_vec()), 400, "Malformed JSON"),
        ("POST", "/api/v2/sms", None, 400, "Missing request body"),
        ("POST", "/api/v2/sms", Some(b"[]".to_vec()), 400, "must be a JSON object"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x","contacts":[{}]}"#.to_vec()), 400, "Missing parameter contacts[0].mobile"),
        ("GET", "/api/v2/dlr", None, 400, "batch_id or sms_id"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x","contacts":[{"mobile":5}]}"#.to_vec()), 400, "contacts[0].mobile"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x"}"#.to_vec()), 400, "contacts"),
        ("POST", "/api/v2/sms", Some(br#"{"contacts":[{"mobile":"9198"}]}"#.to_vec()), 400, "message"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x","contacts":[{"mobile":"abc"}]}"#.to_vec()), 400, "not a phone number"),
        ("POST", "/api/v2/sms", Some(format!(r#"{{"message":"x","contacts":[{{"mobile":"{}"}}]}}"#, "9".repeat(20)).into_bytes()), 400, "at most 15"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x","notifyUrl":"/sms","contacts":[{"mobile":"9198"}]}"#.to_vec()), 400, "notifyUrl"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x","routeId":9,"contacts":[{"mobile":"9198"}]}"#.to_vec()), 404, "routeId 9"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x","routeId":2,"contacts":[{"mobile":"9198"}]}"#.to_vec()), 400, "sender"),
        ("POST", "/api/v2/sms", Some(br#"{"message":"x","schedule":"2026-99-99 10:00:00","contacts":[{"mobile":"9198"}]}"#.to_vec()), 400, "schedule"),
        ("POST", "/api/v2/sms", Some(format!(r#"{{"message":"{}","contacts":[]}}"#, "a".repeat(5000)).into_bytes()), 413, "too large"),
        ("GET", "/api/v2/dlr", Some(br#"{"batch_id":"samsms_nope"}"#.to_vec()), 404, "samsms_nope"),
        ("GET", "/api/v2/dlr", Some(b"{}".to_vec()), 400, "batch_id"),
        ("POST", "/api/v2/whatsapp/message", Some(br#"{"type":"image","contacts":[{"msisdn":"9198"}]}"#.to_vec()), 400, "media"),
        ("POST", "/api/v2/whatsapp/message", Some(br#"{"type":"template","templateId":"nope","contacts":[{"msisdn":"9198"}]}"#.to_vec()), 404, "nope"),
        ("POST", "/api/v2/whatsapp/message", Some(br#"{"phoneId":"1","message":"x","contacts":[{"msisdn":"9198"}]}"#.to_vec()), 404, "phoneId"),
        ("GET", "/api/v2/whatsapp/report?mode=message&id=nope", None, 404, "nope"),
        ("GET", "/api/v2/whatsapp/report?mode=bogus&id=1", None, 400, "mode"),
        ("GET", "/api/v2/whatsapp/checkwindow?phoneId=1234567890", None, 400, "msisdn"),
        ("POST", "/api/v2/rcs/message", Some(br#"{"type":"text","agentId":77,"content":{"text":"x"},"contacts":[{"mobile":"9198"}]}"#.to_vec()), 404, "agentId 77"),
        ("POST", "/api/v2/rcs/message", Some(br#"{"type":"carousel","content":{"text":"x"},"contacts":[{"mobile":"9198"}]}"#.to_vec()), 400, "carousel"),
        ("POST", "/api/v2/rcs/message", Some(br#"{"type":"text","content":{"text":"x","suggestions":[{"type":"url","text":"a"}]},"contacts":[{"mobile":"9198"}]}"#.to_vec()), 400, "content.suggestions[0]: missing field `url`"),
        ("POST", "/api/v2/rcs/message", Some(br#"{"type":"text","content":{"text":"x","suggestions":[{"type":"teleport","text":"a"}]},"contacts":[{"mobile":"9198"}]}"#.to_vec()), 400, "unknown variant `teleport`"),
        ("POST", "/api/v2/rcs/agent", Some(br#"{"agentName":"has space","displayName":"a","brandName":"b"}"#.to_vec()), 400, "spaces"),
        ("POST", "/api/v2/rcs/agent", Some(br#"{"agentName":"a","displayName":"a","brandName":"b","color":"red"}"#.to_vec()), 400, "hex color"),
        ("GET", "/api/v2/rcs/agent/abc", None, 400, "not an integer"),
        ("GET", "/api/v2/rcs/agent/999", None, 404, "999"),
        ("GET", "/api/v2/rcs/capability?mobile=919887111111&agentId=x", None, 400, "agentId"),
        ("GET", "/api/v2/rcs/dlr", None, 400, "batch_id"),
        ("POST", "/api/v2/voice/call", Some(br#"{"to":"9198","from":"x"}"#.to_vec()), 400, "tts"),
        ("POST", "/api/v2/otp", Some(br#"{"channel":99,"mobile":"9198"}"#.to_vec()), 404, "channel 99"),
        ("POST", "/api/v2/otp", Some(br#"{"channel":"27","mobile":"9198"}"#.to_vec()), 400, "channel"),
        ("GET", "/api/v2/otp/verify?reference=X", None, 400, "otp"),
        ("GET", "/api/v2/otp/verify?reference=X&otp=12a", None, 400, "otp"),
        ("GET", "/api/v2/nope", None, 404, "No such endpoint: GET /api/v2/nope"),
        ("PUT", "/api/v2/sms", None, 405, "not allowed"),
    ];
    for (method, path, body, want, needle) in cases {
        let (status, _, answer) = env.raw(method, path, token, body).await;
        let message = answer["message"].as_str().unwrap_or_default();
        assert_eq!(status, want, "{method} {path}: {answer}");
        assert!(
            message.contains(needle),
            "{method} {path}: {message:?} lacks {needle:?}"
        );
        assert_eq!(answer["success"], false, "{method} {path}");
        assert_eq!(answer["status"], want, "{method} {path}");
    }
    // nothing of the above was charged
    let credits = env.client.get_credits().await.unwrap();
    assert_eq!(credits.credits[0].credits, Some(3_946_684));
    // short on credits: 402 and nothing sent
    env.post("/sandbox/credits", json!({"credits": 1})).await;
    let err = env
        .client
        .send_sms()
        .body(sms(
            "x",
            vec![contact("919887111111", &[]), contact("918058222222", &[])],
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsufficientCredits(_)), "{err}");
    assert_eq!(
        env.client.get_credits().await.unwrap().credits[0].credits,
        Some(1)
    );
    // WhatsApp short on wallet: the reference's own error body, word for word.
    env.post("/sandbox/credits", json!({"walletCents": 1}))
        .await;
    let (status, answer) = env
        .post(
            "/api/v2/whatsapp/message",
            json!({"type": "text", "message": "Hello!",
                "contacts": [{"msisdn": "919887111111"}]}),
        )
        .await;
    assert_eq!(status, 402);
    assert_eq!(
        answer,
        json!({"status": "error",
            "message": "You don't have enough credits to send this campaign."})
    );
}

fn card(notify: &str) -> SendRcsMessageRequest {
    let content: RcsMessageContent = RcsRichCardContent::new(
        RcsCard::new()
            .title("Flash Sale")
            .suggestion(RcsSuggestion::reply("Confirm"))
            .suggestion(RcsSuggestion::dial("Call", "+919887000000")),
    )
    .orientation("VERTICAL")
    .into();
    SendRcsMessageRequest::new(RcsMessageType::RichCard)
        .agent_id(3)
        .contacts(vec![contact("919887111111", &[])])
        .content(content)
        .notify_url(notify)
}

#[tokio::test]
async fn webhooks_are_delivered_with_retries() {
    let env = env().await;
    // the receiver fails the first attempt: the sandbox retries
    let hook = receiver(1).await;
    let sent = env
        .client
        .send_rcs_message()
        .body(card(&hook.url))
        .await
        .unwrap();
    let msg_id = sent.message_id[0].msg_id.clone();
    hook.wait_for("sent and delivered", |b| {
        let e = events(b);
        e.contains(&"message.sent".into()) && e.contains(&"message.delivered".into())
    })
    .await;
    let (status, _) = env
        .post(
            "/sandbox/rcs/tap",
            json!({"msgId": msg_id, "text": "Confirm"}),
        )
        .await;
    assert_eq!(status, 200);
    let bodies = hook
        .wait_for("the tap", |b| {
            events(b).contains(&"message.received".into())
        })
        .await;
    assert!(events(&bodies).contains(&"message.read".into()));
    let received = bodies
        .iter()
        .find(|b| b["event"] == "message.received")
        .unwrap();
    assert_eq!(received["agentId"], "3", "agentId is a string in webhooks");
    match RcsEvent::from_slice(&serde_json::to_vec(received).unwrap()).unwrap() {
        RcsEvent::SuggestionReceived { postback, text, .. } => {
            assert_eq!(postback.msg_id, msg_id);
            assert_eq!(postback.action, PostbackAction::Reply);
            assert_eq!(postback.payload, "Confirm");
            assert_eq!(text.as_deref(), Some("Confirm"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let (_, log) = env.get("/sandbox/webhooks").await;
    assert!(
        data(&log)
            .iter()
            .any(|d| d["attempts"] == 2 && d["delivered"] == true),
        "{log}"
    );

    // inbound text reaches the same receiver
    env.post(
        "/sandbox/rcs/inbound",
        json!({"from": "919887111111", "text": "hello"}),
    )
    .await;
    let bodies = hook
        .wait_for("inbound text", |b| {
            b.iter().any(|x| x["message"]["text"] == "hello")
        })
        .await;
    let text = bodies
        .iter()
        .find(|x| x["message"]["text"] == "hello")
        .unwrap();
    assert!(matches!(
        RcsEvent::from_slice(&serde_json::to_vec(text).unwrap()).unwrap(),
        RcsEvent::TextReceived { ref text, .. } if text == "hello"
    ));

    // SMS receipts and voice status events
    let sms_hook = receiver(0).await;
    let mut request = sms("hi", vec![contact("919887111111", &[])]);
    request.notify_url = Some(sms_hook.url.clone());
    let sent = env.client.send_sms().body(request).await.unwrap();
    let bodies = sms_hook
        .wait_for("the SMS receipt", |b| !b.is_empty())
        .await;
    assert_eq!(bodies[0]["sms_id"], sent.message_id[0].sms_id.as_str());
    assert_eq!(bodies[0]["status"], "Handset Delivered");

    let voice_hook = receiver(0).await;
    let (status, _, _) = env
        .raw(
            "POST",
            "/api/v2/voice/call",
            Some(env.sandbox.token()),
            Some(serde_json::to_vec(&json!({"to": "919887111111", "from": "X", "audioUrl": "https://x/a.mp3", "notifyUrl": voice_hook.url})).unwrap()),
        )
        .await;
    assert_eq!(status, 200);
    env.flush().await;
    let bodies = voice_hook
        .wait_for("completed", |b| {
            b.iter().any(|x| x["status"] == "completed")
        })
        .await;
    let statuses: Vec<&str> = bodies.iter().filter_map(|b| b["status"].as_str()).collect();
    assert_eq!(statuses, ["ringing", "answered", "completed"]);

    // an unreachable notifyUrl never delays the API answer
    let started = std::time::Instant::now();
    let mut request = sms("hi", vec![contact("919887111111", &[])]);
    request.notify_url = Some("http://127.0.0.1:9/unreachable".into());
    env.client.send_sms().body(request).await.unwrap();
    env.flush().await;
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// Every request body and query string of the reference, as printed there, works against a
/// fresh sandbox — including those that name ids from the reference's example answers
/// (`samsms_eink1rilz6ucphk`, `036BZDUHIX`…), which the sandbox starts with.
#[tokio::test]
async fn reference_examples_work_copy_pasted() {
    let env = env().await;
    let token = Some(env.sandbox.token());
    let post = |path: &'static str, body: Value| (("POST", path), body);
    let requests = vec![
        post(
            "/api/v2/sms",
            json!({"campaignId": 1, "routeId": 1, "sender": "NOXITEL", "mode": "text",
            "message": "Hi #name#, your OTP is #otp#",
            "contacts": [{"mobile": "919887111111", "parameters": {"name": "Sam", "otp": "847291"}}],
            "notifyUrl": "https://yourapp.com/webhook/sms", "dlt_entity_id": "1234567890", "dlt_template_id": "1234567890"}),
        ),
        post(
            "/api/v2/sms",
            json!({"sender": "NOXITEL", "mode": "text", "message": "Hi #name#, your OTP is #otp#",
            "contacts": [{"mobile": "919887111111", "parameters": {"otp": "847291"}}]}),
        ),
        post(
            "/api/v2/whatsapp/message",
            json!({"phoneId": "1234567890", "type": "template", "templateId": "welcome_template",
            "contacts": [{"msisdn": "919887111111", "parameters": {"header": [{"type":"text","value":"Hello!"}],
            "body": ["Sam", "Special Offer"], "buttons": [{"index":0,"url":"https://brand.com/offer"}]}}]}),
        ),
        post(
            "/api/v2/whatsapp/message",
            json!({"phoneId": "1234567890", "type": "text",
            "message": "Hello! Your order has been shipped.", "contacts": [{"msisdn": "919887111111"}]}),
        ),
        post(
            "/api/v2/whatsapp/message",
            json!({"type": "text", "message": "Hello!", "contacts": [{"msisdn": "919887111111"}]}),
        ),
        post(
            "/api/v2/rcs/message",
            json!({"agentId": 3, "type": "text", "content": {"text": "Hi #name#, your OTP is #otp#",
            "suggestions": [{"type": "reply", "text": "Confirm"}, {"type": "url", "text": "Learn more", "url": "https://example.com"}]},
            "contacts": [{"mobile": "919887111111", "parameters": {"name": "Sam", "otp": "1234"}}],
            "notifyUrl": "https://yourapp.com/webhook/rcs", "trafficType": "TRANSACTION"}),
        ),
        post(
            "/api/v2/rcs/message",
            json!({"agentId": 3, "type": "text", "content": {"text": "Hi #name#, OTP: #otp#", "suggestions": []},
            "contacts": [{"mobile": "919887111111", "parameters": {"otp": "1234"}}]}),
        ),
        post(
            "/api/v2/rcs/agent",
            json!({"agentName":"support_bot","displayName":"Noxitel Support","brandName":"Noxitel"}),
        ),
        post("/api/v2/rcs/agent/submit", json!({"agentId": 42})),
        post(
            "/api/v2/rcs/agent/launch",
            json!({"agentId":42,"carriers":["airtel-india","reliance-jio-india"]}),
        ),
        post(
            "/api/v2/rcs/testdevice",
            json!({"agentId":42,"phoneNumber":"+919887979736"}),
        ),
        (
            ("DELETE", "/api/v2/rcs/testdevice"),
            json!({"agentId":42,"phoneNumber":"+919887979736"}),
        ),
        post(
            "/api/v2/voice/call",
            json!({"to": "919887111111", "from": "YOUR_VOICE_NUMBER",
            "tts": {"text": "Your Noxitel OTP is 8 4 7 2 9 1. Do not share this with anyone.", "language": "en-IN", "voice": "female", "repeat": 2},
            "notifyUrl": "https://yourapp.com/webhook/voice"}),
        ),
        post(
            "/api/v2/otp",
            json!({"channel": 27, "mobile": "919887111111"}),
        ),
    ];
    for ((method, path), body) in requests {
        let (status, _, answer) = env
            .raw(
                method,
                path,
                token,
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
    }
    for path in [
        "/api/v2/credits",
        "/api/v2/whatsapp/checkwindow?phoneId=1234567890&msisdn=919887111111",
        "/api/v2/whatsapp/prices",
        "/api/v2/rcs/agents",
        "/api/v2/rcs/agent/42",
        "/api/v2/rcs/testdevices?agentId=42",
        "/api/v2/rcs/capability?mobile=919887111111&agentId=42",
        "/api/v2/rcs/conversation?agentId=42&mobile=919887111111",
    ] {
        let (status, _, answer) = env.raw("GET", path, token, None).await;
        assert_eq!(status, 200, "GET {path}: {answer}");
    }
    // ids copied from the reference's example answers exist, with the example's values
    for (path, pointer, want) in [
        (
            "/api/v2/rcs/dlr?batch_id=rcs_k8a9s2lmnp4xvqr",
            "/data/0/dlr/status",
            json!("delivered"),
        ),
        (
            "/api/v2/rcs/dlr?msg_id=1f134cd4-e08d-6de0-87b5-aefe80a0acca",
            "/data/0/agentId",
            json!(42),
        ),
        (
            "/api/v2/whatsapp/report?mode=message&id=MSG_ID",
            "/status",
            json!("delivered"),
        ),
        (
            "/api/v2/whatsapp/report?mode=campaign&id=CAMPAIGN_ID",
            "/0/direction",
            json!("outgoing"),
        ),
        (
            "/api/v2/otp/verify?reference=036BZDUHIX&otp=847291",
            "/matched",
            json!("yes"),
        ),
    ] {
        let (status, _, answer) = env.raw("GET", path, token, None).await;
        assert_eq!(status, 200, "GET {path}: {answer}");
        assert_eq!(answer.pointer(pointer), Some(&want), "GET {path}: {answer}");
    }
    for body in [
        json!({"batch_id": "samsms_eink1rilz6ucphk"}),
        json!({"sms_id": "1ef4d949-7639-6880-bf73-ae794..."}),
    ] {
        let (status, _, answer) = env
            .raw(
                "GET",
                "/api/v2/dlr",
                token,
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await;
        assert_eq!(status, 200, "GET /dlr {body}: {answer}");
        assert_eq!(
            answer["data"][0]["dlr"]["operator_reply"], "DELIVRD",
            "{answer}"
        );
    }
}
