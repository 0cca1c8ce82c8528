//! Bulk SMS campaigns from a CSV file: streamed, batched, concurrent, journaled, resumable.
//!
//! Memory stays bounded: a reader thread parses the CSV into batches and hands them over a
//! bounded channel (at most `2 × concurrency` batches wait), and at most `concurrency` batches
//! are in flight. The journal (see [`crate::journal`]) keeps one small entry per batch.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use noxitel_api::types::{Contact, SendSmsRequest};
use noxitel_api::{Client, Error};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::exit::{self, Failure};
use crate::journal::{Journal, Record, State};

/// How progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A progress bar with rate and ETA (stderr is a terminal).
    Bar,
    /// One line per batch.
    Lines,
    /// Nothing but warnings.
    Quiet,
}

impl Progress {
    /// A bar on a terminal, plain lines otherwise.
    pub fn auto() -> Self {
        if std::io::stderr().is_terminal() {
            Progress::Bar
        } else {
            Progress::Lines
        }
    }
}

/// What to send and how.
#[derive(Debug, Clone)]
pub struct BulkConfig {
    pub csv: PathBuf,
    /// Journal file (default `<csv>.journal`).
    pub journal: PathBuf,
    /// Failures CSV (default `<csv>.failures.csv`).
    pub failures: PathBuf,
    /// The `POST /sms` body without `contacts` (message, sender, mode…).
    pub template: Map<String, Value>,
    pub batch_size: usize,
    pub concurrency: usize,
    /// Re-send batches whose outcome is unknown.
    pub resend_unknown: bool,
    pub progress: Progress,
}

impl BulkConfig {
    pub fn new(csv: impl Into<PathBuf>, template: Map<String, Value>) -> Self {
        let csv = csv.into();
        Self {
            journal: suffixed(&csv, ".journal"),
            failures: suffixed(&csv, ".failures.csv"),
            csv,
            template,
            batch_size: 500,
            concurrency: 4,
            resend_unknown: false,
            progress: Progress::Quiet,
        }
    }
}

/// `contacts.csv` → `contacts.csv<suffix>`.
pub fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A batch that did not (or may not) go through.
#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    pub batch: u64,
    pub first_line: u64,
    pub last_line: u64,
    pub contacts: usize,
    pub reason: String,
}

/// The end-of-run summary.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Contacts the API accepted in this run.
    pub contacts_sent: u64,
    /// Batches the API accepted in this run.
    pub batches_sent: u64,
    /// Contacts skipped because an earlier run had sent them.
    pub contacts_already_sent: u64,
    /// Batches skipped because an earlier run had sent them.
    pub batches_already_sent: u64,
    /// The batch_ids of this run's accepted batches (all of them are in the journal).
    pub batch_ids: Vec<String>,
    /// Batches the API did not accept (re-sent on the next run).
    pub failed_batches: Vec<BatchReport>,
    /// Batches whose outcome is unknown (NOT re-sent without --resend-unknown).
    pub unknown_batches: Vec<BatchReport>,
    /// Rows skipped as invalid.
    pub bad_rows: u64,
    /// Where failures and bad rows were written, if any.
    pub failures_csv: Option<PathBuf>,
    pub journal: PathBuf,
    pub elapsed_seconds: f64,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
    pub interrupted: bool,
    #[serde(skip)]
    pub stop_code: Option<u8>,
}

impl Summary {
    /// The process exit code for this outcome.
    pub fn exit_code(&self) -> u8 {
        if let Some(code) = self.stop_code {
            code
        } else if self.interrupted {
            exit::INTERRUPTED
        } else if !self.failed_batches.is_empty() || !self.unknown_batches.is_empty() {
            exit::INCOMPLETE
        } else {
            exit::OK
        }
    }

