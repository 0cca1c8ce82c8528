//! WhatsApp: sending, message reports, the conversation window check and prices.

use axum::Json;
use axum::extract::Query;
use chrono::{DateTime, Utc};
use noxitel_types::{
    SendWhatsappMessageRequest, SendWhatsappMessageResponse, StringOrNumber, WhatsappMessageId,
    WhatsappMessageReport, WhatsappMessageType, WhatsappPrice, WhatsappPriceByCategory,
    WhatsappPriceList, WhatsappWindowResponse,
};
use serde_json::{Map, Value, json};

use crate::clock::{rfc3339, rfc3339_ms};
use crate::error::{ApiErr, ApiResult};
use crate::http::{Caller, Valid};
use crate::ids;
use crate::state::Session;
use crate::state::change::Change;
use crate::state::records::{Direction, WaCampaignId, WaMsgId, WaRecord, WaStatus};

use super::{QueryParams, debit, delay, ok, params, phone};

const WA_PRICE_CENTS: i64 = 5;

pub(crate) async fn send_whatsapp(
    caller: Caller,
    Valid(req): Valid<SendWhatsappMessageRequest>,
) -> ApiResult<Json<Value>> {
    caller
        .change(|session, now| accept_whatsapp(&caller, &req, session, now))
        .await
}

