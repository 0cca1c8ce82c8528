//! Voice: placing a call.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use noxitel_types::{VoiceCallRequest, VoiceCallResponse, VoiceCallStatus};
use serde_json::json;

use crate::clock::rfc3339;
use crate::error::{ApiErr, ApiResult};
use crate::state::{Call, Event};
use crate::text;

use super::{A, S, cents, delay, parse, phone, schedule_time};

const VOICE_PRICE_CENTS: i64 = 10;

pub(crate) async fn voice_call(
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
