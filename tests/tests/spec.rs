//! Conformance tests of `openapi/noxitel.yaml`: it parses, follows the workspace's spec
//! rules, every example validates against its schema, and every JSON example of the published
//! reference (`tests/fixtures/seed/`) is among the document's examples.

use std::collections::{BTreeMap, BTreeSet};

use noxitel_tests::fixtures;
use noxitel_tests::spec_support::{
    self as s, Operation, SCHEMA_REF_PREFIX, deref, flag, join, resolve_ref,
};
use openapiv3::OpenAPI;
use serde_json::{Value, json};

const SERVER_URL: &str = "https://dashboard.noxitel.com/api/v2";

/// The 22 documented operations.
const OPERATIONS: [(&str, &str); 22] = [
    ("POST", "/sms"),
    ("GET", "/dlr"),
    ("GET", "/credits"),
    ("POST", "/whatsapp/message"),
    ("GET", "/whatsapp/report"),
    ("GET", "/whatsapp/checkwindow"),
    ("GET", "/whatsapp/prices"),
    ("POST", "/rcs/message"),
    ("POST", "/rcs/agent"),
    ("POST", "/rcs/agent/submit"),
    ("GET", "/rcs/agent/{id}"),
    ("GET", "/rcs/agents"),
    ("POST", "/rcs/agent/launch"),
    ("POST", "/rcs/testdevice"),
    ("GET", "/rcs/testdevices"),
    ("DELETE", "/rcs/testdevice"),
    ("GET", "/rcs/capability"),
    ("GET", "/rcs/conversation"),
    ("GET", "/rcs/dlr"),
    ("POST", "/voice/call"),
    ("POST", "/otp"),
    ("GET", "/otp/verify"),
];

/// Error statuses every operation declares, each as a `$ref` to `components/responses`.
const ERROR_STATUSES: [&str; 7] = ["400", "401", "402", "403", "404", "429", "500"];

/// Closed (non-extensible) string enums that are request-only, as JSON pointer prefixes.
/// Any closed string enum must be listed here, and none listed may be reachable from a
/// response or a callback body (`request_only_enum_allow_list_is_exact`).
const REQUEST_ONLY_ENUMS: &[&str] = &[
    "/components/schemas/SmsMode",
    "/components/schemas/WhatsappMessageType",
    "/components/schemas/WhatsappReportMode",
    "/components/schemas/RcsMessageType",
    "/components/schemas/RcsTrafficType",
    // the single-value `type` tags of the suggestion variants
    "/components/schemas/RcsSuggestion",
    "/components/schemas/RcsHostingRegion",
    "/components/schemas/RcsAgentUseCase",
];

/// Operations whose request body has `notifyUrl`, hence a callback.
const NOTIFY_URL_OPERATIONS: [&str; 3] = ["sendSms", "sendRcsMessage", "placeVoiceCall"];
const NOTIFY_URL_EXPRESSION: &str = "{$request.body#/notifyUrl}";
const RCS_EVENTS: [&str; 5] = [
    "message.sent",
    "message.delivered",
    "message.read",
    "message.failed",
    "message.received",
];

/// Number of fixtures extracted from the reference (guards against an emptied directory).
const SEED_FIXTURES: usize = 41;
/// Lower bound on the document's examples (guards against a walker that finds nothing).
const MIN_EXAMPLES: usize = 60;

fn doc() -> Value {
    s::spec_value()
}

/// Fails with every offender, one per line.
#[track_caller]
fn assert_none(offenders: &[String], what: &str) {
    assert!(
        offenders.is_empty(),
        "{what} ({} offender(s)):\n  - {}",
        offenders.len(),
        offenders.join("\n  - ")
    );
}

fn main_ops(doc: &Value) -> Vec<Operation<'_>> {
    s::operations(doc)
        .into_iter()
        .filter(|op| op.callback_of.is_none())
        .collect()
}

fn tag_for_path(path: &str) -> Option<&'static str> {
    let first = path.trim_start_matches('/').split('/').next()?;
    Some(match first {
        "sms" | "dlr" | "credits" => "SMS",
        "whatsapp" => "WhatsApp",
        "rcs" => "RCS",
        "voice" => "Voice",
        "otp" => "OTP",
        _ => return None,
    })
}

