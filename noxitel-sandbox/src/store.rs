//! The event log and where it is kept: in memory, or in a SQLite file (`--db PATH`).
//!
//! Every change of state is an [`Event`]. With a database, events are written by one writer
//! thread that commits whatever has queued up in one transaction (group commit) and then
//! raises the durable watermark; a request answers only once its events are below it. The
//! file is in WAL mode with `synchronous` = `FULL` by default (each commit is on disk before
//! it is acknowledged, power loss included) or `NORMAL` (survives a crash of the process, not
//! of the machine). A restart applies the file's events again to rebuild every account.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;
use serde::ser::SerializeMap;
use tokio::sync::{broadcast, watch};

use crate::state::change::Change;

/// Account number (1, 2, … in the order the tokens were first seen).
pub type AccountNo = u32;

/// One entry of the event log.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub account: AccountNo,
    pub change: Change,
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("time", &crate::clock::rfc3339_ms(self.at))?;
        map.serialize_entry("account", &format!("acct_{}", self.account))?;
        map.serialize_entry("kind", self.change.kind())?;
        map.serialize_entry("recipient", &self.change.recipient())?;
        let payload = match serde_json::to_value(&self.change) {
            Ok(serde_json::Value::Object(mut m)) => m.remove("payload").unwrap_or_default(),
            _ => serde_json::Value::Null,
        };
        map.serialize_entry("payload", &payload)?;
        map.end()
    }
}

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// `PRAGMA synchronous = FULL`: durable across power loss.
    #[default]
    Full,
    /// `PRAGMA synchronous = NORMAL`: durable across a crash of the sandbox, not of the machine.
    Normal,
}

/// The current schema version, and the migrations that lead to it.
pub const SCHEMA_VERSION: i64 = 2;
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "accounts and the event log",
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
         CREATE TABLE events (id INTEGER PRIMARY KEY, account INTEGER NOT NULL REFERENCES accounts(id),
                              at TEXT NOT NULL, kind TEXT NOT NULL, recipient TEXT, change TEXT NOT NULL);",
    ),
    (
        2,
        "indexes for listing an account's events and filtering by kind",
        "CREATE INDEX events_account ON events(account, id);
         CREATE INDEX events_kind ON events(kind, id);",
    ),
];

/// A database that can't be used, in words for the person who started the sandbox.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(format!("database error: {e}"))
    }
}

/// Opens (creating or migrating) a sandbox database.
pub fn open(path: &Path, sync: Synchronous) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| StoreError(format!("{} is not a SQLite database: {e}", path.display())))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError(format!(
            "{}: cannot switch to WAL mode (got {mode})",
            path.display()
        )));
    }
    conn.pragma_update(
        None,
        "synchronous",
        match sync {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&conn, path)?;
    Ok(conn)
}

fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let has_table = |name: &str| -> Result<bool, rusqlite::Error> {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    if !has_table("schema_migrations")? {
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(StoreError(format!(
                "{} is a SQLite database but not a noxitel-sandbox one (no schema_migrations table); \
                 refusing to touch it — pass another --db path",
                path.display()
            )));
        }
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);",
        )?;
    }
    let current: i64 = conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    if current > SCHEMA_VERSION {
        return Err(StoreError(format!(
            "{} has schema version {current}, written by a newer noxitel-sandbox; this one knows \
             versions up to {SCHEMA_VERSION}: upgrade it or pass another --db path",
            path.display()
        )));
    }
    for (version, description, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)
            .map_err(|e| StoreError(format!("migration {version} ({description}) failed: {e}")))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)",
            params![version, description, crate::clock::rfc3339(Utc::now())],
        )?;
        tx.commit()?;
        tracing::info!(version, description, "database migrated");
    }
    Ok(())
}

/// Known accounts: `(number, token)`.
pub fn accounts(conn: &Connection) -> Result<Vec<(AccountNo, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, token FROM accounts ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, AccountNo>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn add_account(conn: &Connection, no: AccountNo, token: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO accounts (id, token, created_at) VALUES (?1, ?2, ?3)",
        params![no, token, crate::clock::rfc3339(Utc::now())],
    )?;
    Ok(())
}

