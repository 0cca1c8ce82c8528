//! Accounts and everything they hold, plus the event queue that moves messages along.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::{
    Contact, RcsAgentRequest, RcsDeliveryStatus, RcsMessageContent, RcsWebhookEvent,
    StringOrNumber, VoiceCallStatus, VoiceCallStatusEvent,
};
use serde_json::{Map, Value, json};

use crate::clock::{self, Clock};
use crate::config::Config;
use crate::text;
use crate::webhook::{Hook, Webhooks};

/// Everything the server shares between requests.
#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    pub clock: Clock,
    accounts: HashMap<String, Arc<Account>>,
    default_token: String,
    pub webhooks: Webhooks,
}

impl Shared {
    pub fn new(mut config: Config) -> Arc<Self> {
        if config.tokens.is_empty() {
            config
                .tokens
                .push(format!("sbx_{}", text::id("k").split_off(2)));
        }
        let clock = Clock::default();
        let now = clock.now();
        let accounts = config
            .tokens
            .iter()
            .map(|token| {
                (
                    token.clone(),
                    Arc::new(Account::new({
                        let mut data = Data::provisioned(&config, now);
                        crate::reference_examples::seed(&mut data, now);
                        data
                    })),
                )
            })
            .collect();
        let webhooks = Webhooks::spawn(
            config.webhook_attempts,
            config.webhook_backoff,
            config.webhook_timeout,
        );
        Arc::new(Self {
            default_token: config.tokens[0].clone(),
            accounts,
            config,
            clock,
            webhooks,
        })
    }

    pub fn default_token(&self) -> &str {
        &self.default_token
    }

    pub fn account(&self, token: &str) -> Option<Arc<Account>> {
        self.accounts.get(token).cloned()
    }

    /// Locks an account after moving its due events along.
    pub fn lock<'a>(&self, account: &'a Account) -> MutexGuard<'a, Data> {
        let mut data = account.lock();
        let hooks = data.process(&self.config, self.clock.now(), false);
        self.dispatch(hooks);
        data
    }

    pub fn dispatch(&self, hooks: Vec<Hook>) {
        for hook in hooks {
            self.webhooks.send(hook);
        }
    }

    fn tick(&self) {
        for account in self.accounts.values() {
            let mut data = account.lock();
            if data.has_due(self.clock.now()) {
                let hooks = data.process(&self.config, self.clock.now(), false);
                drop(data);
                self.dispatch(hooks);
            }
        }
    }
}

/// Runs due events every `config.tick`, so webhooks fire without a request.
pub fn spawn_ticker(shared: Arc<Shared>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval =
            tokio::time::interval(shared.config.tick.max(std::time::Duration::from_millis(5)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            shared.tick();
        }
    })
}

