//! Every change of an account's state is a [`Change`]: applied to the in-memory [`AccountState`] by
//! [`AccountState::apply`] (the only code that mutates it) and appended to the event log, from which a
//! restart on the same database file rebuilds the state by applying the changes again.
//!
//! `apply` is deterministic: everything random (ids, codes) or time-dependent (due times) is
//! decided before a change is made and travels in it.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::{
    RcsDeliveryStatus, RcsEventType, RcsWebhookEvent, StringOrNumber, VoiceCallStatusEvent,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::AccountState;
use super::fixtures;
use super::records::*;
use crate::clock;
use crate::magic;

/// A step the event engine takes at a due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", content = "id", rename_all = "snake_case")]
pub enum Step {
    SmsRelease(SmsId),
    SmsFinal(SmsId),
    RcsRelease(RcsMsgId),
    RcsFinal(RcsMsgId),
    WaFinal(WaMsgId),
    Voice(CallId),
    AgentApprove(AgentId),
    /// A magic number's scripted reply arrives.
    ScriptedReply(ScriptedReply),
}

/// The inbound message a magic number sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum ScriptedReply {
    Rcs { agent_id: AgentId, from: String },
    Whatsapp { phone_id: String, from: String },
}

/// Where a step sits in the queue: its due time and a sequence number (deterministic, so a
/// replay rebuilds the same queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StepKey {
    pub due: DateTime<Utc>,
    pub seq: u64,
}

/// Outcome of one webhook attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Delivered,
    /// Another attempt follows.
    Retry,
    /// No attempt follows.
    GaveUp,
}

/// One change of state. Serialized (adjacently tagged) as the `kind` and `payload` of an event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Change {
    /// The account starts from the provisioned fixtures (at creation and on reset).
    AccountProvisioned {
        credits: i64,
        wallet_cents: i64,
    },
    /// Credits taken from a route (`route_id`) or cents from the wallet (`route_id: null`).
    CreditsDebited {
        route_id: Option<i64>,
        amount: i64,
        balance: i64,
        for_batch: String,
    },
    /// `POST /sandbox/credits`.
    BalanceSet {
        route_id: i64,
        credits: Option<i64>,
        wallet_cents: Option<i64>,
    },
    SmsAccepted {
        sms: Box<SmsRecord>,
        next: DateTime<Utc>,
    },
    SmsStatus {
        sms_id: SmsId,
        mobile: String,
        state: SmsState,
        step: StepKey,
        next: Option<DateTime<Utc>>,
    },
    OtpIssued {
        otp: Box<Otp>,
    },
    OtpVerified {
        reference: OtpRef,
        mobile: String,
        matched: bool,
        attempts: u32,
    },
    RcsAccepted {
        msg: Box<RcsRecord>,
        next: Option<DateTime<Utc>>,
    },
    RcsStatus {
        msg_id: RcsMsgId,
        mobile: String,
        status: RcsDeliveryStatus,
        step: StepKey,
        next: Option<DateTime<Utc>>,
    },
    /// A user tapped a suggestion (`POST /sandbox/rcs/tap`).
    RcsTapped {
        msg_id: RcsMsgId,
        mobile: String,
        postback_data: String,
        text: String,
    },
    /// A user wrote to an agent (`POST /sandbox/rcs/inbound` or a scripted reply).
    RcsInbound {
        msg_id: RcsMsgId,
        agent_id: AgentId,
        from: String,
        text: String,
        step: Option<StepKey>,
    },
    ConversationOpened {
        agent_id: AgentId,
        mobile: String,
        id: ConversationId,
    },
    AgentSaved {
        agent: Box<Agent>,
    },
    AgentStatusChanged {
        agent_id: AgentId,
        status: AgentStatus,
        carriers: Vec<String>,
        step: Option<StepKey>,
        next: Option<DateTime<Utc>>,
    },
    TestDeviceAdded {
        agent_id: AgentId,
        number: String,
    },
    TestDeviceRemoved {
        agent_id: AgentId,
        number: String,
    },
    WhatsappAccepted {
        msg: Box<WaRecord>,
        next: DateTime<Utc>,
    },
    WhatsappStatus {
        msg_id: WaMsgId,
        msisdn: String,
        status: WaStatus,
        step: StepKey,
    },
    /// An inbound WhatsApp message: opens the 24-hour service window.
    WhatsappInbound {
        msg: Box<WaRecord>,
        window_until: DateTime<Utc>,
        step: Option<StepKey>,
    },
    CallPlaced {
        call: Box<Call>,
        next: DateTime<Utc>,
    },
    CallStatus {
        call_id: CallId,
        to: String,
        status: CallState,
        step: StepKey,
        next: Option<DateTime<Utc>>,
    },
    /// A webhook is queued (or held: see [`HookStatus::Held`]).
    WebhookQueued {
        hook: Box<Hook>,
    },
    WebhookAttempted {
        hook_id: HookId,
        url: String,
        attempt: u32,
        status: Option<u16>,
        error: Option<String>,
        outcome: AttemptOutcome,
    },
    /// The sandbox clock moved forward (shared by all accounts).
    ClockAdvanced {
        seconds: i64,
    },
}

