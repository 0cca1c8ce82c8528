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

use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::personalization::personalize;
use noxitel_types::segments::{self, Encoding};
use noxitel_types::{Contact, ResponseStatus, SmsMode, StatusResponse};
use serde_json::{Map, Value};

use crate::clock::parse_system_time;
use crate::error::{ApiErr, ApiResult};
use crate::http::Caller;
pub(crate) use crate::http::{QueryParams, parse};
use crate::state::change::Change;
use crate::state::records::{BatchId, SmsId, SmsOrigin, SmsRecord, SmsState};
use crate::state::{AccountState, Session, Shared};
use crate::{ids, magic};

fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> ApiResult<&'a str> {
    match query.get(name).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiErr::bad_request(format!("Missing parameter {name}"))),
    }
}

/// The query parameters `names`, each present and not blank (the first missing one is the
/// error).
fn params<'a, const N: usize>(
    query: &'a HashMap<String, String>,
    names: [&str; N],
) -> ApiResult<[&'a str; N]> {
    let mut values = [""; N];
    for (value, name) in values.iter_mut().zip(names) {
        *value = param(query, name)?;
    }
    Ok(values)
}

fn int_param(query: &HashMap<String, String>, name: &str) -> ApiResult<i64> {
    let raw = param(query, name)?;
    raw.parse().map_err(|_| {
        ApiErr::bad_request(format!(
            "Invalid parameter {name}: {raw:?} is not an integer"
        ))
    })
}

fn phone(name: &str, value: &str) -> ApiResult<String> {
    let digits = magic::bare_number(value);
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
    let at = parse_system_time(value).ok_or_else(|| {
        ApiErr::bad_request(format!(
            "Invalid parameter schedule: {value:?} is not a valid date and time (YYYY-MM-DD HH:MM:SS)"
        ))
    })?;
    Ok((at > now).then_some(at))
}

/// Runs a send as one change, at the sandbox's time and with the request's `schedule` (none
/// when it is past; a bad one is refused before the account is locked).
async fn send<T>(
    caller: &Caller,
    schedule: Option<&str>,
    accept: impl FnOnce(&mut Session<'_>, DateTime<Utc>, Option<DateTime<Utc>>) -> ApiResult<T>,
) -> ApiResult<T> {
    let now = caller.shared.clock.now();
    let scheduled = schedule_time(schedule, now)?;
    caller
        .change(|session, _| accept(session, now, scheduled))
        .await
}

fn cents(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

fn delay(shared: &Shared) -> TimeDelta {
    shared.delay()
}

fn contacts_of(
    session: &AccountState,
    contacts: &[Contact],
    group: Option<i64>,
) -> ApiResult<Vec<Contact>> {
    match group {
        Some(id) => session.contact_groups.get(&id).cloned().ok_or_else(|| {
            ApiErr::not_found(format!(
                "contactGroup {id} not found (this account has contact groups {:?})",
                session.contact_groups.keys().collect::<Vec<_>>()
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
    let text = personalize(template, &contact.parameters);
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
        mobile: magic::bare_number(&contact.mobile).to_owned(),
        segments: segments::count_as(&text, encoding).segments as i64,
        text,
        mode,
    }
}

/// Route `route_id` (an existing one) has the `need` credits a send costs: a 402 naming both
/// numbers otherwise.
fn check_credits(session: &AccountState, route_id: i64, need: i64) -> ApiResult<()> {
    let route = &session.routes[&route_id];
    if route.credits >= need {
        return Ok(());
    }
    Err(ApiErr::payment(format!(
        "Insufficient credits: route {route_id} ({}) has {} credits, this send needs {need}",
        route.name, route.credits
    ))
    .with("required", need)
    .with("available", route.credits))
}

/// The wallet holds the `need` cents `what` ("this send", "a call") costs: a 402 naming both
/// amounts otherwise.
fn check_wallet(session: &AccountState, need: i64, what: &str) -> ApiResult<()> {
    if session.wallet_cents >= need {
        return Ok(());
    }
    Err(ApiErr::payment(format!(
        "Insufficient balance: wallet has {} {}, {what} needs {}",
        cents(session.wallet_cents),
        session.currency,
        cents(need)
    )))
}

#[allow(clippy::too_many_arguments)]
fn insert_sms(
    session: &mut Session<'_>,
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
    let sms_id = SmsId(ids::uuid());
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
    session.apply(
        now,
        Change::SmsAccepted {
            sms: Box::new(sms),
            next,
        },
    );
    sms_id
}

/// Debits route credits (`Some(route)`) or wallet cents (`None`).
fn debit(
    session: &mut Session<'_>,
    now: DateTime<Utc>,
    route_id: Option<i64>,
    amount: i64,
    batch: &str,
) {
    if amount == 0 {
        return;
    }
    let before = match route_id {
        Some(id) => session.routes.get(&id).map_or(0, |r| r.credits),
        None => session.wallet_cents,
    };
    session.apply(
        now,
        Change::CreditsDebited {
            route_id,
            amount,
            balance: before - amount,
            for_batch: batch.to_owned(),
        },
    );
}
