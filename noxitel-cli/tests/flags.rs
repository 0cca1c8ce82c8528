//! The command's flags come from the document: every parameter and every body field a flag can
//! hold is a flag of its operation's command, named as in the document; flags and a `--json`
//! body combine; a wrong value or a missing required field is a usage error naming the flag.

use assert_cmd::Command;
use clap::CommandFactory as _;
use httpmock::MockServer;
use serde_json::{Value, json};

const TOKEN: &str = "test-token-123";

/// The command of each operation.
const COMMANDS: &[(&str, &[&str])] = &[
    ("sendSms", &["sms", "send"]),
    ("getSmsDlr", &["sms", "dlr"]),
    ("getCredits", &["credits"]),
    ("sendWhatsappMessage", &["whatsapp", "send"]),
    ("getWhatsappReport", &["whatsapp", "report"]),
    ("checkWhatsappWindow", &["whatsapp", "window"]),
    ("getWhatsappPrices", &["whatsapp", "prices"]),
    ("sendRcsMessage", &["rcs", "send"]),
    ("upsertRcsAgent", &["rcs", "agent", "create"]),
    ("submitRcsAgent", &["rcs", "agent", "submit"]),
    ("getRcsAgent", &["rcs", "agent", "get"]),
    ("listRcsAgents", &["rcs", "agent", "list"]),
    ("launchRcsAgent", &["rcs", "agent", "launch"]),
    ("addRcsTestDevice", &["rcs", "testdevice", "add"]),
    ("removeRcsTestDevice", &["rcs", "testdevice", "remove"]),
    ("listRcsTestDevices", &["rcs", "testdevice", "list"]),
    ("getRcsCapability", &["rcs", "capability"]),
    ("getRcsConversation", &["rcs", "conversation"]),
    ("getRcsDlr", &["rcs", "dlr"]),
    ("placeVoiceCall", &["voice", "call"]),
    ("sendOtp", &["otp", "send"]),
    ("verifyOtp", &["otp", "verify"]),
];

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/noxitel.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/noxitel.json"))
        .expect("JSON")
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    }
}

/// A string, number, boolean or enum, or a list of those: what a flag can hold.
fn fits_a_flag(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    let scalar = |s: &Value| {
        let s = resolve(doc, s);
        s["enum"].is_array()
            || matches!(
                s["type"].as_str(),
                Some("string" | "integer" | "number" | "boolean")
            )
    };
    match schema["type"].as_str() {
        Some("array") => scalar(&schema["items"]),
        _ => scalar(schema),
    }
}

/// `routeId` → `route-id`, `dlt_entity_id` → `dlt-entity-id`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

/// Every (operation, name in the document) that should be a flag.
fn documented_inputs(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            for p in op["parameters"].as_array().into_iter().flatten() {
                out.push((id.clone(), p["name"].as_str().unwrap().to_owned()));
            }
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            if body.is_null() {
                continue;
            }
            let body = resolve(doc, body);
            for (name, schema) in body["properties"].as_object().unwrap() {
                if fits_a_flag(doc, schema) {
                    out.push((id.clone(), name.clone()));
                }
            }
        }
    }
    out
}

fn subcommand(path: &[&str]) -> clap::Command {
    let mut command = noxitel_cli::cli::Cli::command();
    command.build();
    for name in path {
        command = command
            .find_subcommand(name)
            .unwrap_or_else(|| panic!("no subcommand {path:?}"))
            .clone();
    }
    command
}

#[test]
fn the_command_line_is_well_formed() {
    noxitel_cli::cli::Cli::command().debug_assert();
}

