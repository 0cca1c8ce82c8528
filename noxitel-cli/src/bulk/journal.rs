//! The bulk-send journal: one JSON record per line, appended and fsynced.
//!
//! Before a batch is sent a `pending` record is made durable; after the answer an `accepted`
//! (with the API's batch_id), `failed` (definitely not accepted) or `unknown` record follows.
//! A `pending` record with nothing after it — the process died while the request was in
//! flight — reads as `unknown`. So a contact is never sent twice by re-running: only batches
//! with no record, or whose last record is `failed`, are sent again.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::csv_input::Batch;
use crate::exit::Failure;

pub const VERSION: u32 = 1;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// First line: what the journal is for.
    Header {
        version: u32,
        /// Hash of the message, options and batch size.
        inputs: String,
        /// The CSV file, for people reading the journal.
        csv: String,
    },
    /// About to send a batch.
    Pending {
        batch: u64,
        hash: String,
        first_line: u64,
        last_line: u64,
        contacts: usize,
    },
    /// The API accepted the batch.
    Accepted {
        batch: u64,
        hash: String,
        batch_id: String,
        contacts: usize,
    },
    /// The API did not accept the batch (safe to send again).
    Failed {
        batch: u64,
        hash: String,
        reason: String,
    },
    /// The batch may or may not have been accepted.
    Unknown {
        batch: u64,
        hash: String,
        reason: String,
    },
}

/// What the journal says about a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchState {
    /// The API accepted it.
    Accepted { batch_id: String },
    /// The API did not accept it: safe to send again.
    Failed { reason: String },
    /// It may or may not have been accepted: not sent again without `--resend-unknown`.
    Unknown { reason: String },
}

/// The last record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub hash: String,
    pub state: BatchState,
}

/// What to do with a batch read from the CSV, given the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send it (never sent, or refused before).
    Send,
    /// An earlier run sent it.
    AlreadySent,
    /// An earlier run left its outcome unknown, and unknown batches are not re-sent.
    LeaveUnknown { reason: String },
    /// The journal knows this batch with other contacts: the CSV changed.
    Changed,
}

/// Why a `pending` record with nothing after it is unknown.
pub const IN_FLIGHT: &str = "interrupted while the request was in flight";

impl Record {
    /// The batch a record is about and what it says of it.
    fn entry(self) -> Option<(u64, Entry)> {
        let (batch, hash, state) = match self {
            Record::Header { .. } => return None,
            Record::Pending { batch, hash, .. } => (
                batch,
                hash,
                BatchState::Unknown {
                    reason: IN_FLIGHT.into(),
                },
            ),
            Record::Accepted {
                batch,
                hash,
                batch_id,
                ..
            } => (batch, hash, BatchState::Accepted { batch_id }),
            Record::Failed {
                batch,
                hash,
                reason,
            } => (batch, hash, BatchState::Failed { reason }),
            Record::Unknown {
                batch,
                hash,
                reason,
            } => (batch, hash, BatchState::Unknown { reason }),
        };
        Some((batch, Entry { hash, state }))
    }
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Last known state of each batch.
    batches: HashMap<u64, Entry>,
}

