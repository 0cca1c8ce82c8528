//! The sandbox clock: real time plus an offset that `/sandbox/clock/advance` moves forward.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// Wall clock with a settable forward offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    pub fn advance(&self, by: TimeDelta) {
        self.offset_ms
            .fetch_add(by.num_milliseconds().max(0), Ordering::Relaxed);
    }
}

/// `YYYY-MM-DD HH:MM:SS`, the API's "system timezone" format (the sandbox's system timezone is UTC).
pub fn system_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// RFC 3339 UTC with seconds, e.g. `2026-05-01T14:17:00Z`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-05-01T07:35:29.000Z` (WhatsApp reports).
pub fn rfc3339_ms(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses a `schedule` value (`YYYY-MM-DD HH:MM:SS`, UTC).
pub fn parse_system_time(value: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The sandbox clock as JSON (`GET /sandbox/clock`).
pub fn now_json(clock: &Clock) -> serde_json::Value {
    let now = clock.now();
    serde_json::json!({"now": rfc3339(now), "system_time": system_time(now)})
}
