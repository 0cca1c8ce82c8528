//! The failures CSV (`line,mobile,batch,reason`): bad rows and the contacts of batches that
//! did not (or may not) go through, created on first use.

use std::path::{Path, PathBuf};

use super::csv_input::{BadRow, Batch};
use crate::exit::Failure;

/// The failures CSV of this run.
pub struct FailuresCsv {
    path: PathBuf,
    writer: Option<csv::Writer<std::fs::File>>,
}

impl FailuresCsv {
    /// Removes the file of an earlier run; a new one is written only if something fails.
    pub fn new(path: &Path) -> Self {
        let _ = std::fs::remove_file(path);
        Self {
            path: path.to_owned(),
            writer: None,
        }
    }

    /// A skipped row.
    pub fn bad_row(&mut self, row: &BadRow) -> Result<(), Failure> {
        self.write(
            row.line,
            &row.mobile,
            None,
            &format!("bad row: {}", row.reason),
        )
    }

    /// Every contact of a batch, with why it is here (`not sent: …`, `outcome unknown: …`).
    pub fn batch(&mut self, batch: &Batch, reason: &str) -> Result<(), Failure> {
        for (c, line) in batch.contacts.iter().zip(&batch.lines) {
            self.write(*line, &c.mobile, Some(batch.index), reason)?;
        }
        Ok(())
    }

    fn write(
        &mut self,
        line: u64,
        mobile: &str,
        batch: Option<u64>,
        reason: &str,
    ) -> Result<(), Failure> {
        let path = &self.path;
        if self.writer.is_none() {
            let mut writer = csv::Writer::from_path(path).map_err(|e| cannot_write(path, e))?;
            writer
                .write_record(["line", "mobile", "batch", "reason"])
                .map_err(|e| cannot_write(path, e))?;
            self.writer = Some(writer);
        }
        let writer = self.writer.as_mut().expect("just created");
        let batch = batch.map(|b| b.to_string()).unwrap_or_default();
        writer
            .write_record([line.to_string().as_str(), mobile, &batch, reason])
            .map_err(|e| cannot_write(path, e))
    }

    /// Flushes the file; its path if anything was written.
    pub fn finish(mut self) -> Result<Option<PathBuf>, Failure> {
        match self.writer.take() {
            Some(mut writer) => {
                writer.flush().map_err(|e| cannot_write(&self.path, e))?;
                Ok(Some(self.path))
            }
            None => Ok(None),
        }
    }
}

fn cannot_write(path: &Path, error: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("cannot write {}: {error}", path.display()))
}
