//! `noxitel sandbox otp|inbound|tap|flush|fault|events` against a sandbox started by
//! `noxitel sandbox`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

use common::sandbox::Sandbox;

fn start(extra: &[&str]) -> Sandbox {
    Sandbox::start("ctl-token", extra)
}

#[test]
fn control_commands_drive_a_running_sandbox() {
    let sandbox = start(&[
        "--dlr-delay-ms",
        "600000",
        "--fault",
        "status=503,path=/sms,next=1",
    ]);
    // The --fault flag passed through: one 503 (a POST is never retried), then the real answer.
    let send = ["sms", "send", "--to", "919887111111", "--message", "hi"];
    let (code, _, err) = sandbox.json(&send);
    assert_eq!(code, 6, "{err}");
    let (code, _, err) = sandbox.json(&send);
    assert_eq!(code, 0, "{err}");

    let (code, otp, err) =
        sandbox.json(&["otp", "send", "--channel", "27", "--mobile", "918058555555"]);
    assert_eq!(code, 0, "{err}");
    let (code, last, err) = sandbox.json(&["sandbox", "otp", "918058555555"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(last["reference"], otp["reference"]);
    let code_text = last["otp"].as_str().unwrap().to_owned();
    let out = sandbox
        .command(&["sandbox", "otp", "918058555555"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&code_text),
        "table output"
    );
    let (code, _, err) = sandbox.json(&["sandbox", "otp", "918058999999"]);
    assert_eq!(code, 1, "no OTP for that number: {err}");

    let (code, flushed, err) = sandbox.json(&["sandbox", "flush"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        flushed["processed"], 2,
        "the SMS and the OTP's SMS were pending"
    );

    let (code, inbound, err) = sandbox.json(&[
        "sandbox",
        "inbound",
        "918058555555",
        "hello",
        "--channel",
        "whatsapp",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(inbound["window_open"], true);
    let (code, inbound, err) = sandbox.json(&["sandbox", "inbound", "918058555555", "hi"]);
    assert_eq!(code, 0, "{err}");
    assert!(inbound["conversationId"].is_string(), "{inbound}");

    // An RCS card with a reply chip, tapped.
    let card = serde_json::json!({"type": "text", "content": {"text": "Confirm?", "suggestions": [{"type": "reply", "text": "Yes"}]}, "contacts": [{"mobile": "919887111111"}]});
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), card.to_string()).unwrap();
    let (code, sent, err) = sandbox.json(&["rcs", "send", "--json", body.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let msg_id = sent["message_id"][0]["msg_id"].as_str().unwrap().to_owned();
    let (code, tap, err) = sandbox.json(&["sandbox", "tap", &msg_id, "--text", "Yes"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        tap["event"]["suggestionResponse"]["postbackData"],
        format!("{msg_id}||REPLY||Yes")
    );

    // Faults: add, list, clear.
    let (code, rule, err) = sandbox.json(&["sandbox", "fault", "add", "status=500,next=1"]);
    assert_eq!(code, 0, "{err}");
    assert!(rule["id"].is_u64(), "{rule}");
    let (code, rules, _) = sandbox.json(&["sandbox", "fault", "list"]);
    assert_eq!(code, 0);
    assert_eq!(rules.as_array().unwrap().len(), 2, "{rules}");
    let (code, _, _) = sandbox.json(&["sandbox", "fault", "add", "explode"]);
    assert_eq!(code, 2, "a bad rule is a usage error");
    let (code, cleared, _) = sandbox.json(&["sandbox", "fault", "clear"]);
    assert_eq!(code, 0);
    assert_eq!(cleared["removed"], 2);

    // The event log, then --follow.
    let (code, events, err) = sandbox.json(&["sandbox", "events"]);
    assert_eq!(code, 0, "{err}");
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for kind in [
        "otp_issued",
        "whatsapp_inbound",
        "rcs_inbound",
        "rcs_tapped",
    ] {
        assert!(kinds.contains(&kind), "{kind} not in {kinds:?}");
    }
    let last = events.as_array().unwrap().last().unwrap()["id"]
        .as_u64()
        .unwrap();
    let mut follow = sandbox
        .command(&["-o", "json", "sandbox", "events", "--follow"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(follow.stdout.take().unwrap()).lines();
    // It first prints what is there, up to the last event.
    let started = Instant::now();
    loop {
        let line = lines.next().expect("a line").unwrap();
        let event: Value = serde_json::from_str(&line).unwrap();
        if event["id"].as_u64() == Some(last) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    let (code, _, err) = sandbox.json(&[
        "sms",
        "send",
        "--to",
        "919887111111",
        "--message",
        "followed",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut seen = Vec::new();
    while !seen.iter().any(|k| k == "sms_accepted") {
        let line = lines.next().expect("a streamed event").unwrap();
        let event: Value = serde_json::from_str(&line).unwrap();
        assert!(event["id"].as_u64().unwrap() > last);
        seen.push(event["kind"].as_str().unwrap().to_owned());
    }
    let _ = follow.kill();
    let _ = follow.wait();
}