impl Change {
    /// The phone number the change concerns, for the inbox.
    pub fn recipient(&self) -> Option<&str> {
        Some(match self {
            Change::SmsAccepted { sms, .. } => &sms.mobile,
            Change::SmsStatus { mobile, .. }
            | Change::OtpVerified { mobile, .. }
            | Change::RcsStatus { mobile, .. }
            | Change::RcsTapped { mobile, .. }
            | Change::ConversationOpened { mobile, .. } => mobile,
            Change::OtpIssued { otp } => &otp.mobile,
            Change::RcsAccepted { msg, .. } => &msg.mobile,
            Change::RcsInbound { from, .. } => from,
            Change::TestDeviceAdded { number, .. } | Change::TestDeviceRemoved { number, .. } => {
                number
            }
            Change::WhatsappAccepted { msg, .. } | Change::WhatsappInbound { msg, .. } => {
                &msg.msisdn
            }
            Change::WhatsappStatus { msisdn, .. } => msisdn,
            Change::CallPlaced { call, .. } => &call.to,
            Change::CallStatus { to, .. } => to,
            Change::WebhookQueued { hook } => return hook.recipient.as_deref(),
            _ => return None,
        })
    }

    /// The scheduled step that made this change, if a step made it: applying the change takes
    /// the step off the schedule.
    fn made_by(&self) -> Option<&StepKey> {
        match self {
            Change::SmsStatus { step, .. }
            | Change::RcsStatus { step, .. }
            | Change::WhatsappStatus { step, .. }
            | Change::CallStatus { step, .. } => Some(step),
            Change::RcsInbound { step, .. }
            | Change::WhatsappInbound { step, .. }
            | Change::AgentStatusChanged { step, .. } => step.as_ref(),
            _ => None,
        }
    }

    /// The snake_case kind, as in the event log.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::AccountProvisioned { .. } => "account_provisioned",
            Change::CreditsDebited { .. } => "credits_debited",
            Change::BalanceSet { .. } => "balance_set",
            Change::SmsAccepted { .. } => "sms_accepted",
            Change::SmsStatus { .. } => "sms_status",
            Change::OtpIssued { .. } => "otp_issued",
            Change::OtpVerified { .. } => "otp_verified",
            Change::RcsAccepted { .. } => "rcs_accepted",
            Change::RcsStatus { .. } => "rcs_status",
            Change::RcsTapped { .. } => "rcs_tapped",
            Change::RcsInbound { .. } => "rcs_inbound",
            Change::ConversationOpened { .. } => "conversation_opened",
            Change::AgentSaved { .. } => "agent_saved",
            Change::AgentStatusChanged { .. } => "agent_status_changed",
            Change::TestDeviceAdded { .. } => "test_device_added",
            Change::TestDeviceRemoved { .. } => "test_device_removed",
            Change::WhatsappAccepted { .. } => "whatsapp_accepted",
            Change::WhatsappStatus { .. } => "whatsapp_status",
            Change::WhatsappInbound { .. } => "whatsapp_inbound",
            Change::CallPlaced { .. } => "call_placed",
            Change::CallStatus { .. } => "call_status",
            Change::WebhookQueued { .. } => "webhook_queued",
            Change::WebhookAttempted { .. } => "webhook_attempted",
            Change::ClockAdvanced { .. } => "clock_advanced",
        }
    }
}

