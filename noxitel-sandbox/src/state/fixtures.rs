//! The provisioned account: the reference's fixtures (routes, templates, agents…) and the
//! records its example answers name, so each of its requests works copy-pasted.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::{
    Contact, RcsAgentRequest, RcsDeliveryStatus, RcsMessageContent, RcsMessageType, SmsMode,
    WhatsappMessageType,
};
use serde_json::json;

use super::AccountState;
use super::records::*;

/// The identifiers, as written in the reference.
pub mod reference_ids {
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
    /// The inbound message that opens the service window of the reference's checkwindow example
    /// (the reference shows none; the sandbox's own id).
    pub const WA_INBOUND: &str = "wa_inbound_919887111111";
    /// The phone of the reference's checkwindow example (and the default one).
    pub const WA_PHONE: &str = "1234567890";
    pub const OTP_REFERENCE: &str = "036BZDUHIX";
    pub const OTP_CODE: &str = "847291";
    pub const MOBILE: &str = "919887111111";
}

/// A fresh account: fixtures plus the reference's example records.
pub fn provisioned(credits: i64, wallet_cents: i64, now: DateTime<Utc>) -> AccountState {
    let mut data = base(credits, wallet_cents, now);
    seed(&mut data, now);
    data
}

fn base(credits: i64, wallet_cents: i64, now: DateTime<Utc>) -> AccountState {
    let contact = |mobile: &str, name: &str| Contact::new(mobile).param("name", name);
    let profile = |name: &str, display: &str| {
        RcsAgentRequest::new(name, "Noxitel", display)
            .description(format!("{display} (sandbox)"))
            .color("#00a896")
    };
    let agent =
        |id: i64, name: &str, display: &str, status: AgentStatus, carriers: &[&str]| Agent {
            id,
            profile: profile(name, display),
            status,
            carriers: carriers.iter().map(|c| c.to_string()).collect(),
            test_devices: BTreeMap::new(),
            created_at: now,
            updated_at: now,
        };
    let rcs_template = serde_json::from_value::<RcsMessageContent>(json!({
        "text": "Hi #name#, your order #order# has shipped.",
        "suggestions": [{"type": "reply", "text": "Track"}, {"type": "url", "text": "Details", "url": "https://example.com/orders"}]
    }))
    .ok();
    AccountState {
        wallet_cents,
        currency: "USD".into(),
        routes: BTreeMap::from([
            (
                1,
                Route {
                    name: "Standard".into(),
                    credits,
                    needs_sender: false,
                },
            ),
            (
                2,
                Route {
                    name: "Transactional".into(),
                    credits: 100_000,
                    needs_sender: true,
                },
            ),
        ]),
        campaigns: BTreeMap::from([(1, "Default".to_owned()), (2, "Promotions".to_owned())]),
        sms_templates: BTreeMap::from([
            (1, "Hi #name#, your OTP is #otp#".to_owned()),
            (2, "Hi #name#, your order has been shipped.".to_owned()),
        ]),
        rcs_templates: rcs_template.into_iter().map(|t| (1, t)).collect(),
        contact_groups: BTreeMap::from([(
            1,
            vec![
                contact("919887111111", "Sam"),
                contact("918058222222", "Alex"),
            ],
        )]),
        otp_channels: BTreeMap::from([(
            27,
            OtpChannel {
                route_id: 1,
                sender: "NOXOTP".into(),
                template: "#otp# is your Noxitel verification code. Do not share it.".into(),
                digits: 6,
            },
        )]),
        sms: HashMap::new(),
        sms_batches: HashMap::new(),
        wa_phones: vec!["1234567890".into(), "12345678909812".into()],
        wa_templates: BTreeMap::from([
            ("welcome_template".to_owned(), WaTemplate { body_params: 2 }),
            ("order_update".to_owned(), WaTemplate { body_params: 1 }),
            ("otp_code".to_owned(), WaTemplate { body_params: 1 }),
        ]),
        wa: HashMap::new(),
        wa_campaigns: HashMap::new(),
        wa_windows: HashMap::new(),
        next_wa_campaign: 1001,
        agents: BTreeMap::from([
            (
                3,
                agent(
                    3,
                    "noxitel_demo",
                    "Noxitel Demo",
                    AgentStatus::Launched,
                    &["airtel-india", "reliance-jio-india"],
                ),
            ),
            (
                42,
                agent(
                    42,
                    "support_bot",
                    "Noxitel Support",
                    AgentStatus::Draft,
                    &[],
                ),
            ),
        ]),
        default_agent: 3,
        rcs: HashMap::new(),
        rcs_batches: HashMap::new(),
        conversations: HashMap::new(),
        otps: HashMap::new(),
        last_otp: HashMap::new(),
        calls: HashMap::new(),
        webhooks: BTreeMap::new(),
        next_hook: 1,
        pending: BTreeMap::new(),
        seq: 0,
    }
}

