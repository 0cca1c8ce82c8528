//! The 22 operations of `/api/v2`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::segments::{self, Encoding};
use noxitel_types::{
    Contact, CreditsResponse, OtpMatched, OtpVerifyResponse, RcsAgentLaunchRequest,
    RcsAgentRequest, RcsAgentSubmitRequest, RcsCapabilityResponse, RcsConversationResponse,
    RcsDeliveryStatus, RcsDlrRecord, RcsDlrState, RcsFeature, RcsMessageContent, RcsMessageId,
    RcsTestDeviceRequest, ResponseStatus, RouteCredits, SendOtpRequest, SendOtpResponse,
    SendRcsMessageRequest, SendRcsMessageResponse, SendSmsRequest, SendSmsResponse,
    SendWhatsappMessageRequest, SendWhatsappMessageResponse, SmsDeliveryStatus, SmsDlrRecord,
    SmsDlrRequest, SmsDlrResponse, SmsMessageId, SmsMode, StatusResponse, StringOrNumber, Validate,
    VoiceCallRequest, VoiceCallResponse, VoiceCallStatus, Wallet, WhatsappMessageId,
    WhatsappMessageReport, WhatsappMessageType, WhatsappPrice, WhatsappPriceByCategory,
    WhatsappPriceList, WhatsappWindowResponse,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::clock::{self, parse_sys, rfc3339, rfc3339_ms, sys};
use crate::error::{ApiErr, ApiResult};
use crate::state::{
    Account, Agent, Call, Data, Event, Otp, RcsRecord, Shared, SmsRecord, SmsState, WaRecord,
    sms_status,
};
use crate::text;

type S = State<Arc<Shared>>;
type A = Extension<Arc<Account>>;
type Q = Query<HashMap<String, String>>;

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
        if inner.is_syntax() || inner.is_eof() {
            ApiErr::bad_request(format!("Malformed JSON body: {inner}"))
        } else if path == "." || path.is_empty() {
            ApiErr::bad_request(format!("Invalid request body: {inner}"))
        } else {
            ApiErr::bad_request(format!("Invalid parameter {path}: {inner}"))
        }
    })
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
    TimeDelta::from_std(shared.config.dlr_delay).unwrap_or(TimeDelta::seconds(2))
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

// ------------------------------------------------------------------ SMS