impl AccountState {
    fn schedule(&mut self, due: DateTime<Utc>, step: Step) {
        self.seq += 1;
        self.pending.insert(StepKey { due, seq: self.seq }, step);
    }

    /// Schedules `step` at `next`, when there is a next step.
    fn schedule_next(&mut self, next: Option<DateTime<Utc>>, step: impl FnOnce() -> Step) {
        if let Some(due) = next {
            self.schedule(due, step());
        }
    }

    /// Schedules the scripted reply of a number that answers, if any, a while after `at`.
    fn schedule_reply(&mut self, at: DateTime<Utc>, reply: Option<ScriptedReply>) {
        if let Some(reply) = reply {
            let due = at + TimeDelta::seconds(magic::REPLY_AFTER_SECS);
            self.schedule(due, Step::ScriptedReply(reply));
        }
    }

    /// Applies one change at `at`. The only place account state is mutated.
    pub fn apply(&mut self, change: &Change, at: DateTime<Utc>) {
        if let Some(step) = change.made_by() {
            self.pending.remove(step);
        }
        match change {
            Change::AccountProvisioned {
                credits,
                wallet_cents,
            } => {
                *self = fixtures::provisioned(*credits, *wallet_cents, at);
            }
            Change::CreditsDebited {
                route_id, amount, ..
            } => match route_id {
                Some(id) => {
                    if let Some(route) = self.routes.get_mut(id) {
                        route.credits -= amount;
                    }
                }
                None => self.wallet_cents -= amount,
            },
            Change::BalanceSet {
                route_id,
                credits,
                wallet_cents,
            } => {
                if let Some(credits) = credits
                    && let Some(route) = self.routes.get_mut(route_id)
                {
                    route.credits = *credits;
                }
                if let Some(cents) = wallet_cents {
                    self.wallet_cents = *cents;
                }
            }
            Change::SmsAccepted { sms, next } => {
                match sms.state {
                    SmsState::Scheduled => {
                        self.schedule(*next, Step::SmsRelease(sms.sms_id.clone()))
                    }
                    _ if magic::never_reports(&sms.mobile) => {}
                    _ => self.schedule(*next, Step::SmsFinal(sms.sms_id.clone())),
                }
                file(
                    &mut self.sms,
                    &mut self.sms_batches,
                    &sms.batch_id,
                    &sms.sms_id,
                    sms,
                );
            }
            Change::SmsStatus {
                sms_id,
                state,
                next,
                ..
            } => {
                if let Some(sms) = self.sms.get_mut(sms_id) {
                    sms.state = *state;
                    if matches!(state, SmsState::Delivered | SmsState::Failed) {
                        sms.done_at = Some(at);
                    }
                }
                self.schedule_next(*next, || Step::SmsFinal(sms_id.clone()));
            }
            Change::OtpIssued { otp } => {
                self.last_otp
                    .insert(otp.mobile.clone(), otp.reference.clone());
                self.otps.insert(otp.reference.clone(), (**otp).clone());
            }
            Change::OtpVerified {
                reference,
                matched,
                attempts,
                ..
            } => {
                if let Some(otp) = self.otps.get_mut(reference) {
                    otp.attempts = *attempts;
                    otp.verified |= *matched;
                }
            }
            Change::RcsAccepted { msg, next } => {
                self.schedule_next(*next, || Step::RcsRelease(msg.msg_id.clone()));
                file(
                    &mut self.rcs,
                    &mut self.rcs_batches,
                    &msg.batch_id,
                    &msg.msg_id,
                    msg,
                );
            }
            Change::RcsStatus {
                msg_id,
                status,
                next,
                ..
            } => {
                let mut reply = None;
                if let Some(msg) = self.rcs.get_mut(msg_id) {
                    msg.status = status.clone();
                    if matches!(
                        status,
                        RcsDeliveryStatus::Delivered | RcsDeliveryStatus::Failed
                    ) {
                        msg.done_at = Some(at);
                    }
                    if *status == RcsDeliveryStatus::Delivered && magic::replies(&msg.mobile) {
                        reply = Some(ScriptedReply::Rcs {
                            agent_id: msg.agent_id,
                            from: msg.mobile.clone(),
                        });
                    }
                }
                self.schedule_reply(at, reply);
                self.schedule_next(*next, || Step::RcsFinal(msg_id.clone()));
            }
            Change::RcsTapped { msg_id, .. } => {
                if let Some(msg) = self.rcs.get_mut(msg_id) {
                    msg.done_at.get_or_insert(at);
                    msg.status = RcsDeliveryStatus::Read;
                }
            }
            Change::RcsInbound { .. } => {}
            Change::ConversationOpened {
                agent_id,
                mobile,
                id,
            } => {
                self.conversations.insert(
                    (*agent_id, mobile.clone()),
                    Conversation {
                        id: id.clone(),
                        started_at: at,
                    },
                );
            }
            Change::AgentSaved { agent } => {
                self.agents.insert(agent.id, (**agent).clone());
            }
            Change::AgentStatusChanged {
                agent_id,
                status,
                carriers,
                next,
                ..
            } => {
                if let Some(agent) = self.agents.get_mut(agent_id) {
                    agent.status = *status;
                    agent.updated_at = at;
                    for carrier in carriers {
                        if !agent.carriers.contains(carrier) {
                            agent.carriers.push(carrier.clone());
                        }
                    }
                }
                self.schedule_next(*next, || Step::AgentApprove(*agent_id));
            }
            Change::TestDeviceAdded { agent_id, number } => {
                if let Some(agent) = self.agents.get_mut(agent_id) {
                    agent.test_devices.insert(number.clone(), at);
                }
            }
            Change::TestDeviceRemoved { agent_id, number } => {
                if let Some(agent) = self.agents.get_mut(agent_id) {
                    agent.test_devices.remove(number);
                }
            }
            Change::WhatsappAccepted { msg, next } => {
                self.schedule(*next, Step::WaFinal(msg.msg_id.clone()));
                let campaign = msg.campaign_id.as_ref();
                if let Some(Ok(n)) = campaign.map(|c| c.as_str().parse::<i64>()) {
                    self.next_wa_campaign = self.next_wa_campaign.max(n + 1);
                }
                file(
                    &mut self.wa,
                    &mut self.wa_campaigns,
                    campaign,
                    &msg.msg_id,
                    msg,
                );
            }
            Change::WhatsappStatus { msg_id, status, .. } => {
                let mut reply = None;
                if let Some(msg) = self.wa.get_mut(msg_id) {
                    msg.status = *status;
                    if *status == WaStatus::Delivered && magic::replies(&msg.msisdn) {
                        reply = Some(ScriptedReply::Whatsapp {
                            phone_id: msg.phone_id.clone(),
                            from: msg.msisdn.clone(),
                        });
                    }
                }
                self.schedule_reply(at, reply);
            }
            Change::WhatsappInbound {
                msg, window_until, ..
            } => {
                self.wa_windows
                    .insert((msg.phone_id.clone(), msg.msisdn.clone()), *window_until);
                self.wa.insert(msg.msg_id.clone(), (**msg).clone());
            }
            Change::CallPlaced { call, next } => {
                self.schedule(*next, Step::Voice(call.call_id.clone()));
                self.calls.insert(call.call_id.clone(), (**call).clone());
            }
            Change::CallStatus {
                call_id,
                status,
                next,
                ..
            } => {
                if let Some(call) = self.calls.get_mut(call_id) {
                    call.status = *status;
                    call.history.push((*status, at));
                }
                self.schedule_next(*next, || Step::Voice(call_id.clone()));
            }
            Change::WebhookQueued { hook } => {
                self.next_hook = self.next_hook.max(hook.id.0 + 1);
                self.webhooks.insert(hook.id, (**hook).clone());
            }
            Change::WebhookAttempted {
                hook_id,
                attempt,
                status,
                error,
                outcome,
                ..
            } => {
                if let Some(hook) = self.webhooks.get_mut(hook_id) {
                    hook.attempts = *attempt;
                    hook.last_status = *status;
                    hook.last_error = error.clone();
                    match outcome {
                        AttemptOutcome::Delivered => {
                            hook.status = HookStatus::Delivered;
                            hook.finished_at = Some(at);
                        }
                        AttemptOutcome::GaveUp => {
                            hook.status = HookStatus::Failed;
                            hook.finished_at = Some(at);
                        }
                        AttemptOutcome::Retry => {}
                    }
                }
            }
            Change::ClockAdvanced { .. } => {}
        }
    }

