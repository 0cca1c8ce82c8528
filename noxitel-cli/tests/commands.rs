//! Every subcommand sends the documented request (method, path, query, JSON body, bearer
//! token); `-o json` prints the API's answer; errors exit with the documented codes.

mod common;

use assert_cmd::Command;
use common::{assert_contains, exited};
use httpmock::MockServer;
use serde_json::{Value, json};

const TOKEN: &str = "test-token-123";

struct Case {
    /// The command line after `noxitel`, split by [`words`].
    args: &'static str,
    /// `METHOD /path?query` under /api/v2 (the query's pairs as written, without escapes).
    request: &'static str,
    body: Option<Value>,
    answer: Value,
}

/// A command line's words: split at spaces, except inside '…' (which are dropped).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    for (i, part) in line.split('\'').enumerate() {
        if i % 2 == 1 {
            words.push(part.to_owned());
        } else {
            words.extend(part.split_whitespace().map(str::to_owned));
        }
    }
    words
}

fn noxitel(base_url: &str) -> Command {
    let mut cmd = Command::cargo_bin("noxitel").unwrap();
    cmd.env("NOXITEL_API_TOKEN", TOKEN)
        .env("NOXITEL_BASE_URL", base_url);
    cmd
}

fn check(case: &Case) {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let (method, target) = case.request.split_once(' ').unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut when = when
            .method(method)
            .path(format!("/api/v2{path}"))
            .header("authorization", format!("Bearer {TOKEN}"));
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap();
            when = when.query_param(k, v);
        }
        if let Some(body) = &case.body {
            when.json_body(body.clone());
        }
        then.status(200).json_body(case.answer.clone());
    });
    let base = format!("{}/api/v2", server.base_url());
    let out = noxitel(&base)
        .args(["-o", "json"])
        .args(words(case.args))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?}: exit {:?}, stderr {}",
        case.args,
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    mock.assert();
    let printed: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{:?}: stdout is not JSON ({e})", case.args));
    // `-o json` is the API's answer exactly as sent: same JSON, same bytes.
    assert_eq!(
        printed, case.answer,
        "{:?}: -o json is the API's answer",
        case.args
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        serde_json::to_string(&case.answer).unwrap(),
        "{:?}: -o json prints the body as received",
        case.args
    );
    // The table rendering works too.
    let out = noxitel(&base).args(words(case.args)).output().unwrap();
    assert!(out.status.success(), "{:?} (table)", case.args);
    assert!(!out.stdout.is_empty());
}

/// A mock API answering `METHOD /api/v2PATH` with `status` and `answer` (and `Retry-After: 0`,
/// so that a retried error is retried at once).
fn answering(method: &str, path: &str, status: u16, answer: Value) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(method).path(format!("/api/v2{path}"));
        then.status(status)
            .header("retry-after", "0")
            .json_body(answer);
    });
    server
}

/// `noxitel` against the mock API `server`.
fn against(server: &MockServer) -> Command {
    noxitel(&format!("{}/api/v2", server.base_url()))
}

/// Runs `command`, which must exit with `code`; its stderr.
fn stderr_of(command: &mut Command, code: i32) -> String {
    exited(&command.output().unwrap(), code).1
}

