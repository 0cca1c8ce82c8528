//! Wire-format snapshots (insta), committed under `tests/tests/snapshots/`, so that any change to
//! what goes over the wire shows up in review as a readable diff:
//!
//! * `request__<operationId>` — for each of the 22 operations, the exact HTTP request the typed
//!   client sends (method, path, query, headers, JSON body), captured by a local server and built
//!   from the document's own request examples; the body sent must also be JSON-equal to the
//!   example (and every request example of the document is sent and compared, not only the one
//!   snapshotted);
//! * `<kind>__<fixture>__typed` / `__json` — for every reference example in
//!   `tests/fixtures/seed/`, the typed value (`{:#?}`) and its re-serialized JSON, which must
//!   equal the example (numbers compared by value);
//! * `surface__operations` / `surface__schemas` — the public surface of the generated client
//!   (operations, `Client` methods and their signatures; component schemas with their markers).
//!
//! `snapshot_directory_holds_exactly_the_suite` fails on unreferenced snapshots and on pending
//! `.snap.new` / `.pending-snap` files, so CI (`INSTA_UPDATE=no`) needs no `cargo-insta`.
//!
//! Snapshots are deterministic: JSON objects are printed with sorted keys (the client serializes
//! some maps from a `HashMap`), headers are sorted by name, volatile headers (`host`,
//! `content-length`) are dropped, the crate version in `user-agent` is replaced by `[version]`,
//! and unordered maps in `Debug` output are sorted.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use common::hostile::{Fault, Hostile};
use common::{BASE_PATH, TOKEN, json_eq, seed};
use heck::{ToSnakeCase, ToUpperCamelCase};
use noxitel_api::types::WhatsappReportMode;
use noxitel_api::{Client, RetryPolicy};
use noxitel_codegen::{ADAPTED_OPERATIONS, ParamType, Spec};
use noxitel_tests::fixtures::{FixtureKind, fixture_types, seed_names, typed_seed_names};
use noxitel_tests::spec_support::{self, escape, resolve_ref};
use serde::de::DeserializeOwned;
use serde_json::Value;

// =============================================================================== shared plumbing

/// Name of this test binary: insta prefixes every snapshot file with it.
const SUITE: &str = "wire_snapshots";

/// Where the snapshots live.
fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// The typed view of the document the generators use.
fn spec() -> Spec {
    Spec::from_file(noxitel_tests::spec_path()).expect("openapi/noxitel.yaml parses")
}

/// Runs every snapshot assertion of a test, even after one failed, so a run shows every diff;
/// the test then fails listing the snapshots that differ.
#[derive(Default)]
struct Batch {
    failed: Vec<String>,
}

impl Batch {
    /// Asserts `text` against snapshot `name`, with `description` in the snapshot's header.
    fn check(&mut self, name: &str, description: &str, text: &str) {
        let mut settings = insta::Settings::clone_current();
        settings.set_description(description);
        settings.set_omit_expression(true);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.to_owned(), text));
        }));
        if outcome.is_err() {
            self.failed.push(format!("snapshot {name} differs"));
        }
    }

    /// Records a failure that is not a snapshot mismatch (e.g. a body differing from its
    /// example): printed in full now, listed by its first line at the end.
    fn fail(&mut self, what: String) {
        eprintln!("FAILED: {what}");
        self.failed
            .push(what.lines().next().unwrap_or_default().to_owned());
    }

    #[track_caller]
    fn finish(self) {
        assert!(
            self.failed.is_empty(),
            "{} failure(s) (see the diffs above; `cargo insta review` or INSTA_UPDATE=always \
             to accept intended changes):\n  {}",
            self.failed.len(),
            self.failed.join("\n  ")
        );
    }
}

/// JSON pretty-printed with sorted keys (`serde_json::Value` keeps object keys in a `BTreeMap`).
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON prints")
}

// ============================================================================ 1. requests on the wire

/// How the snapshot of one operation is built.
struct Case {
    id: &'static str,
    /// The request-body example of the document that is sent, and the seed fixture it transcribes.
    body: Option<(&'static str, &'static str)>,
    /// The 200 response example of the document the local server answers with.
    answer: &'static str,
}

impl Case {
    /// An operation without a request body, answered with the 200 example `answer`.
    const fn bodiless(id: &'static str, answer: &'static str) -> Self {
        Self {
            id,
            body: None,
            answer,
        }
    }