#[test]
fn every_parameter_and_scalar_body_field_is_a_flag_of_its_command() {
    let doc = document();
    let inputs = documented_inputs(&doc);
    assert!(inputs.len() > 50, "the walk found {} inputs", inputs.len());
    let mut missing = Vec::new();
    for (op, name) in &inputs {
        let (_, path) = COMMANDS
            .iter()
            .find(|(id, _)| id == op)
            .unwrap_or_else(|| panic!("{op}: no command in COMMANDS"));
        let command = subcommand(path);
        let long = kebab(name);
        let has_flag = command.get_arguments().any(|a| a.get_long() == Some(&long));
        // `rcs agent get 42`: the path parameter is positional.
        let positional = command
            .get_positionals()
            .any(|a| a.get_id().as_str() == name);
        if !has_flag && !positional {
            missing.push(format!(
                "{op}.{name}: no --{long} in `noxitel {}`",
                path.join(" ")
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // Every operation has its command, and the table names no other.
    for (op, _) in COMMANDS {
        assert!(
            doc["paths"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|item| item.as_object().unwrap().values())
                .any(|o| o["operationId"] == *op),
            "{op} is not in the document"
        );
    }
}

#[test]
fn fields_the_old_hand_written_flags_lacked_are_flags_now() {
    // The agent's contact and legal fields were --json only before the flags were generated.
    let command = subcommand(&["rcs", "agent", "create"]);
    for long in ["phone", "email", "website", "privacy-url", "terms-url"] {
        assert!(
            command.get_arguments().any(|a| a.get_long() == Some(long)),
            "--{long}"
        );
    }
}

fn noxitel(base_url: &str) -> Command {
    let mut cmd = Command::cargo_bin("noxitel").unwrap();
    cmd.env("NOXITEL_API_TOKEN", TOKEN)
        .env("NOXITEL_BASE_URL", base_url);
    cmd
}

/// Runs `noxitel ARGS` against a server expecting exactly this request (and giving this
/// answer); it must succeed.
fn sends(args: &[&str], (method, path, body): (&str, &str, Value), answer: Value) {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(method)
            .path(format!("/api/v2{path}"))
            .json_body(body);
        then.status(200).json_body(answer);
    });
    let out = noxitel(&format!("{}/api/v2", server.base_url()))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    mock.assert();
}

#[test]
fn flags_override_the_json_file_and_reach_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.json");
    std::fs::write(
        &file,
        r#"{"sender": "FROMFILE", "routeId": 1, "schedule": "2026-12-24 09:00:00"}"#,
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let args = [
        "sms",
        "send",
        "--json",
        file,
        "--to",
        "919887111111",
        "-m",
        "Hi",
    ];
    let flags = [
        "--route-id",
        "8",
        "--mode",
        "flash",
        "--dlt-entity-id",
        "E1",
    ];
    let body = json!({
        "sender": "FROMFILE",
        "routeId": 8,
        "schedule": "2026-12-24 09:00:00",
        "mode": "flash",
        "message": "Hi",
        "contacts": [{"mobile": "919887111111"}],
        "dlt_entity_id": "E1",
    });
    let answer = json!({"status": "success", "batch_id": "b1", "total_contacts": 1,
        "message_id": []});
    sends(
        &[&args[..], &flags[..]].concat(),
        ("POST", "/sms", body),
        answer,
    );
}

#[test]
fn a_list_flag_takes_repeats_and_commas() {
    sends(
        &[
            "rcs",
            "agent",
            "launch",
            "--agent-id",
            "42",
            "--carriers",
            "a,b",
            "--carriers",
            "c",
        ],
        (
            "POST",
            "/rcs/agent/launch",
            json!({"agentId": 42, "carriers": ["a", "b", "c"]}),
        ),
        json!({"status": "success", "message": "Launch requested"}),
    );
}

#[test]
fn exactly_one_id_for_delivery_reports() {
    sends(
        &["sms", "dlr", "--sms-id", "s1"],
        ("GET", "/dlr", json!({"sms_id": "s1"})),
        json!({"status": "success", "data": []}),
    );
    let stderr = refused(&["sms", "dlr", "--sms-id", "s1", "--batch-id", "b1"]);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let stderr = refused(&["rcs", "dlr"]);
    assert!(stderr.contains("--batch-id"), "{stderr}");
}

/// Runs a command that must fail before sending: exit 2, and its stderr.
fn refused(args: &[&str]) -> String {
    let server = MockServer::start();
    let any = server.mock(|_, then| {
        then.status(200).json_body(json!({"status": "success"}));
    });
    let out = noxitel(&format!("{}/api/v2", server.base_url()))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(any.calls(), 0, "{args:?}: nothing is sent");
    stderr
}

#[test]
fn a_value_the_document_does_not_list_is_a_usage_error() {
    let stderr = refused(&["sms", "send", "--to", "1", "-m", "Hi", "--mode", "bold"]);
    assert!(
        stderr.contains("'bold'") && stderr.contains("text, flash, unicode"),
        "{stderr}"
    );
    let stderr = refused(&["sms", "send", "--to", "1", "-m", "Hi", "--route-id", "x"]);
    assert!(stderr.contains("--route-id"), "{stderr}");
    let stderr = refused(&["whatsapp", "report", "--id", "m1", "--mode", "daily"]);
    assert!(stderr.contains("message, campaign"), "{stderr}");
}

#[test]
fn a_missing_required_field_names_its_flag() {
    let stderr = refused(&["voice", "call", "--from", "918000000000", "--tts", "Hi"]);
    assert!(
        stderr.contains("voice call: missing --to") && !stderr.contains("--from,"),
        "{stderr}"
    );
    let stderr = refused(&["otp", "send", "--mobile", "919887111111"]);
    assert!(stderr.contains("otp send: missing --channel"), "{stderr}");
    // A required object no flag holds is named as a field.
    let stderr = refused(&["whatsapp", "send", "-m", "Hi", "--phone-id", "1"]);
    assert!(
        stderr.contains("whatsapp send: missing `contacts`"),
        "{stderr}"
    );
}