    /// Human-readable summary.
    pub fn render(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let rate = if self.elapsed_seconds > 0.0 {
            self.contacts_sent as f64 / self.elapsed_seconds
        } else {
            0.0
        };
        let _ = writeln!(
            s,
            "contacts sent      {} in {} batches ({:.1}s, {:.0} contacts/s)",
            self.contacts_sent, self.batches_sent, self.elapsed_seconds, rate
        );
        if self.batches_already_sent > 0 {
            let _ = writeln!(
                s,
                "already sent       {} contacts in {} batches (earlier runs, skipped)",
                self.contacts_already_sent, self.batches_already_sent
            );
        }
        let shown: Vec<&str> = self.batch_ids.iter().take(10).map(String::as_str).collect();
        let more = self.batch_ids.len().saturating_sub(shown.len());
        let _ = writeln!(
            s,
            "batch_ids          {}{}",
            if shown.is_empty() {
                "-".to_owned()
            } else {
                shown.join(", ")
            },
            if more > 0 {
                format!(" … and {more} more (all in the journal)")
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            s,
            "failed batches     {} (re-sent on the next run)",
            self.failed_batches.len()
        );
        for b in &self.failed_batches {
            let _ = writeln!(
                s,
                "  batch {} (lines {}-{}): {}",
                b.batch, b.first_line, b.last_line, b.reason
            );
        }
        let _ = writeln!(s, "unknown outcome    {}", self.unknown_batches.len());
        for b in &self.unknown_batches {
            let _ = writeln!(
                s,
                "  batch {} (lines {}-{}, {} contacts): {}",
                b.batch, b.first_line, b.last_line, b.contacts, b.reason
            );
        }
        if !self.unknown_batches.is_empty() {
            let _ = writeln!(
                s,
                "  → these may have been sent. They are NOT re-sent automatically: check their \
                 delivery (dashboard, `noxitel sms dlr`, or the notifyUrl receipts); if they were \
                 not delivered, re-run the same command with --resend-unknown."
            );
        }
        let _ = writeln!(s, "bad rows skipped   {}", self.bad_rows);
        if let Some(f) = &self.failures_csv {
            let _ = writeln!(s, "failures CSV       {}", f.display());
        }
        let _ = writeln!(s, "journal            {}", self.journal.display());
        if let Some(why) = &self.stopped {
            let _ = writeln!(s, "stopped early      {why}");
        }
        if self.interrupted {
            let _ = writeln!(s, "interrupted        re-run the same command to resume");
        } else if self.stop_code.is_some() || !self.failed_batches.is_empty() {
            let _ = writeln!(
                s,
                "resume             re-run the same command: accepted batches are skipped"
            );
        }
        s
    }
}

/// A batch of valid rows read from the CSV.
#[derive(Debug)]
pub struct Batch {
    pub index: u64,
    pub contacts: Vec<Contact>,
    /// CSV line of each contact.
    pub lines: Vec<u64>,
    pub hash: String,
}

/// What the reader hands over.
#[derive(Debug)]
pub enum Item {
    Batch(Batch),
    BadRow {
        line: u64,
        mobile: String,
        reason: String,
    },
}

/// Opens the CSV and finds its columns: (reader, trimmed header names, index of `mobile`).
pub fn open_csv(path: &Path) -> Result<(csv::Reader<std::fs::File>, Vec<String>, usize), Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let headers = reader
        .headers()
        .map_err(|e| Failure::usage(format!("{}: cannot read the header: {e}", path.display())))?;
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
    let mobile = names
        .iter()
        .position(|h| h.eq_ignore_ascii_case("mobile"))
        .ok_or_else(|| {
            Failure::usage(format!(
                "{}: the header has no `mobile` column (found: {})",
                path.display(),
                names.join(", ")
            ))
        })?;
    Ok((reader, names, mobile))
}