    /// The first step due at `now` (any pending step when `all`).
    pub fn due(&self, now: DateTime<Utc>, all: bool) -> Option<(StepKey, Step)> {
        let (key, step) = self.pending.first_key_value()?;
        (all || key.due <= now).then(|| (*key, step.clone()))
    }

    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// A new webhook for `url`: held unless its host may receive webhooks.
    pub fn hook(
        &self,
        url: &str,
        kind: HookKind,
        body: Value,
        recipient: Option<&str>,
        at: DateTime<Utc>,
        allow_external: bool,
    ) -> Change {
        let held = !allow_external && !crate::webhook::is_local_url(url);
        Change::WebhookQueued {
            hook: Box::new(Hook {
                id: HookId(self.next_hook),
                url: url.to_owned(),
                kind,
                body,
                recipient: recipient.map(str::to_owned),
                status: if held {
                    HookStatus::Held
                } else {
                    HookStatus::Pending
                },
                attempts: 0,
                last_status: None,
                last_error: held.then(|| {
                    "held: the host is not loopback or a private network (start the sandbox with \
                     --allow-external-webhooks to send it)"
                        .to_owned()
                }),
                queued_at: at,
                finished_at: None,
            }),
        }
    }

    /// The changes one due step makes (not yet applied). `at` is when it happens; `next`
    /// turns a delay into the due time of a following step.
    pub fn step_changes(
        &self,
        key: StepKey,
        step: Step,
        at: DateTime<Utc>,
        delay: TimeDelta,
        next: impl Fn(DateTime<Utc>) -> DateTime<Utc>,
    ) -> Vec<Change> {
        let release = matches!(step, Step::SmsRelease(_) | Step::RcsRelease(_));
        let change = match step {
            Step::SmsRelease(id) | Step::SmsFinal(id) => self.sms.get(&id).map(|m| {
                let due = || next(at + magic::dlr_delay(&m.mobile, delay));
                let states = [SmsState::Submitted, SmsState::Failed, SmsState::Delivered];
                let (state, next) = delivery(release, &m.mobile, states, due);
                let mobile = m.mobile.clone();
                Change::SmsStatus {
                    sms_id: id,
                    mobile,
                    state,
                    step: key,
                    next,
                }
            }),
            Step::RcsRelease(id) | Step::RcsFinal(id) => self.rcs.get(&id).map(|m| {
                let due = || next(at + magic::dlr_delay(&m.mobile, delay));
                let (status, next) = match &m.status {
                    // Read (tapped) or incompatible before its final step: it stays so.
                    done if !release && *done != RcsDeliveryStatus::Sent => (done.clone(), None),
                    _ => {
                        use RcsDeliveryStatus::{Delivered, Failed, Sent};
                        delivery(release, &m.mobile, [Sent, Failed, Delivered], due)
                    }
                };
                let mobile = m.mobile.clone();
                Change::RcsStatus {
                    msg_id: id,
                    mobile,
                    status,
                    step: key,
                    next,
                }
            }),
            Step::WaFinal(id) => self.wa.get(&id).map(|m| Change::WhatsappStatus {
                msg_id: id,
                msisdn: m.msisdn.clone(),
                status: if magic::fails(&m.msisdn) {
                    WaStatus::Failed
                } else {
                    WaStatus::Delivered
                },
                step: key,
            }),
            Step::Voice(id) => self.calls.get(&id).map(|call| {
                let fails = magic::fails(&call.to);
                let following = match call.status {
                    CallState::Scheduled => CallState::Ringing,
                    CallState::Ringing if fails => CallState::Failed,
                    CallState::Ringing => CallState::Answered,
                    CallState::Answered => CallState::Completed,
                    done => done,
                };
                Change::CallStatus {
                    call_id: id,
                    to: call.to.clone(),
                    status: following,
                    step: key,
                    next: matches!(following, CallState::Ringing | CallState::Answered)
                        .then(|| next(at + delay)),
                }
            }),
            Step::AgentApprove(id) => {
                let submitted = self
                    .agents
                    .get(&id)
                    .is_some_and(|a| a.status == AgentStatus::Submitted);
                Some(Change::AgentStatusChanged {
                    agent_id: id,
                    status: if submitted {
                        AgentStatus::Approved
                    } else {
                        self.agents
                            .get(&id)
                            .map_or(AgentStatus::Draft, |a| a.status)
                    },
                    carriers: Vec::new(),
                    step: Some(key),
                    next: None,
                })
            }
            Step::ScriptedReply(ScriptedReply::Rcs { agent_id, from }) => {
                return vec![
                    Change::RcsInbound {
                        msg_id: RcsMsgId(crate::ids::uuid()),
                        agent_id,
                        from: from.clone(),
                        text: magic::REPLY_TEXT.to_owned(),
                        step: Some(key),
                    },
                    Change::ConversationOpened {
                        agent_id,
                        mobile: from,
                        id: ConversationId(crate::ids::uuid()),
                    },
                ];
            }
            Step::ScriptedReply(ScriptedReply::Whatsapp { phone_id, from }) => {
                Some(Change::WhatsappInbound {
                    msg: Box::new(WaRecord {
                        msg_id: WaMsgId(crate::ids::uuid()),
                        campaign_id: None,
                        msisdn: from,
                        phone_id,
                        kind: noxitel_types::WhatsappMessageType::Text,
                        content: json!({ "message": magic::REPLY_TEXT }),
                        cost_cents: 0,
                        sent_at: at,
                        status: WaStatus::Received,
                        direction: Direction::Incoming,
                    }),
                    window_until: at + TimeDelta::hours(24),
                    step: Some(key),
                })
            }
        };
        change.into_iter().collect()
    }

