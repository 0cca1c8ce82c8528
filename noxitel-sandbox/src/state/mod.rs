//! Accounts and what they hold, the only way to change it (a [`Session`] applying
//! [`Change`]s), and the event engine that moves messages along.
//!
//! Flow, one way: `http` → `api/<channel>` and `control` → `state` → `store`.

pub mod change;
pub mod fixtures;
pub mod records;

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use noxitel_types::{Contact, RcsMessageContent};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::config::Config;
use crate::ids;
use crate::store::{self, AccountNo, Durable, Event, Log, StoreError};
use change::{Change, Step, StepKey};
use records::*;

/// A webhook to deliver once its change is durable.
#[derive(Debug)]
pub struct Job {
    pub account: Arc<Account>,
    pub hook: Hook,
    pub durable: Durable,
}

/// Everything the server shares between requests.
#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    pub clock: Clock,
    accounts: HashMap<String, Arc<Account>>,
    default_token: String,
    pub log: Log,
    jobs: mpsc::UnboundedSender<Job>,
    jobs_rx: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
}

impl Shared {
    /// Opens the database (if any), rebuilds every account from its events, provisions new
    /// accounts.
    pub fn new(mut config: Config) -> Result<Arc<Self>, StoreError> {
        let clock = Clock::default();
        let mut conn = match &config.db {
            Some(path) => Some(store::open(path, config.db_synchronous)?),
            None => None,
        };
        let (stored_accounts, stored_events) = match &conn {
            Some(c) => (store::accounts(c)?, store::events(c)?),
            None => (Vec::new(), Vec::new()),
        };
        if config.tokens.is_empty() {
            config.tokens = stored_accounts.iter().map(|(_, t)| t.clone()).collect();
        }
        if config.tokens.is_empty() {
            config
                .tokens
                .push(format!("sbx_{}", ids::prefixed("k").split_off(2)));
        }
        let mut next_no = stored_accounts.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1;
        let mut accounts = HashMap::new();
        let mut by_no = BTreeMap::new();
        let mut fresh = Vec::new();
        for token in &config.tokens {
            if accounts.contains_key(token) {
                continue;
            }
            let no = match stored_accounts.iter().find(|(_, t)| t == token) {
                Some((no, _)) => *no,
                None => {
                    let no = next_no;
                    next_no += 1;
                    if let Some(c) = &conn {
                        store::add_account(c, no, token)?;
                    }
                    fresh.push(no);
                    no
                }
            };
            let account = Arc::new(Account::new(no));
            by_no.insert(no, Arc::clone(&account));
            accounts.insert(token.clone(), account);
        }
        for event in &stored_events {
            if let Change::ClockAdvanced { seconds } = event.change {
                clock.advance(TimeDelta::seconds(seconds));
            }
            if let Some(account) = by_no.get(&event.account) {
                account.lock().apply(&event.change, event.at);
            }
        }
        let mut next_id = stored_events.last().map_or(1, |e| e.id + 1);
        let now = clock.now();
        let mut new_events = Vec::new();
        for no in fresh {
            let change = Change::AccountProvisioned {
                credits: config.initial_credits,
                wallet_cents: config.initial_wallet_cents,
            };
            by_no[&no].lock().apply(&change, now);
            new_events.push(Arc::new(Event {
                id: next_id,
                at: now,
                account: no,
                change,
            }));
            next_id += 1;
        }
        if let Some(c) = &conn {
            store::write_now(c, &new_events)?;
        }
        let capacity = config.event_capacity.max(1);
        let mut recent: Vec<Arc<Event>> = stored_events
            .into_iter()
            .rev()
            .take(capacity)
            .map(Arc::new)
            .collect();
        recent.reverse();
        recent.extend(new_events);
        let log = Log::new(
            capacity,
            conn.take().zip(config.db.clone()),
            next_id,
            recent,
        );
        let (jobs, jobs_rx) = mpsc::unbounded_channel();
        Ok(Arc::new(Self {
            default_token: config.tokens[0].clone(),
            accounts,
            config,
            clock,
            log,
            jobs,
            jobs_rx: Mutex::new(Some(jobs_rx)),
        }))
    }

    pub fn default_token(&self) -> &str {
        &self.default_token
    }

    pub fn account(&self, token: &str) -> Option<Arc<Account>> {
        self.accounts.get(token).cloned()
    }