/// Checks a `content` map: exactly `application/json`, whose schema is only a `$ref` to an
/// existing named component schema. Returns that `$ref`.
fn body_schema_ref(
    doc: &Value,
    content_pointer: &str,
    offenders: &mut Vec<String>,
) -> Option<String> {
    let Some(Value::Object(content)) = doc.pointer(content_pointer) else {
        offenders.push(format!("#{content_pointer}: not a map of media types"));
        return None;
    };
    let types: Vec<&String> = content.keys().collect();
    if types != ["application/json"] {
        offenders.push(format!(
            "#{content_pointer}: media types {types:?}, expected exactly [\"application/json\"]"
        ));
    }
    let media = content.get("application/json")?;
    let schema = media.get("schema");
    let reference = schema
        .and_then(|sch| sch.as_object())
        .filter(|obj| obj.len() == 1)
        .and_then(|obj| obj.get("$ref"))
        .and_then(Value::as_str);
    match reference {
        Some(r) if r.starts_with(SCHEMA_REF_PREFIX) && resolve_ref(doc, r).is_some() => {
            Some(r.to_owned())
        }
        _ => {
            offenders.push(format!(
                "#{content_pointer}/application~1json/schema: {} — expected only a $ref to an existing #/components/schemas/…",
                schema.map_or("missing".to_owned(), Value::to_string)
            ));
            None
        }
    }
}

/// Response pointers (after following `$ref`) of an operation, by status code.
fn responses<'a>(
    doc: &'a Value,
    op: &Operation<'_>,
) -> BTreeMap<String, Result<(String, &'a Value), String>> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(map)) = op.op.get("responses") {
        let base = join(&op.pointer, "responses");
        for (code, _) in map {
            out.insert(code.clone(), deref(doc, &join(&base, code)));
        }
    }
    out
}

/// Pointers of the schemas of every response (body and headers) of every operation and of
/// every callback request body: the roots of what a client must read.
fn response_schema_roots(doc: &Value) -> Vec<String> {
    let mut roots = Vec::new();
    for op in s::operations(doc) {
        for (_, response) in responses(doc, &op) {
            let Ok((pointer, response)) = response else {
                continue;
            };
            if let Some(Value::Object(content)) = response.get("content") {
                for (media, _) in content {
                    roots.push(join(&join(&join(&pointer, "content"), media), "schema"));
                }
            }
            if let Some(Value::Object(headers)) = response.get("headers") {
                for (name, _) in headers {
                    if let Ok((header, _)) = deref(doc, &join(&join(&pointer, "headers"), name)) {
                        roots.push(join(&header, "schema"));
                    }
                }
            }
        }
        if op.callback_of.is_some()
            && let Ok((body, Value::Object(b))) = deref(doc, &join(&op.pointer, "requestBody"))
            && let Some(Value::Object(content)) = b.get("content")
        {
            for (media, _) in content {
                roots.push(join(&join(&join(&body, "content"), media), "schema"));
            }
        }
    }
    roots.retain(|r| doc.pointer(r).is_some());
    roots
}

// ------------------------------------------------------------------ 1. parsing

#[test]
fn document_parses_as_openapi_3_0_3_from_yaml() {
    let text = s::spec_text();
    let api: OpenAPI = serde_norway::from_str(&text).unwrap_or_else(|e| {
        panic!("openapi/noxitel.yaml does not parse as openapiv3::OpenAPI: {e}")
    });
    assert_eq!(api.openapi, "3.0.3", "`openapi` must be 3.0.3");
    assert_eq!(
        doc().get("openapi"),
        Some(&json!("3.0.3")),
        "`openapi` must be the string 3.0.3"
    );
}

#[test]
fn document_round_trips_through_json_into_openapiv3() {
    let text = s::spec_text();
    let from_yaml: OpenAPI = serde_norway::from_str(&text).expect("parses from YAML");
    let json_text = serde_json::to_string(&doc()).expect("the YAML value serializes as JSON");
    let from_json: OpenAPI = serde_json::from_str(&json_text).unwrap_or_else(|e| {
        panic!("the document as JSON does not parse as openapiv3::OpenAPI: {e}")
    });
    assert!(
        from_yaml == from_json,
        "parsing the YAML directly and parsing its JSON form give different documents"
    );
}

// ------------------------------------------------------------------ 2. spec rules

