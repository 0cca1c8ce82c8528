//! Voice: placing a call.

use axum::Json;
use noxitel_types::{VoiceCallRequest, VoiceCallResponse};

use crate::error::{ApiErr, ApiResult};
use crate::http::{Caller, Valid};
use crate::ids;
use crate::state::change::{Change, voice_event};
use crate::state::records::{Call, CallId, CallState, HookKind};

use super::{check_wallet, debit, delay, phone, send};

const VOICE_PRICE_CENTS: i64 = 10;

pub(crate) async fn voice_call(
    caller: Caller,
    Valid(req): Valid<VoiceCallRequest>,
) -> ApiResult<Json<VoiceCallResponse>> {
    let to = phone("to", &req.to)?;
    send(
        &caller,
        req.schedule.as_deref(),
        |session, now, scheduled| {
            if let Some(id) = req.campaign_id
                && !session.campaigns.contains_key(&id)
            {
                return Err(ApiErr::not_found(format!("campaignId {id} not found")));
            }
            check_wallet(session, VOICE_PRICE_CENTS, "a call")?;
            let call_id = CallId(format!("call_{}", &ids::uuid()[..8]));
            debit(session, now, None, VOICE_PRICE_CENTS, call_id.as_str());
            let status = scheduled.map_or(CallState::Ringing, |_| CallState::Scheduled);
            let call = Call {
                call_id: call_id.clone(),
                to: to.clone(),
                from: req.from.clone(),
                status,
                notify_url: req.notify_url.clone(),
                history: vec![(status, now)],
                plays: Some(serde_json::json!({"tts": req.tts, "audioUrl": req.audio_url})),
            };
            let ringing = voice_event(&call, now);
            session.apply(
                now,
                Change::CallPlaced {
                    call: Box::new(call),
                    next: scheduled.unwrap_or(now + delay(&caller.shared)),
                },
            );
            if let (Some(url), None) = (&req.notify_url, scheduled) {
                session.webhook(now, url, HookKind::VoiceStatus, ringing, Some(&to));
            }
            Ok(Json(VoiceCallResponse {
                call_id: call_id.0,
                status: status.api(),
                to: Some(to),
            }))
        },
    )
    .await
}
