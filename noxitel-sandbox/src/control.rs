//! The sandbox-control surface under `/sandbox`: what tests need and the real API can't do.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::Stream;
use noxitel_types::{
    RcsDeliveryStatus, RcsEventType, RcsInboundMessage, RcsInboundMessageType, RcsMessageContent,
    RcsSuggestion, RcsSuggestionList, RcsSuggestionResponse,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::clock::now_json;
use crate::clock::{rfc3339, system_time};
use crate::error::{ApiErr, ApiResult};
use crate::faults::{FaultSpec, Faults};
use crate::http::{Caller, JsonBody, QueryParams, SharedState, durable, parse_raw};
use crate::state::change::{Change, inbound_event, rcs_event, rcs_status_event, to_value};
use crate::state::records::{
    AgentStatus, ConversationId, Direction, HookKind, RcsMsgId, WaMsgId, WaRecord, WaStatus,
};
use crate::state::{AccountState, Session, Shared};
use crate::store::{Event, Filter};
use crate::{ids, magic};

/// A control-surface answer: JSON, or an error in the API's shape.
type Reply = ApiResult<Json<Value>>;

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
        .route("/events", get(events))
        .route("/events/stream", get(event_stream))
        .route("/reset", post(reset))
        .route("/export", get(export))
        .route("/magic-numbers", get(magic_numbers))
        .route("/accounts", get(accounts))
}

/// `/sandbox/faults`: the server's fault rules (not an account's state).
pub fn fault_routes(faults: Arc<Faults>) -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/faults/{id}",
            axum::routing::put(replace_fault).delete(clear_fault),
        )
        .with_state(faults)
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
            "GET /sandbox/events": "?after=ID&limit=N&kind=K&all=true the event log of this account (every change of state), oldest first",
            "GET /sandbox/events/stream": "?after=ID the same as server-sent events, live",
            "POST /sandbox/reset": "{all?: true} back to the provisioned fixtures (this account, or every account)",
            "GET /sandbox/export": "this account's state as JSON",
            "GET /sandbox/magic-numbers": "recipient numbers with fixed outcomes",
            "GET /sandbox/accounts": "every account, named by the last 4 characters of its token",
            "GET|POST|DELETE /sandbox/faults": "list, add ({kind, status?, ms?, path?, probability?, next?…}) or clear fault rules on /api/v2",
            "PUT|DELETE /sandbox/faults/{id}": "change or remove one fault rule",
        }
    }))
}

async fn last_otp(caller: Caller, Path(mobile): Path<String>) -> Reply {
    let mobile = magic::bare_number(&mobile).to_owned();
    let session = caller.session();
    let otp = session
        .last_otp
        .get(&mobile)
        .and_then(|r| session.otps.get(r))
        .ok_or_else(|| ApiErr::not_found(format!("No OTP has been sent to {mobile}")))?;
    Ok(Json(json!({
        "status": "success",
        "mobile": otp.mobile,
        "otp": otp.code,
        "reference": otp.reference,
        "channel": otp.channel,
        "sent": system_time(otp.created_at),
        "expires_at": rfc3339(otp.expires_at),
        "attempts": otp.attempts,
        "verified": otp.verified,
        "sms_id": otp.sms_id,
    })))
}