#[test]
fn operations_are_exactly_the_documented_22() {
    let api: OpenAPI = serde_norway::from_str(&s::spec_text()).expect("parses");
    let actual: BTreeSet<(String, String)> = api
        .operations()
        .map(|(path, method, _)| (method.to_uppercase(), path.to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let mut offenders: Vec<String> = expected
        .difference(&actual)
        .map(|(m, p)| format!("missing: {m} {p}"))
        .collect();
    offenders.extend(
        actual
            .difference(&expected)
            .map(|(m, p)| format!("unexpected: {m} {p}")),
    );
    assert_none(&offenders, "operations differ from the documented 22");
    assert_eq!(
        api.operations().count(),
        OPERATIONS.len(),
        "operation count"
    );
}

#[test]
fn operation_ids_are_present_and_unique() {
    let doc = doc();
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut offenders = Vec::new();
    for op in s::operations(&doc) {
        match op.op.get("operationId").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => seen.entry(id.to_owned()).or_default().push(op.label()),
            _ => offenders.push(format!("#{}: no operationId", op.pointer)),
        }
    }
    for (id, ops) in &seen {
        if ops.len() > 1 {
            offenders.push(format!("operationId {id} used by {}", ops.join(", ")));
        }
    }
    assert_none(
        &offenders,
        "operationIds must be present and unique (callbacks included)",
    );
    assert!(
        seen.len() >= OPERATIONS.len(),
        "found only {} operationIds",
        seen.len()
    );
}

#[test]
fn every_operation_has_exactly_one_tag_matching_its_path_prefix() {
    let doc = doc();
    let mut offenders = Vec::new();
    for op in main_ops(&doc) {
        let tags: Vec<&str> = op
            .op
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let expected = tag_for_path(&op.path);
        match (tags.as_slice(), expected) {
            (_, None) => {
                offenders.push(format!("{}: path has no known channel prefix", op.label()))
            }
            ([tag], Some(want)) if *tag == want => {}
            (tags, Some(want)) => offenders.push(format!(
                "{}: tags {tags:?}, expected [{want:?}]",
                op.label()
            )),
        }
    }
    assert_none(
        &offenders,
        "every operation needs exactly one tag matching its path prefix",
    );
}

#[test]
fn every_ref_resolves() {
    // The walker is `cargo xtask check`'s: one definition of "every $ref".
    let (count, offenders) = xtask::rules::ref_problems(&doc());
    assert_none(&offenders, "every local $ref must resolve");
    assert!(
        count > 100,
        "found only {count} $refs: the walker is broken"
    );
}

#[test]
fn bodies_are_one_json_media_type_referencing_a_named_schema() {
    let doc = doc();
    let mut offenders = Vec::new();
    let mut bodies = 0;
    for op in s::operations(&doc) {
        if op.op.get("requestBody").is_some() {
            match deref(&doc, &join(&op.pointer, "requestBody")) {
                Ok((pointer, _)) => {
                    bodies += 1;
                    body_schema_ref(&doc, &join(&pointer, "content"), &mut offenders);
                }
                Err(e) => offenders.push(e),
            }
        }
        for (code, response) in responses(&doc, &op) {
            match response {
                Ok((pointer, r)) if r.get("content").is_some() => {
                    bodies += 1;
                    body_schema_ref(&doc, &join(&pointer, "content"), &mut offenders);
                }
                Ok(_) => {}
                Err(e) => offenders.push(format!("{} {code}: {e}", op.label())),
            }
        }
    }
    for section in ["responses", "requestBodies"] {
        if let Some(Value::Object(map)) = doc.pointer(&format!("/components/{section}")) {
            for (name, item) in map {
                if item.get("content").is_some() {
                    let pointer = join(&join(&join("/components", section), name), "content");
                    body_schema_ref(&doc, &pointer, &mut offenders);
                }
            }
        }
    }
    assert_none(
        &offenders,
        "every body must be exactly one application/json media type whose schema is a $ref to a named component schema",
    );
    assert!(
        bodies >= 40,
        "found only {bodies} bodies: the walker is broken"
    );
}

#[test]
fn responses_share_one_success_schema_and_the_error_schema_and_have_no_default() {
    let doc = doc();
    let mut offenders = Vec::new();
    for op in s::operations(&doc) {
        if op.op.pointer("/responses/default").is_some() {
            offenders.push(format!("{}: has a `default` response", op.label()));
        }
        if op.callback_of.is_some() {
            continue;
        }
        let mut success = BTreeSet::new();
        let mut errors = BTreeSet::new();
        for (code, response) in responses(&doc, &op) {
            let schema = match &response {
                Ok((_, r)) => r
                    .pointer("/content/application~1json/schema/$ref")
                    .and_then(Value::as_str)
                    .unwrap_or("<no JSON body>")
                    .to_owned(),
                Err(e) => e.clone(),
            };
            match code.chars().next() {
                Some('2') => success.insert(schema),
                Some('4' | '5') => errors.insert(schema),
                _ => {
                    offenders.push(format!("{}: unexpected response code {code}", op.label()));
                    false
                }
            };
        }
        if success.len() != 1 || success.contains("<no JSON body>") {
            offenders.push(format!(
                "{}: 2xx schemas {success:?}, expected exactly one",
                op.label()
            ));
        }
        let api_error: BTreeSet<String> = [format!("{SCHEMA_REF_PREFIX}ApiError")].into();
        if errors != api_error {
            offenders.push(format!(
                "{}: error schemas {errors:?}, expected {api_error:?}",
                op.label()
            ));
        }
    }
    assert_none(
        &offenders,
        "per operation all 2xx responses share one schema, all errors use ApiError, and no `default`",
    );
}

#[test]
fn every_operation_declares_the_standard_errors_by_ref() {
    let doc = doc();
    let mut offenders = Vec::new();
    for op in main_ops(&doc) {
        for status in ERROR_STATUSES {
            let response = op.op.pointer(&format!("/responses/{status}"));
            let reference = response
                .and_then(Value::as_object)
                .filter(|o| o.len() == 1)
                .and_then(|o| o.get("$ref"))
                .and_then(Value::as_str);
            match reference {
                Some(r) if r.starts_with("#/components/responses/") && resolve_ref(&doc, r).is_some() => {}
                _ => offenders.push(format!(
                    "{} {status}: {} — expected only a $ref to an existing #/components/responses/…",
                    op.label(),
                    response.map_or("missing".to_owned(), Value::to_string)
                )),
            }
        }
    }
    assert_none(
        &offenders,
        "every operation declares 400/401/402/403/404/429/500 by $ref",
    );
}

#[test]
fn global_bearer_security_and_production_server() {
    let doc = doc();
    let mut offenders = Vec::new();
    let servers: Vec<&str> = doc
        .get("servers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("url").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if servers != [SERVER_URL] {
        offenders.push(format!("servers {servers:?}, expected [{SERVER_URL:?}]"));
    }
    let requirements = doc
        .get("security")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if requirements.is_empty() {
        offenders.push("no global `security` requirement".to_owned());
    }
    for requirement in &requirements {
        let names: Vec<&String> = requirement
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        if names.is_empty() {
            offenders.push(format!(
                "global security requirement {requirement} names no scheme (anonymous access)"
            ));
        }
        for name in names {
            let scheme = doc.pointer(&join("/components/securitySchemes", name));
            let kind = scheme.and_then(|s| s.get("type")).and_then(Value::as_str);
            let http_scheme = scheme.and_then(|s| s.get("scheme")).and_then(Value::as_str);
            if kind != Some("http")
                || !http_scheme.is_some_and(|h| h.eq_ignore_ascii_case("bearer"))
            {
                offenders.push(format!(
                    "security scheme {name}: type {kind:?}, scheme {http_scheme:?}; expected http / bearer"
                ));
            }
        }
    }
    for op in s::operations(&doc) {
        if op.callback_of.is_none() && op.op.get("security").is_some() {
            offenders.push(format!("{}: overrides the global security", op.label()));
        }
    }
    assert_none(
        &offenders,
        "global bearer security and the production server",
    );
}

#[test]
fn schema_walker_sees_every_component() {
    let doc = doc();
    let seen: BTreeSet<String> = s::all_schemas(&doc).into_iter().map(|(p, _)| p).collect();
    let mut offenders = Vec::new();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for name in schemas.keys() {
            let pointer = join("/components/schemas", name);
            if !seen.contains(&pointer) {
                offenders.push(format!("#{pointer}"));
            }
        }
    }
    assert_none(&offenders, "the schema walker misses component schemas");
    assert!(
        seen.len() > 200,
        "the walker saw only {} schema nodes",
        seen.len()
    );
}