struct PlannedSms {
    mobile: String,
    text: String,
    mode: String,
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
        "unicode"
    } else if mode == Some(SmsMode::Flash) {
        "flash"
    } else {
        "text"
    };
    PlannedSms {
        mobile: text::normalize(&contact.mobile).to_owned(),
        segments: segments::count_as(&text, encoding).segments as i64,
        text,
        mode: mode.to_owned(),
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
    d: &mut Data,
    plan: PlannedSms,
    batch_id: &str,
    sender: &str,
    route_id: i64,
    campaign_id: i64,
    now: DateTime<Utc>,
    scheduled: Option<DateTime<Utc>>,
    delay: TimeDelta,
    notify_url: Option<String>,
    origin: &'static str,
) -> String {
    let sms_id = text::uuid();
    let record = SmsRecord {
        sms_id: sms_id.clone(),
        batch_id: batch_id.to_owned(),
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
    d.sms.insert(sms_id.clone(), record);
    d.sms_batches
        .entry(batch_id.to_owned())
        .or_default()
        .push(sms_id.clone());
    match scheduled {
        Some(at) => d.schedule(at, Event::SmsRelease(sms_id.clone())),
        None => d.schedule(now + delay, Event::SmsFinal(sms_id.clone())),
    }
    sms_id
}

pub async fn send_sms(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<SendSmsResponse>> {
    let req: SendSmsRequest = parse(&body)?;
    let now = s.clock.now();
    let scheduled = schedule_time(req.schedule.as_deref(), now)?;
    let mut d = s.lock(&acct);
    let campaign_id = req.campaign_id.unwrap_or(1);
    if !d.campaigns.contains_key(&campaign_id) {
        return Err(ApiErr::not_found(format!(
            "campaignId {campaign_id} not found (this account has campaigns {:?})",
            d.campaigns.keys().collect::<Vec<_>>()
        )));
    }
    let route_id = req.route_id.unwrap_or(1);
    let route = d.routes.get(&route_id).cloned().ok_or_else(|| {
        ApiErr::not_found(format!(
            "routeId {route_id} not found (this account has routes 1 and 2)"
        ))
    })?;
    if route.needs_sender && req.sender.is_none() {
        return Err(ApiErr::bad_request(format!(
            "Missing parameter sender: route {route_id} ({}) is approval-based and needs an approved sender ID",
            route.name
        )));
    }
    let template = match req.template_id {
        Some(id) => d.sms_templates.get(&id).cloned().ok_or_else(|| {
            ApiErr::not_found(format!(
                "templateId {id} not found (this account has SMS templates {:?})",
                d.sms_templates.keys().collect::<Vec<_>>()
            ))
        })?,
        None => req.message.clone().unwrap_or_default(),
    };
    let contacts = contacts_of(&d, &req.contacts, req.contact_group)?;
    let plans: Vec<PlannedSms> = contacts
        .iter()
        .map(|c| plan_sms(&template, c, req.mode))
        .collect();
    let need: i64 = plans.iter().map(|p| p.segments).sum();
    if route.credits < need {
        return Err(insufficient_credits(
            route_id,
            &route.name,
            route.credits,
            need,
        ));
    }
    if let Some(r) = d.routes.get_mut(&route_id) {
        r.credits -= need;
    }
    let batch_id = text::id("samsms");
    let sender = req.sender.clone().unwrap_or_else(|| "NOXSMS".into());
    let delay = delay(&s);
    let mut ids = Vec::with_capacity(plans.len());
    for plan in plans {
        let mobile = plan.mobile.clone();
        let sms_id = insert_sms(
            &mut d,
            plan,
            &batch_id,
            &sender,
            route_id,
            campaign_id,
            now,
            scheduled,
            delay,
            req.notify_url.clone(),
            "sms",
        );
        ids.push(SmsMessageId {
            mobile: StringOrNumber::from(mobile),
            sms_id,
        });
    }
    Ok(Json(SendSmsResponse {
        status: ok(),
        message: Some(if scheduled.is_some() {
            "SMS Scheduled successfully".into()
        } else {
            "SMS Submitted successfully".into()
        }),
        batch_id,
        total_contacts: Some(ids.len() as i64),
        message_id: ids,
    }))
}

fn dlr_record(sms: &SmsRecord) -> SmsDlrRecord {
    let (status, reply) = sms_status(sms.state);
    let mobile = sms
        .mobile
        .parse::<i64>()
        .map(StringOrNumber::from)
        .unwrap_or_else(|_| StringOrNumber::from(sms.mobile.clone()));
    SmsDlrRecord {
        sms_shoot_id: Some(sms.sms_id.clone()),
        mobile: Some(mobile),
        sender_id: Some(sms.sender.clone()),
        sent: Some(sys(sms.sent_at)),
        dlr: Some(SmsDeliveryStatus {
            status: Some(status.into()),
            operator_reply: Some(reply.into()),
            delivery_time: sms.done_at.map(sys),
        }),
    }
}

pub async fn sms_dlr(
    State(s): S,
    Extension(acct): A,
    q: Q,
    body: Bytes,
) -> ApiResult<Json<SmsDlrResponse>> {
    // The reference sends the ids as a JSON body on GET; a query string is accepted too.
    let req: SmsDlrRequest = if body.iter().all(u8::is_ascii_whitespace) && !q.0.is_empty() {
        let req = SmsDlrRequest {
            batch_id: q.0.get("batch_id").cloned(),
            sms_id: q.0.get("sms_id").cloned(),
        };
        req.validate().map_err(|e| {
            ApiErr::bad_request(format!("Invalid parameter {}: {}", e.field, e.reason))
        })?;
        req
    } else {
        parse(&body)?
    };
    let d = s.lock(&acct);
    let data = if let Some(id) = &req.sms_id {
        let sms = d
            .sms
            .get(id)
            .ok_or_else(|| ApiErr::not_found(format!("sms_id {id:?} not found")))?;
        vec![dlr_record(sms)]
    } else {
        let id = req.batch_id.as_deref().unwrap_or_default();
        let ids = d
            .sms_batches
            .get(id)
            .ok_or_else(|| ApiErr::not_found(format!("batch_id {id:?} not found")))?;
        ids.iter()
            .filter_map(|i| d.sms.get(i))
            .map(dlr_record)
            .collect()
    };
    Ok(Json(SmsDlrResponse { status: ok(), data }))
}

pub async fn credits(State(s): S, Extension(acct): A) -> Json<CreditsResponse> {
    let d = s.lock(&acct);
    Json(CreditsResponse {
        status: ok(),
        billing_mode: Some("credits".into()),
        wallet: Some(Wallet {
            amount: Some(cents(d.wallet_cents)),
            currency: Some(d.currency.clone()),
        }),
        credits: d
            .routes
            .values()
            .map(|r| RouteCredits {
                route: Some(r.name.clone()),
                credits: Some(r.credits),
            })
            .collect(),
    })
}

// ------------------------------------------------------------------ WhatsApp

const WA_PRICE_CENTS: i64 = 5;

pub async fn send_whatsapp(State(s): S, Extension(acct): A, body: Bytes) -> ApiResult<Json<Value>> {
    let req: SendWhatsappMessageRequest = parse(&body)?;
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let phone_id = req
        .phone_id
        .clone()
        .unwrap_or_else(|| d.wa_phones[0].clone());
    if !d.wa_phones.contains(&phone_id) {
        return Err(ApiErr::not_found(format!(
            "phoneId {phone_id:?} is not a WhatsApp phone of this account (it has {:?})",
            d.wa_phones
        )));
    }
    let kind = req.type_.unwrap_or(WhatsappMessageType::Text);
    if kind == WhatsappMessageType::Template {
        let name = req.template_id.as_deref().unwrap_or_default();
        let template = d.wa_templates.get(name).ok_or_else(|| {
            ApiErr::not_found(format!(
                "templateId {name:?} not found (approved templates: {:?})",
                d.wa_templates.keys().collect::<Vec<_>>()
            ))
        })?;
        for (i, contact) in req.contacts.iter().enumerate() {
            let given = contact.parameters.as_ref().map_or(0, |p| p.body.len());
            if given != template.body_params {
                return Err(ApiErr::bad_request(format!(
                    "Invalid parameter contacts[{i}].parameters.body: template {name} takes {} body values, got {given}",
                    template.body_params
                )));
            }
        }
    }
    if matches!(
        kind,
        WhatsappMessageType::Reply | WhatsappMessageType::Reaction
    ) {
        let id = req.reply_to_message_id.as_deref().unwrap_or_default();
        if !d.wa.contains_key(id) {
            return Err(ApiErr::not_found(format!(
                "replyToMessageId {id:?} not found"
            )));
        }
    }
    let mut recipients = Vec::new();
    let mut total = 0;
    for (i, contact) in req.contacts.iter().enumerate() {
        let msisdn = phone(&format!("contacts[{i}].msisdn"), &contact.msisdn)?;
        let window_open = d
            .wa_windows
            .get(&(phone_id.clone(), msisdn.clone()))
            .is_some_and(|until| *until > now);
        // Service conversations (inside the customer's 24-hour window) are free.
        let cost = if window_open && kind != WhatsappMessageType::Template {
            0
        } else {
            WA_PRICE_CENTS
        };
        total += cost;
        recipients.push((msisdn, cost, contact.parameters.clone()));
    }
    if d.wallet_cents < total {
        return Err(
            ApiErr::payment("You don't have enough credits to send this campaign.")
                .with("required", cents(total))
                .with("available", cents(d.wallet_cents)),
        );
    }
    d.wallet_cents -= total;
    let campaign_id = d.next_wa_campaign.to_string();
    d.next_wa_campaign += 1;
    let content = {
        let mut v = serde_json::to_value(&req).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("contacts");
        }
        v
    };
    let delay = delay(&s);
    let mut ids = Vec::new();
    for (msisdn, cost, parameters) in recipients {
        let msg_id = text::uuid();
        let mut content = content.clone();
        if let (Value::Object(m), Some(p)) = (&mut content, parameters) {
            m.insert(
                "parameters".into(),
                serde_json::to_value(p).unwrap_or(Value::Null),
            );
        }
        d.wa.insert(
            msg_id.clone(),
            WaRecord {
                msg_id: msg_id.clone(),
                campaign_id: campaign_id.clone(),
                msisdn: msisdn.clone(),
                phone_id: phone_id.clone(),
                kind: kind.to_string(),
                content,
                cost_cents: cost,
                sent_at: now,
                status: "sent".into(),
                direction: "outgoing",
            },
        );
        d.wa_campaigns
            .entry(campaign_id.clone())
            .or_default()
            .push(msg_id.clone());
        d.schedule(now + delay, Event::WaFinal(msg_id.clone()));
        ids.push(WhatsappMessageId {
            msisdn: StringOrNumber::from(msisdn),
            msg_id,
        });
    }
    let answer = SendWhatsappMessageResponse {
        status: ok(),
        message: Some("Messages Sent Successfully".into()),
        total_cost: Some(total as f64 / 100.0),
        total_contacts: Some(ids.len() as i64),
        message_id: ids,
    };
    let mut value = serde_json::to_value(answer).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut value {
        m.insert("campaign_id".into(), json!(campaign_id));
    }
    Ok(Json(value))
}

fn wa_report(msg: &WaRecord) -> WhatsappMessageReport {
    let mut extra = Map::new();
    extra.insert("type".into(), json!(msg.kind));
    extra.insert("campaign_id".into(), json!(msg.campaign_id));
    extra.insert("content".into(), msg.content.clone());
    WhatsappMessageReport {
        msg_id: Some(msg.msg_id.clone()),
        msisdn: Some(StringOrNumber::from(msg.msisdn.clone())),
        phone_id: Some(msg.phone_id.clone()),
        direction: Some(msg.direction.into()),
        timestamp: Some(rfc3339_ms(msg.sent_at)),
        cost: Some(msg.cost_cents as f64 / 100.0),
        status: Some(msg.status.clone()),
        extra,
    }
}

pub async fn whatsapp_report(
    State(s): S,
    Extension(acct): A,
    Query(q): Q,
) -> ApiResult<Json<Value>> {
    let mode = param(&q, "mode")?;
    let id = param(&q, "id")?;
    let d = s.lock(&acct);
    match mode {
        "message" => {
            let msg = d
                .wa
                .get(id)
                .ok_or_else(|| ApiErr::not_found(format!("WhatsApp message {id:?} not found")))?;
            Ok(Json(
                serde_json::to_value(wa_report(msg)).unwrap_or(Value::Null),
            ))
        }
        "campaign" => {
            let ids = d.wa_campaigns.get(id).ok_or_else(|| {
                ApiErr::not_found(format!(
                    "WhatsApp campaign {id:?} not found (campaign_id is returned by POST /whatsapp/message)"
                ))
            })?;
            let reports: Vec<_> = ids
                .iter()
                .filter_map(|i| d.wa.get(i))
                .map(wa_report)
                .collect();
            Ok(Json(serde_json::to_value(reports).unwrap_or(Value::Null)))
        }
        other => Err(ApiErr::bad_request(format!(
            "Invalid parameter mode: {other:?} (expected message or campaign)"
        ))),
    }
}

pub async fn whatsapp_window(
    State(s): S,
    Extension(acct): A,
    Query(q): Q,
) -> ApiResult<Json<WhatsappWindowResponse>> {
    let phone_id = param(&q, "phoneId")?;
    let msisdn = phone("msisdn", param(&q, "msisdn")?)?;
    let now = s.clock.now();
    let d = s.lock(&acct);
    if !d.wa_phones.iter().any(|p| p == phone_id) {
        return Err(ApiErr::not_found(format!(
            "phoneId {phone_id:?} is not a WhatsApp phone of this account"
        )));
    }
    let until = d
        .wa_windows
        .get(&(phone_id.to_owned(), msisdn))
        .copied()
        .filter(|until| *until > now);
    Ok(Json(WhatsappWindowResponse {
        status: ok(),
        window_open: until.is_some(),
        expires_at: until.map(rfc3339),
    }))
}

pub async fn whatsapp_prices() -> Json<WhatsappPriceList> {
    let price =
        |country: &str, zone: &str, prefix: &str, m: f64, u: f64, a: f64, ai: f64| WhatsappPrice {
            country: Some(country.into()),
            zone: Some(zone.into()),
            prefix: Some(prefix.into()),
            price: Some(WhatsappPriceByCategory {
                marketing: Some(m),
                utility: Some(u),
                authentication: Some(a),
                authentication_int: Some(ai),
                service: Some(0.0),
                extra: HashMap::new(),
            }),
        };
    Json(WhatsappPriceList(vec![
        price("India", "Zone 2", "+91", 0.0492, 0.0147, 0.0147, 0.0147),
        price(
            "United States",
            "Zone 1",
            "+1",
            0.025,
            0.004,
            0.0135,
            0.0135,
        ),
        price(
            "United Kingdom",
            "Zone 3",
            "+44",
            0.0529,
            0.022,
            0.0358,
            0.0358,
        ),
        price("Brazil", "Zone 4", "+55", 0.0625, 0.008, 0.0315, 0.0315),
        price("Indonesia", "Zone 2", "+62", 0.0411, 0.02, 0.03, 0.136),
    ]))
}

// ------------------------------------------------------------------ RCS

const RCS_PRICE_CENTS: i64 = 2;

/// Fills `#var#` in every string of the content.
fn personalize_value(value: &mut Value, parameters: &HashMap<String, String>) {
    match value {
        Value::String(s) => *s = text::personalize(s, parameters),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| personalize_value(v, parameters)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| personalize_value(v, parameters)),
        _ => {}
    }
}

