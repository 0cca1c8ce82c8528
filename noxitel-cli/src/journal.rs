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
pub enum State {
    Accepted { batch_id: String },
    Failed { reason: String },
    Unknown { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub hash: String,
    pub state: State,
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Last known state of each batch.
    pub batches: HashMap<u64, Entry>,
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
                match record {
                    Record::Header { inputs, .. } => header = Some(inputs),
                    Record::Pending { batch, hash, .. } => {
                        batches.insert(
                            batch,
                            Entry {
                                hash,
                                state: State::Unknown {
                                    reason: "interrupted while the request was in flight".into(),
                                },
                            },
                        );
                    }
                    Record::Accepted {
                        batch,
                        hash,
                        batch_id,
                        ..
                    } => {
                        batches.insert(
                            batch,
                            Entry {
                                hash,
                                state: State::Accepted { batch_id },
                            },
                        );
                    }
                    Record::Failed {
                        batch,
                        hash,
                        reason,
                    } => {
                        batches.insert(
                            batch,
                            Entry {
                                hash,
                                state: State::Failed { reason },
                            },
                        );
                    }
                    Record::Unknown {
                        batch,
                        hash,
                        reason,
                    } => {
                        batches.insert(
                            batch,
                            Entry {
                                hash,
                                state: State::Unknown { reason },
                            },
                        );
                    }
                }
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
            journal.append(&Record::Header {
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

    /// Appends a record and makes it durable before returning.
    pub fn append(&mut self, record: &Record) -> Result<(), Failure> {
        let mut line = serde_json::to_string(record).expect("records serialize");
        line.push('\n');
        let result = self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data());
        result.map_err(|e| {
            Failure::usage(format!("cannot write journal {}: {e}", self.path.display()))
        })?;
        match record {
            Record::Header { .. } => {}
            Record::Pending { batch, hash, .. } => {
                self.batches.insert(
                    *batch,
                    Entry {
                        hash: hash.clone(),
                        state: State::Unknown {
                            reason: "in flight".into(),
                        },
                    },
                );
            }
            Record::Accepted {
                batch,
                hash,
                batch_id,
                ..
            } => {
                self.batches.insert(
                    *batch,
                    Entry {
                        hash: hash.clone(),
                        state: State::Accepted {
                            batch_id: batch_id.clone(),
                        },
                    },
                );
            }
            Record::Failed {
                batch,
                hash,
                reason,
            } => {
                self.batches.insert(
                    *batch,
                    Entry {
                        hash: hash.clone(),
                        state: State::Failed {
                            reason: reason.clone(),
                        },
                    },
                );
            }
            Record::Unknown {
                batch,
                hash,
                reason,
            } => {
                self.batches.insert(
                    *batch,
                    Entry {
                        hash: hash.clone(),
                        state: State::Unknown {
                            reason: reason.clone(),
                        },
                    },
                );
            }
        }
        Ok(())
    }

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

    #[test]
    fn pending_without_outcome_is_unknown_and_torn_line_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        {
            let mut j = Journal::open(&path, "abc", Path::new("c.csv")).unwrap();
            for b in 0..3 {
                j.append(&Record::Pending {
                    batch: b,
                    hash: "h".into(),
                    first_line: 2,
                    last_line: 3,
                    contacts: 2,
                })
                .unwrap();
            }
            j.append(&Record::Accepted {
                batch: 0,
                hash: "h".into(),
                batch_id: "b0".into(),
                contacts: 2,
            })
            .unwrap();
            j.append(&Record::Failed {
                batch: 1,
                hash: "h".into(),
                reason: "402".into(),
            })
            .unwrap();
        }
        // A torn write at the end.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"kind":"accepted","batch":2,"ha"#).unwrap();
        drop(f);
        let j = Journal::open(&path, "abc", Path::new("c.csv")).unwrap();
        assert_eq!(
            j.batches[&0].state,
            State::Accepted {
                batch_id: "b0".into()
            }
        );
        assert!(matches!(j.batches[&1].state, State::Failed { .. }));
        assert!(matches!(j.batches[&2].state, State::Unknown { .. }));
        let other = Journal::open(&path, "other inputs", Path::new("c.csv")).unwrap_err();
        assert!(other.to_string().contains("different message"), "{other}");
    }
}