#[test]
fn no_additional_properties_false() {
    let doc = doc();
    let offenders: Vec<String> = s::all_schemas(&doc)
        .into_iter()
        .filter(|(_, schema)| schema.get("additionalProperties") == Some(&Value::Bool(false)))
        .map(|(p, _)| format!("#{p}"))
        .collect();
    assert_none(
        &offenders,
        "`additionalProperties: false` rejects fields the API may add",
    );
}

/// The `additionalProperties` of a schema that accepts any value (absent, `true` or `{}`).
fn accepts_any_other_field(schema: &Value) -> bool {
    match schema.get("additionalProperties") {
        None | Some(Value::Bool(true)) => true,
        Some(Value::Object(other)) => other
            .keys()
            .all(|k| k.starts_with("x-") || k == "description"),
        Some(_) => false,
    }
}

#[test]
fn other_fields_of_what_a_client_reads_accept_any_value() {
    // One new field of another type (`"currency": "USD"` beside prices typed `number`) must
    // not make a whole answer unreadable.
    let doc = doc();
    let roots = response_schema_roots(&doc);
    let (reachable, broken) = s::reachable_schemas(&doc, &roots);
    assert!(broken.is_empty(), "{broken:?}");
    let mut checked = 0;
    let mut offenders = Vec::new();
    for pointer in &reachable {
        let schema = doc.pointer(pointer).expect("reachable pointers exist");
        if schema.get("additionalProperties").is_none() {
            continue;
        }
        checked += 1;
        if !accepts_any_other_field(schema) {
            offenders.push(format!(
                "#{pointer}: additionalProperties {} — use {{}}",
                schema["additionalProperties"]
            ));
        }
    }
    assert_none(
        &offenders,
        "schemas a client reads must keep unknown fields of any type",
    );
    assert!(
        checked >= 5,
        "only {checked} schemas with additionalProperties reached"
    );
}

