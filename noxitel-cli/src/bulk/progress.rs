//! The progress display on stderr: a bar on a terminal, one line per batch otherwise.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A progress bar with rate and ETA (stderr is a terminal); warnings above it, no line per
    /// batch.
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

/// What the run shows while it goes.
pub struct ProgressDisplay {
    mode: Progress,
    bar: Option<ProgressBar>,
    contacts: u64,
    started: Instant,
}

impl ProgressDisplay {
    /// A display for a file of `bytes` bytes (the bar advances with the bytes done).
    pub fn new(mode: Progress, bytes: u64) -> Self {
        let bar = (mode == Progress::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg} ETA {eta}",
                )
                .expect("valid template"),
            );
            bar
        });
        Self {
            mode,
            bar,
            contacts: 0,
            started: Instant::now(),
        }
    }

    /// `bytes` more of the file are done, with `contacts` contacts sent or skipped as sent.
    pub fn advance(&mut self, bytes: u64, contacts: u64) {
        self.contacts += contacts;
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{} contacts, {}",
                thousands(self.contacts),
                per_second(self.contacts, self.started.elapsed())
            ));
            bar.inc(bytes);
        }
    }

    /// A line about one batch: shown in [`Progress::Lines`] mode only.
    pub fn batch_line(&self, line: impl FnOnce() -> String) {
        if self.mode == Progress::Lines {
            crate::output::emit_err(&line());
        }
    }

    /// A warning: shown in every mode, above the bar if there is one.
    pub fn warn(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => crate::output::emit_err(line),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `13,368/s`: a rate rounded to a whole number, with thousands separators.
pub fn per_second(count: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        (count as f64 / seconds).round() as u64
    } else {
        0
    };
    format!("{}/s", thousands(rate))
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            per_second(13_368_562, Duration::from_millis(1_000_000)),
            "13,369/s"
        );
        assert_eq!(per_second(5, Duration::ZERO), "0/s");
    }
}