    /// An operation sending the request example `example` (transcribed by the seed `fixture`),
    /// answered with the 200 example `success`.
    const fn sends(id: &'static str, example: &'static str, fixture: &'static str) -> Self {
        Self {
            id,
            body: Some((example, fixture)),
            answer: "success",
        }
    }

    /// The same case, answered with the 200 example `answer`.
    const fn answered(self, answer: &'static str) -> Self {
        Self { answer, ..self }
    }
}

/// One case per operation: (operationId, (request example, seed fixture), 200 example).
/// Path and query parameters are the document's parameter examples.
const CASES: &[Case] = &[
    Case::sends("sendSms", "curl", "sms-send-request-curl.json"),
    Case::sends("getSmsDlr", "byBatch", "sms-dlr-request-by-batch.json"),
    Case::bodiless("getCredits", "success"),
    Case::sends(
        "sendWhatsappMessage",
        "template",
        "whatsapp-send-request-template-curl.json",
    ),
    Case::bodiless("getWhatsappReport", "message"),
    Case::bodiless("checkWhatsappWindow", "open"),
    Case::bodiless("getWhatsappPrices", "success"),
    Case::sends("sendRcsMessage", "curl", "rcs-send-request-curl.json"),
    Case::sends("upsertRcsAgent", "create", "rcs-agent-create-request.json"),
    Case::sends("submitRcsAgent", "submit", "rcs-agent-submit-request.json"),
    Case::bodiless("getRcsAgent", "success"),
    Case::bodiless("listRcsAgents", "success"),
    Case::sends("launchRcsAgent", "launch", "rcs-agent-launch-request.json"),
    Case::sends("addRcsTestDevice", "add", "rcs-testdevice-add-request.json"),
    Case::sends(
        "removeRcsTestDevice",
        "remove",
        "rcs-testdevice-remove-request.json",
    ),
    Case::bodiless("listRcsTestDevices", "success"),
    Case::bodiless("getRcsCapability", "enabled"),
    Case::bodiless("getRcsConversation", "active"),
    Case::bodiless("getRcsDlr", "success"),
    Case::sends("placeVoiceCall", "ttsOtp", "voice-call-request.json").answered("ringing"),
    Case::sends("sendOtp", "send", "otp-send-request.json"),
    Case::bodiless("verifyOtp", "matched"),
];

/// The raw operation object of `id` in the document, with its method and path.
struct DocOp<'a> {
    method: String,
    path: String,
    op: &'a Value,
}

fn doc_op<'a>(doc: &'a Value, id: &str) -> DocOp<'a> {
    spec_support::operations(doc)
        .into_iter()
        .find(|o| o.callback_of.is_none() && o.id() == id)
        .map(|o| DocOp {
            method: o.method.to_uppercase(),
            path: o.path.clone(),
            op: o.op,
        })
        .unwrap_or_else(|| panic!("operation {id} is not in the document"))
}

/// Follows `$ref`s from `value`.
fn follow<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        value = resolve_ref(doc, reference).unwrap_or_else(|| panic!("{reference} resolves"));
    }
    value
}

/// Every request-body example of an operation (name → value), in name order.
fn request_examples(doc: &Value, op: &Value) -> BTreeMap<String, Value> {
    let Some(media) = op.pointer("/requestBody/content/application~1json") else {
        return BTreeMap::new();
    };
    let media = follow(doc, media);
    let mut out = BTreeMap::new();
    if let Some(Value::Object(examples)) = media.get("examples") {
        for (name, example) in examples {
            out.insert(name.clone(), follow(doc, example)["value"].clone());
        }
    }
    if let Some(example) = media.get("example") {
        out.insert("example".into(), example.clone());
    }
    out
}

/// The 200 response example `name` of an operation.
fn response_example(doc: &Value, op: &Value, name: &str) -> Value {
    let response = follow(doc, &op["responses"]["200"]);
    let example = response
        .pointer(&format!(
            "/content/application~1json/examples/{}",
            escape(name)
        ))
        .unwrap_or_else(|| panic!("no 200 response example {name}"));
    follow(doc, example)["value"].clone()
}

/// Path and query parameter examples of an operation.
struct Params(BTreeMap<String, Value>);