/// Writes `text` to a file `name` in `dir`; its path.
fn write_in(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn ok() -> Value {
    json!({"status": "success", "message": "done"})
}

#[test]
fn every_operation_sends_the_documented_request() {
    let dir = tempfile::tempdir().unwrap();
    let card = write_in(
        &dir,
        "card.json",
        r#"{"orientation":"VERTICAL","card":{"title":"Flash Sale 40% Off","description":"Use FLASH40.",
        "media":{"url":"https://cdn.example.com/sale.jpg","height":"MEDIUM"},
        "suggestions":[{"type":"url","text":"Shop Now","url":"https://brand.com/sale"}]}}"#,
    );
    let template = write_in(
        &dir,
        "template.json",
        r#"{"phoneId":"1234567890","type":"template","templateId":"welcome_template",
        "contacts":[{"msisdn":"919887111111","parameters":{"header":[{"type":"text","value":"Hello!"}],
        "body":["Sam","Special Offer"],"buttons":[{"index":0,"url":"https://brand.com/offer"}]}}]}"#,
    );
    // The two files are named in their command lines, which live as long as the cases.
    let rcs_args: &'static str = Box::leak(
        format!(
            "rcs send --agent-id 3 --type rich_card --content '{}' --to 919887111111 \
             --traffic-type PROMOTION",
            card.display()
        )
        .into_boxed_str(),
    );
    let wa_template: &'static str =
        Box::leak(format!("whatsapp send --json '{}'", template.display()).into_boxed_str());

    let cases = [
        Case {
            args: "credits",
            request: "GET /credits",
            body: None,
            answer: json!({"status": "success", "billing_mode": "credits",
                "wallet": {"amount": "120.00", "currency": "USD"},
                "credits": [{"route": "Standard", "credits": 3946684}]}),
        },
        Case {
            args: "sms send --to 919887111111 --sender NOXITEL --mode text --message 'Hi #name#, your OTP is #otp#' --param name=Sam --param otp=847291 --campaign-id 1 --route-id 1 --notify-url https://yourapp.com/webhook/sms --dlt-entity-id 1234567890 --dlt-template-id 1234567890",
            request: "POST /sms",
            body: Some(
                json!({"campaignId": 1, "routeId": 1, "sender": "NOXITEL", "mode": "text",
                "message": "Hi #name#, your OTP is #otp#",
                "contacts": [{"mobile": "919887111111", "parameters": {"name": "Sam", "otp": "847291"}}],
                "notifyUrl": "https://yourapp.com/webhook/sms",
                "dlt_entity_id": "1234567890", "dlt_template_id": "1234567890"}),
            ),
            answer: json!({"status": "success", "message": "SMS Submitted successfully",
                "batch_id": "samsms_eink1rilz6ucphk", "total_contacts": 1,
                "message_id": [{"mobile": "919887111111", "sms_id": "1ef4d949-7639-6880-bf73-ae794"}]}),
        },
        Case {
            args: "sms dlr --batch-id samsms_eink1rilz6ucphk",
            request: "GET /dlr",
            body: Some(json!({"batch_id": "samsms_eink1rilz6ucphk"})),
            answer: json!({"status": "success", "data": [{"sms_shoot_id": "user_6q0za64m0ql0vu7",
                "mobile": 918058111111u64, "sender_id": "NOXITEL", "sent": "2026-05-01 10:05:30",
                "dlr": {"status": "Handset Delivered", "operator_reply": "DELIVRD",
                "delivery_time": "2026-05-01 10:05:42"}}]}),
        },
        Case {
            args: "whatsapp send --to 919887111111 --message 'Hello! Your order has been shipped.'",
            request: "POST /whatsapp/message",
            body: Some(json!({"message": "Hello! Your order has been shipped.",
                "contacts": [{"msisdn": "919887111111"}]})),
            answer: json!({"status": "success", "message": "Messages Sent Successfully",
                "total_cost": 0.05, "total_contacts": 1,
                "message_id": [{"msisdn": "919887111111", "msg_id": "msg_abc123"}]}),
        },
        Case {
            args: wa_template,
            request: "POST /whatsapp/message",
            body: Some(
                json!({"phoneId": "1234567890", "type": "template", "templateId": "welcome_template",
                "contacts": [{"msisdn": "919887111111", "parameters": {
                    "header": [{"type": "text", "value": "Hello!"}], "body": ["Sam", "Special Offer"],
                    "buttons": [{"index": 0, "url": "https://brand.com/offer"}]}}]}),
            ),
            answer: json!({"status": "success", "message": "Messages Sent Successfully",
                "total_contacts": 1, "message_id": []}),
        },
        Case {
            args: "whatsapp report --mode message --id MSG_ID",
            request: "GET /whatsapp/report?mode=message&id=MSG_ID",
            body: None,
            answer: json!({"msg_id": "1f020deb-2669-6060-b900-1fc1c519d2b7", "msisdn": "919887111111",
                "phone_id": "12345678909812", "direction": "outgoing",
                "timestamp": "2026-05-01T07:35:29.000Z", "cost": 0.05, "status": "delivered"}),
        },
        Case {
            args: "whatsapp window --phone-id 1234567890 --msisdn 919887111111",
            request: "GET /whatsapp/checkwindow?phoneId=1234567890&msisdn=919887111111",
            body: None,
            answer: json!({"status": "success", "window_open": true, "expires_at": "2026-05-02T10:00:00Z"}),
        },
        Case {
            args: "whatsapp prices",
            request: "GET /whatsapp/prices",
            body: None,
            answer: json!([{"country": "India", "zone": "Zone 2", "prefix": "+91",
                "price": {"marketing": 0.0492, "utility": 0.0147, "authentication": 0.0147,
                "authenticationInt": 0.0147, "service": 0}}]),
        },
        Case {
            args: "rcs send --agent-id 3 --text 'Hi #name#' --to 919887111111 --param name=Sam --traffic-type TRANSACTION",
            request: "POST /rcs/message",
            body: Some(
                json!({"agentId": 3, "type": "text", "content": {"text": "Hi #name#"},
                "contacts": [{"mobile": "919887111111", "parameters": {"name": "Sam"}}],
                "trafficType": "TRANSACTION"}),
            ),
            answer: json!({"status": "success", "message": "RCS submitted successfully",
                "batch_id": "rcs_k8a9s2lmnp4xvqr", "total_contacts": 1,
                "message_id": [{"mobile": "919887111111", "msg_id": "1f134cd4-e08d-6de0-87b5-aefe80a0acca"}]}),
        },
        Case {
            args: rcs_args,
            request: "POST /rcs/message",
            body: Some(
                json!({"agentId": 3, "type": "rich_card", "trafficType": "PROMOTION",
                "content": {"orientation": "VERTICAL", "card": {"title": "Flash Sale 40% Off",
                "description": "Use FLASH40.", "media": {"url": "https://cdn.example.com/sale.jpg", "height": "MEDIUM"},
                "suggestions": [{"type": "url", "text": "Shop Now", "url": "https://brand.com/sale"}]}},
                "contacts": [{"mobile": "919887111111"}]}),
            ),
            answer: json!({"status": "success", "batch_id": "rcs_1", "total_contacts": 1, "message_id": []}),
        },
        Case {
            args: "rcs dlr --batch-id rcs_k8a9s2lmnp4xvqr",
            request: "GET /rcs/dlr?batch_id=rcs_k8a9s2lmnp4xvqr",
            body: None,
            answer: json!({"status": "success", "data": [{"msg_id": "1f134cd4", "mobile": "919887111111",
                "agentId": 42, "sent": "2026-05-01 14:11:53",
                "dlr": {"status": "delivered", "delivery_time": "2026-05-01 14:12:01"}}]}),
        },
        Case {
            args: "rcs capability --mobile 919887111111 --agent-id 42",
            request: "GET /rcs/capability?mobile=919887111111&agentId=42",
            body: None,
            answer: json!({"status": "success", "mobile": "919887111111", "rcsEnabled": true, "features": ["RICHCARD_STANDALONE", "RICHCARD_CAROUSEL", "ACTION_OPEN_URL"]}),
        },
        Case {
            args: "rcs conversation --agent-id 42 --mobile 919887111111",
            request: "GET /rcs/conversation?agentId=42&mobile=919887111111",
            body: None,
            answer: json!({"status": "success", "conversationId": "1f1328bb", "active": true,
                "startedAt": "2026-05-01 14:11:53", "expiresAt": "2026-05-02 14:11:53", "direction": "P2A"}),
        },
        Case {
            args: "rcs agent create --agent-name support_bot --display-name 'Noxitel Support' --brand-name Noxitel",
            request: "POST /rcs/agent",
            body: Some(
                json!({"agentName": "support_bot", "displayName": "Noxitel Support", "brandName": "Noxitel"}),
            ),
            answer: ok(),
        },
        Case {
            args: "rcs agent submit --agent-id 42",
            request: "POST /rcs/agent/submit",
            body: Some(json!({"agentId": 42})),
            answer: ok(),
        },
        Case {
            args: "rcs agent get 42",
            request: "GET /rcs/agent/42",
            body: None,
            answer: json!({"status": "success", "data": {"agentId": 42, "agentName": "support_bot"}}),
        },
        Case {
            args: "rcs agent get --agent-id 42",
            request: "GET /rcs/agent/42",
            body: None,
            answer: json!({"status": "success", "data": {"agentId": 42}}),
        },
        Case {
            args: "rcs agent list",
            request: "GET /rcs/agents",
            body: None,
            answer: json!({"status": "success", "data": [{"agentId": 42, "agentName": "support_bot"}]}),
        },
        Case {
            args: "rcs agent launch --agent-id 42 --carriers airtel-india,reliance-jio-india",
            request: "POST /rcs/agent/launch",
            body: Some(json!({"agentId": 42, "carriers": ["airtel-india", "reliance-jio-india"]})),
            answer: ok(),
        },
        Case {
            args: "rcs testdevice add --agent-id 42 --phone-number +919887979736",
            request: "POST /rcs/testdevice",
            body: Some(json!({"agentId": 42, "phoneNumber": "+919887979736"})),
            answer: ok(),
        },
        Case {
            args: "rcs testdevice list --agent-id 42",
            request: "GET /rcs/testdevices?agentId=42",
            body: None,
            answer: json!({"status": "success", "data": ["+919887979736"]}),
        },
        Case {
            args: "rcs testdevice remove --agent-id 42 --phone-number +919887979736",
            request: "DELETE /rcs/testdevice",
            body: Some(json!({"agentId": 42, "phoneNumber": "+919887979736"})),
            answer: ok(),
        },
        Case {
            args: "voice call --to 919887111111 --from YOUR_VOICE_NUMBER --tts 'Your Noxitel OTP is 8 4 7 2 9 1.' --language en-IN --voice female --repeat 2 --notify-url https://yourapp.com/webhook/voice",
            request: "POST /voice/call",
            body: Some(json!({"to": "919887111111", "from": "YOUR_VOICE_NUMBER",
                "tts": {"text": "Your Noxitel OTP is 8 4 7 2 9 1.", "language": "en-IN", "voice": "female", "repeat": 2},
                "notifyUrl": "https://yourapp.com/webhook/voice"})),
            answer: json!({"callId": "call_Kx9Ab2", "status": "ringing", "to": "919887111111"}),
        },
        Case {
            args: "otp send --channel 27 --mobile 919887111111",
            request: "POST /otp",
            body: Some(json!({"channel": 27, "mobile": "919887111111"})),
            answer: json!({"status": "success", "reference": "036BZDUHIX"}),
        },
        Case {
            args: "otp verify --reference 036BZDUHIX --otp 847291",
            request: "GET /otp/verify?reference=036BZDUHIX&otp=847291",
            body: None,
            answer: json!({"status": "success", "matched": "yes"}),
        },
    ];
    for case in &cases {
        check(case);
    }
}

