//! Records with the identifiers the reference's examples use, so that every example request
//! (`GET /dlr` with `samsms_eink1rilz6ucphk`, `GET /otp/verify` with `036BZDUHIX` /
//! `847291`, `GET /whatsapp/report?mode=message&id=MSG_ID`…) answers on a fresh sandbox as the
//! reference shows, with only the base URL and token changed.

use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::RcsDeliveryStatus;
use serde_json::json;

use crate::state::{Conversation, Data, Otp, RcsRecord, SmsRecord, SmsState, WaRecord};

/// The identifiers, as written in the reference.
pub mod ids {
    pub const SMS_BATCH: &str = "samsms_eink1rilz6ucphk";
    pub const SMS_ID: &str = "1ef4d949-7639-6880-bf73-ae794...";
    pub const RCS_BATCH: &str = "rcs_k8a9s2lmnp4xvqr";
    pub const RCS_MSG: &str = "1f134cd4-e08d-6de0-87b5-aefe80a0acca";
    pub const RCS_CONVERSATION: &str = "1f1328bb-a73a-64e0-a812-cff28c6df66c";
    pub const WA_MSG: &str = "1f020deb-2669-6060-b900-1fc1c519d2b7";
    pub const WA_SEND_MSG: &str = "msg_abc123";
    /// Placeholders the reference's report examples ask you to replace; answered anyway.
    pub const WA_MSG_PLACEHOLDER: &str = "MSG_ID";
    pub const WA_CAMPAIGN_PLACEHOLDER: &str = "CAMPAIGN_ID";
    pub const OTP_REFERENCE: &str = "036BZDUHIX";
    pub const OTP_CODE: &str = "847291";
    pub const MOBILE: &str = "919887111111";
}

/// Adds the reference's example records to a freshly provisioned account.
pub fn seed(d: &mut Data, now: DateTime<Utc>) {
    let sent = now - TimeDelta::minutes(5);
    let delivered = sent + TimeDelta::seconds(12);

    d.sms.insert(
        ids::SMS_ID.into(),
        SmsRecord {
            sms_id: ids::SMS_ID.into(),
            batch_id: ids::SMS_BATCH.into(),
            mobile: ids::MOBILE.into(),
            sender: "NOXITEL".into(),
            text: "Hi Sam, your OTP is 847291".into(),
            mode: "text".into(),
            segments: 1,
            route_id: 1,
            campaign_id: 1,
            sent_at: sent,
            state: SmsState::Delivered,
            done_at: Some(delivered),
            notify_url: None,
            origin: "reference example",
        },
    );
    d.sms_batches
        .insert(ids::SMS_BATCH.into(), vec![ids::SMS_ID.into()]);

    d.rcs.insert(
        ids::RCS_MSG.into(),
        RcsRecord {
            msg_id: ids::RCS_MSG.into(),
            batch_id: ids::RCS_BATCH.into(),
            agent_id: 42,
            mobile: ids::MOBILE.into(),
            content: None,
            kind: "text".into(),
            sent_at: sent,
            status: RcsDeliveryStatus::Delivered,
            done_at: Some(sent + TimeDelta::seconds(8)),
            notify_url: None,
            test_device: false,
            fallback_sms_id: None,
        },
    );
    d.rcs_batches
        .insert(ids::RCS_BATCH.into(), vec![ids::RCS_MSG.into()]);
    d.conversations.insert(
        (42, ids::MOBILE.into()),
        Conversation {
            id: ids::RCS_CONVERSATION.into(),
            started_at: now,
        },
    );

    for msg_id in [ids::WA_MSG, ids::WA_SEND_MSG, ids::WA_MSG_PLACEHOLDER] {
        d.wa.insert(
            msg_id.into(),
            WaRecord {
                msg_id: msg_id.into(),
                campaign_id: ids::WA_CAMPAIGN_PLACEHOLDER.into(),
                msisdn: ids::MOBILE.into(),
                phone_id: "12345678909812".into(),
                kind: "text".into(),
                content: json!({ "message": "Hello! Your order has been shipped." }),
                cost_cents: 5,
                sent_at: sent,
                status: "delivered".into(),
                direction: "outgoing",
            },
        );
        d.wa_campaigns
            .entry(ids::WA_CAMPAIGN_PLACEHOLDER.into())
            .or_default()
            .push(msg_id.into());
    }
    d.otps.insert(
        ids::OTP_REFERENCE.into(),
        Otp {
            reference: ids::OTP_REFERENCE.into(),
            mobile: ids::MOBILE.into(),
            channel: 27,
            code: ids::OTP_CODE.into(),
            created_at: now,
            // The example must still verify when someone copies it later in the day.
            expires_at: now + TimeDelta::days(365),
            attempts: 0,
            verified: false,
            sms_id: ids::SMS_ID.into(),
        },
    );
    d.last_otp
        .insert(ids::MOBILE.into(), ids::OTP_REFERENCE.into());
}