impl Params {
    fn of(op: &Value) -> Self {
        let mut out = BTreeMap::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            if let (Some(name), Some(example)) = (p["name"].as_str(), p.get("example")) {
                out.insert(name.to_owned(), example.clone());
            }
        }
        Self(out)
    }

    fn str(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("parameter {name} has no string example"))
    }

    fn int(&self, name: &str) -> i64 {
        self.0
            .get(name)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| panic!("parameter {name} has no integer example"))
    }
}

/// The body example as the operation's request type.
fn typed_body<T: DeserializeOwned>(body: Option<Value>) -> T {
    let body = body.expect("the operation takes a body example");
    serde_json::from_value(body).unwrap_or_else(|e| {
        panic!(
            "the example does not deserialize into {}: {e}",
            std::any::type_name::<T>()
        )
    })
}

/// Calls operation `id` through the typed client.
async fn call(
    client: &Client,
    id: &str,
    body: Option<Value>,
    p: &Params,
) -> Result<(), noxitel_api::Error> {
    let c = client;
    // Every arm awaits its call and drops the typed answer: the request is what counts.
    macro_rules! sent {
        ($call:expr) => {
            $call.await.map(drop)
        };
    }
    match id {
        "sendSms" => sent!(c.send_sms().body(typed_body(body))),
        "getSmsDlr" => sent!(c.get_sms_dlr().body(typed_body(body))),
        "getCredits" => sent!(c.get_credits()),
        "sendWhatsappMessage" => sent!(c.send_whatsapp_message().body(typed_body(body))),
        "getWhatsappReport" => sent!(
            c.get_whatsapp_report()
                .mode(WhatsappReportMode::Message)
                .id(p.str("id"))
        ),
        "checkWhatsappWindow" => sent!(
            c.check_whatsapp_window()
                .phone_id(p.str("phoneId"))
                .msisdn(p.str("msisdn"))
        ),
        "getWhatsappPrices" => sent!(c.get_whatsapp_prices()),
        "sendRcsMessage" => sent!(c.send_rcs_message().body(typed_body(body))),
        "upsertRcsAgent" => sent!(c.upsert_rcs_agent().body(typed_body(body))),
        "submitRcsAgent" => sent!(c.submit_rcs_agent().body(typed_body(body))),
        "getRcsAgent" => sent!(c.get_rcs_agent().id(p.int("id"))),
        "listRcsAgents" => sent!(c.list_rcs_agents()),
        "launchRcsAgent" => sent!(c.launch_rcs_agent().body(typed_body(body))),
        "addRcsTestDevice" => sent!(c.add_rcs_test_device().body(typed_body(body))),
        "removeRcsTestDevice" => sent!(c.remove_rcs_test_device().body(typed_body(body))),
        "listRcsTestDevices" => sent!(c.list_rcs_test_devices().agent_id(p.int("agentId"))),
        "getRcsCapability" => sent!(
            c.get_rcs_capability()
                .mobile(p.str("mobile"))
                .agent_id(p.int("agentId"))
        ),
        "getRcsConversation" => sent!(
            c.get_rcs_conversation()
                .agent_id(p.int("agentId"))
                .mobile(p.str("mobile"))
        ),
        // One identifier at a time, as the reference documents.
        "getRcsDlr" => sent!(c.get_rcs_dlr().batch_id(p.str("batch_id"))),
        "placeVoiceCall" => sent!(c.place_voice_call().body(typed_body(body))),
        "sendOtp" => sent!(c.send_otp().body(typed_body(body))),
        "verifyOtp" => sent!(
            c.verify_otp()
                .reference(p.str("reference"))
                .otp(p.str("otp"))
        ),
        other => panic!("no typed call for operation {other}: add it to `call`"),
    }
}

