//! What an account holds: typed records, their states and their ids.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use noxitel_types::{
    RcsAgentRequest, RcsDeliveryStatus, RcsMessageContent, RcsMessageType, SmsMode,
    VoiceCallStatus, WhatsappMessageType,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock;

/// Declares a string id newtype: serde-transparent, `Display`, borrowable as `&str` (so maps
/// keyed by it are looked up with the `&str` a request carries).
macro_rules! def_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        #[allow(dead_code)]
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

def_id!(
    /// `sms_id` of one SMS (one per recipient).
    SmsId
);
def_id!(
    /// `batch_id` of one send (SMS, RCS or OTP).
    BatchId
);
def_id!(
    /// `msg_id` of an RCS message.
    RcsMsgId
);
def_id!(
    /// `msg_id` of a WhatsApp message.
    WaMsgId
);
def_id!(
    /// `campaign_id` of a WhatsApp send.
    WaCampaignId
);
def_id!(
    /// `callId` of a voice call.
    CallId
);
def_id!(
    /// `reference` of an OTP.
    OtpRef
);
def_id!(
    /// `conversationId` of an RCS conversation.
    ConversationId
);

/// Id of a queued webhook delivery (per account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HookId(pub u64);

/// RCS agent id.
pub type AgentId = i64;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Route {
    pub name: String,
    pub credits: i64,
    /// Approval-based route: `sender` is mandatory.
    pub needs_sender: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtpChannel {
    pub route_id: i64,
    pub sender: String,
    pub template: String,
    pub digits: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsState {
    Scheduled,
    Submitted,
    Delivered,
    Failed,
}

impl SmsState {
    /// `(dlr.status, dlr.operator_reply)` as the API shows them.
    pub fn dlr(self) -> (&'static str, &'static str) {
        match self {
            SmsState::Scheduled => ("Scheduled", "SCHEDULED"),
            SmsState::Submitted => ("Submitted", "PENDING"),
            SmsState::Delivered => ("Handset Delivered", "DELIVRD"),
            SmsState::Failed => ("Failed", "UNDELIV"),
        }
    }
}

/// Why an SMS was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmsOrigin {
    Sms,
    Otp,
    RcsFallback,
    #[serde(rename = "reference example")]
    ReferenceExample,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmsRecord {
    pub sms_id: SmsId,
    pub batch_id: BatchId,
    pub mobile: String,
    pub sender: String,
    pub text: String,
    pub mode: SmsMode,
    pub segments: i64,
    pub route_id: i64,
    pub campaign_id: i64,
    pub sent_at: DateTime<Utc>,
    pub state: SmsState,
    pub done_at: Option<DateTime<Utc>>,
    pub notify_url: Option<String>,
    pub origin: SmsOrigin,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RcsRecord {
    pub msg_id: RcsMsgId,
    pub batch_id: BatchId,
    pub agent_id: AgentId,
    pub mobile: String,
    pub content: Option<RcsMessageContent>,
    pub kind: RcsMessageType,
    pub sent_at: DateTime<Utc>,
    pub status: RcsDeliveryStatus,
    pub done_at: Option<DateTime<Utc>>,
    pub notify_url: Option<String>,
    pub test_device: bool,
    pub fallback_sms_id: Option<SmsId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaStatus {
    Sent,
    Delivered,
    Failed,
    Received,
}

impl WaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WaStatus::Sent => "sent",
            WaStatus::Delivered => "delivered",
            WaStatus::Failed => "failed",
            WaStatus::Received => "received",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Outgoing,
    Incoming,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outgoing => "outgoing",
            Direction::Incoming => "incoming",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaRecord {
    pub msg_id: WaMsgId,
    pub campaign_id: Option<WaCampaignId>,
    pub msisdn: String,
    pub phone_id: String,
    pub kind: WhatsappMessageType,
    pub content: Value,
    pub cost_cents: i64,
    pub sent_at: DateTime<Utc>,
    pub status: WaStatus,
    pub direction: Direction,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaTemplate {
    pub body_params: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Draft,
    Submitted,
    Approved,
    Launched,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Draft => "draft",
            AgentStatus::Submitted => "submitted",
            AgentStatus::Approved => "approved",
            AgentStatus::Launched => "launched",
        }
    }
}

impl std::fmt::Display for AgentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub profile: RcsAgentRequest,
    pub status: AgentStatus,
    pub carriers: Vec<String>,
    pub test_devices: BTreeMap<String, DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Agent {
    pub fn to_json(&self) -> Value {
        let mut value = serde_json::to_value(&self.profile).unwrap_or_else(|_| json!({}));
        if let Value::Object(map) = &mut value {
            map.insert("agentId".into(), json!(self.id));
            map.insert("status".into(), json!(self.status.as_str()));
            map.insert("carriers".into(), json!(self.carriers));
            map.insert(
                "testDevices".into(),
                json!(
                    self.test_devices
                        .keys()
                        .map(|n| format!("+{n}"))
                        .collect::<Vec<_>>()
                ),
            );
            map.insert(
                "createdAt".into(),
                json!(clock::system_time(self.created_at)),
            );
            map.insert(
                "updatedAt".into(),
                json!(clock::system_time(self.updated_at)),
            );
        }
        value
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Otp {
    pub reference: OtpRef,
    pub mobile: String,
    pub channel: i64,
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub attempts: u32,
    pub verified: bool,
    pub sms_id: SmsId,
}

/// A call's state; `Scheduled` is the sandbox's own (the API shows no status before ringing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    Scheduled,
    Ringing,
    Answered,
    Completed,
    Failed,
}

impl CallState {
    /// The API's status; `None` while scheduled.
    pub fn api(self) -> Option<VoiceCallStatus> {
        match self {
            CallState::Scheduled => None,
            CallState::Ringing => Some(VoiceCallStatus::Ringing),
            CallState::Answered => Some(VoiceCallStatus::Answered),
            CallState::Completed => Some(VoiceCallStatus::Completed),
            CallState::Failed => Some(VoiceCallStatus::Failed),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    pub call_id: CallId,
    pub to: String,
    pub from: String,
    pub status: CallState,
    pub notify_url: Option<String>,
    pub history: Vec<(CallState, DateTime<Utc>)>,
    /// What the call plays: `{"tts": …}` or `{"audioUrl": …}` as requested (for the inbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plays: Option<Value>,
}

/// What a webhook delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HookKind {
    #[serde(rename = "sms.dlr")]
    SmsDlr,
    #[serde(rename = "rcs.message.sent")]
    RcsSent,
    #[serde(rename = "rcs.message.delivered")]
    RcsDelivered,
    #[serde(rename = "rcs.message.read")]
    RcsRead,
    #[serde(rename = "rcs.message.failed")]
    RcsFailed,
    #[serde(rename = "rcs.message.received")]
    RcsReceived,
    #[serde(rename = "voice.status")]
    VoiceStatus,
}

impl HookKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HookKind::SmsDlr => "sms.dlr",
            HookKind::RcsSent => "rcs.message.sent",
            HookKind::RcsDelivered => "rcs.message.delivered",
            HookKind::RcsRead => "rcs.message.read",
            HookKind::RcsFailed => "rcs.message.failed",
            HookKind::RcsReceived => "rcs.message.received",
            HookKind::VoiceStatus => "voice.status",
        }
    }
}

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookStatus {
    /// Queued or between attempts.
    Pending,
    Delivered,
    /// Every attempt failed (or the URL can never work).
    Failed,
    /// Not sent: the host is not loopback or private and external hosts are not allowed.
    Held,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hook {
    pub id: HookId,
    pub url: String,
    pub kind: HookKind,
    pub body: Value,
    pub recipient: Option<String>,
    pub status: HookStatus,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}