/// Reads the CSV, calling `sink` for each batch and bad row; stops when `sink` returns false.
pub fn read_batches(
    path: &Path,
    batch_size: usize,
    mut sink: impl FnMut(Item) -> bool,
) -> Result<(), Failure> {
    let (mut reader, names, mobile) = open_csv(path)?;
    let mut index = 0;
    let mut contacts = Vec::with_capacity(batch_size);
    let mut lines = Vec::with_capacity(batch_size);
    let mut record = csv::StringRecord::new();
    loop {
        let line_hint = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line_hint, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(Failure::usage(format!(
                        "{}: line {line}: {e}",
                        path.display()
                    )));
                }
                let bad = Item::BadRow {
                    line,
                    mobile: String::new(),
                    reason: format!("unreadable row: {e}"),
                };
                if !sink(bad) {
                    return Ok(());
                }
                continue;
            }
        }
        let line = record.position().map_or(line_hint, |p| p.line());
        let raw = record.get(mobile).unwrap_or("").trim();
        let reason = if record.len() != names.len() {
            Some(format!(
                "expected {} columns, found {}",
                names.len(),
                record.len()
            ))
        } else if raw.is_empty() {
            Some("empty mobile".to_owned())
        } else {
            let digits = raw.strip_prefix('+').unwrap_or(raw);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                Some(format!("non-numeric mobile {raw:?}"))
            } else {
                None
            }
        };
        if let Some(reason) = reason {
            if !sink(Item::BadRow {
                line,
                mobile: raw.to_owned(),
                reason,
            }) {
                return Ok(());
            }
            continue;
        }
        let digits = raw.strip_prefix('+').unwrap_or(raw);
        let parameters: HashMap<String, String> = names
            .iter()
            .zip(record.iter())
            .enumerate()
            .filter(|(i, _)| *i != mobile)
            .map(|(_, (k, v))| (k.clone(), v.to_owned()))
            .collect();
        contacts.push(Contact {
            mobile: digits.to_owned(),
            parameters,
        });
        lines.push(line);
        if contacts.len() == batch_size {
            let batch = make_batch(
                index,
                std::mem::take(&mut contacts),
                std::mem::take(&mut lines),
            );
            contacts.reserve(batch_size);
            lines.reserve(batch_size);
            index += 1;
            if !sink(Item::Batch(batch)) {
                return Ok(());
            }
        }
    }
    if !contacts.is_empty() {
        let _ = sink(Item::Batch(make_batch(index, contacts, lines)));
    }
    Ok(())
}