async fn sms_message(caller: Caller, Path(id): Path<String>) -> Reply {
    let session = caller.session();
    let sms = session
        .sms
        .get(id.as_str())
        .ok_or_else(|| ApiErr::not_found(format!("sms_id {id:?} not found")))?;
    let (status, reply) = sms.state.dlr();
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
        "sent": system_time(sms.sent_at),
        "dlr": {"status": status, "operator_reply": reply, "delivery_time": sms.done_at.map(system_time)},
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

fn suggestion_text(suggestion: &RcsSuggestion) -> &str {
    match suggestion {
        RcsSuggestion::Reply { text }
        | RcsSuggestion::Url { text, .. }
        | RcsSuggestion::Dial { text, .. }
        | RcsSuggestion::ViewLocation { text }
        | RcsSuggestion::Calendar { text } => text,
    }
}

async fn rcs_tap(caller: Caller, JsonBody(tap): JsonBody<Tap>) -> Reply {
    caller
        .change(|session, now| {
            let msg = session
                .rcs
                .get(tap.msg_id.as_str())
                .cloned()
                .ok_or_else(|| {
                    ApiErr::not_found(format!("RCS msg_id {:?} not found", tap.msg_id))
                })?;
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
                (Some(text), _) => all
                    .iter()
                    .find(|suggestion| suggestion_text(suggestion) == text),
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
            let postback_data = format!("{}||{action}||{payload}", msg.msg_id);
            let was_read = msg.status == RcsDeliveryStatus::Read;
            session.apply(
                now,
                Change::RcsTapped {
                    msg_id: msg.msg_id.clone(),
                    mobile: msg.mobile.clone(),
                    postback_data: postback_data.clone(),
                    text: label.clone(),
                },
            );
            if !was_read && let Some(url) = &msg.notify_url {
                let body = rcs_status_event(
                    RcsEventType::MessageRead,
                    msg.agent_id,
                    msg.msg_id.as_str(),
                    &msg.mobile,
                    "read",
                    now,
                    [],
                );
                session.webhook(now, url, HookKind::RcsRead, body, Some(&msg.mobile));
            }
            open_conversation(session, msg.agent_id, &msg.mobile, now);
            let mut event = rcs_event(
                RcsEventType::MessageReceived,
                msg.agent_id,
                msg.msg_id.as_str(),
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
                postback_data,
                text: Some(label),
            });
            let body = to_value(&event);
            if let Some(url) = &msg.notify_url {
                session.webhook(
                    now,
                    url,
                    HookKind::RcsReceived,
                    body.clone(),
                    Some(&msg.mobile),
                );
            }
            Ok(Json(
                json!({"status": "success", "notifyUrl": msg.notify_url, "event": body}),
            ))
        })
        .await
}

