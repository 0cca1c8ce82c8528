//! The 22 operations of `/api/v2`: the helpers several channels share, one module per channel.

mod otp;
mod rcs;
mod sms;
mod voice;
mod whatsapp;

pub(crate) use otp::{send_otp, verify_otp};
pub(crate) use rcs::{
    add_test_device, capability, conversation, get_agent, launch_agent, list_agents,
    list_test_devices, rcs_dlr, remove_test_device, send_rcs, submit_agent, upsert_agent,
};
pub(crate) use sms::{credits, send_sms, sms_dlr};
pub(crate) use voice::voice_call;
pub(crate) use whatsapp::{send_whatsapp, whatsapp_prices, whatsapp_report, whatsapp_window};

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::Query;
use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::segments::{self, Encoding};
use noxitel_types::{Contact, ResponseStatus, SmsMode, StatusResponse, Validate};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::clock::{self, parse_sys, rfc3339};
use crate::error::{ApiErr, ApiResult};
pub(crate) use crate::http::{A, S};
use crate::state::change::Change;
use crate::state::records::{BatchId, SmsId, SmsOrigin, SmsRecord, SmsState};
use crate::state::{Data, Session, Shared};
use crate::store::Durable;
use crate::text;

type Q = Query<HashMap<String, String>>;

/// Runs `f` on the locked account, then waits until its changes are durable: only then may
/// the answer be sent. (The lock is released before waiting.)
pub(crate) async fn change<T>(
    s: &Shared,
    acct: &Arc<crate::state::Account>,
    f: impl FnOnce(&mut Session<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    let (result, wait) = {
        let mut d = s.session(acct);
        let result = f(&mut d);
        (result, d.commit())
    };
    let answer = result?;
    durable(wait).await?;
    Ok(answer)
}

/// Waits until the session's changes are durable: the answer may then be sent.
pub(crate) async fn durable(durable: Durable) -> ApiResult<()> {
    durable.wait().await.map_err(ApiErr::unstored)
}

/// Reads a JSON body into a request type and checks the reference's rules.
pub fn parse<T: DeserializeOwned + Validate>(body: &[u8]) -> ApiResult<T> {
    let value = parse_raw::<T>(body)?;
    // No field of the document is nullable: `null` is a wrong type, not an omitted field.
    if let Ok(raw) = serde_json::from_slice::<Value>(body)
        && let Some(path) = find_null(&raw, String::new())
    {
        return Err(ApiErr::bad_request(format!(
            "Invalid parameter {path}: null is not allowed (omit the field instead)"
        )));
    }
    value
        .validate()
        .map_err(|e| ApiErr::bad_request(format!("Invalid parameter {}: {}", e.field, e.reason)))?;
    Ok(value)
}

fn find_null(value: &Value, path: String) -> Option<String> {
    match value {
        Value::Null => Some(if path.is_empty() { ".".into() } else { path }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_null(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            find_null(v, child)
        }),
        _ => None,
    }
}

/// Reads a JSON body into `T`, with the path of the offending field on error.
pub fn parse_raw<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiErr::bad_request(
            "Missing request body: send a JSON object with Content-Type: application/json",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at_root = path == "." || path.is_empty();
        if inner.is_syntax() || inner.is_eof() {
            return ApiErr::bad_request(format!("Malformed JSON body: {inner}"));
        }
        let reason = plain_reason(&inner);
        // "missing field `x`" reads like the query-string answer: `Missing parameter x`.
        if let Some(field) = reason
            .strip_prefix("missing field `")
            .and_then(|r| r.strip_suffix('`'))
        {
            return ApiErr::bad_request(match at_root {
                true => format!("Missing parameter {field}"),
                false => format!("Missing parameter {path}.{field}"),
            });
        }
        match at_root {
            // An array body reads as a struct-from-sequence: say what is expected instead.
            true if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') => {
                ApiErr::bad_request("Invalid request body: it must be a JSON object")
            }
            true => ApiErr::bad_request(format!("Invalid request body: {reason}")),
            false => ApiErr::bad_request(format!("Invalid parameter {path}: {reason}")),
        }
    })
}

/// serde's reason in the API's words: no source position, no Rust type names.
fn plain_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) if text[at..].contains(" column ") => &text[..at],
        _ => &text,
    };
    let text = match text.find("expected struct ") {
        Some(at) => format!("{}expected a JSON object", &text[..at]),
        None => text.to_owned(),
    };
    text.replace("expected i64", "expected an integer")
        .replace("expected u64", "expected a non-negative integer")
        .replace("expected u32", "expected a non-negative integer")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected a JSON array")
        .replace("expected a map", "expected a JSON object")
}

fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> ApiResult<&'a str> {
    match q.get(name).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiErr::bad_request(format!("Missing parameter {name}"))),
    }
}

fn int_param(q: &HashMap<String, String>, name: &str) -> ApiResult<i64> {
    let raw = param(q, name)?;
    raw.parse().map_err(|_| {
        ApiErr::bad_request(format!(
            "Invalid parameter {name}: {raw:?} is not an integer"
        ))
    })
}