/// One account: its data and its rate-limit bucket.
#[derive(Debug)]
pub struct Account {
    data: Mutex<Data>,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Account {
    fn new(data: Data) -> Self {
        Self {
            data: Mutex::new(data),
            bucket: Mutex::new(Bucket {
                tokens: f64::MAX,
                last: Instant::now(),
            }),
        }
    }

    /// Never fails: a poisoned lock (a panic elsewhere) still gives the data.
    fn lock(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Token bucket: `Ok` or the seconds to wait.
    pub fn take(&self, per_second: u32) -> Result<(), u64> {
        let rate = f64::from(per_second.max(1));
        let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let elapsed = now.duration_since(bucket.last).as_secs_f64();
        bucket.last = now;
        bucket.tokens = (bucket.tokens.min(rate) + elapsed * rate).min(rate);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Route {
    pub name: String,
    pub credits: i64,
    /// Approval-based route: `sender` is mandatory.
    pub needs_sender: bool,
}

#[derive(Debug, Clone)]
pub struct OtpChannel {
    pub route_id: i64,
    pub sender: String,
    pub template: String,
    pub digits: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsState {
    Scheduled,
    Submitted,
    Delivered,
    Failed,
}

#[derive(Debug, Clone)]
pub struct SmsRecord {
    pub sms_id: String,
    pub batch_id: String,
    pub mobile: String,
    pub sender: String,
    pub text: String,
    pub mode: String,
    pub segments: i64,
    pub route_id: i64,
    pub campaign_id: i64,
    pub sent_at: DateTime<Utc>,
    pub state: SmsState,
    pub done_at: Option<DateTime<Utc>>,
    pub notify_url: Option<String>,
    pub origin: &'static str,
}

#[derive(Debug, Clone)]
pub struct RcsRecord {
    pub msg_id: String,
    pub batch_id: String,
    pub agent_id: i64,
    pub mobile: String,
    pub content: Option<RcsMessageContent>,
    pub kind: String,
    pub sent_at: DateTime<Utc>,
    pub status: RcsDeliveryStatus,
    pub done_at: Option<DateTime<Utc>>,
    pub notify_url: Option<String>,
    pub test_device: bool,
    pub fallback_sms_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct WaRecord {
    pub msg_id: String,
    pub campaign_id: String,
    pub msisdn: String,
    pub phone_id: String,
    pub kind: String,
    pub content: Value,
    pub cost_cents: i64,
    pub sent_at: DateTime<Utc>,
    pub status: String,
    pub direction: &'static str,
}

#[derive(Debug, Clone)]
pub struct WaTemplate {
    pub body_params: usize,
}

#[derive(Debug, Clone)]
pub struct Agent {
    pub id: i64,
    pub profile: RcsAgentRequest,
    pub status: &'static str,
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
            map.insert("status".into(), json!(self.status));
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
            map.insert("createdAt".into(), json!(clock::sys(self.created_at)));
            map.insert("updatedAt".into(), json!(clock::sys(self.updated_at)));
        }
        value
    }
}

#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: String,
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Otp {
    pub reference: String,
    pub mobile: String,
    pub channel: i64,
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub attempts: u32,
    pub verified: bool,
    pub sms_id: String,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub call_id: String,
    pub to: String,
    pub from: String,
    pub status: VoiceCallStatus,
    pub notify_url: Option<String>,
    pub history: Vec<(String, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub enum Event {
    SmsRelease(String),
    SmsFinal(String),
    RcsRelease(String),
    RcsFinal(String),
    WaFinal(String),
    Voice(String),
    AgentApprove(i64),
}

/// Everything one account holds.
#[derive(Debug)]
pub struct Data {
    pub wallet_cents: i64,
    pub currency: String,
    pub routes: BTreeMap<i64, Route>,
    pub campaigns: BTreeMap<i64, String>,
    pub sms_templates: BTreeMap<i64, String>,
    pub rcs_templates: BTreeMap<i64, RcsMessageContent>,
    pub contact_groups: BTreeMap<i64, Vec<Contact>>,
    pub otp_channels: BTreeMap<i64, OtpChannel>,
    pub sms: HashMap<String, SmsRecord>,
    pub sms_batches: HashMap<String, Vec<String>>,
    pub wa_phones: Vec<String>,
    pub wa_templates: BTreeMap<String, WaTemplate>,
    pub wa: HashMap<String, WaRecord>,
    pub wa_campaigns: HashMap<String, Vec<String>>,
    pub wa_windows: HashMap<(String, String), DateTime<Utc>>,
    pub next_wa_campaign: i64,
    pub agents: BTreeMap<i64, Agent>,
    pub default_agent: i64,
    pub rcs: HashMap<String, RcsRecord>,
    pub rcs_batches: HashMap<String, Vec<String>>,
    pub conversations: HashMap<(i64, String), Conversation>,
    pub otps: HashMap<String, Otp>,
    pub last_otp: HashMap<String, String>,
    pub calls: HashMap<String, Call>,
    pending: BTreeMap<(DateTime<Utc>, u64), Event>,
    seq: u64,
}

impl Data {
    fn provisioned(config: &Config, now: DateTime<Utc>) -> Self {
        let contact = |mobile: &str, name: &str| Contact {
            mobile: mobile.into(),
            parameters: [("name".to_owned(), name.to_owned())].into(),
        };
        let profile = |name: &str, display: &str| RcsAgentRequest {
            agent_name: name.into(),
            display_name: display.into(),
            brand_name: "Noxitel".into(),
            description: Some(format!("{display} (sandbox)")),
            logo_url: None,
            color: Some("#00a896".into()),
            phone: None,
            email: None,
            website: None,
            privacy_url: None,
            terms_url: None,
            hosting_region: None,
            agent_use_case: None,
        };
        let agent =
            |id: i64, name: &str, display: &str, status: &'static str, carriers: &[&str]| Agent {
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
        Self {
            wallet_cents: config.initial_wallet_cents,
            currency: "USD".into(),
            routes: BTreeMap::from([
                (
                    1,
                    Route {
                        name: "Standard".into(),
                        credits: config.initial_credits,
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
                        "launched",
                        &["airtel-india", "reliance-jio-india"],
                    ),
                ),
                (
                    42,
                    agent(42, "support_bot", "Noxitel Support", "draft", &[]),
                ),
            ]),
            default_agent: 3,
            rcs: HashMap::new(),
            rcs_batches: HashMap::new(),
            conversations: HashMap::new(),
            otps: HashMap::new(),
            last_otp: HashMap::new(),
            calls: HashMap::new(),
            pending: BTreeMap::new(),
            seq: 0,
        }
    }

    pub fn schedule(&mut self, at: DateTime<Utc>, event: Event) {
        self.seq += 1;
        self.pending.insert((at, self.seq), event);
    }

    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    fn has_due(&self, now: DateTime<Utc>) -> bool {
        self.pending
            .first_key_value()
            .is_some_and(|((at, _), _)| *at <= now)
    }

    /// Applies every due event (or every pending one, `all`), including the ones they cause.
    pub fn process(&mut self, config: &Config, now: DateTime<Utc>, all: bool) -> Vec<Hook> {
        let mut hooks = Vec::new();
        let delay = TimeDelta::from_std(config.dlr_delay).unwrap_or(TimeDelta::seconds(2));
        let mut budget = 1_000_000usize;
        while budget > 0 {
            budget -= 1;
            let Some(entry) = self.pending.first_entry() else {
                break;
            };
            if !all && entry.key().0 > now {
                break;
            }
            let ((due, _), event) = entry.remove_entry();
            // Events forced by a flush happen "now" at the latest.
            let at = if due > now { now } else { due };
            self.apply(event, at, delay, now, all, &mut hooks);
        }
        hooks
    }

    fn apply(
        &mut self,
        event: Event,
        at: DateTime<Utc>,
        delay: TimeDelta,
        now: DateTime<Utc>,
        all: bool,
        hooks: &mut Vec<Hook>,
    ) {
        let next = |at: DateTime<Utc>| if all { at.min(now) } else { at };
        match event {
            Event::SmsRelease(id) => {
                if let Some(sms) = self.sms.get_mut(&id) {
                    sms.state = SmsState::Submitted;
                    let fire = next(at + delay);
                    self.schedule(fire, Event::SmsFinal(id));
                }
            }
            Event::SmsFinal(id) => {
                if let Some(sms) = self.sms.get_mut(&id) {
                    sms.state = if text::fails_delivery(&sms.mobile) {
                        SmsState::Failed
                    } else {
                        SmsState::Delivered
                    };
                    sms.done_at = Some(at);
                    if let Some(url) = &sms.notify_url {
                        hooks.push(Hook {
                            url: url.clone(),
                            kind: "sms.dlr",
                            body: sms_receipt(sms),
                        });
                    }
                }
            }
            Event::RcsRelease(id) => {
                if let Some(msg) = self.rcs.get_mut(&id) {
                    msg.status = RcsDeliveryStatus::Sent;
                    if let Some(url) = &msg.notify_url {
                        hooks.push(rcs_status_hook(url, msg, "message.sent", at));
                    }
                    let fire = next(at + delay);
                    self.schedule(fire, Event::RcsFinal(id));
                }
            }
            Event::RcsFinal(id) => {
                if let Some(msg) = self.rcs.get_mut(&id) {
                    if msg.status != RcsDeliveryStatus::Sent {
                        return;
                    }
                    let (status, name) = if text::fails_delivery(&msg.mobile) {
                        (RcsDeliveryStatus::Failed, "message.failed")
                    } else {
                        (RcsDeliveryStatus::Delivered, "message.delivered")
                    };
                    msg.status = status;
                    msg.done_at = Some(at);
                    if let Some(url) = &msg.notify_url {
                        hooks.push(rcs_status_hook(url, msg, name, at));
                    }
                }
            }
            Event::WaFinal(id) => {
                if let Some(msg) = self.wa.get_mut(&id) {
                    msg.status = if text::fails_delivery(&msg.msisdn) {
                        "failed"
                    } else {
                        "delivered"
                    }
                    .into();
                }
            }
            Event::Voice(id) => {
                let Some(call) = self.calls.get_mut(&id) else {
                    return;
                };
                let fails = text::fails_delivery(&call.to);
                let following = match call.status {
                    VoiceCallStatus::Unknown(ref s) if s == "scheduled" => {
                        Some(VoiceCallStatus::Ringing)
                    }
                    VoiceCallStatus::Ringing if fails => Some(VoiceCallStatus::Failed),
                    VoiceCallStatus::Ringing => Some(VoiceCallStatus::Answered),
                    VoiceCallStatus::Answered => Some(VoiceCallStatus::Completed),
                    _ => None,
                };
                let Some(status) = following else { return };
                call.status = status.clone();
                call.history.push((status.to_string(), at));
                if let Some(url) = &call.notify_url {
                    hooks.push(voice_hook(url, call, at));
                }
                if matches!(status, VoiceCallStatus::Ringing | VoiceCallStatus::Answered) {
                    let fire = next(at + delay);
                    self.schedule(fire, Event::Voice(id));
                }
            }
            Event::AgentApprove(id) => {
                if let Some(agent) = self.agents.get_mut(&id)
                    && agent.status == "submitted"
                {
                    agent.status = "approved";
                    agent.updated_at = at;
                }
            }
        }
    }
}

/// The reference does not document this payload: the sandbox sends the fields of a
/// `GET /dlr` record, flat, and nothing else (no invented `event` name).
fn sms_receipt(sms: &SmsRecord) -> Value {
    let (status, reply) = sms_status(sms.state);
    json!({
        "batch_id": sms.batch_id,
        "sms_id": sms.sms_id,
        "mobile": sms.mobile,
        "sender_id": sms.sender,
        "sent": clock::sys(sms.sent_at),
        "status": status,
        "operator_reply": reply,
        "delivery_time": sms.done_at.map(clock::sys),
    })
}

/// `(dlr.status, dlr.operator_reply)` of an SMS state.
pub fn sms_status(state: SmsState) -> (&'static str, &'static str) {
    match state {
        SmsState::Scheduled => ("Scheduled", "SCHEDULED"),
        SmsState::Submitted => ("Submitted", "PENDING"),
        SmsState::Delivered => ("Handset Delivered", "DELIVRD"),
        SmsState::Failed => ("Failed", "UNDELIV"),
    }
}

pub fn rcs_event(
    name: &str,
    agent_id: i64,
    msg_id: &str,
    from: Option<&str>,
    at: DateTime<Utc>,
    extra: Map<String, Value>,
) -> RcsWebhookEvent {
    RcsWebhookEvent {
        event: name.into(),
        agent_id: Some(StringOrNumber::from(agent_id.to_string())),
        msg_id: Some(msg_id.to_owned()),
        from: from.map(str::to_owned),
        timestamp: Some(clock::rfc3339(at)),
        message: None,
        suggestion_response: None,
        extra,
    }
}

fn rcs_status_hook(url: &str, msg: &RcsRecord, name: &'static str, at: DateTime<Utc>) -> Hook {
    let mut extra = Map::new();
    extra.insert("mobile".into(), json!(msg.mobile));
    extra.insert("batch_id".into(), json!(msg.batch_id));
    extra.insert("status".into(), json!(msg.status.as_str()));
    let event = rcs_event(name, msg.agent_id, &msg.msg_id, None, at, extra);
    Hook {
        url: url.to_owned(),
        kind: name_kind(name),
        body: serde_json::to_value(event).unwrap_or(Value::Null),
    }
}

pub fn name_kind(name: &str) -> &'static str {
    match name {
        "message.sent" => "rcs.message.sent",
        "message.delivered" => "rcs.message.delivered",
        "message.read" => "rcs.message.read",
        "message.failed" => "rcs.message.failed",
        _ => "rcs.message.received",
    }
}

fn voice_hook(url: &str, call: &Call, at: DateTime<Utc>) -> Hook {
    let mut extra = Map::new();
    extra.insert("from".into(), json!(call.from));
    extra.insert("timestamp".into(), json!(clock::rfc3339(at)));
    let event = VoiceCallStatusEvent {
        call_id: Some(call.call_id.clone()),
        status: Some(call.status.clone()),
        to: Some(call.to.clone()),
        extra,
    };
    Hook {
        url: url.to_owned(),
        kind: "voice.status",
        body: serde_json::to_value(event).unwrap_or(Value::Null),
    }
}