#[test]
fn the_other_fields_rule_rejects_narrower_maps() {
    assert!(accepts_any_other_field(&json!({"type": "object"})));
    assert!(accepts_any_other_field(
        &json!({"additionalProperties": {}})
    ));
    assert!(accepts_any_other_field(
        &json!({"additionalProperties": true})
    ));
    assert!(!accepts_any_other_field(
        &json!({"additionalProperties": {"type": "number", "format": "double"}})
    ));
    assert!(!accepts_any_other_field(
        &json!({"additionalProperties": false})
    ));
}

#[test]
fn no_nullable_and_no_discriminator() {
    let doc = doc();
    let mut offenders = Vec::new();
    for (pointer, schema) in s::all_schemas(&doc) {
        for keyword in ["nullable", "discriminator"] {
            if schema.get(keyword).is_some() {
                offenders.push(format!("#{pointer}: `{keyword}`"));
            }
        }
    }
    assert_none(
        &offenders,
        "`nullable` and `discriminator` are not used (the codegen relies on it)",
    );
}

/// The single value of the `type` property's enum of a union variant, or why it has none.
fn variant_tag(doc: &Value, variant_pointer: &str) -> Result<String, String> {
    let (pointer, variant) = deref(doc, variant_pointer)?;
    if variant.get("type").and_then(Value::as_str) != Some("object") {
        return Err(format!("#{pointer}: not `type: object`"));
    }
    let required = variant.get("required").and_then(Value::as_array);
    if !required.is_some_and(|r| r.contains(&json!("type"))) {
        return Err(format!("#{pointer}: `type` is not required"));
    }
    let tag_pointer = join(&join(&pointer, "properties"), "type");
    let (_, tag) =
        deref(doc, &tag_pointer).map_err(|_| format!("#{pointer}: no `type` property"))?;
    match tag.get("enum").and_then(Value::as_array).map(Vec::as_slice) {
        Some([Value::String(value)]) => Ok(value.clone()),
        other => Err(format!(
            "#{tag_pointer}: enum {other:?}, expected exactly one string"
        )),
    }
}

#[test]
fn one_of_unions_are_tagged_or_hand_written() {
    let doc = doc();
    let mut offenders = Vec::new();
    for (pointer, schema) in s::all_schemas(&doc) {
        let Some(Value::Array(variants)) = schema.get("oneOf") else {
            continue;
        };
        if flag(schema, "x-noxitel-hand-written") {
            continue;
        }
        let mut tags: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..variants.len() {
            match variant_tag(&doc, &join(&join(&pointer, "oneOf"), &i.to_string())) {
                Ok(tag) => *tags.entry(tag).or_default() += 1,
                Err(e) => offenders.push(format!("union #{pointer}: {e}")),
            }
        }
        for (tag, n) in tags {
            if n > 1 {
                offenders.push(format!(
                    "union #{pointer}: tag {tag:?} used by {n} variants"
                ));
            }
        }
    }
    assert_none(
        &offenders,
        "a oneOf needs object variants with a required single-value `type` enum, or x-noxitel-hand-written: true",
    );
}

#[test]
fn any_of_schemas_are_hand_written() {
    let doc = doc();
    let offenders: Vec<String> = s::all_schemas(&doc)
        .into_iter()
        .filter(|(_, schema)| {
            schema.get("anyOf").is_some()
                && !flag(schema, "x-noxitel-hand-written")
                && !flag(schema, "x-noxitel-extensible")
        })
        .map(|(p, _)| format!("#{p}"))
        .collect();
    assert_none(
        &offenders,
        "every anyOf schema needs x-noxitel-hand-written: true (or is an open enum)",
    );
}

/// An open enum is `anyOf: [{type: string, enum: [known…]}, {type: string}]`, so generators
/// for other languages accept values added later instead of rejecting the whole answer.
#[test]
fn extensible_enums_are_open_in_the_document() {
    let doc = doc();
    let mut offenders = Vec::new();
    let mut seen = 0;
    for (pointer, schema) in s::all_schemas(&doc) {
        if !flag(schema, "x-noxitel-extensible") {
            continue;
        }
        seen += 1;
        let branches = schema.get("anyOf").and_then(Value::as_array);
        let open = matches!(branches.map(Vec::as_slice), Some([known, any])
            if s::is_string_enum(known)
                && any.get("type").and_then(Value::as_str) == Some("string")
                && any.get("enum").is_none());
        if !open || schema.get("enum").is_some() {
            offenders.push(format!(
                "#{pointer}: expected anyOf [string enum of the known values, any string]"
            ));
        }
    }
    assert_none(&offenders, "extensible enums accept unknown values");
    assert!(seen >= 7, "found only {seen} extensible enums");
}

