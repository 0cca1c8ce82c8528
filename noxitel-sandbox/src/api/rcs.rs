//! RCS: messages, agents and their test devices, capability, conversations and delivery reports.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use chrono::TimeDelta;
use noxitel_types::{
    RcsAgentLaunchRequest, RcsAgentRequest, RcsAgentSubmitRequest, RcsCapabilityResponse,
    RcsConversationResponse, RcsDeliveryStatus, RcsDlrRecord, RcsDlrState, RcsFeature,
    RcsMessageContent, RcsMessageId, RcsTestDeviceRequest, SendRcsMessageRequest,
    SendRcsMessageResponse, StatusResponse, StringOrNumber,
};
use serde_json::{Map, Value, json};

use crate::clock::sys;
use crate::error::{ApiErr, ApiResult};
use crate::state::{Agent, Data, Event, RcsRecord};
use crate::text;

use super::{
    A, PlannedSms, Q, S, cents, contacts_of, delay, insert_sms, insufficient_credits, int_param,
    ok, param, parse, phone, plan_sms, schedule_time, status_response,
};

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

pub(crate) async fn send_rcs(
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

pub(crate) async fn upsert_agent(
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

pub(crate) async fn submit_agent(
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

pub(crate) async fn launch_agent(
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

pub(crate) async fn get_agent(
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

pub(crate) async fn list_agents(State(s): S, Extension(acct): A) -> Json<StatusResponse> {
    let d = s.lock(&acct);
    let data: Vec<Value> = d.agents.values().map(Agent::to_json).collect();
    status_response(format!("{} agents", data.len()), json!({"data": data}))
}

const MAX_TEST_DEVICES: usize = 20;

pub(crate) async fn add_test_device(
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

pub(crate) async fn remove_test_device(
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

pub(crate) async fn list_test_devices(
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

pub(crate) async fn capability(
    State(s): S,
    Extension(acct): A,
    Query(q): Q,
) -> ApiResult<Json<Value>> {
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

pub(crate) async fn conversation(
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

pub(crate) async fn rcs_dlr(
    State(s): S,
    Extension(acct): A,
    Query(q): Q,
) -> ApiResult<Json<Value>> {
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