/// Adds the reference's example records (see [`ids`]).
fn seed(account: &mut AccountState, now: DateTime<Utc>) {
    let sent = now - TimeDelta::minutes(5);
    let delivered = sent + TimeDelta::seconds(12);

    account.sms.insert(
        reference_ids::SMS_ID.into(),
        SmsRecord {
            sms_id: reference_ids::SMS_ID.into(),
            batch_id: reference_ids::SMS_BATCH.into(),
            mobile: reference_ids::MOBILE.into(),
            sender: "NOXITEL".into(),
            text: "Hi Sam, your OTP is 847291".into(),
            mode: SmsMode::Text,
            segments: 1,
            route_id: 1,
            campaign_id: 1,
            sent_at: sent,
            state: SmsState::Delivered,
            done_at: Some(delivered),
            notify_url: None,
            origin: SmsOrigin::ReferenceExample,
        },
    );
    account.sms_batches.insert(
        reference_ids::SMS_BATCH.into(),
        vec![reference_ids::SMS_ID.into()],
    );

    account.rcs.insert(
        reference_ids::RCS_MSG.into(),
        RcsRecord {
            msg_id: reference_ids::RCS_MSG.into(),
            batch_id: reference_ids::RCS_BATCH.into(),
            agent_id: 42,
            mobile: reference_ids::MOBILE.into(),
            content: None,
            kind: RcsMessageType::Text,
            sent_at: sent,
            status: RcsDeliveryStatus::Delivered,
            done_at: Some(sent + TimeDelta::seconds(8)),
            notify_url: None,
            test_device: false,
            fallback_sms_id: None,
        },
    );
    account.rcs_batches.insert(
        reference_ids::RCS_BATCH.into(),
        vec![reference_ids::RCS_MSG.into()],
    );
    // The reference shows draft agent 42 messaging this number, which only a test device
    // can receive before launch; `noxitel-api/examples/rcs.rs` documents the same command.
    if let Some(agent) = account.agents.get_mut(&42) {
        agent
            .test_devices
            .insert(reference_ids::MOBILE.into(), sent);
    }
    account.conversations.insert(
        (42, reference_ids::MOBILE.into()),
        Conversation {
            id: reference_ids::RCS_CONVERSATION.into(),
            started_at: now,
        },
    );

    for msg_id in [
        reference_ids::WA_MSG,
        reference_ids::WA_SEND_MSG,
        reference_ids::WA_MSG_PLACEHOLDER,
    ] {
        account.wa.insert(
            msg_id.into(),
            WaRecord {
                msg_id: msg_id.into(),
                campaign_id: Some(reference_ids::WA_CAMPAIGN_PLACEHOLDER.into()),
                msisdn: reference_ids::MOBILE.into(),
                phone_id: "12345678909812".into(),
                kind: WhatsappMessageType::Text,
                content: json!({ "message": "Hello! Your order has been shipped." }),
                cost_cents: 5,
                sent_at: sent,
                status: WaStatus::Delivered,
                direction: Direction::Outgoing,
            },
        );
        account
            .wa_campaigns
            .entry(reference_ids::WA_CAMPAIGN_PLACEHOLDER.into())
            .or_default()
            .push(msg_id.into());
    }
    // The reference's checkwindow example answers "Window Open" for this recipient, and its
    // free-form examples message it: an inbound message opened the window. Like the OTP
    // below, it stays open while the sandbox runs (a year), so the examples keep working.
    account.wa.insert(
        reference_ids::WA_INBOUND.into(),
        WaRecord {
            msg_id: reference_ids::WA_INBOUND.into(),
            campaign_id: None,
            msisdn: reference_ids::MOBILE.into(),
            phone_id: reference_ids::WA_PHONE.into(),
            kind: WhatsappMessageType::Text,
            content: json!({ "message": "Hi, where is my order?" }),
            cost_cents: 0,
            sent_at: sent,
            status: WaStatus::Received,
            direction: Direction::Incoming,
        },
    );
    account.wa_windows.insert(
        (reference_ids::WA_PHONE.into(), reference_ids::MOBILE.into()),
        now + TimeDelta::days(365),
    );
    account.otps.insert(
        reference_ids::OTP_REFERENCE.into(),
        Otp {
            reference: reference_ids::OTP_REFERENCE.into(),
            mobile: reference_ids::MOBILE.into(),
            channel: 27,
            code: reference_ids::OTP_CODE.into(),
            created_at: now,
            // The example must still verify when someone copies it later in the day.
            expires_at: now + TimeDelta::days(365),
            attempts: 0,
            verified: false,
            sms_id: reference_ids::SMS_ID.into(),
        },
    );
    account.last_otp.insert(
        reference_ids::MOBILE.into(),
        reference_ids::OTP_REFERENCE.into(),
    );
}