/// Whether the enum at `pointer` is the known-values branch of an open (extensible) enum.
fn is_open_enum_branch(doc: &Value, pointer: &str) -> bool {
    pointer
        .strip_suffix("/anyOf/0")
        .and_then(|parent| doc.pointer(parent))
        .is_some_and(|parent| flag(parent, "x-noxitel-extensible"))
}

fn allow_listed(pointer: &str) -> Option<&'static str> {
    REQUEST_ONLY_ENUMS
        .iter()
        .copied()
        .find(|prefix| pointer == *prefix || pointer.starts_with(&format!("{prefix}/")))
}

#[test]
fn enums_reachable_from_responses_are_extensible() {
    let doc = doc();
    let roots = response_schema_roots(&doc);
    assert!(
        roots.len() >= 22 * 2,
        "found only {} response schema roots",
        roots.len()
    );
    let (reachable, broken) = s::reachable_schemas(&doc, &roots);
    let mut offenders: Vec<String> = broken
        .iter()
        .map(|b| format!("unresolvable: {b}"))
        .collect();
    let mut extensible = 0;
    for pointer in &reachable {
        let schema = doc.pointer(pointer).expect("reachable pointers exist");
        if !s::is_string_enum(schema) {
            continue;
        }
        if flag(schema, "x-noxitel-extensible") || is_open_enum_branch(&doc, pointer) {
            extensible += 1;
        } else if allow_listed(pointer).is_none() {
            offenders.push(format!(
                "#{pointer}: {} — mark it x-noxitel-extensible: true",
                schema.get("enum").expect("string enum")
            ));
        }
    }
    assert_none(
        &offenders,
        "string enums a client reads (responses, callback bodies) must be extensible",
    );
    assert!(
        extensible >= 5,
        "found only {extensible} extensible enums reachable from responses"
    );
}

#[test]
fn request_only_enum_allow_list_is_exact() {
    let doc = doc();
    let (reachable, _) = s::reachable_schemas(&doc, &response_schema_roots(&doc));
    let mut offenders = Vec::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for (pointer, schema) in s::all_schemas(&doc) {
        if !s::is_string_enum(schema)
            || flag(schema, "x-noxitel-extensible")
            || is_open_enum_branch(&doc, &pointer)
        {
            continue;
        }
        match allow_listed(&pointer) {
            None => offenders.push(format!(
                "#{pointer}: closed enum not on REQUEST_ONLY_ENUMS — mark it extensible, or allow-list it if it is request-only"
            )),
            Some(prefix) => {
                used.insert(prefix);
                if reachable.contains(&pointer) {
                    offenders.push(format!(
                        "#{pointer}: allow-listed as request-only but reachable from a response or callback"
                    ));
                }
            }
        }
    }
    for prefix in REQUEST_ONLY_ENUMS {
        if !used.contains(prefix) {
            offenders.push(format!(
                "allow-list entry {prefix} names no closed string enum"
            ));
        }
    }
    assert_none(
        &offenders,
        "REQUEST_ONLY_ENUMS must list exactly the closed, request-only string enums",
    );
}

#[test]
fn notify_url_operations_declare_post_callbacks() {
    let doc = doc();
    let mut offenders = Vec::new();
    let mut with_notify_url = BTreeSet::new();
    for op in main_ops(&doc) {
        let schema_ref = deref(&doc, &join(&op.pointer, "requestBody"))
            .ok()
            .and_then(|(_, b)| b.pointer("/content/application~1json/schema/$ref"))
            .and_then(Value::as_str)
            .and_then(|r| resolve_ref(&doc, r));
        if schema_ref
            .and_then(|sch| sch.pointer("/properties/notifyUrl"))
            .is_some()
        {
            with_notify_url.insert(op.id().to_owned());
        }
        let callbacks = op.op.get("callbacks").and_then(Value::as_object);
        let has_post = callbacks.is_some_and(|cbs| {
            cbs.keys().any(|name| {
                deref(&doc, &join(&join(&op.pointer, "callbacks"), name))
                    .ok()
                    .and_then(|(_, cb)| cb.get(NOTIFY_URL_EXPRESSION))
                    .and_then(|item| item.get("post"))
                    .is_some()
            })
        });
        let takes_notify_url = with_notify_url.contains(op.id());
        if takes_notify_url && !has_post {
            offenders.push(format!(
                "{}: takes notifyUrl but declares no `{NOTIFY_URL_EXPRESSION}` POST callback",
                op.label()
            ));
        }
        if !takes_notify_url && callbacks.is_some() {
            offenders.push(format!(
                "{}: declares callbacks but takes no notifyUrl",
                op.label()
            ));
        }
    }
    let expected: BTreeSet<String> = NOTIFY_URL_OPERATIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if with_notify_url != expected {
        offenders.push(format!(
            "operations taking notifyUrl: {with_notify_url:?}, expected {expected:?}"
        ));
    }
    assert_none(&offenders, "notifyUrl operations declare their callbacks");
}

