//! The sandbox-control surface under `/sandbox`: what tests need and the real API can't do.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::TimeDelta;
use noxitel_types::{
    RcsDeliveryStatus, RcsInboundMessage, RcsInboundMessageType, RcsMessageContent, RcsSuggestion,
    RcsSuggestionList, RcsSuggestionResponse,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::{now_json, parse_raw};
use crate::clock::{rfc3339, sys};
use crate::error::{ApiErr, ApiResult};
use crate::state::{Account, Conversation, Shared, WaRecord, name_kind, rcs_event, sms_status};
use crate::text;
use crate::webhook::Hook;

type S = State<Arc<Shared>>;
type A = Extension<Arc<Account>>;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(index))
        .route("/otp/{mobile}", get(last_otp))
        .route("/sms/{sms_id}", get(sms_message))
        .route("/rcs/tap", post(rcs_tap))
        .route("/rcs/inbound", post(rcs_inbound))
        .route("/rcs/agent/{id}/approve", post(approve_agent))
        .route("/whatsapp/inbound", post(whatsapp_inbound))
        .route("/flush", post(flush))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .route("/webhooks", get(webhooks))
        .route("/credits", post(set_credits))
}

/// `GET /` and `GET /sandbox/`: what this server is and what it offers.
pub async fn index() -> Json<Value> {
    Json(json!({
        "service": "noxitel-sandbox",
        "api": "/api/v2",
        "control": {
            "GET /sandbox/otp/{mobile}": "last OTP sent to a number (code, reference, expiry)",
            "GET /sandbox/sms/{sms_id}": "an SMS as sent: personalized text, mode, segments, state",
            "POST /sandbox/rcs/tap": "{msgId, text? | index?, payload?} a user taps a suggestion",
            "POST /sandbox/rcs/inbound": "{from, text, agentId?, notifyUrl?} a user sends the agent a message",
            "POST /sandbox/rcs/agent/{id}/approve": "finish the review of a submitted agent now",
            "POST /sandbox/whatsapp/inbound": "{from, text?, phoneId?} opens the 24-hour service window",
            "POST /sandbox/flush": "move every pending message to its final state now",
            "POST /sandbox/clock/advance": "{seconds} move the sandbox clock forward",
            "GET /sandbox/clock": "the sandbox clock",
            "GET /sandbox/webhooks": "webhook deliveries so far (newest last)",
            "POST /sandbox/credits": "{routeId?, credits?, walletCents?} set balances",
        }
    }))
}

async fn last_otp(
    State(s): S,
    Extension(acct): A,
    Path(mobile): Path<String>,
) -> ApiResult<Json<Value>> {
    let mobile = text::normalize(&mobile).to_owned();
    let d = s.lock(&acct);
    let otp = d
        .last_otp
        .get(&mobile)
        .and_then(|r| d.otps.get(r))
        .ok_or_else(|| ApiErr::not_found(format!("No OTP has been sent to {mobile}")))?;
    Ok(Json(json!({
        "status": "success",
        "mobile": otp.mobile,
        "otp": otp.code,
        "reference": otp.reference,
        "channel": otp.channel,
        "sent": sys(otp.created_at),
        "expires_at": rfc3339(otp.expires_at),
        "attempts": otp.attempts,
        "verified": otp.verified,
        "sms_id": otp.sms_id,
    })))
}

