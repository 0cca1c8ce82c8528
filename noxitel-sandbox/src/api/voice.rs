//! Voice: placing a call.

use axum::Json;
use axum::extract::State;
use noxitel_types::{VoiceCallRequest, VoiceCallResponse};

use crate::error::{ApiErr, ApiResult};
use crate::http::{Acct, Valid};
use crate::state::change::{Change, voice_event};
use crate::state::records::{Call, CallId, CallState, HookKind};
use crate::text;

use super::{A, S, cents, change, debit, delay, phone, schedule_time};

const VOICE_PRICE_CENTS: i64 = 10;

pub(crate) async fn voice_call(
    State(s): S,
    Acct(acct): A,
    Valid(req): Valid<VoiceCallRequest>,
) -> ApiResult<Json<VoiceCallResponse>> {
    let to = phone("to", &req.to)?;
    let now = s.clock.now();
    let scheduled = schedule_time(req.schedule.as_deref(), now)?;
    change(&s, &acct, |d| {
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
        let call_id = CallId(format!("call_{}", &text::uuid()[..8]));
        debit(d, now, None, VOICE_PRICE_CENTS, call_id.as_str());
        let status = if scheduled.is_some() {
            CallState::Scheduled
        } else {
            CallState::Ringing
        };
        let call = Call {
            call_id: call_id.clone(),
            to: to.clone(),
            from: req.from.clone(),
            status,
            notify_url: req.notify_url.clone(),
            history: vec![(status, now)],
        };
        let ringing = voice_event(&call, now);
        d.apply(
            now,
            Change::CallPlaced {
                call: Box::new(call),
                next: scheduled.unwrap_or(now + delay(&s)),
            },
        );
        if let (Some(url), None) = (&req.notify_url, scheduled) {
            d.webhook(now, url, HookKind::VoiceStatus, ringing, Some(&to));
        }
        Ok(Json(VoiceCallResponse {
            call_id: call_id.0,
            status: status.api(),
            to: Some(to),
        }))
    })
    .await
}