    /// The webhook a just-applied change sends, if any.
    pub fn webhook_for(
        &self,
        change: &Change,
        at: DateTime<Utc>,
    ) -> Option<(String, HookKind, Value, String)> {
        match change {
            Change::SmsStatus {
                sms_id,
                state: SmsState::Delivered | SmsState::Failed,
                ..
            } => {
                let sms = self.sms.get(sms_id)?;
                let url = sms.notify_url.clone()?;
                Some((url, HookKind::SmsDlr, sms_receipt(sms), sms.mobile.clone()))
            }
            Change::RcsStatus { msg_id, status, .. } => {
                let msg = self.rcs.get(msg_id)?;
                let url = msg.notify_url.clone()?;
                let (name, kind) = match status {
                    RcsDeliveryStatus::Sent => (RcsEventType::MessageSent, HookKind::RcsSent),
                    RcsDeliveryStatus::Delivered => {
                        (RcsEventType::MessageDelivered, HookKind::RcsDelivered)
                    }
                    RcsDeliveryStatus::Failed => (RcsEventType::MessageFailed, HookKind::RcsFailed),
                    _ => return None,
                };
                let body = rcs_status_event(
                    name,
                    msg.agent_id,
                    msg.msg_id.as_str(),
                    &msg.mobile,
                    msg.status.as_str(),
                    at,
                    [("batch_id", json!(msg.batch_id))],
                );
                Some((url, kind, body, msg.mobile.clone()))
            }
            Change::RcsInbound {
                msg_id,
                agent_id,
                from,
                text,
                step: Some(_),
            } => {
                let url = self
                    .rcs
                    .values()
                    .filter(|m| {
                        m.agent_id == *agent_id && m.mobile == *from && m.notify_url.is_some()
                    })
                    .max_by_key(|m| m.sent_at)
                    .and_then(|m| m.notify_url.clone())?;
                let body = to_value(&inbound_event(*agent_id, msg_id.as_str(), from, text, at));
                Some((url, HookKind::RcsReceived, body, from.clone()))
            }
            Change::CallStatus { call_id, .. } => {
                let call = self.calls.get(call_id)?;
                let url = call.notify_url.clone()?;
                Some((
                    url,
                    HookKind::VoiceStatus,
                    voice_event(call, at),
                    call.to.clone(),
                ))
            }
            _ => None,
        }
    }
}