async fn sms_message(
    State(s): S,
    Extension(acct): A,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let d = s.lock(&acct);
    let sms = d
        .sms
        .get(&id)
        .ok_or_else(|| ApiErr::not_found(format!("sms_id {id:?} not found")))?;
    let (status, reply) = sms_status(sms.state);
    Ok(Json(json!({
        "status": "success",
        "sms_id": sms.sms_id,
        "batch_id": sms.batch_id,
        "mobile": sms.mobile,
        "sender": sms.sender,
        "text": sms.text,
        "mode": sms.mode,
        "segments": sms.segments,
        "routeId": sms.route_id,
        "campaignId": sms.campaign_id,
        "origin": sms.origin,
        "sent": sys(sms.sent_at),
        "dlr": {"status": status, "operator_reply": reply, "delivery_time": sms.done_at.map(sys)},
    })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tap {
    msg_id: String,
    text: Option<String>,
    index: Option<usize>,
    payload: Option<String>,
}

fn list(suggestions: &Option<RcsSuggestionList>) -> Vec<RcsSuggestion> {
    suggestions
        .as_ref()
        .map(|l| l.0.clone())
        .unwrap_or_default()
}

fn suggestions(content: Option<&RcsMessageContent>) -> Vec<RcsSuggestion> {
    match content {
        Some(RcsMessageContent::Text(t)) => list(&t.suggestions),
        Some(RcsMessageContent::RichCard(c)) => list(&c.card.suggestions),
        Some(RcsMessageContent::Carousel(c)) => c
            .cards
            .iter()
            .flat_map(|card| list(&card.suggestions))
            .collect(),
        _ => Vec::new(),
    }
}

fn postback(suggestion: &RcsSuggestion, payload: Option<&str>) -> (String, String, String) {
    match suggestion {
        RcsSuggestion::Reply { text } => ("REPLY".into(), text.clone(), text.clone()),
        RcsSuggestion::Url { text, url } => ("CLICK".into(), url.clone(), text.clone()),
        RcsSuggestion::Dial { text, phone } => ("DIAL".into(), phone.clone(), text.clone()),
        RcsSuggestion::ViewLocation { text } => (
            "VIEW_LOC".into(),
            payload.unwrap_or("0,0").to_owned(),
            text.clone(),
        ),
        RcsSuggestion::Calendar { text } => ("CALENDAR".into(), text.clone(), text.clone()),
    }
}

fn suggestion_text(s: &RcsSuggestion) -> &str {
    match s {
        RcsSuggestion::Reply { text }
        | RcsSuggestion::Url { text, .. }
        | RcsSuggestion::Dial { text, .. }
        | RcsSuggestion::ViewLocation { text }
        | RcsSuggestion::Calendar { text } => text,
    }
}

async fn rcs_tap(State(s): S, Extension(acct): A, body: Bytes) -> ApiResult<Json<Value>> {
    let tap: Tap = parse_raw(&body)?;
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let msg = d
        .rcs
        .get(&tap.msg_id)
        .cloned()
        .ok_or_else(|| ApiErr::not_found(format!("RCS msg_id {:?} not found", tap.msg_id)))?;
    if matches!(
        msg.status,
        RcsDeliveryStatus::Failed | RcsDeliveryStatus::Incompatible
    ) {
        return Err(ApiErr::bad_request(format!(
            "Message {} was not delivered ({}); nobody can tap it",
            msg.msg_id, msg.status
        )));
    }
    let all = suggestions(msg.content.as_ref());
    let chosen = match (&tap.text, tap.index) {
        (Some(text), _) => all.iter().find(|s| suggestion_text(s) == text),
        (None, index) => all.get(index.unwrap_or(0)),
    }
    .ok_or_else(|| {
        let labels: Vec<&str> = all.iter().map(suggestion_text).collect();
        ApiErr::not_found(format!(
            "Message {} has no such suggestion (its suggestions: {labels:?})",
            msg.msg_id
        ))
    })?;
    let (action, payload, label) = postback(chosen, tap.payload.as_deref());
    let mut hooks = Vec::new();
    if let Some(record) = d.rcs.get_mut(&msg.msg_id)
        && record.status != RcsDeliveryStatus::Read
    {
        if record.done_at.is_none() {
            record.done_at = Some(now);
        }
        record.status = RcsDeliveryStatus::Read;
        if let Some(url) = &msg.notify_url {
            let mut extra = Map::new();
            extra.insert("mobile".into(), json!(msg.mobile));
            extra.insert("status".into(), json!("read"));
            let event = rcs_event("message.read", msg.agent_id, &msg.msg_id, None, now, extra);
            hooks.push(Hook {
                url: url.clone(),
                kind: name_kind("message.read"),
                body: serde_json::to_value(event).unwrap_or(Value::Null),
            });
        }
    }
    open_conversation(&mut d, msg.agent_id, &msg.mobile, now);
    let mut event = rcs_event(
        "message.received",
        msg.agent_id,
        &msg.msg_id,
        Some(&msg.mobile),
        now,
        Map::new(),
    );
    event.message = Some(RcsInboundMessage {
        type_: Some(RcsInboundMessageType::Suggestion),
        text: None,
        extra: Map::new(),
    });
    event.suggestion_response = Some(RcsSuggestionResponse {
        postback_data: format!("{}||{action}||{payload}", msg.msg_id),
        text: Some(label),
    });
    let body = serde_json::to_value(&event).unwrap_or(Value::Null);
    if let Some(url) = &msg.notify_url {
        hooks.push(Hook {
            url: url.clone(),
            kind: "rcs.message.received",
            body: body.clone(),
        });
    }
    drop(d);
    s.dispatch(hooks);
    Ok(Json(
        json!({"status": "success", "notifyUrl": msg.notify_url, "event": body}),
    ))
}

fn open_conversation(
    d: &mut crate::state::Data,
    agent_id: i64,
    mobile: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Conversation {
    let key = (agent_id, mobile.to_owned());
    let active = d
        .conversations
        .get(&key)
        .filter(|c| c.started_at + TimeDelta::hours(24) > now)
        .cloned();
    active.unwrap_or_else(|| {
        let c = Conversation {
            id: text::uuid(),
            started_at: now,
        };
        d.conversations.insert(key, c.clone());
        c
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Inbound {
    from: String,
    text: Option<String>,
    agent_id: Option<i64>,
    phone_id: Option<String>,
    notify_url: Option<String>,
}

async fn rcs_inbound(State(s): S, Extension(acct): A, body: Bytes) -> ApiResult<Json<Value>> {
    let inbound: Inbound = parse_raw(&body)?;
    let from = text::normalize(&inbound.from).to_owned();
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let agent_id = inbound.agent_id.unwrap_or(d.default_agent);
    if !d.agents.contains_key(&agent_id) {
        return Err(ApiErr::not_found(format!("agentId {agent_id} not found")));
    }
    let conversation = open_conversation(&mut d, agent_id, &from, now);
    let last = d
        .rcs
        .values()
        .filter(|m| m.agent_id == agent_id && m.mobile == from && m.notify_url.is_some())
        .max_by_key(|m| m.sent_at)
        .map(|m| (m.msg_id.clone(), m.notify_url.clone()));
    let url = inbound
        .notify_url
        .clone()
        .or_else(|| last.as_ref().and_then(|l| l.1.clone()));
    let msg_id = text::uuid();
    let mut event = rcs_event(
        "message.received",
        agent_id,
        &msg_id,
        Some(&from),
        now,
        Map::new(),
    );
    event.message = Some(RcsInboundMessage {
        type_: Some(RcsInboundMessageType::Text),
        text: Some(inbound.text.clone().unwrap_or_default()),
        extra: Map::new(),
    });
    let body = serde_json::to_value(&event).unwrap_or(Value::Null);
    drop(d);
    if let Some(url) = &url {
        s.dispatch(vec![Hook {
            url: url.clone(),
            kind: "rcs.message.received",
            body: body.clone(),
        }]);
    }
    Ok(Json(json!({
        "status": "success",
        "conversationId": conversation.id,
        "notifyUrl": url,
        "event": body,
    })))
}

async fn approve_agent(
    State(s): S,
    Extension(acct): A,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id: i64 = id.parse().map_err(|_| {
        ApiErr::bad_request(format!("Invalid parameter id: {id:?} is not an integer"))
    })?;
    let mut d = s.lock(&acct);
    let agent = d
        .agents
        .get_mut(&id)
        .ok_or_else(|| ApiErr::not_found(format!("agentId {id} not found")))?;
    if agent.status != "submitted" {
        return Err(ApiErr::bad_request(format!(
            "Agent {id} is {}; only submitted agents can be approved",
            agent.status
        )));
    }
    agent.status = "approved";
    Ok(Json(
        json!({"status": "success", "agentId": id, "agentStatus": "approved"}),
    ))
}

async fn whatsapp_inbound(State(s): S, Extension(acct): A, body: Bytes) -> ApiResult<Json<Value>> {
    let inbound: Inbound = parse_raw(&body)?;
    let from = text::normalize(&inbound.from).to_owned();
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let phone_id = inbound
        .phone_id
        .clone()
        .unwrap_or_else(|| d.wa_phones[0].clone());
    if !d.wa_phones.contains(&phone_id) {
        return Err(ApiErr::not_found(format!("phoneId {phone_id:?} not found")));
    }
    let until = now + TimeDelta::hours(24);
    d.wa_windows.insert((phone_id.clone(), from.clone()), until);
    let msg_id = text::uuid();
    d.wa.insert(
        msg_id.clone(),
        WaRecord {
            msg_id: msg_id.clone(),
            campaign_id: String::new(),
            msisdn: from.clone(),
            phone_id: phone_id.clone(),
            kind: "text".into(),
            content: json!({"message": inbound.text}),
            cost_cents: 0,
            sent_at: now,
            status: "received".into(),
            direction: "incoming",
        },
    );
    Ok(Json(json!({
        "status": "success",
        "msg_id": msg_id,
        "phoneId": phone_id,
        "from": from,
        "window_open": true,
        "expires_at": rfc3339(until),
    })))
}

async fn flush(State(s): S, Extension(acct): A) -> Json<Value> {
    let now = s.clock.now();
    let mut d = s.lock(&acct);
    let before = d.pending_count();
    let hooks = d.process(&s.config, now, true);
    drop(d);
    let webhooks = hooks.len();
    s.dispatch(hooks);
    Json(json!({"status": "success", "processed": before, "webhooks": webhooks}))
}

async fn clock(State(s): S) -> Json<Value> {
    Json(now_json(&s))
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance(State(s): S, Extension(acct): A, body: Bytes) -> ApiResult<Json<Value>> {
    let advance: Advance = parse_raw(&body)?;
    if !(0..=366 * 24 * 3600).contains(&advance.seconds) {
        return Err(ApiErr::bad_request(
            "Invalid parameter seconds: between 0 and one year",
        ));
    }
    s.clock.advance(TimeDelta::seconds(advance.seconds));
    drop(s.lock(&acct));
    Ok(Json(now_json(&s)))
}

async fn webhooks(State(s): S) -> Json<Value> {
    let log = s
        .webhooks
        .log
        .lock()
        .map(|l| l.iter().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    Json(json!({"status": "success", "data": log}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetCredits {
    route_id: Option<i64>,
    credits: Option<i64>,
    wallet_cents: Option<i64>,
}

async fn set_credits(State(s): S, Extension(acct): A, body: Bytes) -> ApiResult<Json<Value>> {
    let set: SetCredits = parse_raw(&body)?;
    let mut d = s.lock(&acct);
    if let Some(credits) = set.credits {
        let id = set.route_id.unwrap_or(1);
        let route = d
            .routes
            .get_mut(&id)
            .ok_or_else(|| ApiErr::not_found(format!("routeId {id} not found")))?;
        route.credits = credits.max(0);
    }
    if let Some(cents) = set.wallet_cents {
        d.wallet_cents = cents.max(0);
    }
    Ok(Json(json!({"status": "success"})))
}
