//! OTP: sending a code by SMS and verifying it.

use axum::Json;
use axum::extract::Query;
use chrono::TimeDelta;
use noxitel_types::{
    Contact, OtpMatched, OtpVerifyResponse, ResponseStatus, SendOtpRequest, SendOtpResponse,
};

use crate::error::{ApiErr, ApiResult};
use crate::http::{Caller, Valid};
use crate::ids;
use crate::state::change::Change;
use crate::state::records::{BatchId, Otp, OtpRef, SmsOrigin};

use super::{QueryParams, check_credits, debit, delay, insert_sms, ok, params, phone, plan_sms};

pub(crate) async fn send_otp(
    caller: Caller,
    Valid(req): Valid<SendOtpRequest>,
) -> ApiResult<Json<SendOtpResponse>> {
    let mobile = phone("mobile", &req.mobile)?;
    caller
        .change(|session, now| {
            let channel = session
                .otp_channels
                .get(&req.channel)
                .cloned()
                .ok_or_else(|| {
                    ApiErr::not_found(format!(
                        "OTP channel {} not found (this account has channels {:?})",
                        req.channel,
                        session.otp_channels.keys().collect::<Vec<_>>()
                    ))
                })?;
            let code = crate::magic::fixed_otp(&mobile)
                .map_or_else(|| ids::otp_code(channel.digits), str::to_owned);
            let contact = Contact::new(mobile.clone()).param("otp", code.clone());
            let plan = plan_sms(&channel.template, &contact, None);
            check_credits(session, channel.route_id, plan.segments)?;
            let reference = OtpRef(ids::otp_reference());
            let batch_id = BatchId(ids::prefixed("otp"));
            debit(
                session,
                now,
                Some(channel.route_id),
                plan.segments,
                batch_id.as_str(),
            );
            let delay = delay(&caller.shared);
            let sms_id = insert_sms(
                session,
                plan,
                &batch_id,
                &channel.sender,
                channel.route_id,
                1,
                now,
                None,
                delay,
                None,
                SmsOrigin::Otp,
            );
            let ttl =
                TimeDelta::from_std(caller.shared.config.otp_ttl).unwrap_or(TimeDelta::minutes(10));
            let otp = Otp {
                reference: reference.clone(),
                mobile,
                channel: req.channel,
                code,
                created_at: now,
                expires_at: now + ttl,
                attempts: 0,
                verified: false,
                sms_id,
            };
            session.apply(now, Change::OtpIssued { otp: Box::new(otp) });
            Ok(Json(SendOtpResponse {
                status: ok(),
                reference: reference.0,
            }))
        })
        .await
}

fn not_matched(message: &str) -> Json<OtpVerifyResponse> {
    Json(OtpVerifyResponse {
        status: Some(ResponseStatus::Error),
        matched: OtpMatched::No,
        message: Some(message.into()),
    })
}

pub(crate) async fn verify_otp(
    caller: Caller,
    Query(query): QueryParams,
) -> ApiResult<Json<OtpVerifyResponse>> {
    let [reference, code] = params(&query, ["reference", "otp"])?;
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiErr::bad_request(format!(
            "Invalid parameter otp: {code:?} is not a number"
        )));
    }
    let now = caller.shared.clock.now();
    let max = caller.shared.config.otp_max_attempts.max(1);
    caller
        .change(|session, _| {
            let Some(otp) = session.otps.get(reference).cloned() else {
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
                    "OTP does not match or has expired: the {max} allowed attempts are used up, \
             send a new OTP"
                )));
            }
            let matched = otp.code == code;
            session.apply(
                now,
                Change::OtpVerified {
                    reference: otp.reference.clone(),
                    mobile: otp.mobile.clone(),
                    matched,
                    attempts: otp.attempts + 1,
                },
            );
            if matched {
                return Ok(Json(OtpVerifyResponse {
                    status: Some(ok()),
                    matched: OtpMatched::Yes,
                    message: None,
                }));
            }
            Ok(not_matched("OTP does not match or has expired"))
        })
        .await
}