fn make_batch(index: u64, contacts: Vec<Contact>, lines: Vec<u64>) -> Batch {
    let mut h = Sha256::new();
    for c in &contacts {
        h.update(c.mobile.as_bytes());
        let sorted: BTreeMap<&String, &String> = c.parameters.iter().collect();
        for (k, v) in sorted {
            h.update([0x1f]);
            h.update(k.as_bytes());
            h.update([0x1e]);
            h.update(v.as_bytes());
        }
        h.update([b'\n']);
    }
    Batch {
        index,
        contacts,
        lines,
        hash: hex(&h.finalize()[..16]),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hash of everything that shapes the batches besides the CSV rows: the request template and
/// the batch size.
pub fn inputs_hash(template: &Map<String, Value>, batch_size: usize) -> String {
    let mut h = Sha256::new();
    // serde_json's Map is sorted by key: the serialization is canonical.
    h.update(serde_json::to_vec(template).expect("JSON serializes"));
    h.update(format!("\nbatch_size={batch_size}\n").as_bytes());
    hex(&h.finalize())
}

/// How one request ended.
enum Outcome {
    Accepted(String),
    /// Definitely not accepted; `fatal` stops the run with that exit code.
    Failed {
        reason: String,
        fatal: Option<u8>,
    },
    /// May have been accepted.
    Unknown {
        reason: String,
        fatal: Option<u8>,
    },
}

fn classify(error: &Error) -> Outcome {
    let reason = exit::reason(error);
    match error {
        // Answers that say the batch was refused.
        Error::InvalidRequest(_) | Error::BadRequest(_) | Error::NotFound(_) | Error::Api(_) => {
            Outcome::Failed {
                reason,
                fatal: None,
            }
        }
        Error::IpNotWhitelisted(_)
        | Error::InvalidApiKey(_)
        | Error::InsufficientCredits(_)
        | Error::RateLimited { .. } => Outcome::Failed {
            reason,
            fatal: Some(exit::code(error)),
        },
        // The connection was never made: nothing reached the server.
        Error::Transport(_) | Error::Timeout { .. } if !error.may_have_been_processed() => {
            Outcome::Failed {
                reason,
                fatal: Some(exit::NETWORK),
            }
        }
        // Timeouts, broken connections, 5xx, undecodable 2xx: the server may have taken it.
        _ => Outcome::Unknown {
            reason,
            fatal: Some(exit::code(error)),
        },
    }
}

/// The failures CSV, created on first use.
struct Failures {
    path: PathBuf,
    writer: Option<csv::Writer<std::fs::File>>,
}

impl Failures {
    fn write(
        &mut self,
        line: u64,
        mobile: &str,
        batch: Option<u64>,
        reason: &str,
    ) -> Result<(), Failure> {
        if self.writer.is_none() {
            let mut w = csv::Writer::from_path(&self.path).map_err(|e| {
                Failure::usage(format!("cannot write {}: {e}", self.path.display()))
            })?;
            let _ = w.write_record(["line", "mobile", "batch", "reason"]);
            self.writer = Some(w);
        }
        let w = self.writer.as_mut().expect("just created");
        let batch = batch.map(|b| b.to_string()).unwrap_or_default();
        w.write_record([line.to_string().as_str(), mobile, &batch, reason])
            .map_err(|e| Failure::usage(format!("cannot write {}: {e}", self.path.display())))
    }

    fn batch(&mut self, batch: &Batch, reason: &str) -> Result<(), Failure> {
        for (c, line) in batch.contacts.iter().zip(&batch.lines) {
            self.write(*line, &c.mobile, Some(batch.index), reason)?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Option<PathBuf>, Failure> {
        match self.writer.take() {
            Some(mut w) => {
                w.flush().map_err(|e| {
                    Failure::usage(format!("cannot write {}: {e}", self.path.display()))
                })?;
                Ok(Some(self.path))
            }
            None => Ok(None),
        }
    }
}

fn report(batch: &Batch, reason: &str) -> BatchReport {
    BatchReport {
        batch: batch.index,
        first_line: batch.lines.first().copied().unwrap_or(0),
        last_line: batch.lines.last().copied().unwrap_or(0),
        contacts: batch.contacts.len(),
        reason: reason.to_owned(),
    }
}

/// Counts data rows quickly (for the progress bar's length).
fn count_rows(path: &Path) -> Option<u64> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    Some(lines.saturating_sub(1))
}

/// Runs (or resumes) a bulk send.
pub async fn run(client: &Client, cfg: BulkConfig) -> Result<Summary, Failure> {
    let started = Instant::now();
    if cfg.template.contains_key("contacts") || cfg.template.contains_key("contactGroup") {
        return Err(Failure::usage(
            "with --csv the contacts come from the CSV: remove `contacts`/`contactGroup` from the body",
        ));
    }
    // Check the template once: a request with one placeholder contact.
    let mut probe = cfg.template.clone();
    probe.insert(
        "contacts".into(),
        serde_json::json!([{"mobile": "10000000000"}]),
    );
    let template: SendSmsRequest = crate::commands::request("sms send", probe)?;
    noxitel_types::Validate::validate(&template)
        .map_err(|e| Failure::usage(format!("sms send: invalid request (not sent): {e}")))?;
    let template = Arc::new(template);

    let (_, columns, _) = open_csv(&cfg.csv)?;
    if let Some(message) = &template.message {
        for name in noxitel_types::personalization::placeholders(message) {
            if !columns.iter().any(|c| c == name) {
                crate::output::emit_err(&format!(
                    "warning: #{name}# is not a column of {}; it is sent as written",
                    cfg.csv.display()
                ));
            }
        }
    }
    let inputs = inputs_hash(&cfg.template, cfg.batch_size);
    let mut journal = Journal::open(&cfg.journal, &inputs, &cfg.csv)?;

    // Resuming: every batch the journal knows must still have the same contacts.
    if !journal.batches.is_empty() {
        let mut mismatch = None;
        read_batches(&cfg.csv, cfg.batch_size, |item| {
            if let Item::Batch(b) = item
                && let Some(entry) = journal.batches.get(&b.index)
                && entry.hash != b.hash
            {
                mismatch = Some(report(&b, ""));
                return false;
            }
            true
        })?;
        if let Some(b) = mismatch {
            return Err(Failure::usage(format!(
                "{} changed since the journal {} was written (batch {}, lines {}-{}, has other \
                 contacts now): restore the original file, or use --journal NEW_FILE for a new campaign",
                cfg.csv.display(),
                journal.path().display(),
                b.batch,
                b.first_line,
                b.last_line
            )));
        }
    }

    let _ = std::fs::remove_file(&cfg.failures);
    let mut failures = Failures {
        path: cfg.failures.clone(),
        writer: None,
    };
    let mut summary = Summary {
        journal: cfg.journal.clone(),
        ..Summary::default()
    };

    let bar = match cfg.progress {
        Progress::Bar => {
            let bar =
                ProgressBar::with_draw_target(count_rows(&cfg.csv), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} contacts \
                     {per_sec} ETA {eta}",
                )
                .expect("valid template"),
            );
            Some(bar)
        }
        _ => None,
    };
    let say = |line: String| match (&bar, cfg.progress) {
        (Some(bar), _) => bar.println(line),
        (None, Progress::Lines) => crate::output::emit_err(&line),
        _ => {}
    };
    let warn = |line: String| match &bar {
        Some(bar) => bar.println(line),
        None => crate::output::emit_err(&line),
    };

    // Reader thread → bounded channel.
    let (tx, mut rx) = mpsc::channel::<Item>(cfg.concurrency * 2);
    let csv_path = cfg.csv.clone();
    let batch_size = cfg.batch_size;
    let reader = std::thread::spawn(move || {
        read_batches(&csv_path, batch_size, |item| tx.blocking_send(item).is_ok())
    });

    // Ctrl-C: first stops dispatching, second quits at once.
    let (sig_tx, mut sig_rx) = mpsc::unbounded_channel::<()>();
    let signals = tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if sig_tx.send(()).is_err() {
                break;
            }
        }
    });

    let mut inflight: JoinSet<(Batch, Outcome)> = JoinSet::new();
    let mut reading = true;
    let mut stopping = false;
    loop {
        if !reading && inflight.is_empty() {
            break;
        }
        let can_take = reading && !stopping && inflight.len() < cfg.concurrency;
        tokio::select! {
            biased;
            Some(()) = sig_rx.recv() => {
                if summary.interrupted {
                    warn("interrupted again: quitting now; batches in flight are recorded as unknown".into());
                    std::process::exit(exit::INTERRUPTED.into());
                }
                summary.interrupted = true;
                stopping = true;
                warn(format!(
                    "interrupted: waiting for {} request(s) in flight (Ctrl-C again to quit now)",
                    inflight.len()
                ));
            }
            Some(joined) = inflight.join_next(), if !inflight.is_empty() => {
                let (batch, outcome) = joined.map_err(|e| Failure::internal(format!("a send task failed: {e}")))?;
                let hash = batch.hash.clone();
                match outcome {
                    Outcome::Accepted(batch_id) => {
                        tokio::task::block_in_place(|| journal.append(&Record::Accepted {
                            batch: batch.index,
                            hash,
                            batch_id: batch_id.clone(),
                            contacts: batch.contacts.len(),
                        }))?;
                        summary.contacts_sent += batch.contacts.len() as u64;
                        summary.batches_sent += 1;
                        if let Some(bar) = &bar {
                            bar.inc(batch.contacts.len() as u64);
                        }
                        say(format!(
                            "batch {} (lines {}-{}): accepted {} contacts, batch_id {batch_id}",
                            batch.index,
                            batch.lines.first().unwrap_or(&0),
                            batch.lines.last().unwrap_or(&0),
                            batch.contacts.len()
                        ));
                        summary.batch_ids.push(batch_id);
                    }
                    Outcome::Failed { reason, fatal } => {
                        tokio::task::block_in_place(|| journal.append(&Record::Failed {
                            batch: batch.index,
                            hash,
                            reason: reason.clone(),
                        }))?;
                        warn(format!("batch {}: not sent: {reason}", batch.index));
                        failures.batch(&batch, &format!("not sent: {reason}"))?;
                        summary.failed_batches.push(report(&batch, &reason));
                        if let Some(code) = fatal
                            && summary.stop_code.is_none()
                        {
                            summary.stop_code = Some(code);
                            summary.stopped = Some(reason);
                            stopping = true;
                        }
                    }
                    Outcome::Unknown { reason, fatal } => {
                        tokio::task::block_in_place(|| journal.append(&Record::Unknown {
                            batch: batch.index,
                            hash,
                            reason: reason.clone(),
                        }))?;
                        warn(format!("batch {}: outcome unknown: {reason}", batch.index));
                        failures.batch(&batch, &format!("outcome unknown: {reason}"))?;
                        summary.unknown_batches.push(report(&batch, &reason));
                        if let Some(code) = fatal
                            && summary.stop_code.is_none()
                        {
                            summary.stop_code = Some(code);
                            summary.stopped = Some(reason);
                            stopping = true;
                        }
                    }
                }
            }
            item = rx.recv(), if can_take => {
                let Some(item) = item else {
                    reading = false;
                    continue;
                };
                match item {
                    Item::BadRow { line, mobile, reason } => {
                        warn(format!("{}: line {line}: skipped: {reason}", cfg.csv.display()));
                        failures.write(line, &mobile, None, &format!("bad row: {reason}"))?;
                        summary.bad_rows += 1;
                    }
                    Item::Batch(batch) => {
                        match journal.batches.get(&batch.index).map(|e| &e.state) {
                            Some(State::Accepted { .. }) => {
                                summary.contacts_already_sent += batch.contacts.len() as u64;
                                summary.batches_already_sent += 1;
                                if let Some(bar) = &bar {
                                    bar.inc(batch.contacts.len() as u64);
                                }
                                continue;
                            }
                            Some(State::Unknown { reason }) if !cfg.resend_unknown => {
                                let reason = format!("{reason} (earlier run; not re-sent)");
                                failures.batch(&batch, &format!("outcome unknown: {reason}"))?;
                                summary.unknown_batches.push(report(&batch, &reason));
                                continue;
                            }
                            _ => {}
                        }
                        tokio::task::block_in_place(|| journal.append(&Record::Pending {
                            batch: batch.index,
                            hash: batch.hash.clone(),
                            first_line: batch.lines.first().copied().unwrap_or(0),
                            last_line: batch.lines.last().copied().unwrap_or(0),
                            contacts: batch.contacts.len(),
                        }))?;
                        let client = client.clone();
                        let template = Arc::clone(&template);
                        inflight.spawn(async move {
                            let mut request = SendSmsRequest::clone(&template);
                            request.contacts = batch.contacts.clone();
                            let outcome = match client.send_sms(request).await {
                                Ok(answer) => Outcome::Accepted(answer.batch_id),
                                Err(e) => classify(&e),
                            };
                            (batch, outcome)
                        });
                    }
                }
            }
        }
        if stopping && reading {
            // Stop the reader: dropping the receiver ends its sends.
            reading = false;
            rx.close();
        }
    }
    signals.abort();
    drop(rx);
    let read = reader
        .join()
        .map_err(|_| Failure::internal("the CSV reader thread panicked"))?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    read?;
    summary.failures_csv = failures.finish()?;
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