fn content_text(content: Option<&RcsMessageContent>) -> String {
    match content {
        Some(RcsMessageContent::Text(t)) => t.text.clone(),
        Some(RcsMessageContent::RichCard(c)) => [c.card.title.clone(), c.card.description.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" — "),
        Some(RcsMessageContent::Carousel(c)) => c
            .cards
            .iter()
            .filter_map(|card| card.title.clone())
            .collect::<Vec<_>>()
            .join(", "),
        _ => "You have a new message.".into(),
    }
}

pub async fn send_rcs(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<SendRcsMessageResponse>> {
    let req: SendRcsMessageRequest = parse(&body)?;
    let now = s.clock.now();
    let scheduled = schedule_time(req.schedule.as_deref(), now)?;
    let mut d = s.lock(&acct);
    let agent_id = req.agent_id.unwrap_or(d.default_agent);
    let agent = d
        .agents
        .get(&agent_id)
        .cloned()
        .ok_or_else(|| ApiErr::not_found(format!("agentId {agent_id} not found")))?;
    let content = match req.template_id {
        Some(id) => Some(d.rcs_templates.get(&id).cloned().ok_or_else(|| {
            ApiErr::not_found(format!(
                "RCS templateId {id} not found (this account has RCS template 1)"
            ))
        })?),
        None => req.content.clone(),
    };
    let contacts = contacts_of(&d, &req.contacts, req.contact_group)?;
    let fallback = req
        .sms_fallback
        .clone()
        .filter(|f| f.enabled.unwrap_or(true));
    let fallback_route = fallback.as_ref().map(|f| f.route_id.unwrap_or(1));
    if let Some(route_id) = fallback_route
        && !d.routes.contains_key(&route_id)
    {
        return Err(ApiErr::not_found(format!(
            "smsFallback.routeId {route_id} not found"
        )));
    }
    struct Plan {
        mobile: String,
        test: bool,
        capable: bool,
        content: Option<RcsMessageContent>,
        sms: Option<PlannedSms>,
    }
    let mut plans = Vec::new();
    let (mut wallet_need, mut sms_need) = (0, 0);
    for (i, contact) in contacts.iter().enumerate() {
        let mobile = phone(&format!("contacts[{i}].mobile"), &contact.mobile)?;
        let test = agent.test_devices.contains_key(&mobile);
        if agent.status != "launched" && !test {
            return Err(ApiErr::bad_request(format!(
                "Agent {agent_id} is {}: until it is launched it can only message its test devices; \
                 add +{mobile} with POST /rcs/testdevice",
                agent.status
            )));
        }
        let capable = test || text::rcs_capable(&mobile);
        let content = content.as_ref().map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
            personalize_value(&mut v, &contact.parameters);
            serde_json::from_value(v).unwrap_or_else(|_| c.clone())
        });
        let sms = match (&fallback, capable) {
            (Some(f), false) => {
                let template = f
                    .message
                    .clone()
                    .unwrap_or_else(|| content_text(content.as_ref()));
                let plan = plan_sms(&template, contact, None);
                sms_need += plan.segments;
                Some(plan)
            }
            _ => None,
        };
        if !test && capable {
            wallet_need += RCS_PRICE_CENTS;
        }
        plans.push(Plan {
            mobile,
            test,
            capable,
            content,
            sms,
        });
    }
    if d.wallet_cents < wallet_need {
        return Err(ApiErr::payment(format!(
            "Insufficient balance: wallet has {} {}, this send needs {}",
            cents(d.wallet_cents),
            d.currency,
            cents(wallet_need)
        )));
    }
    if let Some(route_id) = fallback_route
        && sms_need > 0
    {
        let route = &d.routes[&route_id];
        if route.credits < sms_need {
            return Err(insufficient_credits(
                route_id,
                &route.name,
                route.credits,
                sms_need,
            ));
        }
    }
    d.wallet_cents -= wallet_need;
    if let Some(route_id) = fallback_route
        && let Some(r) = d.routes.get_mut(&route_id)
    {
        r.credits -= sms_need;
    }
    let batch_id = text::id("rcs");
    let delay = delay(&s);
    let kind = req.type_.to_string();
    let mut ids = Vec::new();
    for plan in plans {
        let msg_id = text::uuid();
        let fallback_sms_id = plan.sms.map(|sms| {
            let sender = fallback
                .as_ref()
                .and_then(|f| f.sender.clone())
                .unwrap_or_else(|| "NOXSMS".into());
            insert_sms(
                &mut d,
                sms,
                &batch_id,
                &sender,
                fallback_route.unwrap_or(1),
                1,
                now,
                scheduled,
                delay,
                req.notify_url.clone(),
                "rcs-fallback",
            )
        });
        let status = if plan.capable {
            RcsDeliveryStatus::Pending
        } else {
            RcsDeliveryStatus::Incompatible
        };
        d.rcs.insert(
            msg_id.clone(),
            RcsRecord {
                msg_id: msg_id.clone(),
                batch_id: batch_id.clone(),
                agent_id,
                mobile: plan.mobile.clone(),
                content: plan.content,
                kind: kind.clone(),
                sent_at: scheduled.unwrap_or(now),
                status,
                done_at: (!plan.capable).then_some(now),
                notify_url: req.notify_url.clone(),
                test_device: plan.test,
                fallback_sms_id,
            },
        );
        d.rcs_batches
            .entry(batch_id.clone())
            .or_default()
            .push(msg_id.clone());
        if plan.capable {
            d.schedule(scheduled.unwrap_or(now), Event::RcsRelease(msg_id.clone()));
        } else if let Some(url) = &req.notify_url {
            let mut extra = Map::new();
            extra.insert("mobile".into(), json!(plan.mobile));
            extra.insert("status".into(), json!("incompatible"));
            extra.insert("reason".into(), json!("The number does not support RCS"));
            let event =
                crate::state::rcs_event("message.failed", agent_id, &msg_id, None, now, extra);
            s.dispatch(vec![crate::webhook::Hook {
                url: url.clone(),
                kind: "rcs.message.failed",
                body: serde_json::to_value(event).unwrap_or(Value::Null),
            }]);
        }
        ids.push(RcsMessageId {
            mobile: StringOrNumber::from(plan.mobile),
            msg_id,
        });
    }
    let hooks = d.process(&s.config, now, false);
    drop(d);
    s.dispatch(hooks);
    Ok(Json(SendRcsMessageResponse {
        status: ok(),
        message: Some("RCS submitted successfully".into()),
        batch_id,
        total_contacts: Some(ids.len() as i64),
        message_id: ids,
    }))
}

