//! RCS: messages, agents and their test devices, capability, conversations and delivery reports.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query};
use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::personalization::personalize;
use noxitel_types::{
    RcsAgentLaunchRequest, RcsAgentRequest, RcsAgentSubmitRequest, RcsCapabilityResponse,
    RcsConversationResponse, RcsDeliveryStatus, RcsDlrRecord, RcsDlrState, RcsEventType,
    RcsFeature, RcsMessageContent, RcsMessageId, RcsTestDeviceRequest, SendRcsMessageRequest,
    SendRcsMessageResponse, StatusResponse, StringOrNumber,
};
use serde_json::{Value, json};

use crate::clock::system_time;
use crate::error::{ApiErr, ApiResult};
use crate::http::{Caller, Valid};
use crate::ids;
use crate::state::change::{Change, rcs_status_event};
use crate::state::records::{
    Agent, AgentStatus, BatchId, HookKind, RcsMsgId, RcsRecord, SmsOrigin,
};
use crate::state::{AccountState, Session};

use super::{
    PlannedSms, QueryParams, check_credits, check_wallet, contacts_of, debit, delay, insert_sms,
    int_param, ok, param, phone, plan_sms, send, status_response,
};

const RCS_PRICE_CENTS: i64 = 2;

/// Fills `#var#` in every string of the content.
fn personalize_value(value: &mut Value, parameters: &HashMap<String, String>) {
    match value {
        Value::String(string) => *string = personalize(string, parameters),
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
    caller: Caller,
    Valid(req): Valid<SendRcsMessageRequest>,
) -> ApiResult<Json<SendRcsMessageResponse>> {
    send(
        &caller,
        req.schedule.as_deref(),
        |session, now, scheduled| accept_rcs(&caller, &req, session, now, scheduled),
    )
    .await
}

/// `POST /rcs/message` accepted: the batch checked, charged and recorded.
fn accept_rcs(
    caller: &Caller,
    req: &SendRcsMessageRequest,
    session: &mut Session<'_>,
    now: DateTime<Utc>,
    scheduled: Option<DateTime<Utc>>,
) -> ApiResult<Json<SendRcsMessageResponse>> {
    let agent_id = req.agent_id.unwrap_or(session.default_agent);
    let agent = session
        .agents
        .get(&agent_id)
        .cloned()
        .ok_or_else(|| ApiErr::not_found(format!("agentId {agent_id} not found")))?;
    let content = match req.template_id {
        Some(id) => Some(session.rcs_templates.get(&id).cloned().ok_or_else(|| {
            ApiErr::not_found(format!(
                "RCS templateId {id} not found (this account has RCS template 1)"
            ))
        })?),
        None => req.content.clone(),
    };
    let contacts = contacts_of(session, &req.contacts, req.contact_group)?;
    let fallback = req
        .sms_fallback
        .clone()
        .filter(|f| f.enabled.unwrap_or(true));
    let fallback_route = fallback.as_ref().map(|f| f.route_id.unwrap_or(1));
    if let Some(route_id) = fallback_route
        && !session.routes.contains_key(&route_id)
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
        if agent.status != AgentStatus::Launched && !test {
            return Err(ApiErr::bad_request(format!(
                "Agent {agent_id} is {}: until it is launched it can only message its test devices; \
                 add +{mobile} with POST /rcs/testdevice",
                agent.status
            )));
        }
        let capable = test || crate::magic::rcs_capable(&mobile);
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
    check_wallet(session, wallet_need, "this send")?;
    if let Some(route_id) = fallback_route
        && sms_need > 0
    {
        check_credits(session, route_id, sms_need)?;
    }
    let batch_id = BatchId(ids::prefixed("rcs"));
    debit(session, now, None, wallet_need, batch_id.as_str());
    if let Some(route_id) = fallback_route {
        debit(session, now, Some(route_id), sms_need, batch_id.as_str());
    }
    let delay = delay(&caller.shared);
    let kind = req.type_;
    let mut ids = Vec::new();
    for plan in plans {
        let msg_id = RcsMsgId(ids::uuid());
        let fallback_sms_id = plan.sms.map(|sms| {
            let sender = fallback
                .as_ref()
                .and_then(|f| f.sender.clone())
                .unwrap_or_else(|| "NOXSMS".into());
            insert_sms(
                session,
                sms,
                &batch_id,
                &sender,
                fallback_route.unwrap_or(1),
                1,
                now,
                scheduled,
                delay,
                req.notify_url.clone(),
                SmsOrigin::RcsFallback,
            )
        });
        let status = if plan.capable {
            RcsDeliveryStatus::Pending
        } else {
            RcsDeliveryStatus::Incompatible
        };
        let msg = RcsRecord {
            msg_id: msg_id.clone(),
            batch_id: batch_id.clone(),
            agent_id,
            mobile: plan.mobile.clone(),
            content: plan.content,
            kind,
            sent_at: scheduled.unwrap_or(now),
            status,
            done_at: (!plan.capable).then_some(now),
            notify_url: req.notify_url.clone(),
            test_device: plan.test,
            fallback_sms_id,
        };
        let next = plan.capable.then(|| scheduled.unwrap_or(now));
        session.apply(
            now,
            Change::RcsAccepted {
                msg: Box::new(msg),
                next,
            },
        );
        if !plan.capable
            && let Some(url) = &req.notify_url
        {
            let body = rcs_status_event(
                RcsEventType::MessageFailed,
                agent_id,
                msg_id.as_str(),
                &plan.mobile,
                "incompatible",
                now,
                [("reason", json!("The number does not support RCS"))],
            );
            session.webhook(now, url, HookKind::RcsFailed, body, Some(&plan.mobile));
        }
        ids.push(RcsMessageId {
            mobile: StringOrNumber::from(plan.mobile),
            msg_id: msg_id.0,
        });
    }
    session.run_due(now, false);
    Ok(Json(SendRcsMessageResponse {
        status: ok(),
        message: Some("RCS submitted successfully".into()),
        batch_id: batch_id.0,
        total_contacts: Some(ids.len() as i64),
        message_id: ids,
    }))
}

pub(crate) async fn upsert_agent(
    caller: Caller,
    Valid(req): Valid<RcsAgentRequest>,
) -> ApiResult<Json<StatusResponse>> {
    caller
        .change(|session, now| {
            let existing = session
                .agents
                .values()
                .find(|a| a.profile.agent_name == req.agent_name)
                .cloned();
            let (agent, message) = match existing {
                Some(agent) if agent.status != AgentStatus::Draft => {
                    return Err(ApiErr::bad_request(format!(
                        "Agent {} ({}) is {}; only draft agents can be updated",
                        agent.profile.agent_name, agent.id, agent.status
                    )));
                }
                Some(mut agent) => {
                    agent.profile = req;
                    agent.updated_at = now;
                    let message = format!("Agent {} updated", agent.id);
                    (agent, message)
                }
                None => {
                    let id = session
                        .agents
                        .keys()
                        .next_back()
                        .copied()
                        .unwrap_or(0)
                        .max(42)
                        + 1;
                    let agent = Agent {
                        id,
                        profile: req,
                        status: AgentStatus::Draft,
                        carriers: Vec::new(),
                        test_devices: Default::default(),
                        created_at: now,
                        updated_at: now,
                    };
                    (agent, format!("Agent {id} created as draft"))
                }
            };
            let id = agent.id;
            let json = agent.to_json();
            session.apply(
                now,
                Change::AgentSaved {
                    agent: Box::new(agent),
                },
            );
            Ok(status_response(
                message,
                json!({"agentId": id, "agentStatus": "draft", "data": json}),
            ))
        })
        .await
}

fn agent_of(session: &AccountState, id: i64) -> ApiResult<Agent> {
    session
        .agents
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiErr::not_found(format!("agentId {id} not found")))
}