fn event_of(row: &rusqlite::Row<'_>) -> Result<Event, StoreError> {
    let id: u64 = row.get(0)?;
    let at: String = row.get(2)?;
    let change: String = row.get(3)?;
    let at = DateTime::parse_from_rfc3339(&at)
        .map_err(|e| StoreError(format!("event {id}: bad time {at:?}: {e}")))?
        .with_timezone(&Utc);
    let change = serde_json::from_str(&change)
        .map_err(|e| StoreError(format!("event {id} cannot be read back: {e}")))?;
    Ok(Event {
        id,
        at,
        account: row.get(1)?,
        change,
    })
}

/// Every stored event, in order.
pub fn events(conn: &Connection) -> Result<Vec<Event>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, account, at, change FROM events ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(event_of(row)?);
    }
    Ok(out)
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this account's.
    pub account: Option<AccountNo>,
    /// Only those with a greater id.
    pub after: u64,
    /// At most this many.
    pub limit: usize,
    /// Only these kinds (empty: all).
    pub kinds: Vec<String>,
}

impl Filter {
    fn wants(&self, e: &Event) -> bool {
        e.id > self.after
            && self.account.is_none_or(|a| a == e.account)
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == e.change.kind()))
    }
}

fn query(conn: &Connection, filter: &Filter) -> Result<Vec<Event>, StoreError> {
    let mut sql = String::from("SELECT id, account, at, change FROM events WHERE id > ?1");
    let mut args: Vec<rusqlite::types::Value> = vec![(filter.after as i64).into()];
    if let Some(account) = filter.account {
        args.push(i64::from(account).into());
        sql += &format!(" AND account = ?{}", args.len());
    }
    if !filter.kinds.is_empty() {
        let mut marks = Vec::new();
        for kind in &filter.kinds {
            args.push(kind.clone().into());
            marks.push(format!("?{}", args.len()));
        }
        sql += &format!(" AND kind IN ({})", marks.join(", "));
    }
    args.push((filter.limit.min(i64::MAX as usize) as i64).into());
    sql += &format!(" ORDER BY id LIMIT ?{}", args.len());
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(event_of(row)?);
    }
    Ok(out)
}

fn insert(conn: &Connection, events: &[Arc<Event>]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO events (id, account, at, kind, recipient, change) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for e in events {
        let change = serde_json::to_string(&e.change).unwrap_or_default();
        stmt.execute(params![
            e.id,
            e.account,
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            e.change.kind(),
            e.change.recipient(),
            change
        ])?;
    }
    Ok(())
}

/// Writes `events` directly (at start-up, before the writer runs).
pub fn write_now(conn: &Connection, events: &[Arc<Event>]) -> Result<(), StoreError> {
    let tx = conn.unchecked_transaction()?;
    insert(&tx, events)?;
    tx.commit()?;
    Ok(())
}

/// Highest event id that is durable, or the error that stopped the writer.
#[derive(Debug, Clone, Default)]
pub struct Watermark {
    pub committed: u64,
    pub error: Option<Arc<str>>,
}

/// The log: recent events in memory (for listing and streaming), all of them in the database.
#[derive(Debug)]
pub struct Log {
    inner: Mutex<Inner>,
    /// A read-only connection to the file, for events no longer held in memory.
    reader: Option<Mutex<Connection>>,
    capacity: usize,
    live: broadcast::Sender<Arc<Event>>,
    watermark: watch::Sender<Watermark>,
}

#[derive(Debug)]
struct Inner {
    next_id: u64,
    recent: VecDeque<Arc<Event>>,
    writer: Option<std::sync::mpsc::Sender<Vec<Arc<Event>>>>,
}

/// Resolves when the events it stands for are durable.
#[derive(Debug, Clone)]
pub enum Durable {
    Ready,
    Wait(u64, watch::Receiver<Watermark>),
}

impl Durable {
    /// Waits until durable; `Err` with the reason when they can't be written.
    pub async fn wait(self) -> Result<(), Arc<str>> {
        match self {
            Durable::Ready => Ok(()),
            Durable::Wait(id, mut rx) => {
                let mark = rx
                    .wait_for(|m| m.committed >= id || m.error.is_some())
                    .await
                    .map_err(|_| Arc::<str>::from("the database writer stopped"))?;
                match (&mark.error, mark.committed >= id) {
                    (_, true) => Ok(()),
                    (Some(e), false) => Err(Arc::clone(e)),
                    (None, false) => Err("not written".into()),
                }
            }
        }
    }
}