/// A message's status after a step, and when the step after it is due: on its release the
/// first of `[sent, failed, delivered]` and its final step `due` (none for a number that never
/// reports); on its final step failed or delivered, as the number's magic says.
fn delivery<S>(
    release: bool,
    mobile: &str,
    [sent, failed, delivered]: [S; 3],
    due: impl FnOnce() -> DateTime<Utc>,
) -> (S, Option<DateTime<Utc>>) {
    if release {
        (sent, (!magic::never_reports(mobile)).then(due))
    } else if magic::fails(mobile) {
        (failed, None)
    } else {
        (delivered, None)
    }
}

/// Files a record under its id, and its id under its batch (when it has one).
fn file<'a, K, V, B>(
    records: &mut HashMap<K, V>,
    batches: &mut HashMap<B, Vec<K>>,
    batch: impl Into<Option<&'a B>>,
    id: &K,
    record: &V,
) where
    K: Clone + Eq + Hash,
    V: Clone,
    B: Clone + Eq + Hash + 'a,
{
    if let Some(batch) = batch.into() {
        batches.entry(batch.clone()).or_default().push(id.clone());
    }
    records.insert(id.clone(), record.clone());
}

pub fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The reference does not document this payload: the sandbox sends the fields of a
/// `GET /dlr` record, flat, and nothing else (no invented `event` name).
fn sms_receipt(sms: &SmsRecord) -> Value {
    let (status, reply) = sms.state.dlr();
    json!({
        "batch_id": sms.batch_id,
        "sms_id": sms.sms_id,
        "mobile": sms.mobile,
        "sender_id": sms.sender,
        "sent": clock::system_time(sms.sent_at),
        "status": status,
        "operator_reply": reply,
        "delivery_time": sms.done_at.map(clock::system_time),
    })
}