/// The active conversation of `mobile` with the agent, opened now if there is none.
fn open_conversation(
    session: &mut Session<'_>,
    agent_id: i64,
    mobile: &str,
    now: DateTime<Utc>,
) -> ConversationId {
    let active = session
        .conversations
        .get(&(agent_id, mobile.to_owned()))
        .filter(|c| c.started_at + TimeDelta::hours(24) > now)
        .map(|c| c.id.clone());
    active.unwrap_or_else(|| {
        let id = ConversationId(ids::uuid());
        session.apply(
            now,
            Change::ConversationOpened {
                agent_id,
                mobile: mobile.to_owned(),
                id: id.clone(),
            },
        );
        id
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

async fn rcs_inbound(caller: Caller, JsonBody(inbound): JsonBody<Inbound>) -> Reply {
    let from = magic::bare_number(&inbound.from).to_owned();
    caller
        .change(|session, now| {
            let agent_id = inbound.agent_id.unwrap_or(session.default_agent);
            if !session.agents.contains_key(&agent_id) {
                return Err(ApiErr::not_found(format!("agentId {agent_id} not found")));
            }
            let conversation = open_conversation(session, agent_id, &from, now);
            let last = session
                .rcs
                .values()
                .filter(|m| m.agent_id == agent_id && m.mobile == from && m.notify_url.is_some())
                .max_by_key(|m| m.sent_at)
                .and_then(|m| m.notify_url.clone());
            let url = inbound.notify_url.clone().or(last);
            let msg_id = RcsMsgId(ids::uuid());
            let text = inbound.text.clone().unwrap_or_default();
            let body = to_value(&inbound_event(agent_id, msg_id.as_str(), &from, &text, now));
            session.apply(
                now,
                Change::RcsInbound {
                    msg_id,
                    agent_id,
                    from: from.clone(),
                    text,
                    step: None,
                },
            );
            if let Some(url) = &url {
                session.webhook(now, url, HookKind::RcsReceived, body.clone(), Some(&from));
            }
            Ok(Json(json!({
                "status": "success",
                "conversationId": conversation,
                "notifyUrl": url,
                "event": body,
            })))
        })
        .await
}

async fn approve_agent(caller: Caller, Path(id): Path<String>) -> Reply {
    let id: i64 = id.parse().map_err(|_| {
        ApiErr::bad_request(format!("Invalid parameter id: {id:?} is not an integer"))
    })?;
    caller
        .change(|session, now| {
            let agent = session
                .agents
                .get(&id)
                .ok_or_else(|| ApiErr::not_found(format!("agentId {id} not found")))?;
            if agent.status != AgentStatus::Submitted {
                return Err(ApiErr::bad_request(format!(
                    "Agent {id} is {}; only submitted agents can be approved",
                    agent.status
                )));
            }
            // The pending automatic approval finds the agent approved and changes nothing.
            session.apply(
                now,
                Change::AgentStatusChanged {
                    agent_id: id,
                    status: AgentStatus::Approved,
                    carriers: Vec::new(),
                    step: None,
                    next: None,
                },
            );
            Ok(Json(
                json!({"status": "success", "agentId": id, "agentStatus": "approved"}),
            ))
        })
        .await
}

async fn whatsapp_inbound(caller: Caller, JsonBody(inbound): JsonBody<Inbound>) -> Reply {
    let from = magic::bare_number(&inbound.from).to_owned();
    caller
        .change(|session, now| {
            let phone_id = inbound
                .phone_id
                .clone()
                .unwrap_or_else(|| session.wa_phones[0].clone());
            if !session.wa_phones.contains(&phone_id) {
                return Err(ApiErr::not_found(format!("phoneId {phone_id:?} not found")));
            }
            let until = now + TimeDelta::hours(24);
            let msg_id = WaMsgId(ids::uuid());
            let msg = WaRecord {
                msg_id: msg_id.clone(),
                campaign_id: None,
                msisdn: from.clone(),
                phone_id: phone_id.clone(),
                kind: noxitel_types::WhatsappMessageType::Text,
                content: json!({"message": inbound.text}),
                cost_cents: 0,
                sent_at: now,
                status: WaStatus::Received,
                direction: Direction::Incoming,
            };
            session.apply(
                now,
                Change::WhatsappInbound {
                    msg: Box::new(msg),
                    window_until: until,
                    step: None,
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
        })
        .await
}

async fn flush(caller: Caller) -> Reply {
    caller
        .change(|session, now| {
            let before = session.pending_count();
            let hooks_before = session.webhooks.len();
            session.run_due(now, true);
            let webhooks = session.webhooks.len() - hooks_before;
            Ok(Json(
                json!({"status": "success", "processed": before, "webhooks": webhooks}),
            ))
        })
        .await
}

async fn clock(State(shared): SharedState) -> Json<Value> {
    Json(now_json(&shared.clock))
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance(caller: Caller, JsonBody(advance): JsonBody<Advance>) -> Reply {
    if !(0..=366 * 24 * 3600).contains(&advance.seconds) {
        return Err(ApiErr::bad_request(
            "Invalid parameter seconds: between 0 and one year",
        ));
    }
    caller
        .change(|session, _| {
            caller
                .shared
                .clock
                .advance(TimeDelta::seconds(advance.seconds));
            let now = caller.shared.clock.now();
            session.apply(
                now,
                Change::ClockAdvanced {
                    seconds: advance.seconds,
                },
            );
            session.run_due(now, false);
            Ok(Json(now_json(&caller.shared.clock)))
        })
        .await
}

/// The webhook deliveries of this account (oldest first), held ones included.
async fn webhooks(caller: Caller) -> Json<Value> {
    let session = caller.session();
    let data: Vec<Value> = session
        .webhooks
        .values()
        .map(|h| {
            json!({
                "id": h.id,
                "url": h.url,
                "kind": h.kind,
                "body": h.body,
                "status": h.status,
                "attempts": h.attempts,
                "delivered": h.status == crate::state::records::HookStatus::Delivered,
                "held": h.status == crate::state::records::HookStatus::Held,
                "last_status": h.last_status,
                "last_error": h.last_error,
                "queued_at": rfc3339(h.queued_at),
                "finished_at": h.finished_at.map(rfc3339),
            })
        })
        .collect();
    Json(json!({"status": "success", "data": data}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetCredits {
    route_id: Option<i64>,
    credits: Option<i64>,
    wallet_cents: Option<i64>,
}

async fn set_credits(caller: Caller, JsonBody(set): JsonBody<SetCredits>) -> Reply {
    caller
        .change(|session, now| {
            let route_id = set.route_id.unwrap_or(1);
            if set.credits.is_some() && !session.routes.contains_key(&route_id) {
                return Err(ApiErr::not_found(format!("routeId {route_id} not found")));
            }
            session.apply(
                now,
                Change::BalanceSet {
                    route_id,
                    credits: set.credits.map(|c| c.max(0)),
                    wallet_cents: set.wallet_cents.map(|c| c.max(0)),
                },
            );
            Ok(Json(json!({"status": "success"})))
        })
        .await
}

fn number(query: &HashMap<String, String>, name: &str, default: u64) -> ApiResult<u64> {
    match query.get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ApiErr::bad_request(format!("Invalid parameter {name}: {v:?} is not a number"))
        }),
    }
}

fn filter(query: &HashMap<String, String>, account: &crate::state::Account) -> ApiResult<Filter> {
    Ok(Filter {
        account: (query.get("all").map(String::as_str) != Some("true")).then_some(account.no),
        after: number(query, "after", 0)?,
        limit: number(query, "limit", 1000)?.clamp(1, 10_000) as usize,
        kinds: query
            .get("kind")
            .map(|k| {
                k.split(',')
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// `GET /sandbox/events`: this account's events (every account's with `all=true`).
async fn events(caller: Caller, Query(query): QueryParams) -> Reply {
    let filter = filter(&query, &caller.account)?;
    let data = caller.shared.log.list(&filter);
    let last = data.last().map_or(filter.after, |e| e.id);
    let data: Vec<&Event> = data.iter().map(|e| &**e).collect();
    Ok(Json(
        json!({"status": "success", "data": data, "last_id": last}),
    ))
}

/// `GET /sandbox/events/stream`: the events after `after` (default: from now on), then
/// live, as server-sent events (`id:` the event id, `event:` its kind, `data:` the event).
async fn event_stream(
    caller: Caller,
    Query(query): QueryParams,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let mut filter = filter(&query, &caller.account)?;
    filter.limit = usize::MAX;
    // Subscribe before reading the backlog, so nothing falls between the two.
    let live = caller.shared.log.subscribe();
    if !query.contains_key("after") {
        filter.after = caller.shared.log.last_id();
    }
    let backlog: std::collections::VecDeque<Arc<Event>> = caller.shared.log.list(&filter).into();
    struct StreamState {
        shared: Arc<Shared>,
        live: tokio::sync::broadcast::Receiver<Arc<Event>>,
        backlog: std::collections::VecDeque<Arc<Event>>,
        filter: Filter,
    }
    let state = StreamState {
        shared: Arc::clone(&caller.shared),
        live,
        backlog,
        filter,
    };
    let stream = futures_util::stream::unfold(state, |mut stream_state| async move {
        loop {
            let next = match stream_state.backlog.pop_front() {
                Some(e) => e,
                None => match stream_state.live.recv().await {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        stream_state.backlog =
                            stream_state.shared.log.list(&stream_state.filter).into();
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
            };
            if next.id <= stream_state.filter.after
                || stream_state
                    .filter
                    .account
                    .is_some_and(|a| a != next.account)
                || !(stream_state.filter.kinds.is_empty()
                    || stream_state
                        .filter
                        .kinds
                        .iter()
                        .any(|k| k == next.change.kind()))
            {
                continue;
            }
            stream_state.filter.after = next.id;
            let sse = SseEvent::default()
                .id(next.id.to_string())
                .event(next.change.kind())
                .json_data(&*next)
                .unwrap_or_default();
            return Some((Ok(sse), stream_state));
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize, Default)]
struct Reset {
    #[serde(default)]
    all: bool,
}

/// `POST /sandbox/reset`: back to the provisioned fixtures (this account or all).
async fn reset(caller: Caller, body: Bytes) -> Reply {
    let reset: Reset = if body.iter().all(u8::is_ascii_whitespace) {
        Reset::default()
    } else {
        parse_raw(&body)?
    };
    let targets: Vec<_> = if reset.all {
        caller.shared.accounts().cloned().collect()
    } else {
        vec![Arc::clone(&caller.account)]
    };
    let now = caller.shared.clock.now();
    let mut waits = Vec::new();
    for account in &targets {
        let mut session = caller.shared.session(account);
        session.apply(
            now,
            Change::AccountProvisioned {
                credits: caller.shared.config.initial_credits,
                wallet_cents: caller.shared.config.initial_wallet_cents,
            },
        );
        waits.push(session.commit());
    }
    for wait in waits {
        durable(wait).await?;
    }
    Ok(Json(
        json!({"status": "success", "accounts": targets.len()}),
    ))
}

/// `GET /sandbox/export`: this account's state.
async fn export(caller: Caller) -> Json<Value> {
    let session = caller.session();
    let data: &AccountState = &session;
    Json(json!({
        "status": "success",
        "account": format!("acct_{}", caller.account.no),
        "time": rfc3339(caller.shared.clock.now()),
        "state": data.export(),
    }))
}

/// `GET /sandbox/accounts`: every account, each named by the last 4 characters of its token
/// (never the whole token); `current` is the one this request selected.
async fn accounts(caller: Caller) -> Json<Value> {
    let data: Vec<Value> = crate::web::accounts(&caller.shared)
        .into_iter()
        .map(|listed| {
            json!({
                "account": format!("acct_{}", listed.account.no),
                "token_last4": listed.token_last4,
                "default": listed.is_default,
                "current": listed.account.no == caller.account.no,
            })
        })
        .collect();
    Json(json!({
        "status": "success",
        "current": format!("acct_{}", caller.account.no),
        "data": data,
    }))
}

async fn magic_numbers() -> Json<Value> {
    Json(json!({"status": "success", "data": crate::magic::table()}))
}

async fn list_faults(State(faults): State<Arc<Faults>>) -> Json<Value> {
    Json(json!({"status": "success", "data": faults.list()}))
}

fn fault_spec(body: &[u8]) -> ApiResult<FaultSpec> {
    let spec: FaultSpec = parse_raw(body)?;
    spec.check()
        .map_err(|e| ApiErr::bad_request(format!("Invalid fault: {e}")))?;
    Ok(spec)
}

async fn add_fault(State(faults): State<Arc<Faults>>, body: Bytes) -> Reply {
    let rule = faults.add(fault_spec(&body)?);
    Ok(Json(json!({"status": "success", "data": rule})))
}

async fn replace_fault(
    State(faults): State<Arc<Faults>>,
    Path(id): Path<u64>,
    body: Bytes,
) -> Reply {
    let spec = fault_spec(&body)?;
    let rule = faults
        .replace(id, spec)
        .ok_or_else(|| ApiErr::not_found(format!("fault rule {id} not found")))?;
    Ok(Json(json!({"status": "success", "data": rule})))
}

async fn clear_faults(State(faults): State<Arc<Faults>>) -> Json<Value> {
    Json(json!({"status": "success", "removed": faults.clear(None)}))
}

async fn clear_fault(State(faults): State<Arc<Faults>>, Path(id): Path<u64>) -> Reply {
    match faults.clear(Some(id)) {
        0 => Err(ApiErr::not_found(format!("fault rule {id} not found"))),
        n => Ok(Json(json!({"status": "success", "removed": n}))),
    }
}