#[test]
fn rcs_webhook_event_enum_lists_the_documented_events() {
    let doc = doc();
    let op = main_ops(&doc)
        .into_iter()
        .find(|op| op.id() == "sendRcsMessage")
        .expect("sendRcsMessage exists");
    let callbacks = s::operations(&doc)
        .into_iter()
        .filter(|cb| cb.callback_of.as_deref() == Some(op.pointer.as_str()) && cb.method == "post")
        .collect::<Vec<_>>();
    assert!(
        !callbacks.is_empty(),
        "sendRcsMessage declares no POST callback"
    );
    let mut offenders = Vec::new();
    for cb in callbacks {
        let schema = deref(&doc, &join(&cb.pointer, "requestBody"))
            .ok()
            .and_then(|(p, _)| deref(&doc, &format!("{p}/content/application~1json/schema")).ok());
        let Some((schema_pointer, _)) = schema else {
            offenders.push(format!("{}: no JSON request body schema", cb.label()));
            continue;
        };
        let event = deref(&doc, &format!("{schema_pointer}/properties/event"));
        let values: BTreeSet<&str> = event
            .as_ref()
            .ok()
            .and_then(|(_, e)| e.get("enum").or_else(|| e.pointer("/anyOf/0/enum")))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for want in RCS_EVENTS {
            if !values.contains(want) {
                offenders.push(format!(
                    "{} (#{schema_pointer}): `event` enum lacks {want}",
                    cb.label()
                ));
            }
        }
    }
    assert_none(
        &offenders,
        "the RCS webhook `event` enum lists every documented event",
    );
}

#[test]
fn voice_call_is_marked_preview() {
    let doc = doc();
    let mut offenders = Vec::new();
    let mut voice = 0;
    for op in main_ops(&doc) {
        let preview = flag(op.op, "x-noxitel-preview");
        if op.path.starts_with("/voice/") {
            voice += 1;
            let description = op
                .op
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_lowercase();
            if !preview {
                offenders.push(format!("{}: not `x-noxitel-preview: true`", op.label()));
            }
            for phrase in ["coming soon", "preview"] {
                if !description.contains(phrase) {
                    offenders.push(format!(
                        "{}: description does not say {phrase:?}",
                        op.label()
                    ));
                }
            }
        } else if preview {
            offenders.push(format!(
                "{}: marked preview but only Voice is coming soon",
                op.label()
            ));
        }
    }
    assert_eq!(voice, 1, "expected exactly one /voice operation");
    assert_none(&offenders, "the Voice API is a preview");
}

// ------------------------------------------------------------------ 3. examples validate

#[test]
fn every_example_validates_against_its_schema() {
    let doc = doc();
    let definitions = s::definitions(&doc);
    let root = json!({ "definitions": definitions });
    if let Err(e) = jsonschema::draft7::meta::validate(&root) {
        panic!("components.schemas converted to JSON Schema is not a valid draft 7 schema: {e}");
    }
    let (checked, failures) = s::example_failures(&doc);
    eprintln!("validated {checked} examples");
    assert_none(
        &failures,
        "examples that do not validate against their schema",
    );
    assert!(
        checked >= MIN_EXAMPLES,
        "found only {checked} examples (expected at least {MIN_EXAMPLES})"
    );
}

fn errors_against_component(name: &str, instance: &Value) -> Vec<String> {
    let doc = doc();
    let schema = s::json_schema_at(
        &doc,
        &s::definitions(&doc),
        &join("/components/schemas", name),
    )
    .expect("component exists");
    s::validation_errors(&schema, instance).expect("schema compiles")
}

#[test]
fn example_validation_rejects_invalid_instances() {
    let cases = [
        ("SendOtpResponse", json!({"status": "success"}), "reference"),
        ("ApiError", json!({}), "message"),
        ("RcsSuggestion", json!({"type": "url", "text": "Open"}), ""),
        (
            "SmsDlrResponse",
            json!({"status": "success", "data": [{"mobile": true}]}),
            "",
        ),
        ("Contact", json!({"mobile": 919887111111_u64}), ""),
    ];
    let mut offenders = Vec::new();
    for (name, instance, mention) in &cases {
        let errors = errors_against_component(name, instance);
        if errors.is_empty() {
            offenders.push(format!("{name} accepts {instance}"));
        } else if !errors.iter().any(|e| e.contains(mention)) {
            offenders.push(format!(
                "{name} rejects {instance} but not for `{mention}`: {errors:?}"
            ));
        }
    }
    // and the valid counterparts pass
    for (name, instance) in [
        (
            "SendOtpResponse",
            json!({"status": "success", "reference": "036BZDUHIX"}),
        ),
        ("ApiError", json!({"message": "x"})),
        (
            "RcsSuggestion",
            json!({"type": "url", "text": "Open", "url": "https://example.com"}),
        ),
    ] {
        let errors = errors_against_component(name, &instance);
        if !errors.is_empty() {
            offenders.push(format!("{name} rejects valid {instance}: {errors:?}"));
        }
    }
    assert_none(
        &offenders,
        "the converted schemas must reject invalid instances",
    );
}

