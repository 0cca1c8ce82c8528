//! Reading the CSV into batches: opened once, read once, front to back.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use noxitel_api::types::Contact;
use sha2::{Digest, Sha256};

use crate::exit::Failure;

/// A batch of valid rows read from the CSV.
#[derive(Debug)]
pub struct Batch {
    /// 0-based position among the batches of the file.
    pub index: u64,
    pub contacts: Vec<Contact>,
    /// CSV line of each contact.
    pub lines: Vec<u64>,
    /// Hash of the contacts and their parameters: a journaled batch must still have it.
    pub hash: String,
    /// Bytes of the file read since the previous item (for the progress bar).
    pub bytes: u64,
}

impl Batch {
    /// The CSV line of its first contact.
    pub fn first_line(&self) -> u64 {
        self.lines.first().copied().unwrap_or(0)
    }

    /// The CSV line of its last contact.
    pub fn last_line(&self) -> u64 {
        self.lines.last().copied().unwrap_or(0)
    }
}

/// A row that is skipped.
#[derive(Debug)]
pub struct BadRow {
    pub line: u64,
    pub mobile: String,
    pub reason: String,
    /// Bytes of the file read since the previous item.
    pub bytes: u64,
}

/// What the reader hands over, in file order.
#[derive(Debug)]
pub enum CsvItem {
    Batch(Batch),
    BadRow(BadRow),
}

/// An open CSV file whose header has been read.
pub struct CsvInput {
    path: PathBuf,
    reader: csv::Reader<CrlfAsLf<File>>,
    columns: Vec<String>,
    mobile: usize,
    size: u64,
    batch_size: usize,
}

impl CsvInput {
    /// Opens the file and reads its header, which must have a `mobile` column.
    pub fn open(path: &Path, batch_size: usize) -> Result<Self, Failure> {
        let cannot_read = |e: &dyn std::fmt::Display| {
            Failure::usage(format!("cannot read {}: {e}", path.display()))
        };
        let file = File::open(path).map_err(|e| cannot_read(&e))?;
        let size = file.metadata().map_err(|e| cannot_read(&e))?.len();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(CrlfAsLf::new(file));
        let headers = reader.headers().map_err(|e| {
            Failure::usage(format!("{}: cannot read the header: {e}", path.display()))
        })?;
        let columns: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
        let mobile = columns
            .iter()
            .position(|h| h.eq_ignore_ascii_case("mobile"))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "{}: the header has no `mobile` column (found: {})",
                    path.display(),
                    columns.join(", ")
                ))
            })?;
        Ok(Self {
            path: path.to_owned(),
            reader,
            columns,
            mobile,
            size,
            batch_size: batch_size.max(1),
        })
    }

    /// The header's column names, trimmed.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads the rest of the file, handing each batch and bad row to `sink` in file order;
    /// stops early when `sink` returns false.
    pub fn read(mut self, mut sink: impl FnMut(CsvItem) -> bool) -> Result<(), Failure> {
        let mut index = 0;
        let mut contacts = Vec::with_capacity(self.batch_size);
        let mut lines = Vec::with_capacity(self.batch_size);
        let mut record = csv::StringRecord::new();
        // Where in the file the previous item ended.
        let mut reported = 0;
        let mut bytes_since = |reader: &mut csv::Reader<CrlfAsLf<File>>| {
            let now = reader.position().byte();
            let now = reader.get_mut().file_offset(now);
            now.saturating_sub(std::mem::replace(&mut reported, now))
        };
        loop {
            let line_hint = self.reader.position().line();
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(line_hint, |p| p.line());
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Err(Failure::usage(format!(
                            "{}: line {line}: {e}",
                            self.path.display()
                        )));
                    }
                    let bad = BadRow {
                        line,
                        mobile: String::new(),
                        reason: format!("unreadable row: {e}"),
                        bytes: bytes_since(&mut self.reader),
                    };
                    if !sink(CsvItem::BadRow(bad)) {
                        return Ok(());
                    }
                    continue;
                }
            }
            let line = record.position().map_or(line_hint, |p| p.line());
            let contact = match self.contact(&record) {
                Ok(contact) => contact,
                Err((mobile, reason)) => {
                    let bad = BadRow {
                        line,
                        mobile,
                        reason,
                        bytes: bytes_since(&mut self.reader),
                    };
                    if !sink(CsvItem::BadRow(bad)) {
                        return Ok(());
                    }
                    continue;
                }
            };
            contacts.push(contact);
            lines.push(line);
            if contacts.len() == self.batch_size {
                let batch = Batch::new(
                    index,
                    std::mem::replace(&mut contacts, Vec::with_capacity(self.batch_size)),
                    std::mem::replace(&mut lines, Vec::with_capacity(self.batch_size)),
                    bytes_since(&mut self.reader),
                );
                index += 1;
                if !sink(CsvItem::Batch(batch)) {
                    return Ok(());
                }
            }
        }
        if !contacts.is_empty() {
            let bytes = bytes_since(&mut self.reader);
            let _ = sink(CsvItem::Batch(Batch::new(index, contacts, lines, bytes)));
        }
        Ok(())
    }

    /// The contact of a row, or why the row is skipped (with the mobile as written).
    fn contact(&self, record: &csv::StringRecord) -> Result<Contact, (String, String)> {
        let raw = record.get(self.mobile).unwrap_or("").trim();
        let digits = raw.strip_prefix('+').unwrap_or(raw);
        let reason = if record.len() != self.columns.len() {
            format!(
                "expected {} columns, found {}",
                self.columns.len(),
                record.len()
            )
        } else if raw.is_empty() {
            "empty mobile".to_owned()
        } else if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("non-numeric mobile {raw:?}")
        } else {
            let parameters: HashMap<String, String> = self
                .columns
                .iter()
                .zip(record.iter())
                .enumerate()
                .filter(|(i, _)| *i != self.mobile)
                .map(|(_, (k, v))| (k.clone(), v.to_owned()))
                .collect();
            return Ok(Contact::new(digits.to_owned()).parameters(parameters));
        };
        Err((raw.to_owned(), reason))
    }
}