/// One request as the local server read it.
struct Captured {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Sends operation `id` to a fresh local server answering `answer`; returns the request it read.
async fn capture(id: &str, body: Option<Value>, params: &Params, answer: Value) -> Captured {
    let server = Hostile::start(vec![Fault::json(200, &answer)]).await;
    let client = Client::builder(TOKEN)
        .base_url(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds");
    call(&client, id, body, params)
        .await
        .unwrap_or_else(|e| panic!("{id}: the call fails: {e}"));
    let received = server.received();
    assert_eq!(received.len(), 1, "{id}: exactly one request expected");
    let request = &received[0];
    let mut lines = request.head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Captured {
        method,
        target,
        headers,
        body: request.body.clone(),
    }
}

/// Percent-decodes one query component (`+` is a space).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', None) => out.push(b' '),
            (byte, None) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The readable text of a captured request.
fn render_request(request: &Captured) -> String {
    let mut out = format!("{} {}\n", request.method, request.target);
    if let Some((_, query)) = request.target.split_once('?') {
        out.push_str("query (decoded, in the order sent):\n");
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            out.push_str(&format!("  {} = {}\n", decode(name), decode(value)));
        }
    }
    out.push_str("headers (sorted; host and content-length left out):\n");
    let version = env!("CARGO_PKG_VERSION");
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(name, _)| name != "host" && name != "content-length")
        .map(|(name, value)| {
            let value = if name == "user-agent" {
                value.replace(version, "[version]")
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect();
    headers.sort();
    for (name, value) in headers {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    if request.body.is_empty() {
        out.push_str("body: none\n");
    } else {
        match serde_json::from_slice::<Value>(&request.body) {
            Ok(json) => {
                out.push_str("body (JSON, keys sorted):\n");
                out.push_str(&pretty(&json));
                out.push('\n');
            }
            Err(_) => {
                out.push_str("body (not JSON):\n");
                out.push_str(&String::from_utf8_lossy(&request.body));
                out.push('\n');
            }
        }
    }
    out
}

/// The operation ids of the document, in document order.
fn operation_ids() -> Vec<String> {
    spec()
        .operations()
        .expect("operations")
        .into_iter()
        .map(|op| op.id)
        .collect()
}

#[test]
fn every_operation_has_a_request_case() {
    let ids: BTreeSet<String> = operation_ids().into_iter().collect();
    let cases: BTreeSet<String> = CASES.iter().map(|c| c.id.to_owned()).collect();
    assert_eq!(ids.len(), 22, "the document has 22 operations");
    assert_eq!(cases, ids, "CASES must hold exactly one case per operation");
}

#[tokio::test]
async fn requests_match_their_snapshots() {
    let doc = spec_support::spec_value();
    let mut batch = Batch::default();
    for id in operation_ids() {
        let Some(case) = CASES.iter().find(|c| c.id == id) else {
            batch.fail(format!("{id}: no entry in CASES"));
            continue;
        };
        let op = doc_op(&doc, &id);
        let params = Params::of(op.op);
        let examples = request_examples(&doc, op.op);
        let body = case.body.map(|(example, fixture)| {
            let value = examples
                .get(example)
                .unwrap_or_else(|| panic!("{id}: no request example {example}"))
                .clone();
            // The example of the document is the reference's, as transcribed in the seed.
            assert!(
                json_eq(&value, &seed(fixture)),
                "{id}: request example {example} differs from tests/fixtures/seed/{fixture}"
            );
            value
        });
        assert_eq!(
            body.is_some(),
            !examples.is_empty(),
            "{id}: a body example must be sent exactly when the operation takes a body"
        );
        let answer = response_example(&doc, op.op, case.answer);
        let request = capture(&id, body.clone(), &params, answer).await;

        // The path is the document's, under the base path, with the path parameters' examples.
        let mut path = format!("{BASE_PATH}{}", op.path);
        for (name, example) in &params.0 {
            let value = example
                .as_str()
                .map_or_else(|| example.to_string(), str::to_owned);
            path = path.replace(&format!("{{{name}}}"), &value);
        }
        let sent_path = request.target.split('?').next().unwrap_or_default();
        assert_eq!(sent_path, path, "{id}: request path");
        assert_eq!(request.method, op.method, "{id}: request method");

        // Not only snapshotted: the body sent is the example, JSON-equal.
        match &body {
            Some(example) => {
                let sent: Value = serde_json::from_slice(&request.body)
                    .unwrap_or_else(|e| panic!("{id}: the body sent is not JSON: {e}"));
                if !json_eq(&sent, example) {
                    batch.fail(format!(
                        "{id}: body sent differs from the example\n sent: {}\n example: {}",
                        pretty(&sent),
                        pretty(example)
                    ));
                }
            }
            None => assert!(request.body.is_empty(), "{id}: no body expected"),
        }

        let description = match case.body {
            Some((example, fixture)) => format!(
                "{id}: {} {}; body = request example `{example}` \
                 (tests/fixtures/seed/{fixture}); answered with 200 example `{}`",
                op.method, op.path, case.answer
            ),
            None => format!(
                "{id}: {} {}; parameters = the document's parameter examples; \
                 answered with 200 example `{}`",
                op.method, op.path, case.answer
            ),
        };
        batch.check(
            &format!("request__{id}"),
            &description,
            &render_request(&request),
        );
    }
    batch.finish();
}

/// Every request-body example of the document (not only the snapshotted ones) is sent as written.
#[tokio::test]
async fn every_request_example_of_the_document_is_sent_as_written() {
    let doc = spec_support::spec_value();
    let mut sent_examples = 0;
    let mut batch = Batch::default();
    for case in CASES {
        let op = doc_op(&doc, case.id);
        let params = Params::of(op.op);
        let answer = response_example(&doc, op.op, case.answer);
        for (name, example) in request_examples(&doc, op.op) {
            let request = capture(case.id, Some(example.clone()), &params, answer.clone()).await;
            let sent: Value = serde_json::from_slice(&request.body).expect("a JSON body");
            sent_examples += 1;
            if !json_eq(&sent, &example) {
                batch.fail(format!(
                    "{} example {name}: body sent differs\n sent: {}\n example: {}",
                    case.id,
                    pretty(&sent),
                    pretty(&example)
                ));
            }
        }
    }
    assert!(sent_examples >= 20, "only {sent_examples} request examples");
    batch.finish();
}

// ================================================================= 2. reference examples, typed

/// Snapshot base name of a fixture: `<kind>__<file stem>`.
fn fixture_snapshot(name: &str, kind: FixtureKind) -> String {
    format!("{}__{}", kind.prefix(), name.trim_end_matches(".json"))
}

/// `{:#?}` output with the entries of every map block sorted: a `HashMap`'s order changes from
/// run to run. A map block opens with a line ending in `{` not preceded by a type name
/// (`field: {`, `"key": {` or a lone `{`); its entries start one level (4 spaces) deeper.
fn sort_debug_maps(debug: &str) -> String {
    let lines: Vec<String> = debug.lines().map(str::to_owned).collect();
    sort_map_blocks(&lines).join("\n")
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn opens_map(line: &str) -> bool {
    let Some(before) = line.trim_end().strip_suffix('{') else {
        return false;
    };
    let before = before.trim_end();
    before.is_empty() || before.ends_with(':')
}

fn sort_map_blocks(lines: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        out.push(line.clone());
        i += 1;
        if !opens_map(line) {
            continue;
        }
        let level = indent(line);
        let Some(close) = (i..lines.len())
            .find(|&j| indent(&lines[j]) == level && lines[j].trim_start().starts_with('}'))
        else {
            continue;
        };
        // Entries: a line at level + 4 that does not close a nested value starts one.
        let mut entries: Vec<Vec<String>> = Vec::new();
        for entry_line in &lines[i..close] {
            let starts_entry = indent(entry_line) == level + 4
                && !entry_line.trim_start().starts_with(['}', ']', ')']);
            if starts_entry || entries.is_empty() {
                entries.push(Vec::new());
            }
            entries
                .last_mut()
                .expect("an entry")
                .push(entry_line.clone());
        }
        let mut entries: Vec<Vec<String>> =
            entries.iter().map(|entry| sort_map_blocks(entry)).collect();
        entries.sort();
        out.extend(entries.into_iter().flatten());
        i = close;
    }
    out
}

#[test]
fn every_seed_fixture_has_a_type() {
    typed_seed_names();
}

#[test]
fn reference_examples_match_their_snapshots() {
    let mut batch = Batch::default();
    for name in seed_names() {
        let Some((kind, types)) = fixture_types(&name) else {
            continue; // reported by every_seed_fixture_has_a_type
        };
        let input = seed(&name);
        let base = fixture_snapshot(&name, kind);
        let mut typed_text = String::new();
        let mut json_text = None;
        for ty in &types {
            let (debug, back) = match (ty.probe)(&input) {
                Ok(result) => result,
                Err(e) => {
                    batch.fail(format!("{name} does not deserialize into {}: {e}", ty.name));
                    continue;
                }
            };
            if !json_eq(&back, &input) {
                batch.fail(format!(
                    "{name} does not re-serialize to itself through {}\n back: {}\n input: {}",
                    ty.name,
                    pretty(&back),
                    pretty(&input)
                ));
            }
            typed_text.push_str(&format!("as {}:\n{}\n", ty.name, sort_debug_maps(&debug)));
            json_text.get_or_insert_with(|| format!("{}\n", pretty(&back)));
        }
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        let source = format!("tests/fixtures/seed/{name}");
        batch.check(
            &format!("{base}__typed"),
            &format!("{source} read as {} ({{:#?}})", names.join(" and ")),
            &typed_text,
        );
        if let Some(json) = json_text {
            batch.check(
                &format!("{base}__json"),
                &format!("{source} re-serialized from {} (keys sorted)", names[0]),
                &json,
            );
        }
    }
    batch.finish();
}

#[test]
fn debug_map_sorting_sorts_only_maps() {
    let debug = "Outer {\n    b: 1,\n    a: {\n        \"z\": 1,\n        \"k\": Inner {\n            y: 2,\n            x: {\n                \"2\": 0,\n                \"1\": 0,\n            },\n        },\n    },\n}";
    let expected = "Outer {\n    b: 1,\n    a: {\n        \"k\": Inner {\n            y: 2,\n            x: {\n                \"1\": 0,\n                \"2\": 0,\n            },\n        },\n        \"z\": 1,\n    },\n}";
    assert_eq!(sort_debug_maps(debug), expected);
}

// ====================================================================== 3. the public surface

/// The builder's methods for the operation's inputs: one per parameter, or `body(..)` (beside
/// one setter per body field).
fn inputs(op: &noxitel_codegen::Operation) -> Vec<String> {
    let mut inputs: Vec<String> = op
        .params
        .iter()
        .map(|p| {
            let ty = match &p.ty {
                ParamType::String => "String".to_owned(),
                ParamType::Integer => "i64".to_owned(),
                ParamType::Named(name) => format!("noxitel_types::{name}"),
            };
            let required = if p.required { " (required)" } else { "" };
            format!(".{}(impl Into<{ty}>){required}", p.name.to_snake_case())
        })
        .collect();
    if let Some(body) = &op.body {
        inputs.push(format!(
            ".body(noxitel_types::{body}) or a setter per field of {body}"
        ));
    }
    inputs
}

fn hand_written_reason(id: &str) -> Option<&'static str> {
    ADAPTED_OPERATIONS
        .iter()
        .find(|adapted| adapted.id == id)
        .map(|adapted| adapted.why)
}

fn render_operations(spec: &Spec, doc: &Value) -> String {
    let ops = spec.operations().expect("operations");
    let mut out = format!(
        "{} operations, in document order. Each is a method of `noxitel_api::Client` (taking \
         `&self`) starting the operation's builder in `noxitel_api::calls`: its inputs, per-call \
         options, then `.send()` (or `.await`) for `Result<_, noxitel_api::Error>`.\n",
        ops.len()
    );
    for op in &ops {
        out.push_str(&format!("\n{}: {} {}\n", op.id, op.method, op.path));
        for p in &op.params {
            out.push_str(&format!(
                "  {} parameter `{}`{}\n",
                if p.in_path { "path" } else { "query" },
                p.name,
                if p.required { "" } else { " (optional)" }
            ));
        }
        if let Some(body) = &op.body {
            out.push_str(&format!("  JSON body {body}\n"));
        }
        let name = op.id.to_snake_case();
        let builder = op.id.to_upper_camel_case();
        out.push_str(&format!(
            "  client.{name}() -> noxitel_api::calls::{builder}\n"
        ));
        for input in inputs(op) {
            out.push_str(&format!("    {input}\n"));
        }
        match hand_written_reason(&op.id) {
            None => out.push_str(&format!("    .send() -> noxitel_types::{}\n", op.response)),
            Some(reason) => out.push_str(&format!(
                "    .send() -> interpreted in noxitel-api ({reason}); \
                 the document's answer: noxitel_types::{}\n",
                op.response
            )),
        }
    }
    out.push_str("\nWebhooks (callbacks of operations), by path of their operation:\n");
    for cb in spec_support::operations(doc)
        .iter()
        .filter(|o| o.callback_of.is_some())
    {
        let parent = doc
            .pointer(cb.callback_of.as_deref().unwrap_or_default())
            .and_then(|p| p["operationId"].as_str())
            .unwrap_or("?");
        let body = cb
            .op
            .pointer("/requestBody/content/application~1json/schema/$ref")
            .and_then(Value::as_str)
            .map(|r| r.rsplit('/').next().unwrap_or_default().to_owned())
            .unwrap_or_else(|| "(none)".into());
        out.push_str(&format!(
            "  {} (of {parent}): {} {} with JSON body {body}\n",
            cb.id(),
            cb.method.to_uppercase(),
            cb.path
        ));
    }
    out
}

fn render_schemas(spec: &Spec, doc: &Value) -> String {
    let names = spec.schema_names();
    let mut out = format!(
        "{} component schemas, in document order; [hand-written] = implemented by hand in \
         noxitel-types, [extensible] = an enum the API may extend; one line per property \
         (`name: type`), * = required.\n",
        names.len()
    );
    for name in &names {
        let schema = &doc["components"]["schemas"][name];
        let mut markers = Vec::new();
        if spec_support::flag(schema, noxitel_codegen::HAND_WRITTEN) {
            markers.push("[hand-written]");
        }
        if spec_support::flag(schema, noxitel_codegen::EXTENSIBLE) {
            markers.push("[extensible]");
        }
        let mut line = name.clone();
        for marker in markers {
            line.push(' ');
            line.push_str(marker);
        }
        out.push_str(&format!("\n{line}\n"));
        // Properties in document order (the typed document keeps it).
        let typed = spec
            .doc
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(name));
        if let Some(openapiv3::ReferenceOr::Item(typed)) = typed
            && let openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) = &typed.schema_kind
        {
            // One line per property, so that a changed field is a one-line diff.
            for p in object.properties.keys() {
                let required = if object.required.contains(p) { "*" } else { "" };
                let ty = property_type(&schema["properties"][p]);
                out.push_str(&format!("  {p}{required}: {ty}\n"));
            }
        }
        // An open enum: `anyOf` [known values, any string] reads as its values.
        if let Some(Value::Array(values)) = schema.pointer("/anyOf/0/enum")
            && schema["x-noxitel-extensible"] == Value::Bool(true)
        {
            let values: Vec<String> = values.iter().map(Value::to_string).collect();
            out.push_str(&format!(
                "  values: {}, or any other string\n",
                values.join(", ")
            ));
            continue;
        }
        for keyword in ["oneOf", "anyOf", "allOf"] {
            if let Some(Value::Array(variants)) = schema.get(keyword) {
                let variants: Vec<String> = variants
                    .iter()
                    .map(|v| match v["$ref"].as_str() {
                        Some(r) => r.rsplit('/').next().unwrap_or_default().to_owned(),
                        None => v["type"].as_str().unwrap_or("(inline)").to_owned(),
                    })
                    .collect();
                out.push_str(&format!("  {keyword}: {}\n", variants.join(", ")));
            }
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            let values: Vec<String> = values.iter().map(Value::to_string).collect();
            out.push_str(&format!("  values: {}\n", values.join(", ")));
        }
    }
    out
}

/// A property's type as the document writes it: `string (date-time)`, `array of Contact`,
/// `map of string`.
fn property_type(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.rsplit('/').next().unwrap_or_default().to_owned();
    }
    let ty = schema["type"].as_str().unwrap_or("any");
    match (ty, schema.get("additionalProperties")) {
        ("array", _) => format!("array of {}", property_type(&schema["items"])),
        ("object", Some(Value::Bool(true))) => "object (any fields)".to_owned(),
        ("object", Some(values @ Value::Object(_))) => format!("map of {}", property_type(values)),
        _ => match schema["format"].as_str() {
            Some(format) => format!("{ty} ({format})"),
            None => ty.to_owned(),
        },
    }
}