pub fn rcs_event(
    name: RcsEventType,
    agent_id: AgentId,
    msg_id: &str,
    from: Option<&str>,
    at: DateTime<Utc>,
    extra: Map<String, Value>,
) -> RcsWebhookEvent {
    RcsWebhookEvent {
        event: name,
        agent_id: Some(StringOrNumber::from(agent_id.to_string())),
        msg_id: Some(msg_id.to_owned()),
        from: from.map(str::to_owned),
        timestamp: Some(clock::rfc3339(at)),
        message: None,
        suggestion_response: None,
        extra,
    }
}

/// An RCS status event (`message.sent`, `.delivered`, `.read`, `.failed`) as a webhook body:
/// the message's `mobile` and `status`, and `more` fields.
pub fn rcs_status_event<const N: usize>(
    name: RcsEventType,
    agent_id: AgentId,
    msg_id: &str,
    mobile: &str,
    status: &str,
    at: DateTime<Utc>,
    more: [(&str, Value); N],
) -> Value {
    let mut extra = Map::new();
    extra.insert("mobile".into(), json!(mobile));
    extra.insert("status".into(), json!(status));
    for (key, value) in more {
        extra.insert(key.into(), value);
    }
    to_value(&rcs_event(name, agent_id, msg_id, None, at, extra))
}

/// `message.received` with a text message.
pub fn inbound_event(
    agent_id: AgentId,
    msg_id: &str,
    from: &str,
    text: &str,
    at: DateTime<Utc>,
) -> RcsWebhookEvent {
    let mut event = rcs_event(
        RcsEventType::MessageReceived,
        agent_id,
        msg_id,
        Some(from),
        at,
        Map::new(),
    );
    event.message = Some(noxitel_types::RcsInboundMessage {
        type_: Some(noxitel_types::RcsInboundMessageType::Text),
        text: Some(text.to_owned()),
        extra: Map::new(),
    });
    event
}

/// `{callId, status, to, from, timestamp}`.
pub fn voice_event(call: &Call, at: DateTime<Utc>) -> Value {
    let mut extra = Map::new();
    extra.insert("from".into(), json!(call.from));
    extra.insert("timestamp".into(), json!(clock::rfc3339(at)));
    to_value(&VoiceCallStatusEvent {
        call_id: Some(call.call_id.to_string()),
        status: call.status.api(),
        to: Some(call.to.clone()),
        extra,
    })
}
