//! The control surface added for tests and the inbox: magic numbers, fault injection,
//! reset and export, the event log and its stream, held webhooks.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Calls, data, env, env_with, receiver};
use futures_util::StreamExt;
use noxitel_sandbox::{Config, FaultSpec};
use serde_json::{Value, json};

async fn send_sms(env: &common::Env, to: &str, notify: Option<&str>) -> Value {
    let mut body = json!({"message": "hi", "contacts": [{"mobile": to}]});
    if let Some(url) = notify {
        body["notifyUrl"] = json!(url);
    }
    let (status, sent) = env.post("/api/v2/sms", body).await;
    assert_eq!(status, 200, "{sent}");
    sent
}

async fn sms_status(env: &common::Env, sent: &Value) -> String {
    let batch = sent["batch_id"].as_str().unwrap();
    let (_, dlr) = env.get(&format!("/api/v2/dlr?batch_id={batch}")).await;
    dlr["data"][0]["dlr"]["status"].as_str().unwrap().to_owned()
}

async fn rcs(env: &common::Env, to: &str, notify: &str, fallback: bool) -> Value {
    let mut body = json!({"type": "text", "content": {"text": "hello"}, "notifyUrl": notify,
                          "contacts": [{"mobile": to}]});
    if fallback {
        body["smsFallback"] = json!({"enabled": true, "message": "hello by SMS"});
    }
    let (status, sent) = env.post("/api/v2/rcs/message", body).await;
    assert_eq!(status, 200, "{sent}");
    let msg_id = sent["message_id"][0]["msg_id"].as_str().unwrap().to_owned();
    let (_, dlr) = env.get(&format!("/api/v2/rcs/dlr?msg_id={msg_id}")).await;
    dlr["data"][0].clone()
}