#[test]
fn public_surface_matches_its_snapshots() {
    let spec = spec();
    let doc = spec_support::spec_value();
    let mut batch = Batch::default();
    batch.check(
        "surface__operations",
        "Operations of openapi/noxitel.yaml (noxitel_codegen::Spec::operations) and the typed \
         noxitel_api::Client method of each",
        &render_operations(&spec, &doc),
    );
    batch.check(
        "surface__schemas",
        "Component schemas of openapi/noxitel.yaml with their markers and properties (name: type)",
        &render_schemas(&spec, &doc),
    );
    batch.finish();
}

/// The builders in `surface__operations` are those of the committed golden copy of the
/// generated calls.
#[test]
fn surface_signatures_are_the_generated_ones() {
    fn squash(text: &str) -> String {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        text.replace(",)", ")")
    }
    let root = noxitel_tests::workspace_root();
    let generated = squash(
        &std::fs::read_to_string(root.join("golden/noxitel-api-calls.rs"))
            .expect("golden/noxitel-api-calls.rs"),
    );
    for op in spec().operations().expect("operations") {
        let name = op.id.to_snake_case();
        let builder = op.id.to_upper_camel_case();
        let answer = match ADAPTED_OPERATIONS.iter().find(|a| a.id == op.id) {
            Some(adapted) => adapted.answer.to_owned(),
            None => format!("noxitel_types::{}", op.response),
        };
        let mut expected = vec![
            format!("pub fn {name}(&self) -> crate::calls::{builder}<'_>"),
            format!("pub struct {builder}<'a>"),
            format!("pub async fn send(self) -> Result<{answer}, crate::Error>"),
        ];
        for p in &op.params {
            expected.push(format!(
                "pub fn {}(mut self, value: impl Into<",
                p.name.to_snake_case()
            ));
        }
        if let Some(body) = &op.body {
            expected.push(format!(
                "pub fn body(mut self, body: noxitel_types::{body}) -> Self"
            ));
        }
        for signature in expected {
            let signature = squash(&signature);
            assert!(
                generated.contains(&signature),
                "{}: `{signature}` is not in golden/noxitel-api-calls.rs",
                op.id
            );
        }
    }
}