/// `POST /whatsapp/message` accepted: the window and templates checked, charged and recorded.
fn accept_whatsapp(
    caller: &Caller,
    req: &SendWhatsappMessageRequest,
    session: &mut Session<'_>,
    now: DateTime<Utc>,
) -> ApiResult<Json<Value>> {
    let phone_id = req
        .phone_id
        .clone()
        .unwrap_or_else(|| session.wa_phones[0].clone());
    if !session.wa_phones.contains(&phone_id) {
        return Err(ApiErr::not_found(format!(
            "phoneId {phone_id:?} is not a WhatsApp phone of this account (it has {:?})",
            session.wa_phones
        )));
    }
    let kind = req.type_.unwrap_or(WhatsappMessageType::Text);
    if kind == WhatsappMessageType::Template {
        let name = req.template_id.as_deref().unwrap_or_default();
        let template = session.wa_templates.get(name).ok_or_else(|| {
            ApiErr::not_found(format!(
                "templateId {name:?} not found (approved templates: {:?})",
                session.wa_templates.keys().collect::<Vec<_>>()
            ))
        })?;
        for (i, contact) in req.contacts.iter().enumerate() {
            let given = contact.parameters.as_ref().map_or(0, |p| p.body.len());
            if given != template.body_params {
                return Err(ApiErr::bad_request(format!(
                    "Invalid parameter contacts[{i}].parameters.body: template {name} takes {} body \
                     values, got {given}",
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
        if !session.wa.contains_key(id) {
            return Err(ApiErr::not_found(format!(
                "replyToMessageId {id:?} not found"
            )));
        }
    }
    let mut recipients = Vec::new();
    let mut outside_window = Vec::new();
    let mut total = 0;
    for (i, contact) in req.contacts.iter().enumerate() {
        let msisdn = phone(&format!("contacts[{i}].msisdn"), &contact.msisdn)?;
        let window_open = session
            .wa_windows
            .get(&(phone_id.clone(), msisdn.clone()))
            .is_some_and(|until| *until > now);
        let free_form = kind != WhatsappMessageType::Template;
        if free_form && !window_open {
            outside_window.push(msisdn.clone());
        }
        // Every accepted message costs the same, free-form ones too: the reference's answer to
        // its free-form example (to a recipient whose window is open) shows `total_cost: 0.05`.
        total += WA_PRICE_CENTS;
        recipients.push((msisdn, WA_PRICE_CENTS, contact.parameters.clone()));
    }
    if !outside_window.is_empty() {
        // Nothing is sent or charged when one recipient is outside its window.
        return Err(ApiErr::bad_request(format!(
            "No open 24-hour service window with {} on phoneId {phone_id}: a free-form {kind} \
             message may only be sent within 24 hours of the customer's last message; send a \
             template instead (GET /whatsapp/checkwindow shows whether one is open)",
            outside_window.join(", ")
        ))
        .status_error());
    }
    if session.wallet_cents < total {
        // Word for word the reference's example, shape included.
        return Err(
            ApiErr::payment("You don't have enough credits to send this campaign.").status_error(),
        );
    }
    let campaign_id = WaCampaignId(session.next_wa_campaign.to_string());
    debit(session, now, None, total, campaign_id.as_str());
    let content = {
        let mut v = serde_json::to_value(req).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("contacts");
        }
        v
    };
    let delay = delay(&caller.shared);
    let mut ids = Vec::new();
    for (msisdn, cost, parameters) in recipients {
        let msg_id = WaMsgId(ids::uuid());
        let mut content = content.clone();
        if let (Value::Object(m), Some(p)) = (&mut content, parameters) {
            m.insert(
                "parameters".into(),
                serde_json::to_value(p).unwrap_or(Value::Null),
            );
        }
        let msg = WaRecord {
            msg_id: msg_id.clone(),
            campaign_id: Some(campaign_id.clone()),
            msisdn: msisdn.clone(),
            phone_id: phone_id.clone(),
            kind,
            content,
            cost_cents: cost,
            sent_at: now,
            status: WaStatus::Sent,
            direction: Direction::Outgoing,
        };
        session.apply(
            now,
            Change::WhatsappAccepted {
                msg: Box::new(msg),
                next: now + delay,
            },
        );
        ids.push(WhatsappMessageId {
            msisdn: StringOrNumber::from(msisdn),
            msg_id: msg_id.0,
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
    extra.insert(
        "campaign_id".into(),
        json!(msg.campaign_id.as_ref().map_or("", |c| c.as_str())),
    );
    extra.insert("content".into(), msg.content.clone());
    WhatsappMessageReport {
        msg_id: Some(msg.msg_id.to_string()),
        msisdn: Some(StringOrNumber::from(msg.msisdn.clone())),
        phone_id: Some(msg.phone_id.clone()),
        direction: Some(msg.direction.as_str().into()),
        timestamp: Some(rfc3339_ms(msg.sent_at)),
        cost: Some(msg.cost_cents as f64 / 100.0),
        status: Some(msg.status.as_str().into()),
        extra,
    }
}

pub(crate) async fn whatsapp_report(
    caller: Caller,
    Query(query): QueryParams,
) -> ApiResult<Json<Value>> {
    let [mode, id] = params(&query, ["mode", "id"])?;
    let session = caller.session();
    match mode {
        "message" => {
            let msg = session
                .wa
                .get(id)
                .ok_or_else(|| ApiErr::not_found(format!("WhatsApp message {id:?} not found")))?;
            Ok(Json(
                serde_json::to_value(wa_report(msg)).unwrap_or(Value::Null),
            ))
        }
        "campaign" => {
            let ids = session.wa_campaigns.get(id).ok_or_else(|| {
                ApiErr::not_found(format!(
                    "WhatsApp campaign {id:?} not found (campaign_id is returned by \
                     POST /whatsapp/message)"
                ))
            })?;
            let reports: Vec<_> = ids
                .iter()
                .filter_map(|i| session.wa.get(i))
                .map(wa_report)
                .collect();
            Ok(Json(serde_json::to_value(reports).unwrap_or(Value::Null)))
        }
        other => Err(ApiErr::bad_request(format!(
            "Invalid parameter mode: {other:?} (expected message or campaign)"
        ))),
    }
}

pub(crate) async fn whatsapp_window(
    caller: Caller,
    Query(query): QueryParams,
) -> ApiResult<Json<WhatsappWindowResponse>> {
    let [phone_id, msisdn] = params(&query, ["phoneId", "msisdn"])?;
    let msisdn = phone("msisdn", msisdn)?;
    let now = caller.shared.clock.now();
    let session = caller.session();
    if !session.wa_phones.iter().any(|p| p == phone_id) {
        return Err(ApiErr::not_found(format!(
            "phoneId {phone_id:?} is not a WhatsApp phone of this account"
        )));
    }
    let until = session
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

pub(crate) async fn whatsapp_prices() -> Json<WhatsappPriceList> {
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
                extra: Default::default(),
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