fn error_case(status: u16, body: Value) -> (Option<i32>, String) {
    let server = answering("GET", "/credits", status, body);
    let out = against(&server).args(["credits"]).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn errors_exit_with_documented_codes() {
    let api = |status: u16, message: &str| json!({"success": false, "status": status, "message": message});
    let cases = [
        (
            400,
            "Missing parameter",
            1,
            "bad request: Missing parameter (HTTP 400)",
        ),
        (401, "IP not whitelisted", 3, "IP address not whitelisted"),
        (
            403,
            "API Key Missing",
            3,
            "credits failed: invalid or missing API key: API Key Missing (HTTP 403)",
        ),
        (
            402,
            "Insufficient balance",
            4,
            "insufficient credits: Insufficient balance (HTTP 402)",
        ),
        (404, "Not found", 1, "credits failed: Not found (HTTP 404)"),
        (
            429,
            "Too many requests",
            5,
            "rate limit exceeded: Too many requests (HTTP 429)",
        ),
        (
            402,
            "Insufficient credits: 3 needed, 1 left",
            4,
            // the kind is not repeated when the API's message already says it
            "credits failed: Insufficient credits: 3 needed, 1 left (HTTP 402)",
        ),
        (
            500,
            "Internal failure",
            6,
            "server error: Internal failure (HTTP 500)",
        ),
        (
            500,
            "Server error",
            6,
            "credits failed: Server error (HTTP 500)",
        ),
    ];
    for (status, message, code, expected) in cases {
        let (exit, stderr) = error_case(status, api(status, message));
        assert_eq!(exit, Some(code), "HTTP {status}: {stderr}");
        assert!(stderr.contains(expected), "HTTP {status}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains(TOKEN));
    }
    // Network: nothing listens.
    let out = noxitel("http://127.0.0.1:9/api/v2")
        .arg("credits")
        .output()
        .unwrap();
    exited(&out, 7);
    // Auth: no token.
    let out = Command::cargo_bin("noxitel")
        .unwrap()
        .env_remove("NOXITEL_API_TOKEN")
        .env("NOXITEL_BASE_URL", "http://127.0.0.1:9/api/v2")
        .arg("credits")
        .output()
        .unwrap();
    exited(&out, 3);
    // Usage.
    let out = noxitel("http://127.0.0.1:9/api/v2")
        .args(["sms", "dlr"])
        .output()
        .unwrap();
    exited(&out, 2);
    let out = noxitel("http://127.0.0.1:9/api/v2")
        .args(["sms", "send", "--to", "x1"])
        .output()
        .unwrap();
    exited(&out, 2);
}

#[test]
fn otp_mismatch_exits_1() {
    let answer = json!({"status": "error", "matched": "no",
        "message": "OTP does not match or has expired"});
    let server = answering("GET", "/otp/verify", 200, answer);
    let stderr = stderr_of(
        against(&server).args(["otp", "verify", "--reference", "036BZDUHIX", "--otp", "1"]),
        1,
    );
    assert_contains(&stderr, "OTP does not match");
}

#[test]
fn verbose_tracing_never_shows_the_token() {
    let server = answering(
        "GET",
        "/credits",
        200,
        json!({"status": "success", "credits": []}),
    );
    let out = against(&server).args(["-vv", "credits"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.is_empty(), "-vv traces something");
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

#[test]
fn segments_offline() {
    let out = Command::cargo_bin("noxitel")
        .unwrap()
        .env_remove("NOXITEL_API_TOKEN")
        .args(["-o", "json", "sms", "segments", &"€".repeat(81)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["encoding"], "GSM-7");
    assert_eq!(v["units"], 162);
    assert_eq!(v["segments"], 2);
}

#[test]
fn every_help_is_complete() {
    let groups: &[&[&str]] = &[
        &[],
        &["credits"],
        &["sms"],
        &["sms", "send"],
        &["sms", "dlr"],
        &["sms", "segments"],
        &["whatsapp"],
        &["whatsapp", "send"],
        &["whatsapp", "report"],
        &["whatsapp", "window"],
        &["whatsapp", "prices"],
        &["rcs"],
        &["rcs", "send"],
        &["rcs", "dlr"],
        &["rcs", "capability"],
        &["rcs", "conversation"],
        &["rcs", "agent"],
        &["rcs", "agent", "create"],
        &["rcs", "agent", "submit"],
        &["rcs", "agent", "get"],
        &["rcs", "agent", "list"],
        &["rcs", "agent", "launch"],
        &["rcs", "testdevice"],
        &["rcs", "testdevice", "add"],
        &["rcs", "testdevice", "list"],
        &["rcs", "testdevice", "remove"],
        &["voice"],
        &["voice", "call"],
        &["otp"],
        &["otp", "send"],
        &["otp", "verify"],
        &["webhook"],
        &["webhook", "listen"],
        &["sandbox"],
    ];
    for args in groups {
        let out = Command::cargo_bin("noxitel")
            .unwrap()
            .args(*args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?} --help");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Usage:"), "{args:?}: {help}");
    }
    let out = Command::cargo_bin("noxitel")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for code in [
        "usage",
        "authentication",
        "insufficient credits",
        "rate limit",
        "server error",
        "network",
    ] {
        assert!(
            help.contains(code),
            "exit code for {code} documented: {help}"
        );
    }
}

#[test]
fn a_404_with_a_base_url_lacking_api_v2_gets_a_hint() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(404)
            .json_body(json!({"success": false, "status": 404, "message": "No such endpoint"}));
    });
    let stderr = stderr_of(noxitel(&server.base_url()).args(["credits"]), 1);
    assert_contains(&stderr, "hint: the base URL usually ends with /api/v2");
}

