//! `noxitel sandbox otp|inbound|tap|flush|fault|events` against a sandbox started by
//! `noxitel sandbox`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

struct Sandbox {
    child: Child,
    base_url: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Sandbox {
    let mut child = Command::new(cargo_bin("noxitel"))
        .args(["sandbox", "--port", "0", "--accept-token", "ctl-token"])
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut base_url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.trim().strip_prefix("export NOXITEL_BASE_URL=") {
            base_url = Some(url.to_owned());
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    Sandbox {
        child,
        base_url: base_url.expect("the sandbox printed its URL"),
    }
}

fn command(sandbox: &Sandbox, args: &[&str]) -> Command {
    let mut cmd = Command::new(cargo_bin("noxitel"));
    cmd.env("NOXITEL_API_TOKEN", "ctl-token")
        .env("NOXITEL_BASE_URL", &sandbox.base_url)
        .args(args);
    cmd
}

/// Runs with `-o json`: exit code, stdout as JSON (or each line as JSON), stderr.
fn noxitel(sandbox: &Sandbox, args: &[&str]) -> (i32, Value, String) {
    let out = command(sandbox, &[&["-o", "json"], args].concat())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&text).unwrap_or_else(|_| {
        Value::Array(
            text.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect(),
        )
    });
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
    let (code, _, err) = noxitel(&sandbox, &send);
    assert_eq!(code, 6, "{err}");
    let (code, _, err) = noxitel(&sandbox, &send);
    assert_eq!(code, 0, "{err}");

    let (code, otp, err) = noxitel(
        &sandbox,
        &["otp", "send", "--channel", "27", "--mobile", "918058555555"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, last, err) = noxitel(&sandbox, &["sandbox", "otp", "918058555555"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(last["reference"], otp["reference"]);
    let code_text = last["otp"].as_str().unwrap().to_owned();
    let out = command(&sandbox, &["sandbox", "otp", "918058555555"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&code_text),
        "table output"
    );
    let (code, _, err) = noxitel(&sandbox, &["sandbox", "otp", "918058999999"]);
    assert_eq!(code, 1, "no OTP for that number: {err}");

    let (code, flushed, err) = noxitel(&sandbox, &["sandbox", "flush"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        flushed["processed"], 2,
        "the SMS and the OTP's SMS were pending"
    );

    let (code, inbound, err) = noxitel(
        &sandbox,
        &[
            "sandbox",
            "inbound",
            "918058555555",
            "hello",
            "--channel",
            "whatsapp",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(inbound["window_open"], true);
    let (code, inbound, err) = noxitel(&sandbox, &["sandbox", "inbound", "918058555555", "hi"]);
    assert_eq!(code, 0, "{err}");
    assert!(inbound["conversationId"].is_string(), "{inbound}");

    // An RCS card with a reply chip, tapped.
    let card = serde_json::json!({"type": "text", "content": {"text": "Confirm?", "suggestions": [{"type": "reply", "text": "Yes"}]}, "contacts": [{"mobile": "919887111111"}]});
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), card.to_string()).unwrap();
    let (code, sent, err) = noxitel(
        &sandbox,
        &["rcs", "send", "--json", body.path().to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let msg_id = sent["message_id"][0]["msg_id"].as_str().unwrap().to_owned();
    let (code, tap, err) = noxitel(&sandbox, &["sandbox", "tap", &msg_id, "--text", "Yes"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        tap["event"]["suggestionResponse"]["postbackData"],
        format!("{msg_id}||REPLY||Yes")
    );

    // Faults: add, list, clear.
    let (code, rule, err) = noxitel(&sandbox, &["sandbox", "fault", "add", "status=500,next=1"]);
    assert_eq!(code, 0, "{err}");
    assert!(rule["id"].is_u64(), "{rule}");
    let (code, rules, _) = noxitel(&sandbox, &["sandbox", "fault", "list"]);
    assert_eq!(code, 0);
    assert_eq!(rules.as_array().unwrap().len(), 2, "{rules}");
    let (code, _, _) = noxitel(&sandbox, &["sandbox", "fault", "add", "explode"]);
    assert_eq!(code, 2, "a bad rule is a usage error");
    let (code, cleared, _) = noxitel(&sandbox, &["sandbox", "fault", "clear"]);
    assert_eq!(code, 0);
    assert_eq!(cleared["removed"], 2);

    // The event log, then --follow.
    let (code, events, err) = noxitel(&sandbox, &["sandbox", "events"]);
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
    let mut follow = command(&sandbox, &["-o", "json", "sandbox", "events", "--follow"])
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
    let (code, _, err) = noxitel(
        &sandbox,
        &[
            "sms",
            "send",
            "--to",
            "919887111111",
            "--message",
            "followed",
        ],
    );
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