pub async fn upsert_agent(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<StatusResponse>> {
    let req: RcsAgentRequest = parse(&body)?;
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let existing = d
        .agents
        .values()
        .find(|a| a.profile.agent_name == req.agent_name)
        .map(|a| a.id);
    match existing {
        Some(id) => {
            let agent = d
                .agents
                .get_mut(&id)
                .ok_or_else(|| ApiErr::not_found("agent vanished"))?;
            if agent.status != "draft" {
                return Err(ApiErr::bad_request(format!(
                    "Agent {} ({id}) is {}; only draft agents can be updated",
                    agent.profile.agent_name, agent.status
                )));
            }
            agent.profile = req;
            agent.updated_at = now;
            Ok(status_response(
                format!("Agent {id} updated"),
                json!({"agentId": id, "agentStatus": "draft", "data": agent.to_json()}),
            ))
        }
        None => {
            let id = d.agents.keys().next_back().copied().unwrap_or(0).max(42) + 1;
            let agent = Agent {
                id,
                profile: req,
                status: "draft",
                carriers: Vec::new(),
                test_devices: Default::default(),
                created_at: now,
                updated_at: now,
            };
            let json = agent.to_json();
            d.agents.insert(id, agent);
            Ok(status_response(
                format!("Agent {id} created as draft"),
                json!({"agentId": id, "agentStatus": "draft", "data": json}),
            ))
        }
    }
}

fn agent_mut(d: &mut Data, id: i64) -> ApiResult<&mut Agent> {
    d.agents
        .get_mut(&id)
        .ok_or_else(|| ApiErr::not_found(format!("agentId {id} not found")))
}

pub async fn submit_agent(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<StatusResponse>> {
    let req: RcsAgentSubmitRequest = parse(&body)?;
    let now = s.clock.now();
    let review = TimeDelta::from_std(s.config.review_delay).unwrap_or_default();
    let mut d = s.lock(&acct);
    let agent = agent_mut(&mut d, req.agent_id)?;
    if agent.status != "draft" {
        return Err(ApiErr::bad_request(format!(
            "Agent {} is {}; only draft agents can be submitted for review",
            req.agent_id, agent.status
        )));
    }
    agent.status = "submitted";
    agent.updated_at = now;
    d.schedule(now + review, Event::AgentApprove(req.agent_id));
    Ok(status_response(
        format!("Agent {} submitted for review", req.agent_id),
        json!({"agentId": req.agent_id, "agentStatus": "submitted"}),
    ))
}

pub async fn launch_agent(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<StatusResponse>> {
    let req: RcsAgentLaunchRequest = parse(&body)?;
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let agent = agent_mut(&mut d, req.agent_id)?;
    match agent.status {
        "approved" | "launched" => {}
        "submitted" => {
            return Err(ApiErr::bad_request(format!(
                "Agent {} is still under review (submitted); it can be launched once approved",
                req.agent_id
            )));
        }
        other => {
            return Err(ApiErr::bad_request(format!(
                "Agent {} is {other}; submit it for review (POST /rcs/agent/submit) before launching",
                req.agent_id
            )));
        }
    }
    agent.status = "launched";
    agent.updated_at = now;
    for carrier in req.carriers {
        if !agent.carriers.contains(&carrier) {
            agent.carriers.push(carrier);
        }
    }
    Ok(status_response(
        format!(
            "Agent {} launched on {}",
            req.agent_id,
            agent.carriers.join(", ")
        ),
        json!({"agentId": req.agent_id, "agentStatus": "launched", "carriers": agent.carriers}),
    ))
}

pub async fn get_agent(
    State(s): S,
    Extension(acct): A,
    Path(id): Path<String>,
) -> ApiResult<Json<StatusResponse>> {
    let id: i64 = id.parse().map_err(|_| {
        ApiErr::bad_request(format!("Invalid parameter id: {id:?} is not an integer"))
    })?;
    let d = s.lock(&acct);
    let agent = d
        .agents
        .get(&id)
        .ok_or_else(|| ApiErr::not_found(format!("agentId {id} not found")))?;
    Ok(status_response(
        "Agent details",
        json!({"data": agent.to_json()}),
    ))
}

pub async fn list_agents(State(s): S, Extension(acct): A) -> Json<StatusResponse> {
    let d = s.lock(&acct);
    let data: Vec<Value> = d.agents.values().map(Agent::to_json).collect();
    status_response(format!("{} agents", data.len()), json!({"data": data}))
}

const MAX_TEST_DEVICES: usize = 20;

pub async fn add_test_device(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<StatusResponse>> {
    let req: RcsTestDeviceRequest = parse(&body)?;
    let number = phone("phoneNumber", &req.phone_number)?;
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let agent = agent_mut(&mut d, req.agent_id)?;
    if agent.test_devices.contains_key(&number) {
        return Ok(status_response(
            format!(
                "+{number} is already a test device of agent {}",
                req.agent_id
            ),
            json!({"agentId": req.agent_id, "phoneNumber": format!("+{number}")}),
        ));
    }
    if agent.test_devices.len() >= MAX_TEST_DEVICES {
        return Err(ApiErr::bad_request(format!(
            "Agent {} already has {MAX_TEST_DEVICES} test devices, the maximum",
            req.agent_id
        )));
    }
    agent.test_devices.insert(number.clone(), now);
    Ok(status_response(
        format!("Test device +{number} added to agent {}", req.agent_id),
        json!({"agentId": req.agent_id, "phoneNumber": format!("+{number}")}),
    ))
}

pub async fn remove_test_device(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<StatusResponse>> {
    let req: RcsTestDeviceRequest = parse(&body)?;
    let number = phone("phoneNumber", &req.phone_number)?;
    let mut d = s.lock(&acct);
    let agent = agent_mut(&mut d, req.agent_id)?;
    if agent.test_devices.remove(&number).is_none() {
        return Err(ApiErr::not_found(format!(
            "+{number} is not a test device of agent {}",
            req.agent_id
        )));
    }
    Ok(status_response(
        format!("Test device +{number} removed from agent {}", req.agent_id),
        json!({"agentId": req.agent_id, "phoneNumber": format!("+{number}")}),
    ))
}

pub async fn list_test_devices(
    State(s): S,
    Extension(acct): A,
    Query(q): Q,
) -> ApiResult<Json<StatusResponse>> {
    let agent_id = int_param(&q, "agentId")?;
    let d = s.lock(&acct);
    let agent = d
        .agents
        .get(&agent_id)
        .ok_or_else(|| ApiErr::not_found(format!("agentId {agent_id} not found")))?;
    let data: Vec<Value> = agent
        .test_devices
        .iter()
        .map(|(n, at)| json!({"phoneNumber": format!("+{n}"), "addedAt": sys(*at)}))
        .collect();
    Ok(status_response(
        format!("{} test devices", data.len()),
        json!({"agentId": agent_id, "data": data}),
    ))
}

pub async fn capability(State(s): S, Extension(acct): A, Query(q): Q) -> ApiResult<Json<Value>> {
    let raw = param(&q, "mobile")?;
    let mobile = phone("mobile", raw)?;
    let agent_id = int_param(&q, "agentId")?;
    let d = s.lock(&acct);
    let agent = d
        .agents
        .get(&agent_id)
        .ok_or_else(|| ApiErr::not_found(format!("agentId {agent_id} not found")))?;
    let enabled = agent.test_devices.contains_key(&mobile) || text::rcs_capable(&mobile);
    let features = if enabled {
        vec![
            RcsFeature::RichcardStandalone,
            RcsFeature::RichcardCarousel,
            RcsFeature::ActionOpenUrl,
        ]
    } else {
        Vec::new()
    };
    let answer = RcsCapabilityResponse {
        status: ok(),
        mobile: Some(StringOrNumber::from(raw.to_owned())),
        rcs_enabled: enabled,
        features,
    };
    let mut value = serde_json::to_value(answer).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut value {
        m.entry("features").or_insert(json!([]));
    }
    Ok(Json(value))
}

pub async fn conversation(
    State(s): S,
    Extension(acct): A,
    Query(q): Q,
) -> ApiResult<Json<RcsConversationResponse>> {
    let agent_id = int_param(&q, "agentId")?;
    let mobile = phone("mobile", param(&q, "mobile")?)?;
    let now = s.clock.now();
    let d = s.lock(&acct);
    if !d.agents.contains_key(&agent_id) {
        return Err(ApiErr::not_found(format!("agentId {agent_id} not found")));
    }
    let active = d
        .conversations
        .get(&(agent_id, mobile))
        .filter(|c| c.started_at + TimeDelta::hours(24) > now);
    Ok(Json(match active {
        Some(c) => RcsConversationResponse {
            status: ok(),
            conversation_id: Some(c.id.clone()),
            active: Some(true),
            started_at: Some(sys(c.started_at)),
            expires_at: Some(sys(c.started_at + TimeDelta::hours(24))),
            direction: Some("P2A".into()),
        },
        None => RcsConversationResponse {
            status: ok(),
            conversation_id: None,
            active: Some(false),
            started_at: None,
            expires_at: None,
            direction: None,
        },
    }))
}

fn rcs_dlr_record(msg: &RcsRecord) -> Value {
    let record = RcsDlrRecord {
        msg_id: Some(msg.msg_id.clone()),
        mobile: Some(StringOrNumber::from(msg.mobile.clone())),
        agent_id: Some(StringOrNumber::from(msg.agent_id)),
        sent: Some(sys(msg.sent_at)),
        dlr: Some(RcsDlrState {
            status: Some(msg.status.clone()),
            delivery_time: msg.done_at.map(sys),
        }),
    };
    let mut value = serde_json::to_value(record).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut value {
        m.insert("type".into(), json!(msg.kind));
        m.insert("testDevice".into(), json!(msg.test_device));
        if let Some(sms_id) = &msg.fallback_sms_id {
            m.insert("smsFallback".into(), json!({"sms_id": sms_id}));
        }
    }
    value
}

pub async fn rcs_dlr(State(s): S, Extension(acct): A, Query(q): Q) -> ApiResult<Json<Value>> {
    let d = s.lock(&acct);
    let data: Vec<Value> = if let Some(id) = q.get("msg_id").filter(|v| !v.is_empty()) {
        let msg = d
            .rcs
            .get(id)
            .ok_or_else(|| ApiErr::not_found(format!("msg_id {id:?} not found")))?;
        vec![rcs_dlr_record(msg)]
    } else if let Some(id) = q.get("batch_id").filter(|v| !v.is_empty()) {
        let ids = d
            .rcs_batches
            .get(id)
            .ok_or_else(|| ApiErr::not_found(format!("batch_id {id:?} not found")))?;
        ids.iter()
            .filter_map(|i| d.rcs.get(i))
            .map(rcs_dlr_record)
            .collect()
    } else {
        return Err(ApiErr::bad_request(
            "Missing parameter: one of batch_id and msg_id is required",
        ));
    };
    Ok(Json(json!({"status": "success", "data": data})))
}

// ------------------------------------------------------------------ Voice

const VOICE_PRICE_CENTS: i64 = 10;

pub async fn voice_call(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<VoiceCallResponse>> {
    let req: VoiceCallRequest = parse(&body)?;
    let to = phone("to", &req.to)?;
    let now = s.clock.now();
    let scheduled = schedule_time(req.schedule.as_deref(), now)?;
    let mut d = s.lock(&acct);
    if let Some(id) = req.campaign_id
        && !d.campaigns.contains_key(&id)
    {
        return Err(ApiErr::not_found(format!("campaignId {id} not found")));
    }
    if d.wallet_cents < VOICE_PRICE_CENTS {
        return Err(ApiErr::payment(format!(
            "Insufficient balance: wallet has {} {}, a call needs {}",
            cents(d.wallet_cents),
            d.currency,
            cents(VOICE_PRICE_CENTS)
        )));
    }
    d.wallet_cents -= VOICE_PRICE_CENTS;
    let call_id = format!("call_{}", &text::uuid()[..8]);
    let status = if scheduled.is_some() {
        VoiceCallStatus::Unknown("scheduled".into())
    } else {
        VoiceCallStatus::Ringing
    };
    let call = Call {
        call_id: call_id.clone(),
        to: to.clone(),
        from: req.from.clone(),
        status: status.clone(),
        notify_url: req.notify_url.clone(),
        history: vec![(status.to_string(), now)],
    };
    d.calls.insert(call_id.clone(), call);
    d.schedule(
        scheduled.unwrap_or(now + delay(&s)),
        Event::Voice(call_id.clone()),
    );
    if let (Some(url), None) = (&req.notify_url, scheduled) {
        let body = json!({"callId": call_id, "status": "ringing", "to": to, "from": req.from, "timestamp": rfc3339(now)});
        s.dispatch(vec![crate::webhook::Hook {
            url: url.clone(),
            kind: "voice.status",
            body,
        }]);
    }
    Ok(Json(VoiceCallResponse {
        call_id,
        status: Some(status),
        to: Some(to),
    }))
}

// ------------------------------------------------------------------ OTP

pub async fn send_otp(
    State(s): S,
    Extension(acct): A,
    body: Bytes,
) -> ApiResult<Json<SendOtpResponse>> {
    let req: SendOtpRequest = parse(&body)?;
    let mobile = phone("mobile", &req.mobile)?;
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let channel = d.otp_channels.get(&req.channel).cloned().ok_or_else(|| {
        ApiErr::not_found(format!(
            "OTP channel {} not found (this account has channels {:?})",
            req.channel,
            d.otp_channels.keys().collect::<Vec<_>>()
        ))
    })?;
    let code = text::code(channel.digits);
    let contact = Contact {
        mobile: mobile.clone(),
        parameters: [("otp".to_owned(), code.clone())].into(),
    };
    let plan = plan_sms(&channel.template, &contact, None);
    let route = d.routes[&channel.route_id].clone();
    if route.credits < plan.segments {
        return Err(insufficient_credits(
            channel.route_id,
            &route.name,
            route.credits,
            plan.segments,
        ));
    }
    if let Some(r) = d.routes.get_mut(&channel.route_id) {
        r.credits -= plan.segments;
    }
    let reference = text::reference();
    let batch_id = text::id("otp");
    let delay = delay(&s);
    let sms_id = insert_sms(
        &mut d,
        plan,
        &batch_id,
        &channel.sender,
        channel.route_id,
        1,
        now,
        None,
        delay,
        None,
        "otp",
    );
    let ttl = TimeDelta::from_std(s.config.otp_ttl).unwrap_or(TimeDelta::minutes(10));
    d.otps.insert(
        reference.clone(),
        Otp {
            reference: reference.clone(),
            mobile: mobile.clone(),
            channel: req.channel,
            code,
            created_at: now,
            expires_at: now + ttl,
            attempts: 0,
            verified: false,
            sms_id,
        },
    );
    d.last_otp.insert(mobile, reference.clone());
    Ok(Json(SendOtpResponse {
        status: ok(),
        reference,
    }))
}

fn not_matched(message: &str) -> Json<OtpVerifyResponse> {
    Json(OtpVerifyResponse {
        status: Some(ResponseStatus::Error),
        matched: OtpMatched::No,
        message: Some(message.into()),
    })
}

pub async fn verify_otp(
    State(s): S,
    Extension(acct): A,
    Query(q): Q,
) -> ApiResult<Json<OtpVerifyResponse>> {
    let reference = param(&q, "reference")?;
    let code = param(&q, "otp")?;
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiErr::bad_request(format!(
            "Invalid parameter otp: {code:?} is not a number"
        )));
    }
    let now = s.clock.now();
    let max = s.config.otp_max_attempts.max(1);
    let mut d = s.lock(&acct);
    let Some(otp) = d.otps.get_mut(reference) else {
        return Err(
            ApiErr::not_found(format!("OTP reference {reference:?} not found"))
                .with("matched", "no"),
        );
    };
    if otp.verified || otp.expires_at <= now {
        return Ok(not_matched("OTP does not match or has expired"));
    }
    if otp.attempts >= max {
        return Ok(not_matched(&format!(
            "OTP does not match or has expired: the {max} allowed attempts are used up, send a new OTP"
        )));
    }
    otp.attempts += 1;
    if otp.code == code {
        otp.verified = true;
        return Ok(Json(OtpVerifyResponse {
            status: Some(ok()),
            matched: OtpMatched::Yes,
            message: None,
        }));
    }
    Ok(not_matched("OTP does not match or has expired"))
}

/// Current time as the clock module formats it (used by the control surface).
pub fn now_json(shared: &Shared) -> Value {
    let now = shared.clock.now();
    json!({"now": rfc3339(now), "system_time": clock::sys(now)})
}