impl Batch {
    fn new(index: u64, contacts: Vec<Contact>, lines: Vec<u64>, bytes: u64) -> Self {
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
            hash: super::hex(&h.finalize()[..16]),
            bytes,
        }
    }
}

/// Reads CRLF line ends as LF, and maps positions in what it hands out back to the file's.
///
/// The `csv` crate counts a line at each `\n` it consumes, and it stops after the `\r` of a
/// `\r\n` ending: every row of a CRLF file (Excel's and Python's default) would be reported one
/// line too early.
pub struct CrlfAsLf<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// Offset, in what this reader hands out, of `buf[0]`.
    base: u64,
    /// A `\r` that ended the last read from `inner`: it waits for the next byte to say
    /// whether it ends a line.
    held_cr: bool,
    /// Offsets (in what this reader hands out) of the `\n`s whose `\r` was dropped, not yet
    /// passed by [`Self::file_offset`].
    dropped: VecDeque<u64>,
    /// How many `\r`s [`Self::file_offset`] has passed.
    dropped_before: u64,
}

impl<R: Read> CrlfAsLf<R> {
    /// Wraps a reader.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            base: 0,
            held_cr: false,
            dropped: VecDeque::new(),
            dropped_before: 0,
        }
    }

    /// The offset in the file of `offset` in what this reader handed out. Offsets asked for
    /// must not decrease.
    pub fn file_offset(&mut self, offset: u64) -> u64 {
        while self.dropped.front().is_some_and(|&lf| lf < offset) {
            self.dropped.pop_front();
            self.dropped_before += 1;
        }
        offset + self.dropped_before
    }

    /// Refills `buf` with converted bytes; `len` stays 0 at the end of the input.
    fn refill(&mut self) -> io::Result<()> {
        loop {
            self.base += self.len as u64;
            self.pos = 0;
            let start = usize::from(self.held_cr);
            if self.held_cr {
                self.buf[0] = b'\r';
            }
            let n = self.inner.read(&mut self.buf[start..])?;
            if n == 0 {
                // The end: a held `\r` is just a `\r`.
                self.len = start;
                self.held_cr = false;
                return Ok(());
            }
            let end = start + n;
            self.held_cr = self.buf[end - 1] == b'\r';
            let end = end - usize::from(self.held_cr);
            let mut out = 0;
            for i in 0..end {
                let b = self.buf[i];
                if b == b'\r' && i + 1 < end && self.buf[i + 1] == b'\n' {
                    self.dropped.push_back(self.base + out as u64);
                    continue;
                }
                self.buf[out] = b;
                out += 1;
            }
            self.len = out;
            if out > 0 {
                return Ok(());
            }
        }
    }
}

impl<R: Read> Read for CrlfAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.pos == self.len {
            self.refill()?;
        }
        let n = out.len().min(self.len - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(input: &[u8], chunk: usize) -> Vec<u8> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        CrlfAsLf::new(Chunks(input, chunk))
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn crlf_becomes_lf_across_read_boundaries() {
        let input = b"mobile,name\r\n1,a\r\n\r\n2,\"b\rc\"\r\n3,d\r";
        for chunk in 1..input.len() + 1 {
            assert_eq!(
                through(input, chunk),
                b"mobile,name\n1,a\n\n2,\"b\rc\"\n3,d\r",
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn offsets_map_back_to_the_file() {
        let mut r = CrlfAsLf::new(&b"ab\r\ncd\r\ne\rf\r\n"[..]);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ab\ncd\ne\rf\n");
        // After `ab\n` (3 bytes handed out) the file is at 4; after `cd\n`, at 8; at the end, 13.
        assert_eq!(r.file_offset(0), 0);
        assert_eq!(r.file_offset(2), 2);
        assert_eq!(r.file_offset(3), 4);
        assert_eq!(r.file_offset(6), 8);
        assert_eq!(r.file_offset(9), 11);
        assert_eq!(r.file_offset(10), 13);
    }

    #[test]
    fn line_numbers_are_the_same_for_crlf_and_lf() {
        let dir = tempfile::tempdir().unwrap();
        for ending in ["\n", "\r\n"] {
            let path = dir.path().join("c.csv");
            let text = [
                "mobile,name",
                "919800000001,Ann",
                ",Bob",
                "919800000002,Cy",
                "",
            ]
            .join(ending);
            std::fs::write(&path, &text).unwrap();
            let input = CsvInput::open(&path, 10).unwrap();
            assert_eq!(input.size(), text.len() as u64);
            let mut seen = Vec::new();
            let mut bytes = 0;
            input
                .read(|item| {
                    match item {
                        CsvItem::Batch(b) => {
                            bytes += b.bytes;
                            seen.push(format!("batch {:?}", b.lines));
                            assert_eq!(b.contacts[1].parameters["name"], "Cy");
                        }
                        CsvItem::BadRow(r) => {
                            bytes += r.bytes;
                            seen.push(format!("bad {}", r.line));
                        }
                    }
                    true
                })
                .unwrap();
            assert_eq!(seen, ["bad 3", "batch [2, 4]"], "{ending:?}");
            assert_eq!(bytes, text.len() as u64, "{ending:?}");
        }
    }
}