impl Log {
    /// A log that keeps the last `capacity` events in memory; with `conn`, every event is
    /// also written to it (`next_id` continues the file's ids).
    pub fn new(
        capacity: usize,
        conn: Option<(Connection, PathBuf)>,
        next_id: u64,
        recent: Vec<Arc<Event>>,
    ) -> Self {
        let (live, _) = broadcast::channel(4096);
        let (watermark, _) = watch::channel(Watermark {
            committed: next_id.saturating_sub(1),
            error: None,
        });
        let reader = conn.as_ref().and_then(|(_, path)| {
            Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| tracing::warn!(%e, "no reader for the event log: memory only"))
                .ok()
                .map(Mutex::new)
        });
        let writer = match conn {
            Some((conn, _path)) => {
                let (tx, rx) = std::sync::mpsc::channel::<Vec<Arc<Event>>>();
                let mark = watermark.clone();
                std::thread::Builder::new()
                    .name("noxitel-sandbox-db".into())
                    .spawn(move || write_loop(conn, rx, mark))
                    .ok();
                Some(tx)
            }
            None => None,
        };
        let mut recent: VecDeque<_> = recent.into();
        while recent.len() > capacity {
            recent.pop_front();
        }
        Self {
            inner: Mutex::new(Inner {
                next_id,
                recent,
                writer,
            }),
            reader,
            capacity,
            live,
            watermark,
        }
    }

    /// Appends changes of `account` (already applied, in order).
    pub fn append(
        &self,
        account: AccountNo,
        changes: impl IntoIterator<Item = (DateTime<Utc>, Change)>,
    ) -> Durable {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let durable = inner.writer.is_some();
        let mut batch = Vec::new();
        let mut last = None;
        for (at, change) in changes {
            let event = Arc::new(Event {
                id: inner.next_id,
                at,
                account,
                change,
            });
            inner.next_id += 1;
            if inner.recent.len() >= self.capacity {
                inner.recent.pop_front();
            }
            inner.recent.push_back(Arc::clone(&event));
            if self.live.receiver_count() > 0 {
                let _ = self.live.send(Arc::clone(&event));
            }
            last = Some(event.id);
            if durable {
                batch.push(event);
            }
        }
        let Some(last) = last else {
            return Durable::Ready;
        };
        match &inner.writer {
            None => Durable::Ready,
            Some(writer) => {
                if writer.send(batch).is_err() {
                    self.watermark.send_modify(|m| {
                        m.error
                            .get_or_insert_with(|| "the database writer stopped".into());
                    });
                }
                Durable::Wait(last, self.watermark.subscribe())
            }
        }
    }

    /// The events `filter` selects, oldest first: from memory, or from the file when they
    /// go back further than memory does.
    pub fn list(&self, filter: &Filter) -> Vec<Arc<Event>> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let oldest = inner.recent.front().map_or(inner.next_id, |e| e.id);
        if oldest > filter.after + 1
            && let Some(reader) = &self.reader
        {
            drop(inner);
            let conn = reader.lock().unwrap_or_else(|p| p.into_inner());
            match query(&conn, filter) {
                Ok(events) => return events.into_iter().map(Arc::new).collect(),
                Err(error) => tracing::warn!(%error, "cannot read the event log from the file"),
            }
            return Vec::new();
        }
        inner
            .recent
            .iter()
            .filter(|e| filter.wants(e))
            .take(filter.limit)
            .cloned()
            .collect()
    }

    /// The id of the newest event (0 when there is none).
    pub fn last_id(&self) -> u64 {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.next_id - 1
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.live.subscribe()
    }
}

fn write_loop(
    conn: Connection,
    rx: std::sync::mpsc::Receiver<Vec<Arc<Event>>>,
    mark: watch::Sender<Watermark>,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = first;
        while batch.len() < 8192 {
            match rx.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        let result = (|| {
            let tx = conn.unchecked_transaction()?;
            insert(&tx, &batch)?;
            tx.commit()
        })();
        match result {
            Ok(()) => {
                let last = batch.iter().map(|e| e.id).max().unwrap_or(0);
                mark.send_modify(|m| m.committed = m.committed.max(last));
            }
            Err(error) => {
                tracing::error!(%error, "cannot write the event log; answering 500 from now on");
                mark.send_modify(|m| {
                    m.error = Some(format!("cannot write the database: {error}").into())
                });
                return;
            }
        }
    }
}