#[test]
fn a_send_that_times_out_warns_it_may_have_been_sent() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method("POST").path("/api/v2/sms");
        then.status(200)
            .delay(std::time::Duration::from_secs(5))
            .json_body(json!({"status": "success"}));
    });
    let stderr = stderr_of(
        against(&server).args(words(
            "--timeout 1 sms send --to 919887111111 --sender NOXITEL --message hi",
        )),
        7,
    );
    assert_contains(&stderr, "may have been processed");
    assert_contains(&stderr, "GET /dlr");
}

#[test]
fn an_unfilled_placeholder_is_warned_about_before_sending() {
    let answer = json!({"status": "success", "message": "sent", "batch_id": "b1", "sms_id": []});
    let server = answering("POST", "/sms", 200, answer);
    let send = |extra: &[&str]| {
        let out = against(&server)
            .args(["sms", "send", "--to", "919887111111", "--sender", "NOXITEL"])
            .args(["--message", "Hi #name#"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = send(&[]);
    assert_contains(
        &stderr,
        "warning: #name# has no value for 1 of 1 contact(s)",
    );
    let stderr = send(&["--param", "name=Sam"]);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn global_options_have_their_own_heading_and_stay_out_of_usage_lines() {
    let out = noxitel("http://127.0.0.1:9/api/v2")
        .args(["sms", "dlr", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let (own, global) = help.split_once("Global options:").expect(&help);
    assert!(own.contains("--batch-id"), "{help}");
    assert!(!own.contains("--token"), "{help}");
    assert!(
        global.contains("--token") && global.contains("NOXITEL_API_TOKEN"),
        "{help}"
    );
    // Token and base URL from the environment are not shown as if they had to be typed.
    let stderr = stderr_of(
        noxitel("http://127.0.0.1:9/api/v2").args(["otp", "verify"]),
        2,
    );
    let usage = stderr
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .expect(&stderr);
    assert_eq!(
        usage,
        "Usage: noxitel otp verify --reference <REFERENCE> --otp <OTP>"
    );
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Command::cargo_bin("noxitel")
            .unwrap()
            .env_remove("NOXITEL_API_TOKEN")
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("noxitel") && script.contains("segments"),
            "{shell}"
        );
    }
}

/// A rich card's content without its `type`.
const UNTYPED_CARD: &str =
    r#"{"card": {"title": "Hi", "description": "A card"}, "orientation": "VERTICAL"}"#;

#[test]
fn content_without_type_says_which_type_its_shape_is() {
    let dir = tempfile::tempdir().unwrap();
    let card = write_in(&dir, "card.json", UNTYPED_CARD);
    let rcs_send = |content: &std::path::Path| {
        let out = noxitel("http://127.0.0.1:9/api/v2")
            .args([
                "rcs",
                "send",
                "--to",
                "919887111111",
                "--agent-id",
                "1",
                "--content",
            ])
            .arg(content)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = rcs_send(&card);
    assert_eq!(code, Some(2), "{stderr}");
    assert_contains(
        &stderr,
        "has the shape of a rich_card message: pass --type rich_card",
    );
    std::fs::write(&card, r#"{"url": "https://example.com/a.png"}"#).unwrap();
    let (code, stderr) = rcs_send(&card);
    assert_eq!(code, Some(2), "{stderr}");
    assert_contains(&stderr, "pass --type media");
}