    pub fn accounts(&self) -> impl Iterator<Item = &Arc<Account>> {
        self.accounts.values()
    }

    /// Locks an account (after moving its due events along) to read or change it.
    pub fn session<'a>(&'a self, account: &'a Arc<Account>) -> Session<'a> {
        let mut session = Session {
            shared: self,
            account,
            data: account.lock(),
            changes: Vec::new(),
            hooks: Vec::new(),
        };
        session.run_due(self.clock.now(), false);
        session
    }

    /// The webhook jobs (taken once, by the deliverer).
    pub fn take_jobs(&self) -> Option<mpsc::UnboundedReceiver<Job>> {
        self.jobs_rx.lock().ok()?.take()
    }

    /// Queues every webhook still pending (after a restart).
    pub fn resume_webhooks(&self) {
        for account in self.accounts.values() {
            let data = account.lock();
            for hook in data.webhooks.values() {
                if hook.status == HookStatus::Pending {
                    let _ = self.jobs.send(Job {
                        account: Arc::clone(account),
                        hook: hook.clone(),
                        durable: Durable::Ready,
                    });
                }
            }
        }
    }

    fn tick(&self) {
        for account in self.accounts.values() {
            drop(self.session(account));
        }
    }

    /// DLR delay as a `TimeDelta`.
    pub fn delay(&self) -> TimeDelta {
        TimeDelta::from_std(self.config.dlr_delay).unwrap_or(TimeDelta::seconds(2))
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

/// One account: its number, its data and its rate-limit bucket.
#[derive(Debug)]
pub struct Account {
    pub no: AccountNo,
    data: Mutex<AccountState>,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Account {
    fn new(no: AccountNo) -> Self {
        Self {
            no,
            data: Mutex::new(AccountState::default()),
            bucket: Mutex::new(Bucket {
                tokens: f64::MAX,
                last: Instant::now(),
            }),
        }
    }

    /// Never fails: a poisoned lock (a panic elsewhere) still gives the data.
    fn lock(&self) -> MutexGuard<'_, AccountState> {
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

/// Everything one account holds.
#[derive(Debug, Default)]
pub struct AccountState {
    pub wallet_cents: i64,
    pub currency: String,
    pub routes: BTreeMap<i64, Route>,
    pub campaigns: BTreeMap<i64, String>,
    pub sms_templates: BTreeMap<i64, String>,
    pub rcs_templates: BTreeMap<i64, RcsMessageContent>,
    pub contact_groups: BTreeMap<i64, Vec<Contact>>,
    pub otp_channels: BTreeMap<i64, OtpChannel>,
    pub sms: HashMap<SmsId, SmsRecord>,
    pub sms_batches: HashMap<BatchId, Vec<SmsId>>,
    pub wa_phones: Vec<String>,
    pub wa_templates: BTreeMap<String, WaTemplate>,
    pub wa: HashMap<WaMsgId, WaRecord>,
    pub wa_campaigns: HashMap<WaCampaignId, Vec<WaMsgId>>,
    pub wa_windows: HashMap<(String, String), DateTime<Utc>>,
    pub next_wa_campaign: i64,
    pub agents: BTreeMap<AgentId, Agent>,
    pub default_agent: AgentId,
    pub rcs: HashMap<RcsMsgId, RcsRecord>,
    pub rcs_batches: HashMap<BatchId, Vec<RcsMsgId>>,
    pub conversations: HashMap<(AgentId, String), Conversation>,
    pub otps: HashMap<OtpRef, Otp>,
    pub last_otp: HashMap<String, OtpRef>,
    pub calls: HashMap<CallId, Call>,
    pub webhooks: BTreeMap<HookId, Hook>,
    pub next_hook: u64,
    pending: BTreeMap<StepKey, Step>,
    seq: u64,
}

impl AccountState {
    /// The account as JSON (`GET /sandbox/export`).
    pub fn export(&self) -> Value {
        fn sorted<'a, T: serde::Serialize + 'a>(
            items: impl Iterator<Item = &'a T>,
            key: impl Fn(&T) -> DateTime<Utc>,
        ) -> Vec<&'a T> {
            let mut v: Vec<&T> = items.collect();
            v.sort_by_key(|t| key(t));
            v
        }
        serde_json::json!({
            "wallet_cents": self.wallet_cents,
            "currency": self.currency,
            "routes": self.routes,
            "campaigns": self.campaigns,
            "sms_templates": self.sms_templates,
            "rcs_templates": self.rcs_templates,
            "contact_groups": self.contact_groups,
            "otp_channels": self.otp_channels,
            "whatsapp_phones": self.wa_phones,
            "whatsapp_templates": self.wa_templates,
            "agents": self.agents.values().collect::<Vec<_>>(),
            "sms": sorted(self.sms.values(), |s| s.sent_at),
            "rcs": sorted(self.rcs.values(), |m| m.sent_at),
            "whatsapp": sorted(self.wa.values(), |m| m.sent_at),
            "whatsapp_windows": self.wa_windows.iter().map(|((p, m), until)| serde_json::json!({"phoneId": p, "msisdn": m, "until": until})).collect::<Vec<_>>(),
            "conversations": self.conversations.iter().map(|((a, m), c)| serde_json::json!({"agentId": a, "mobile": m, "id": c.id, "started_at": c.started_at})).collect::<Vec<_>>(),
            "otps": sorted(self.otps.values(), |o| o.created_at),
            "calls": self.calls.values().collect::<Vec<_>>(),
            "webhooks": self.webhooks.values().collect::<Vec<_>>(),
            "pending_steps": self.pending.iter().map(|(k, s)| serde_json::json!({"due": k.due, "step": s})).collect::<Vec<_>>(),
        })
    }
}

/// A locked account. Reads go through `Deref`; changes only through [`Session::apply`], which
/// also records them. Dropping the session appends its changes to the log;
/// [`Session::commit`] does so and gives the [`Durable`] to await before answering.
pub struct Session<'a> {
    shared: &'a Shared,
    account: &'a Arc<Account>,
    data: MutexGuard<'a, AccountState>,
    changes: Vec<(DateTime<Utc>, Change)>,
    hooks: Vec<HookId>,
}

impl Deref for Session<'_> {
    type Target = AccountState;
    fn deref(&self) -> &AccountState {
        &self.data
    }
}

impl Session<'_> {
    /// Applies and records one change.
    pub fn apply(&mut self, at: DateTime<Utc>, change: Change) {
        self.data.apply(&change, at);
        if let Change::WebhookQueued { hook } = &change
            && hook.status == HookStatus::Pending
        {
            self.hooks.push(hook.id);
        }
        self.changes.push((at, change));
    }