pub(crate) async fn submit_agent(
    caller: Caller,
    Valid(req): Valid<RcsAgentSubmitRequest>,
) -> ApiResult<Json<StatusResponse>> {
    let now = caller.shared.clock.now();
    let review = TimeDelta::from_std(caller.shared.config.review_delay).unwrap_or_default();
    caller
        .change(|session, _| {
            let agent = agent_of(session, req.agent_id)?;
            if agent.status != AgentStatus::Draft {
                return Err(ApiErr::bad_request(format!(
                    "Agent {} is {}; only draft agents can be submitted for review",
                    req.agent_id, agent.status
                )));
            }
            session.apply(
                now,
                Change::AgentStatusChanged {
                    agent_id: req.agent_id,
                    status: AgentStatus::Submitted,
                    carriers: Vec::new(),
                    step: None,
                    next: Some(now + review),
                },
            );
            Ok(status_response(
                format!("Agent {} submitted for review", req.agent_id),
                json!({"agentId": req.agent_id, "agentStatus": "submitted"}),
            ))
        })
        .await
}

pub(crate) async fn launch_agent(
    caller: Caller,
    Valid(req): Valid<RcsAgentLaunchRequest>,
) -> ApiResult<Json<StatusResponse>> {
    caller
        .change(|session, now| launch(&req, session, now))
        .await
}