fn phone(name: &str, value: &str) -> ApiResult<String> {
    let digits = text::normalize(value);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiErr::bad_request(format!(
            "Invalid parameter {name}: {value:?} is not a phone number (digits with country code, e.g. 919887111111)"
        )));
    }
    Ok(digits.to_owned())
}

fn ok() -> ResponseStatus {
    ResponseStatus::Success
}

fn status_response(message: impl Into<String>, extra: Value) -> Json<StatusResponse> {
    let extra = match extra {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Json(StatusResponse {
        status: Some(ok()),
        message: Some(message.into()),
        extra,
    })
}

fn schedule_time(schedule: Option<&str>, now: DateTime<Utc>) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(value) = schedule else {
        return Ok(None);
    };
    let at = parse_sys(value).ok_or_else(|| {
        ApiErr::bad_request(format!(
            "Invalid parameter schedule: {value:?} is not a valid date and time (YYYY-MM-DD HH:MM:SS)"
        ))
    })?;
    Ok((at > now).then_some(at))
}

fn cents(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

fn delay(shared: &Shared) -> TimeDelta {
    shared.delay()
}

fn contacts_of(d: &Data, contacts: &[Contact], group: Option<i64>) -> ApiResult<Vec<Contact>> {
    match group {
        Some(id) => d.contact_groups.get(&id).cloned().ok_or_else(|| {
            ApiErr::not_found(format!(
                "contactGroup {id} not found (this account has contact groups {:?})",
                d.contact_groups.keys().collect::<Vec<_>>()
            ))
        }),
        None => Ok(contacts.to_vec()),
    }
}

// SMS planning and insertion, shared by the SMS send, the RCS SMS fallback and OTP.

struct PlannedSms {
    mobile: String,
    text: String,
    mode: SmsMode,
    segments: i64,
}

fn plan_sms(template: &str, contact: &Contact, mode: Option<SmsMode>) -> PlannedSms {
    let text = text::personalize(template, &contact.parameters);
    let encoding = match mode {
        Some(SmsMode::Unicode) => Encoding::Ucs2,
        _ => segments::encoding(&text),
    };
    let unicode = encoding == Encoding::Ucs2;
    let mode = if unicode {
        SmsMode::Unicode
    } else if mode == Some(SmsMode::Flash) {
        SmsMode::Flash
    } else {
        SmsMode::Text
    };
    PlannedSms {
        mobile: text::normalize(&contact.mobile).to_owned(),
        segments: segments::count_as(&text, encoding).segments as i64,
        text,
        mode,
    }
}

fn insufficient_credits(route_id: i64, name: &str, have: i64, need: i64) -> ApiErr {
    ApiErr::payment(format!(
        "Insufficient credits: route {route_id} ({name}) has {have} credits, this send needs {need}"
    ))
    .with("required", need)
    .with("available", have)
}

#[allow(clippy::too_many_arguments)]
fn insert_sms(
    d: &mut Session<'_>,
    plan: PlannedSms,
    batch_id: &BatchId,
    sender: &str,
    route_id: i64,
    campaign_id: i64,
    now: DateTime<Utc>,
    scheduled: Option<DateTime<Utc>>,
    delay: TimeDelta,
    notify_url: Option<String>,
    origin: SmsOrigin,
) -> SmsId {
    let sms_id = SmsId(text::uuid());
    let next = match scheduled {
        Some(at) => at,
        None => now + crate::magic::dlr_delay(&plan.mobile, delay),
    };
    let sms = SmsRecord {
        sms_id: sms_id.clone(),
        batch_id: batch_id.clone(),
        mobile: plan.mobile,
        sender: sender.to_owned(),
        text: plan.text,
        mode: plan.mode,
        segments: plan.segments,
        route_id,
        campaign_id,
        sent_at: scheduled.unwrap_or(now),
        state: if scheduled.is_some() {
            SmsState::Scheduled
        } else {
            SmsState::Submitted
        },
        done_at: None,
        notify_url,
        origin,
    };
    d.apply(now, Change::SmsAccepted { sms, next });
    sms_id
}

/// Debits route credits (`Some(route)`) or wallet cents (`None`).
fn debit(d: &mut Session<'_>, now: DateTime<Utc>, route_id: Option<i64>, amount: i64, batch: &str) {
    if amount == 0 {
        return;
    }
    let before = match route_id {
        Some(id) => d.routes.get(&id).map_or(0, |r| r.credits),
        None => d.wallet_cents,
    };
    d.apply(
        now,
        Change::CreditsDebited {
            route_id,
            amount,
            balance: before - amount,
            for_batch: batch.to_owned(),
        },
    );
}

/// Current time as the clock module formats it (used by the control surface).
pub fn now_json(shared: &Shared) -> Value {
    let now = shared.clock.now();
    json!({"now": rfc3339(now), "system_time": clock::sys(now)})
}