#[test]
fn example_validation_reports_broken_examples_by_pointer() {
    let mut doc = doc();
    let media_example =
        "/paths/~1otp/post/responses/200/content/application~1json/examples/success/value";
    let schema_example = "/components/schemas/Contact/example";
    let parameter_example = "/paths/~1rcs~1capability/get/parameters/1/example";
    doc.pointer_mut(media_example)
        .and_then(Value::as_object_mut)
        .expect("the sendOtp success example exists")
        .remove("reference");
    *doc.pointer_mut(&format!("{schema_example}/mobile"))
        .expect("Contact example") = json!(919887111111_u64);
    *doc.pointer_mut(parameter_example).expect("agentId example") = json!("forty-two");
    let (_, failures) = s::example_failures(&doc);
    let mut missing = Vec::new();
    for pointer in [media_example, schema_example, parameter_example] {
        if !failures
            .iter()
            .any(|f| f.starts_with(&format!("#{pointer} ")))
        {
            missing.push(format!("#{pointer}"));
        }
    }
    assert_none(&missing, "broken examples not reported");
    assert_eq!(
        failures.len(),
        3,
        "exactly the three broken examples fail: {failures:#?}"
    );
}

// ------------------------------------------------------------------ 4. seed fixtures

fn seed_fixtures() -> Vec<(String, Value)> {
    fixtures::seed_names()
        .into_iter()
        .map(|name| {
            let value = fixtures::seed(&name);
            (name, value)
        })
        .collect()
}

#[test]
fn seed_fixture_directory_is_complete() {
    let fixtures = seed_fixtures();
    assert!(
        fixtures.len() >= SEED_FIXTURES,
        "expected at least {SEED_FIXTURES} seed fixtures, found {}",
        fixtures.len()
    );
    let readme = std::fs::read_to_string(fixtures::seed_dir().join("README.md"))
        .expect("tests/fixtures/seed/README.md");
    let undocumented: Vec<String> = fixtures
        .iter()
        .filter(|(name, _)| !readme.contains(&format!("`{name}`")))
        .map(|(name, _)| name.clone())
        .collect();
    assert_none(
        &undocumented,
        "fixtures missing from tests/fixtures/seed/README.md",
    );
}

#[test]
fn every_seed_fixture_is_a_document_example() {
    let doc = doc();
    let (examples, _) = s::collect_examples(&doc);
    let fixtures = seed_fixtures();
    assert!(!fixtures.is_empty(), "no seed fixtures");
    let missing: Vec<String> = fixtures
        .iter()
        .filter(|(_, fixture)| {
            !examples
                .iter()
                .any(|e| s::contains_subtree(&e.value, fixture))
        })
        .map(|(name, fixture)| format!("{name}: {fixture}"))
        .collect();
    assert_none(
        &missing,
        "seed examples not found among the document's examples",
    );
}

#[test]
fn json_equality_compares_numbers_by_value() {
    assert!(s::json_eq(
        &json!({"a": [0, 1.5]}),
        &json!({"a": [0.0, 1.5]})
    ));
    assert!(!s::json_eq(&json!({"a": 1}), &json!({"a": "1"})));
    assert!(!s::json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    assert!(s::contains_subtree(
        &json!({"x": [{"y": 2}]}),
        &json!({"y": 2.0})
    ));
    assert!(!s::contains_subtree(
        &json!({"x": [{"y": 2, "z": 3}]}),
        &json!({"y": 2})
    ));
}

/// The build scripts read `openapi/noxitel.json` (no YAML parser in a dependent's build);
/// `cargo xtask generate` writes it, and the golden copies, from the YAML. Both give the same
/// code.
#[test]
fn the_json_copy_generates_the_same_code_as_the_document() {
    let root = noxitel_tests::workspace_root();
    let yaml = noxitel_codegen::Spec::from_file(root.join("openapi/noxitel.yaml")).unwrap();
    let json = noxitel_codegen::Spec::from_file(root.join("openapi/noxitel.json")).unwrap();
    assert_eq!(
        yaml.doc, json.doc,
        "openapi/noxitel.json is stale: run `cargo xtask generate`"
    );
    for (name, generate) in xtask::artifacts::GENERATED {
        assert!(
            generate(&yaml).unwrap() == generate(&json).unwrap(),
            "{name}: the JSON copy generates other code"
        );
    }
}