impl Journal {
    /// Opens (or creates) the journal for these inputs. A journal written for other inputs is
    /// refused.
    pub fn open(path: &Path, inputs: &str, csv: &Path) -> Result<Self, Failure> {
        let mut batches: HashMap<u64, Entry> = HashMap::new();
        let mut header: Option<String> = None;
        if path.exists() {
            let bytes = std::fs::read(path).map_err(|e| {
                Failure::usage(format!("cannot read journal {}: {e}", path.display()))
            })?;
            // A last line without its newline was torn by a crash while being written: drop
            // it (the batch stays in its previous state: pending reads as unknown).
            let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            if complete < bytes.len() {
                let f = OpenOptions::new().write(true).open(path).and_then(|f| {
                    f.set_len(complete as u64)?;
                    f.sync_data()
                });
                f.map_err(|e| {
                    Failure::usage(format!("cannot repair journal {}: {e}", path.display()))
                })?;
            }
            for (i, line) in bytes[..complete].split(|&b| b == b'\n').enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let record: Record = serde_json::from_slice(line).map_err(|e| {
                    Failure::usage(format!(
                        "journal {} is corrupt at line {}: {e}",
                        path.display(),
                        i + 1
                    ))
                })?;
                if let Record::Header { inputs, .. } = &record {
                    header = Some(inputs.clone());
                }
                batches.extend(record.entry());
            }
        }
        match &header {
            Some(h) if h != inputs => {
                return Err(Failure::usage(format!(
                    "journal {} was written for a different message, options or batch size; \
                     use the same command line to resume, or --journal NEW_FILE for a new campaign",
                    path.display()
                )));
            }
            None if !batches.is_empty() => {
                return Err(Failure::usage(format!(
                    "journal {} has no header; refusing to guess what it belongs to",
                    path.display()
                )));
            }
            _ => {}
        }
        let created = !path.exists();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Failure::usage(format!("cannot open journal {}: {e}", path.display())))?;
        let mut journal = Journal {
            path: path.to_owned(),
            file,
            batches,
        };
        if header.is_none() {
            journal.append(Record::Header {
                version: VERSION,
                inputs: inputs.to_owned(),
                csv: csv.display().to_string(),
            })?;
            if created {
                sync_dir(path);
            }
        }
        Ok(journal)
    }

    /// What to do with `batch`, read from the CSV.
    pub fn decide(&self, batch: &Batch, resend_unknown: bool) -> Decision {
        match self.batches.get(&batch.index) {
            None => Decision::Send,
            Some(entry) if entry.hash != batch.hash => Decision::Changed,
            Some(entry) => match &entry.state {
                BatchState::Accepted { .. } => Decision::AlreadySent,
                BatchState::Unknown { reason } if !resend_unknown => Decision::LeaveUnknown {
                    reason: reason.clone(),
                },
                BatchState::Unknown { .. } | BatchState::Failed { .. } => Decision::Send,
            },
        }
    }

    /// Records, durably, that `batch` is about to be sent.
    pub fn pending(&mut self, batch: &Batch) -> Result<(), Failure> {
        self.append(Record::Pending {
            batch: batch.index,
            hash: batch.hash.clone(),
            first_line: batch.first_line(),
            last_line: batch.last_line(),
            contacts: batch.contacts.len(),
        })
    }

    /// Records, durably, how sending `batch` ended.
    pub fn settle(&mut self, batch: &Batch, state: &BatchState) -> Result<(), Failure> {
        let (index, hash) = (batch.index, batch.hash.clone());
        self.append(match state.clone() {
            BatchState::Accepted { batch_id } => Record::Accepted {
                batch: index,
                hash,
                batch_id,
                contacts: batch.contacts.len(),
            },
            BatchState::Failed { reason } => Record::Failed {
                batch: index,
                hash,
                reason,
            },
            BatchState::Unknown { reason } => Record::Unknown {
                batch: index,
                hash,
                reason,
            },
        })
    }

    /// Appends a record and makes it durable before returning.
    fn append(&mut self, record: Record) -> Result<(), Failure> {
        let mut line = serde_json::to_string(&record).expect("records serialize");
        line.push('\n');
        let result = self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data());
        result.map_err(|e| {
            Failure::usage(format!("cannot write journal {}: {e}", self.path.display()))
        })?;
        self.batches.extend(record.entry());
        Ok(())
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Makes a newly created file's directory entry durable (best effort).
fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(index: u64, hash: &str) -> Batch {
        Batch {
            index,
            contacts: Vec::new(),
            lines: vec![2, 3],
            hash: hash.into(),
            bytes: 0,
        }
    }

    #[test]
    fn pending_without_outcome_is_unknown_and_torn_line_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        {
            let mut j = Journal::open(&path, "abc", Path::new("c.csv")).unwrap();
            for b in 0..3 {
                j.pending(&batch(b, "h")).unwrap();
            }
            let accepted = BatchState::Accepted {
                batch_id: "b0".into(),
            };
            j.settle(&batch(0, "h"), &accepted).unwrap();
            let failed = BatchState::Failed {
                reason: "402".into(),
            };
            j.settle(&batch(1, "h"), &failed).unwrap();
        }
        // A torn write at the end.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"kind":"accepted","batch":2,"ha"#).unwrap();
        drop(f);
        let j = Journal::open(&path, "abc", Path::new("c.csv")).unwrap();
        assert_eq!(j.decide(&batch(0, "h"), false), Decision::AlreadySent);
        assert_eq!(j.decide(&batch(1, "h"), false), Decision::Send);
        assert_eq!(
            j.decide(&batch(2, "h"), false),
            Decision::LeaveUnknown {
                reason: IN_FLIGHT.into()
            }
        );
        assert_eq!(j.decide(&batch(2, "h"), true), Decision::Send);
        assert_eq!(j.decide(&batch(0, "other"), false), Decision::Changed);
        assert_eq!(j.decide(&batch(3, "h"), false), Decision::Send);
        let other = Journal::open(&path, "other inputs", Path::new("c.csv")).unwrap_err();
        assert!(other.to_string().contains("different message"), "{other}");
    }
}