/// Sends an RCS text to `to`, flushes, and reads its delivery status.
async fn flushed_rcs_status(env: &common::Env, to: &str, notify: &str) -> String {
    let record = rcs(env, to, notify, false).await;
    env.flush().await;
    let msg_id = record["msg_id"].as_str().unwrap();
    let (_, dlr) = env.get(&format!("/api/v2/rcs/dlr?msg_id={msg_id}")).await;
    dlr["data"][0]["dlr"]["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn magic_numbers_have_fixed_outcomes() {
    let env = env().await;
    let (status, table) = env.get("/sandbox/magic-numbers").await;
    assert_eq!(status, 200);
    assert!(data(&table).len() >= 10, "{table}");

    let delivered = send_sms(&env, "+15550100001", None).await;
    let failed = send_sms(&env, "15550100002", None).await;
    let late = send_sms(&env, "15550100003", None).await;
    let silent = send_sms(&env, "15550100004", None).await;
    let delayed = send_sms(&env, "15550102030", None).await;
    let suffix = send_sms(&env, "919887111000", None).await;
    // The test config's DLR delay is 200 ms: after a second only the plain ones are final.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sms_status(&env, &delivered).await, "Handset Delivered");
    assert_eq!(sms_status(&env, &failed).await, "Failed");
    assert_eq!(sms_status(&env, &suffix).await, "Failed");
    assert_eq!(sms_status(&env, &late).await, "Submitted", "30 s later");
    assert_eq!(sms_status(&env, &delayed).await, "Submitted", "30 s later");
    assert_eq!(sms_status(&env, &silent).await, "Submitted");
    env.advance(31).await;
    assert_eq!(sms_status(&env, &late).await, "Failed");
    assert_eq!(sms_status(&env, &delayed).await, "Handset Delivered");
    env.flush().await;
    assert_eq!(sms_status(&env, &silent).await, "Submitted", "never a DLR");

    // RCS: capability off → smsFallback; the replying number answers after delivery.
    let hook = receiver(0).await;
    let no_rcs = rcs(&env, "15550100006", &hook.url, true).await;
    assert_eq!(no_rcs["dlr"]["status"], "incompatible", "{no_rcs}");
    assert!(no_rcs["smsFallback"]["sms_id"].is_string(), "{no_rcs}");
    let capability = "/api/v2/rcs/capability?mobile=15550100006&agentId=3";
    assert_eq!(env.get_ok(capability).await["rcsEnabled"], false);
    assert_eq!(
        flushed_rcs_status(&env, "15550100005", &hook.url).await,
        "delivered"
    );
    let bodies = hook
        .wait_for("the scripted reply", |b| {
            b.iter()
                .any(|x| x["event"] == "message.received" && x["from"] == "15550100005")
        })
        .await;
    let reply = bodies
        .iter()
        .find(|x| x["event"] == "message.received")
        .unwrap();
    assert_eq!(reply["message"]["text"], "Yes, confirmed");
    let conversation = "/api/v2/rcs/conversation?agentId=3&mobile=15550100005";
    assert_eq!(env.get_ok(conversation).await["active"], true);
    assert_eq!(
        flushed_rcs_status(&env, "15550100004", &hook.url).await,
        "sent"
    );
    assert_eq!(
        flushed_rcs_status(&env, "15550100002", &hook.url).await,
        "failed"
    );

    // WhatsApp: the replying number opens the service window (a template reaches it first:
    // free-form messages need an open window).
    let (_, wa) = env
        .post(
            "/api/v2/whatsapp/message",
            json!({"type": "template", "templateId": "order_update",
                "contacts": [{"msisdn": "15550100005", "parameters": {"body": ["A-1"]}}]}),
        )
        .await;
    assert_eq!(wa["status"], "success", "{wa}");
    env.flush().await;
    assert!(
        env.window_open("15550100005").await,
        "the replying number's window"
    );

    // OTP with a fixed code.
    let (_, otp) = env
        .post(
            "/api/v2/otp",
            json!({"channel": 27, "mobile": "15550100007"}),
        )
        .await;
    let reference = otp["reference"].as_str().unwrap();
    let (_, verified) = env
        .get(&format!(
            "/api/v2/otp/verify?reference={reference}&otp=123456"
        ))
        .await;
    assert_eq!(verified["matched"], "yes", "{verified}");
}

/// One raw HTTP/1.1 request; returns what came back before the connection closed.
fn raw(addr: std::net::SocketAddr, token: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// [`raw`] `GET /api/v2/credits`, off the async runtime.
async fn raw_off_runtime(addr: std::net::SocketAddr, token: &str) -> String {
    let token = token.to_owned();
    tokio::task::spawn_blocking(move || raw(addr, &token, "/api/v2/credits"))
        .await
        .unwrap()
}

#[tokio::test]
async fn every_fault_kind_can_be_injected_listed_changed_and_cleared() {
    let config = Config {
        faults: vec![FaultSpec::parse("status=503,path=/api/v2/credits,next=1").unwrap()],
        ..common::config()
    };
    let env = env_with(config).await;
    let token = env.sandbox.token().to_owned();
    let addr = env.sandbox.addr();

    // From --fault: the next request only, with Retry-After, in the error shape.
    let (status, headers, body) = env.raw("GET", "/api/v2/credits", Some(&token), None).await;
    assert_eq!(status, 503);
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(body["success"], false, "{body}");
    let (status, _, _) = env.raw("GET", "/api/v2/credits", Some(&token), None).await;
    assert_eq!(status, 200, "used up after one");

    let add = |spec: Value| {
        let env = &env;
        async move {
            let (status, rule) = env.post("/sandbox/faults", spec).await;
            assert_eq!(status, 200, "{rule}");
            rule["data"]["id"].as_u64().unwrap()
        }
    };
    let clear = || async { env.call("DELETE", "/sandbox/faults", None).await };

    // 429 with Retry-After, for one path only.
    add(json!({"kind": "status", "status": 429, "retryAfter": 7, "path": "/credits"})).await;
    let (status, headers, _) = env.raw("GET", "/api/v2/credits", Some(&token), None).await;
    assert_eq!(
        (status, headers["retry-after"].to_str().unwrap()),
        (429, "7")
    );
    let (status, _, _) = env
        .raw("GET", "/api/v2/rcs/agents", Some(&token), None)
        .await;
    assert_eq!(status, 200, "another path");
    // The control surface is never faulted.
    let (status, list) = env.get("/sandbox/faults").await;
    assert_eq!(status, 200);
    assert_eq!(data(&list).len(), 2, "{list}");
    clear().await;

    // 500 on every path, then changed at runtime to 503.
    let id = add(json!({"kind": "status", "status": 500})).await;
    let (status, _, _) = env
        .raw("GET", "/api/v2/rcs/agents", Some(&token), None)
        .await;
    assert_eq!(status, 500);
    let (status, _) = env
        .call(
            "PUT",
            &format!("/sandbox/faults/{id}"),
            Some(json!({"kind": "status", "status": 503})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _, _) = env
        .raw("GET", "/api/v2/rcs/agents", Some(&token), None)
        .await;
    assert_eq!(status, 503);
    let (status, _) = env
        .call("DELETE", &format!("/sandbox/faults/{id}"), None)
        .await;
    assert_eq!(status, 200);

    // Probability 0 never fires; 1 always.
    add(json!({"kind": "status", "status": 500, "probability": 0.0})).await;
    let (status, _, _) = env.raw("GET", "/api/v2/credits", Some(&token), None).await;
    assert_eq!(status, 200);
    clear().await;

    // Latency.
    add(json!({"kind": "latency", "ms": 300, "maxMs": 400, "next": 1})).await;
    let started = std::time::Instant::now();
    let (status, _, _) = env.raw("GET", "/api/v2/credits", Some(&token), None).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A dropped connection after the request is read: no status line at all.
    add(json!({"kind": "drop", "next": 1})).await;
    let answer = raw_off_runtime(addr, &token).await;
    assert!(!answer.contains("HTTP/1.1"), "{answer:?}");

    // A cut-off body: the length announced, half of it sent.
    add(json!({"kind": "cut", "next": 1})).await;
    let answer = raw_off_runtime(addr, &token).await;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < length, "{} of {length} bytes", body.len());
    assert!(serde_json::from_str::<Value>(body).is_err());

    // A redirect to the same URL; the next request gets the real answer.
    add(json!({"kind": "redirect", "next": 1})).await;
    let answer = raw_off_runtime(addr, &token).await;
    assert!(answer.starts_with("HTTP/1.1 307"), "{answer}");
    assert!(answer.contains("location: /api/v2/credits"), "{answer}");

    // A stall outlasts the client's timeout.
    add(json!({"kind": "stall", "ms": 5000, "next": 1})).await;
    let error = noxitel_api::Client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(env.url("/api/v2/credits"))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");

    // Bad rules are refused.
    let (status, body) = env
        .post("/sandbox/faults", json!({"kind": "status", "status": 200}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(FaultSpec::parse("explode").is_err());
    assert_eq!(
        FaultSpec::parse("latency=100..400,probability=0.5,path=/sms").unwrap(),
        serde_json::from_value(
            json!({"kind": "latency", "ms": 100, "maxMs": 400, "probability": 0.5, "path": "/sms"})
        )
        .unwrap()
    );
}

#[tokio::test]
async fn reset_export_and_the_event_log() {
    let config = Config {
        tokens: vec!["one".into(), "two".into()],
        ..common::config()
    };
    let env = env_with(config).await;
    let sent = send_sms(&env, "919887111111", None).await;
    let (_, export) = env.get("/sandbox/export").await;
    assert_eq!(export["account"], "acct_1");
    let sms = export["state"]["sms"].as_array().unwrap();
    assert!(
        sms.iter().any(|s| s["batch_id"] == sent["batch_id"]),
        "{export}"
    );
    assert_eq!(export["state"]["routes"]["1"]["credits"], 3_946_683);

    // The event log: typed kinds with a recipient, for this account only.
    let (_, events) = env.get("/sandbox/events").await;
    let all = data(&events);
    let kinds: Vec<&str> = all.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "account_provisioned");
    assert!(kinds.contains(&"credits_debited") && kinds.contains(&"sms_accepted"));
    let accepted = all.iter().find(|e| e["kind"] == "sms_accepted").unwrap();
    assert_eq!(accepted["recipient"], "919887111111");
    assert_eq!(accepted["account"], "acct_1");
    assert!(accepted["time"].is_string() && accepted["id"].is_u64());
    assert_eq!(accepted["payload"]["sms"]["batch_id"], sent["batch_id"]);
    let (_, filtered) = env.get("/sandbox/events?kind=sms_accepted").await;
    assert_eq!(data(&filtered).len(), 1);
    let other = noxitel_api::Client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(env.url("/sandbox/events"))
        .bearer_auth("two")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        data(&other).iter().all(|e| e["account"] == "acct_2"),
        "{other}"
    );

    // Reset this account: back to the fixtures, the other account untouched.
    let (status, _) = env.call("POST", "/sandbox/reset", None).await;
    assert_eq!(status, 200);
    let (_, credits) = env.get("/api/v2/credits").await;
    assert_eq!(credits["credits"][0]["credits"], 3_946_684);
    let batch = sent["batch_id"].as_str().unwrap();
    let (status, _) = env.get(&format!("/api/v2/dlr?batch_id={batch}")).await;
    assert_eq!(status, 404);
    let (status, _) = env.get("/api/v2/dlr?batch_id=samsms_eink1rilz6ucphk").await;
    assert_eq!(status, 200, "the reference's records are back");
    let (status, body) = env.post("/sandbox/reset", json!({"all": true})).await;
    assert_eq!((status, body["accounts"].clone()), (200, json!(2)));
}

#[tokio::test]
async fn the_event_stream_sends_new_events_as_server_sent_events() {
    let env = env().await;
    let response = noxitel_api::Client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(env.url("/sandbox/events/stream"))
        .bearer_auth(env.sandbox.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = response.bytes_stream();
    send_sms(&env, "919887111111", None).await;
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !text.contains("event: sms_accepted") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        !text.contains("account_provisioned"),
        "only events after the connection: {text}"
    );
    let data = text
        .lines()
        .skip_while(|l| *l != "event: sms_accepted")
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(event["recipient"], "919887111111");
}

#[tokio::test]
async fn webhooks_to_external_hosts_are_held_unless_allowed() {
    let env = env().await;
    send_sms(&env, "919887111111", Some("https://yourapp.com/webhook")).await;
    env.flush().await;
    let (_, log) = env.get("/sandbox/webhooks").await;
    let hook = &log["data"][0];
    assert_eq!(hook["status"], "held", "{log}");
    assert_eq!(hook["attempts"], 0);
    assert!(
        hook["last_error"]
            .as_str()
            .unwrap()
            .contains("--allow-external-webhooks")
    );
    let (_, events) = env.get("/sandbox/events?kind=webhook_queued").await;
    assert_eq!(events["data"][0]["payload"]["hook"]["status"], "held");

    // Private-network and loopback hosts are sent.
    let hook = receiver(0).await;
    send_sms(&env, "919887111111", Some(&hook.url)).await;
    env.flush().await;
    hook.wait_for("the receipt", |b| !b.is_empty()).await;
}

#[tokio::test]
async fn the_typed_control_client_drives_a_running_sandbox() {
    let env = env().await;
    let control = env.sandbox.control();
    assert_eq!(control.url(), env.sandbox.control_url());
    let same = noxitel_sandbox::Control::new(&env.sandbox.base_url(), env.sandbox.token());
    assert_eq!(same.url(), control.url());

    let (_, otp) = env
        .post(
            "/api/v2/otp",
            json!({"channel": 27, "mobile": "918058444444"}),
        )
        .await;
    let info = control.last_otp("+918058444444").await.unwrap();
    assert_eq!(info.reference, otp["reference"].as_str().unwrap());
    assert_eq!(info.otp.len(), 6);
    assert!(!info.verified);
    let missing = control.last_otp("918058999999").await.unwrap_err();
    assert!(
        matches!(
            missing,
            noxitel_sandbox::ControlError::Status { status: 404, .. }
        ),
        "{missing}"
    );

    let flushed = control.flush().await.unwrap();
    assert_eq!(flushed.processed, 1, "the OTP's SMS");
    control.advance_clock(60).await.unwrap();
    let inbound = control
        .whatsapp_inbound("918058444444", "hello")
        .await
        .unwrap();
    assert_eq!(inbound["window_open"], true);
    let rcs = control
        .rcs_inbound("918058444444", "hi agent", None)
        .await
        .unwrap();
    assert!(rcs["conversationId"].is_string(), "{rcs}");
    let events = control.events(0).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    for kind in [
        "otp_issued",
        "sms_status",
        "clock_advanced",
        "whatsapp_inbound",
        "rcs_inbound",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let later = control.events(events[2].id).await.unwrap();
    assert_eq!(later.len(), events.len() - 3);

    let rule = control
        .add_fault(&FaultSpec::parse("status=500,next=1").unwrap())
        .await
        .unwrap();
    assert_eq!(control.faults().await.unwrap()[0].id, rule.id);
    let (status, _) = env.get("/api/v2/credits").await;
    assert_eq!(status, 500);
    assert_eq!(control.faults().await.unwrap()[0].fired, 1);
    assert_eq!(control.clear_faults(None).await.unwrap(), 1);
    assert!(control.faults().await.unwrap().is_empty());

    let export = control.export().await.unwrap();
    assert!(!export["state"]["otps"].as_array().unwrap().is_empty());
    control.reset(false).await.unwrap();
    assert!(control.last_otp("918058444444").await.is_err());
}
