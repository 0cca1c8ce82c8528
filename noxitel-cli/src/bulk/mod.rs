//! Bulk SMS campaigns from a CSV file: streamed, batched, concurrent, journaled, resumable.
//!
//! The flow goes one way, each step in its own module:
//!
//! 1. [`csv_input`]: the CSV is opened and read once, front to back, into batches and bad
//!    rows, on a reader thread that hands them over a bounded channel (at most
//!    `2 × concurrency` batches wait), so memory stays bounded whatever the file's size.
//! 2. [`dispatch`]: each batch is checked against the [`journal`] (already sent, left unknown,
//!    changed since), gets a durable `pending` record, and is sent with at most `concurrency`
//!    requests in flight.
//! 3. [`send`]: what the answer means — accepted, failed (sent again by the next run) or
//!    unknown (not sent again) — and whether it stops the run.
//! 4. The outcome is journaled, and goes to the [`summary`], the [`failures_csv`] and the
//!    [`progress`] display.

pub mod csv_input;
pub mod dispatch;
pub mod failures_csv;
pub mod journal;
pub mod progress;
pub mod send;
pub mod summary;

use std::path::{Path, PathBuf};
use std::time::Instant;

use noxitel_api::Client;
use noxitel_api::types::SendSmsRequest;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use self::csv_input::CsvInput;
use self::journal::Journal;
pub use self::progress::Progress;
pub use self::summary::{BatchReport, Summary};
use crate::exit::Failure;

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

/// Runs (or resumes) a bulk send. A run that stops early (a failure that stops it, Ctrl-C,
/// a CSV changed since the journal) still answers its summary; its exit code says why.
pub async fn run(client: &Client, cfg: BulkConfig) -> Result<Summary, Failure> {
    let started = Instant::now();
    let template = checked_template(&cfg.template)?;
    let input = CsvInput::open(&cfg.csv, cfg.batch_size)?;
    warn_unknown_placeholders(&template, input.columns(), &cfg.csv);
    let inputs = inputs_hash(&cfg.template, cfg.batch_size);
    let journal = Journal::open(&cfg.journal, &inputs, &cfg.csv)?;
    let mut summary = dispatch::run(client, template, input, journal, &cfg).await?;
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The request every batch is sent with (its contacts aside), checked once: a request with
/// one placeholder contact.
fn checked_template(template: &Map<String, Value>) -> Result<SendSmsRequest, Failure> {
    if template.contains_key("contacts") || template.contains_key("contactGroup") {
        return Err(Failure::usage(
            "with --csv the contacts come from the CSV: remove `contacts`/`contactGroup` from the body",
        ));
    }
    let mut probe = template.clone();
    probe.insert(
        "contacts".into(),
        serde_json::json!([{"mobile": "10000000000"}]),
    );
    use crate::flags::BodyFlags as _;
    let required = crate::flags::SendSms::REQUIRED;
    let request: SendSmsRequest = crate::commands::request("sms send", required, probe)?;
    noxitel_types::Validate::validate(&request)
        .map_err(|e| Failure::usage(format!("sms send: invalid request (not sent): {e}")))?;
    Ok(request)
}

/// A `#name#` that is no column is sent as written: say so before it reaches a phone.
fn warn_unknown_placeholders(template: &SendSmsRequest, columns: &[String], csv: &Path) {
    let Some(message) = &template.message else {
        return;
    };
    for name in noxitel_types::personalization::placeholders(message) {
        if !columns.iter().any(|c| c == name) {
            crate::output::emit_err(&format!(
                "warning: #{name}# is not a column of {}; it is sent as written",
                csv.display()
            ));
        }
    }
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