    /// Queues a webhook (held when the host may not receive it).
    pub fn webhook(
        &mut self,
        at: DateTime<Utc>,
        url: &str,
        kind: HookKind,
        body: Value,
        recipient: Option<&str>,
    ) {
        let change = self.data.hook(
            url,
            kind,
            body,
            recipient,
            at,
            self.shared.config.allow_external_webhooks,
        );
        self.apply(at, change);
    }

    /// Applies due steps (every pending one with `all`, as if due now); returns how many.
    pub fn run_due(&mut self, now: DateTime<Utc>, all: bool) -> usize {
        let delay = self.shared.delay();
        let mut steps = 0;
        while let Some((key, step)) = self.data.due(now, all) {
            steps += 1;
            let at = key.due.min(now);
            let next = |t: DateTime<Utc>| if all { t.min(now) } else { t };
            let changes = self.data.step_changes(key, step, at, delay, next);
            if changes.is_empty() {
                // Its record is gone (an account reset): nothing to do, on replay neither.
                self.data.pending.remove(&key);
                continue;
            }
            for change in changes {
                self.data.apply(&change, at);
                let hook = self.data.webhook_for(&change, at);
                self.changes.push((at, change));
                if let Some((url, kind, body, recipient)) = hook {
                    self.webhook(at, &url, kind, body, Some(&recipient));
                }
            }
        }
        steps
    }

    /// Appends the changes to the log and dispatches their webhooks; await the result before
    /// answering.
    pub fn commit(mut self) -> Durable {
        self.flush()
    }

    fn flush(&mut self) -> Durable {
        if self.changes.is_empty() {
            return Durable::Ready;
        }
        let durable = self
            .shared
            .log
            .append(self.account.no, self.changes.drain(..));
        for id in self.hooks.drain(..) {
            if let Some(hook) = self.data.webhooks.get(&id) {
                let _ = self.shared.jobs.send(Job {
                    account: Arc::clone(self.account),
                    hook: hook.clone(),
                    durable: durable.clone(),
                });
            }
        }
        durable
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}
