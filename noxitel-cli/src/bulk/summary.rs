//! The end-of-run summary: what was sent, skipped, refused or left unknown, and the exit code.

use std::path::PathBuf;

use serde::Serialize;

use super::csv_input::Batch;
use crate::exit::{self, Failure};

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
    /// What stopped the run early, if anything did: it gives the exit code.
    #[serde(skip)]
    pub stopped_by: Option<Failure>,
}

impl BatchReport {
    /// The report of `batch`, with why.
    pub fn new(batch: &Batch, reason: &str) -> Self {
        Self {
            batch: batch.index,
            first_line: batch.first_line(),
            last_line: batch.last_line(),
            contacts: batch.contacts.len(),
            reason: reason.to_owned(),
        }
    }
}

impl Summary {
    /// The run stops early because of `failure` (the first one counts).
    pub fn stop(&mut self, reason: String, failure: Failure) {
        if self.stopped_by.is_none() {
            self.stopped = Some(reason);
            self.stopped_by = Some(failure);
        }
    }
    /// The process exit code for this outcome.
    pub fn exit_code(&self) -> u8 {
        if let Some(failure) = &self.stopped_by {
            failure.code()
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
        } else if self.stopped_by.is_some() || !self.failed_batches.is_empty() {
            let _ = writeln!(
                s,
                "resume             re-run the same command: accepted batches are skipped"
            );
        }
        s
    }
}