// ======================================================================= 4. the snapshot directory

/// Every snapshot name this suite asserts, from the same data the tests iterate over.
fn expected_snapshots() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for id in operation_ids() {
        names.insert(format!("request__{id}"));
    }
    for name in seed_names() {
        if let Some((kind, _)) = fixture_types(&name) {
            let base = fixture_snapshot(&name, kind);
            names.insert(format!("{base}__typed"));
            names.insert(format!("{base}__json"));
        }
    }
    names.insert("surface__operations".into());
    names.insert("surface__schemas".into());
    names
        .into_iter()
        .map(|name| format!("{SUITE}__{name}.snap"))
        .collect()
}

/// Fails on snapshot files no test produces (`cargo insta test --unreferenced=reject` without
/// cargo-insta) and on pending ones (`.snap.new`, `.pending-snap`) left by a failed run.
/// Files of other test binaries (`<binary>__*.snap`, `tests/tests/<binary>.rs`) are theirs.
///
/// With `INSTA_UPDATE=always` (accepting every change, see the README) one run is enough: the
/// other tests of this binary, running at the same time, write their snapshots in place, so a
/// missing one is not reported, and pending files of an earlier run and unreferenced snapshots
/// are deleted instead of reported (what `cargo insta test --accept --unreferenced=delete`
/// does).
#[test]
fn snapshot_directory_holds_exactly_the_suite() {
    let accepting = std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always");
    let expected = expected_snapshots();
    let dir = snapshot_dir();
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut present = BTreeSet::new();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let pending = name.ends_with(".snap.new") || name.ends_with(".pending-snap");
        let ours = name.split("__").next() == Some(SUITE);
        if accepting && ours && (pending || (name.ends_with(".snap") && !expected.contains(&name)))
        {
            let path = dir.join(&name);
            std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            eprintln!("deleted {name} (INSTA_UPDATE=always)");
        } else if pending {
            problems.push(format!(
                "pending snapshot {name}: review it (`cargo insta review`), or delete it"
            ));
        } else if let Some(stem) = name.strip_suffix(".snap") {
            let binary = stem.split("__").next().unwrap_or_default();
            if binary == SUITE {
                if !expected.contains(&name) {
                    problems.push(format!("unreferenced snapshot {name}: delete it"));
                }
                present.insert(name);
            } else if !tests_dir.join(format!("{binary}.rs")).is_file()
                && !tests_dir.join(binary).join("main.rs").is_file()
            {
                problems.push(format!(
                    "snapshot {name} of no test binary (no tests/tests/{binary}.rs): delete it"
                ));
            }
        } else {
            problems.push(format!("unexpected file {name} in {}", dir.display()));
        }
    }
    for missing in expected.difference(&present) {
        if accepting {
            continue; // being written by the other tests of this run
        }
        problems.push(format!(
            "missing snapshot {missing}: run the suite with INSTA_UPDATE=always and review"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in {}:\n  {}",
        problems.len(),
        dir.display(),
        problems.join("\n  ")
    );
    // 22 requests + 2 × 42 fixtures + 2 surface snapshots.
    assert_eq!(expected.len(), 22 + 2 * seed_names().len() + 2);
}
