//! The run: batches from the reader thread, each checked against the journal, sent with
//! `concurrency` requests in flight, and each answer journaled, counted and shown.
//!
//! One direction: CSV → journal decision → `pending` record → request → outcome record →
//! summary, failures CSV and progress display.

use std::path::Path;
use std::sync::Arc;

use noxitel_api::Client;
use noxitel_api::types::SendSmsRequest;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::BulkConfig;
use super::csv_input::{BadRow, Batch, CsvInput, CsvItem};
use super::failures_csv::FailuresCsv;
use super::journal::{BatchState, Decision, Journal};
use super::progress::ProgressDisplay;
use super::send::{self, BatchOutcome};
use super::summary::{BatchReport, Summary};
use crate::exit::Failure;

/// Everything a batch's fate is written to.
struct Books {
    journal: Journal,
    failures: FailuresCsv,
    summary: Summary,
    progress: ProgressDisplay,
    resend_unknown: bool,
}

impl Books {
    fn bad_row(&mut self, csv: &Path, row: BadRow) -> Result<(), Failure> {
        self.progress.warn(&format!(
            "{}: line {}: skipped: {}",
            csv.display(),
            row.line,
            row.reason
        ));
        self.failures.bad_row(&row)?;
        self.summary.bad_rows += 1;
        self.progress.advance(row.bytes, 0);
        Ok(())
    }

    /// Whether to send `batch`; if so, its `pending` record is durable when this returns.
    fn admit(&mut self, csv: &Path, batch: &Batch) -> Result<bool, Failure> {
        match self.journal.decide(batch, self.resend_unknown) {
            Decision::Send => {
                tokio::task::block_in_place(|| self.journal.pending(batch))?;
                return Ok(true);
            }
            Decision::AlreadySent => {
                self.summary.contacts_already_sent += batch.contacts.len() as u64;
                self.summary.batches_already_sent += 1;
                self.progress
                    .advance(batch.bytes, batch.contacts.len() as u64);
            }
            Decision::LeaveUnknown { reason } => {
                let reason = format!("{reason} (earlier run; not re-sent)");
                self.failures
                    .batch(batch, &format!("outcome unknown: {reason}"))?;
                self.summary
                    .unknown_batches
                    .push(BatchReport::new(batch, &reason));
                self.progress.advance(batch.bytes, 0);
            }
            Decision::Changed => {
                let message = format!(
                    "{} changed since the journal {} was written (batch {}, lines {}-{}, has \
                     other contacts now): restore the original file, or use --journal NEW_FILE \
                     for a new campaign",
                    csv.display(),
                    self.journal.path().display(),
                    batch.index,
                    batch.first_line(),
                    batch.last_line()
                );
                self.summary.stop(message.clone(), Failure::usage(message));
            }
        }
        Ok(false)
    }

    fn settle(&mut self, batch: Batch, outcome: BatchOutcome) -> Result<(), Failure> {
        let BatchOutcome { state, stop } = outcome;
        tokio::task::block_in_place(|| self.journal.settle(&batch, &state))?;
        let contacts = batch.contacts.len() as u64;
        let (reason, what, reports) = match state {
            BatchState::Accepted { batch_id } => {
                self.summary.contacts_sent += contacts;
                self.summary.batches_sent += 1;
                self.progress.advance(batch.bytes, contacts);
                self.progress.batch_line(|| {
                    format!(
                        "batch {} (lines {}-{}): accepted {contacts} contacts, batch_id {batch_id}",
                        batch.index,
                        batch.first_line(),
                        batch.last_line(),
                    )
                });
                self.summary.batch_ids.push(batch_id);
                return Ok(());
            }
            BatchState::Failed { reason } => (reason, "not sent", &mut self.summary.failed_batches),
            BatchState::Unknown { reason } => {
                (reason, "outcome unknown", &mut self.summary.unknown_batches)
            }
        };
        reports.push(BatchReport::new(&batch, &reason));
        self.progress
            .warn(&format!("batch {}: {what}: {reason}", batch.index));
        self.failures.batch(&batch, &format!("{what}: {reason}"))?;
        self.progress.advance(batch.bytes, 0);
        if let Some(failure) = stop {
            self.summary.stop(reason, failure);
        }
        Ok(())
    }
}

/// Runs the batches of `input` through the journal and the API.
pub async fn run(
    client: &Client,
    template: SendSmsRequest,
    input: CsvInput,
    journal: Journal,
    cfg: &BulkConfig,
) -> Result<Summary, Failure> {
    let mut books = Books {
        journal,
        failures: FailuresCsv::new(&cfg.failures),
        summary: Summary {
            journal: cfg.journal.clone(),
            ..Summary::default()
        },
        progress: ProgressDisplay::new(cfg.progress, input.size()),
        resend_unknown: cfg.resend_unknown,
    };
    let template = Arc::new(template);

    // Reader thread → bounded channel: at most `2 × concurrency` batches wait.
    let (tx, mut rx) = mpsc::channel::<CsvItem>(cfg.concurrency * 2);
    let reader = std::thread::spawn(move || input.read(|item| tx.blocking_send(item).is_ok()));

    // Ctrl-C: the first stops taking batches, the second abandons the requests in flight.
    let (sig_tx, mut sig_rx) = mpsc::unbounded_channel::<()>();
    let signals = tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if sig_tx.send(()).is_err() {
                break;
            }
        }
    });
    let (abandon_tx, abandon) = watch::channel(false);

    let mut inflight: JoinSet<(Batch, BatchOutcome)> = JoinSet::new();
    let mut reading = true;
    loop {
        let stopping = books.summary.interrupted || books.summary.stopped_by.is_some();
        if stopping && reading {
            // Stop the reader: closing the receiver ends its sends.
            reading = false;
            rx.close();
        }
        if !reading && inflight.is_empty() {
            break;
        }
        let can_take = reading && inflight.len() < cfg.concurrency;
        tokio::select! {
            biased;
            Some(()) = sig_rx.recv() => {
                if books.summary.interrupted {
                    books.progress.warn(
                        "interrupted again: quitting now; batches in flight are recorded as unknown",
                    );
                    let _ = abandon_tx.send(true);
                } else {
                    books.summary.interrupted = true;
                    books.progress.warn(&format!(
                        "interrupted: waiting for {} request(s) in flight (Ctrl-C again to quit now)",
                        inflight.len()
                    ));
                }
            }
            Some(joined) = inflight.join_next(), if !inflight.is_empty() => {
                let (batch, outcome) =
                    joined.map_err(|e| Failure::internal(format!("a send task failed: {e}")))?;
                books.settle(batch, outcome)?;
            }
            item = rx.recv(), if can_take => match item {
                None => reading = false,
                Some(CsvItem::BadRow(row)) => books.bad_row(&cfg.csv, row)?,
                Some(CsvItem::Batch(batch)) => {
                    if books.admit(&cfg.csv, &batch)? {
                        let client = client.clone();
                        let mut request = SendSmsRequest::clone(&template);
                        request.contacts = batch.contacts.clone();
                        let abandon = abandon.clone();
                        inflight.spawn(async move {
                            let outcome = send::send(&client, request, abandon).await;
                            (batch, outcome)
                        });
                    }
                }
            },
        }
    }
    signals.abort();
    drop(rx);
    let read = reader
        .join()
        .map_err(|_| Failure::internal("the CSV reader thread panicked"))?;
    books.progress.finish();
    read?;
    let mut summary = books.summary;
    summary.failures_csv = books.failures.finish()?;
    Ok(summary)
}