/// `POST /rcs/agent/launch`: an approved agent goes live on the requested carriers.
fn launch(
    req: &RcsAgentLaunchRequest,
    session: &mut Session<'_>,
    now: DateTime<Utc>,
) -> ApiResult<Json<StatusResponse>> {
    let agent = agent_of(session, req.agent_id)?;
    match agent.status {
        AgentStatus::Approved | AgentStatus::Launched => {}
        AgentStatus::Submitted => {
            return Err(ApiErr::bad_request(format!(
                "Agent {} is still under review (submitted); it can be launched once approved",
                req.agent_id
            )));
        }
        AgentStatus::Draft => {
            return Err(ApiErr::bad_request(format!(
                "Agent {} is draft; submit it for review (POST /rcs/agent/submit) before launching",
                req.agent_id
            )));
        }
    }
    session.apply(
        now,
        Change::AgentStatusChanged {
            agent_id: req.agent_id,
            status: AgentStatus::Launched,
            carriers: req.carriers.clone(),
            step: None,
            next: None,
        },
    );
    let agent = agent_of(session, req.agent_id)?;
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
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<StatusResponse>> {
    let id: i64 = id.parse().map_err(|_| {
        ApiErr::bad_request(format!("Invalid parameter id: {id:?} is not an integer"))
    })?;
    let session = caller.session();
    let agent = session
        .agents
        .get(&id)
        .ok_or_else(|| ApiErr::not_found(format!("agentId {id} not found")))?;
    Ok(status_response(
        "Agent details",
        json!({"data": agent.to_json()}),
    ))
}

pub(crate) async fn list_agents(caller: Caller) -> Json<StatusResponse> {
    let session = caller.session();
    let data: Vec<Value> = session.agents.values().map(Agent::to_json).collect();
    status_response(format!("{} agents", data.len()), json!({"data": data}))
}

const MAX_TEST_DEVICES: usize = 20;

pub(crate) async fn add_test_device(
    caller: Caller,
    Valid(req): Valid<RcsTestDeviceRequest>,
) -> ApiResult<Json<StatusResponse>> {
    change_test_device(caller, req, true).await
}

pub(crate) async fn remove_test_device(
    caller: Caller,
    Valid(req): Valid<RcsTestDeviceRequest>,
) -> ApiResult<Json<StatusResponse>> {
    change_test_device(caller, req, false).await
}

/// Adds (`adding`) or removes a test device; adding one that is there already is a success.
async fn change_test_device(
    caller: Caller,
    req: RcsTestDeviceRequest,
    adding: bool,
) -> ApiResult<Json<StatusResponse>> {
    let number = phone("phoneNumber", &req.phone_number)?;
    let agent_id = req.agent_id;
    let answer = |message: String| {
        status_response(
            message,
            json!({"agentId": agent_id, "phoneNumber": format!("+{number}")}),
        )
    };
    caller
        .change(|session, now| {
            let agent = agent_of(session, agent_id)?;
            let present = agent.test_devices.contains_key(&number);
            let (change, message) = match (adding, present) {
                (true, true) => {
                    return Ok(answer(format!(
                        "+{number} is already a test device of agent {agent_id}"
                    )));
                }
                (true, false) if agent.test_devices.len() >= MAX_TEST_DEVICES => {
                    return Err(ApiErr::bad_request(format!(
                        "Agent {agent_id} already has {MAX_TEST_DEVICES} test devices, the maximum"
                    )));
                }
                (false, false) => {
                    return Err(ApiErr::not_found(format!(
                        "+{number} is not a test device of agent {agent_id}"
                    )));
                }
                (true, false) => (
                    Change::TestDeviceAdded {
                        agent_id,
                        number: number.clone(),
                    },
                    format!("Test device +{number} added to agent {agent_id}"),
                ),
                (false, true) => (
                    Change::TestDeviceRemoved {
                        agent_id,
                        number: number.clone(),
                    },
                    format!("Test device +{number} removed from agent {agent_id}"),
                ),
            };
            session.apply(now, change);
            Ok(answer(message))
        })
        .await
}

pub(crate) async fn list_test_devices(
    caller: Caller,
    Query(query): QueryParams,
) -> ApiResult<Json<StatusResponse>> {
    let agent_id = int_param(&query, "agentId")?;
    let session = caller.session();
    let agent = agent_of(&session, agent_id)?;
    let data: Vec<Value> = agent
        .test_devices
        .iter()
        .map(|(n, at)| json!({"phoneNumber": format!("+{n}"), "addedAt": system_time(*at)}))
        .collect();
    Ok(status_response(
        format!("{} test devices", data.len()),
        json!({"agentId": agent_id, "data": data}),
    ))
}

pub(crate) async fn capability(
    caller: Caller,
    Query(query): QueryParams,
) -> ApiResult<Json<Value>> {
    let raw = param(&query, "mobile")?;
    let mobile = phone("mobile", raw)?;
    let agent_id = int_param(&query, "agentId")?;
    let session = caller.session();
    let agent = agent_of(&session, agent_id)?;
    let enabled = agent.test_devices.contains_key(&mobile) || crate::magic::rcs_capable(&mobile);
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
    caller: Caller,
    Query(query): QueryParams,
) -> ApiResult<Json<RcsConversationResponse>> {
    let agent_id = int_param(&query, "agentId")?;
    let mobile = phone("mobile", param(&query, "mobile")?)?;
    let now = caller.shared.clock.now();
    let session = caller.session();
    if !session.agents.contains_key(&agent_id) {
        return Err(ApiErr::not_found(format!("agentId {agent_id} not found")));
    }
    let active = session
        .conversations
        .get(&(agent_id, mobile))
        .filter(|c| c.started_at + TimeDelta::hours(24) > now);
    Ok(Json(match active {
        Some(c) => RcsConversationResponse {
            status: ok(),
            conversation_id: Some(c.id.to_string()),
            active: Some(true),
            started_at: Some(system_time(c.started_at)),
            expires_at: Some(system_time(c.started_at + TimeDelta::hours(24))),
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
        msg_id: Some(msg.msg_id.to_string()),
        mobile: Some(StringOrNumber::from(msg.mobile.clone())),
        agent_id: Some(StringOrNumber::from(msg.agent_id)),
        sent: Some(system_time(msg.sent_at)),
        dlr: Some(RcsDlrState {
            status: Some(msg.status.clone()),
            delivery_time: msg.done_at.map(system_time),
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

pub(crate) async fn rcs_dlr(caller: Caller, Query(query): QueryParams) -> ApiResult<Json<Value>> {
    let session = caller.session();
    let data: Vec<Value> = if let Some(id) = query.get("msg_id").filter(|v| !v.is_empty()) {
        let msg = session
            .rcs
            .get(id.as_str())
            .ok_or_else(|| ApiErr::not_found(format!("msg_id {id:?} not found")))?;
        vec![rcs_dlr_record(msg)]
    } else if let Some(id) = query.get("batch_id").filter(|v| !v.is_empty()) {
        let ids = session
            .rcs_batches
            .get(id.as_str())
            .ok_or_else(|| ApiErr::not_found(format!("batch_id {id:?} not found")))?;
        ids.iter()
            .filter_map(|i| session.rcs.get(i))
            .map(rcs_dlr_record)
            .collect()
    } else {
        return Err(ApiErr::bad_request(
            "Missing parameter: one of batch_id and msg_id is required",
        ));
    };
    Ok(Json(json!({"status": "success", "data": data})))
}
