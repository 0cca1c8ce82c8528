//! SMS: sending, delivery reports (`/dlr`) and route credits.

use axum::Json;
use axum::body::Bytes;
use chrono::{DateTime, Utc};
use noxitel_types::{
    CreditsResponse, RouteCredits, SendSmsRequest, SendSmsResponse, SmsDeliveryStatus,
    SmsDlrRecord, SmsDlrRequest, SmsDlrResponse, SmsMessageId, StringOrNumber, Validate, Wallet,
};

use crate::clock::system_time;
use crate::error::{ApiErr, ApiResult};
use crate::http::{Caller, Valid};
use crate::ids;
use crate::state::Session;
use crate::state::records::{BatchId, SmsOrigin, SmsRecord};

use super::{
    PlannedSms, QueryParams, cents, check_credits, contacts_of, debit, delay, insert_sms, ok,
    parse, plan_sms, send,
};

pub(crate) async fn send_sms(
    caller: Caller,
    Valid(req): Valid<SendSmsRequest>,
) -> ApiResult<Json<SendSmsResponse>> {
    send(
        &caller,
        req.schedule.as_deref(),
        |session, now, scheduled| accept_sms(&caller, &req, session, now, scheduled),
    )
    .await
}

/// `POST /sms` accepted: the batch checked, charged and recorded.
fn accept_sms(
    caller: &Caller,
    req: &SendSmsRequest,
    session: &mut Session<'_>,
    now: DateTime<Utc>,
    scheduled: Option<DateTime<Utc>>,
) -> ApiResult<Json<SendSmsResponse>> {
    let campaign_id = req.campaign_id.unwrap_or(1);
    if !session.campaigns.contains_key(&campaign_id) {
        return Err(ApiErr::not_found(format!(
            "campaignId {campaign_id} not found (this account has campaigns {:?})",
            session.campaigns.keys().collect::<Vec<_>>()
        )));
    }
    let route_id = req.route_id.unwrap_or(1);
    let route = session.routes.get(&route_id).cloned().ok_or_else(|| {
        ApiErr::not_found(format!(
            "routeId {route_id} not found (this account has routes 1 and 2)"
        ))
    })?;
    if route.needs_sender && req.sender.is_none() {
        return Err(ApiErr::bad_request(format!(
            "Missing parameter sender: route {route_id} ({}) is approval-based and needs an \
             approved sender ID",
            route.name
        )));
    }
    let template = match req.template_id {
        Some(id) => session.sms_templates.get(&id).cloned().ok_or_else(|| {
            ApiErr::not_found(format!(
                "templateId {id} not found (this account has SMS templates {:?})",
                session.sms_templates.keys().collect::<Vec<_>>()
            ))
        })?,
        None => req.message.clone().unwrap_or_default(),
    };
    let contacts = contacts_of(session, &req.contacts, req.contact_group)?;
    let plans: Vec<PlannedSms> = contacts
        .iter()
        .map(|c| plan_sms(&template, c, req.mode))
        .collect();
    let need: i64 = plans.iter().map(|p| p.segments).sum();
    check_credits(session, route_id, need)?;
    let batch_id = BatchId(ids::prefixed("samsms"));
    debit(session, now, Some(route_id), need, batch_id.as_str());
    let sender = req.sender.clone().unwrap_or_else(|| "NOXSMS".into());
    let delay = delay(&caller.shared);
    let mut ids = Vec::with_capacity(plans.len());
    for plan in plans {
        let mobile = plan.mobile.clone();
        let sms_id = insert_sms(
            session,
            plan,
            &batch_id,
            &sender,
            route_id,
            campaign_id,
            now,
            scheduled,
            delay,
            req.notify_url.clone(),
            SmsOrigin::Sms,
        );
        ids.push(SmsMessageId {
            mobile: StringOrNumber::from(mobile),
            sms_id: sms_id.0,
        });
    }
    Ok(Json(SendSmsResponse {
        status: ok(),
        message: Some(if scheduled.is_some() {
            "SMS Scheduled successfully".into()
        } else {
            "SMS Submitted successfully".into()
        }),
        batch_id: batch_id.0,
        total_contacts: Some(ids.len() as i64),
        message_id: ids,
    }))
}

fn dlr_record(sms: &SmsRecord) -> SmsDlrRecord {
    let (status, reply) = sms.state.dlr();
    let mobile = sms
        .mobile
        .parse::<i64>()
        .map(StringOrNumber::from)
        .unwrap_or_else(|_| StringOrNumber::from(sms.mobile.clone()));
    SmsDlrRecord {
        sms_shoot_id: Some(sms.sms_id.to_string()),
        mobile: Some(mobile),
        sender_id: Some(sms.sender.clone()),
        sent: Some(system_time(sms.sent_at)),
        dlr: Some(SmsDeliveryStatus {
            status: Some(status.into()),
            operator_reply: Some(reply.into()),
            delivery_time: sms.done_at.map(system_time),
        }),
    }
}

pub(crate) async fn sms_dlr(
    caller: Caller,
    query: QueryParams,
    body: Bytes,
) -> ApiResult<Json<SmsDlrResponse>> {
    // The reference sends the ids as a JSON body on GET; a query string is accepted too.
    let no_body = body.iter().all(u8::is_ascii_whitespace);
    if no_body && query.0.is_empty() {
        return Err(ApiErr::bad_request(
            "Missing parameter batch_id or sms_id: send {\"batch_id\": …} or {\"sms_id\": …} as \
             the JSON body (as the reference does) or in the query string",
        ));
    }
    let req: SmsDlrRequest = if no_body {
        let mut req = SmsDlrRequest::new();
        req.batch_id = query.0.get("batch_id").cloned();
        req.sms_id = query.0.get("sms_id").cloned();
        req.validate().map_err(|e| {
            ApiErr::bad_request(format!("Invalid parameter {}: {}", e.field, e.reason))
        })?;
        req
    } else {
        parse(&body)?
    };
    let session = caller.session();
    let data = if let Some(id) = &req.sms_id {
        let sms = session
            .sms
            .get(id.as_str())
            .ok_or_else(|| ApiErr::not_found(format!("sms_id {id:?} not found")))?;
        vec![dlr_record(sms)]
    } else {
        let id = req.batch_id.as_deref().unwrap_or_default();
        let ids = session
            .sms_batches
            .get(id)
            .ok_or_else(|| ApiErr::not_found(format!("batch_id {id:?} not found")))?;
        ids.iter()
            .filter_map(|i| session.sms.get(i))
            .map(dlr_record)
            .collect()
    };
    Ok(Json(SmsDlrResponse { status: ok(), data }))
}

pub(crate) async fn credits(caller: Caller) -> Json<CreditsResponse> {
    let session = caller.session();
    Json(CreditsResponse {
        status: ok(),
        billing_mode: Some("credits".into()),
        wallet: Some(Wallet {
            amount: Some(cents(session.wallet_cents)),
            currency: Some(session.currency.clone()),
        }),
        credits: session
            .routes
            .values()
            .map(|r| RouteCredits {
                route: Some(r.name.clone()),
                credits: Some(r.credits),
            })
            .collect(),
    })
}
