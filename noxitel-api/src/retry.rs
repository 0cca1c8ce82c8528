//! When a failed attempt is tried again, and after how long.
//!
//! The rule that keeps sends safe: a request that may have reached the server is retried only
//! if its method is idempotent. `POST` (every send: SMS, WhatsApp, RCS, voice, OTP) is retried
//! only when the server said "not processed" (429) or the connection was never made.

use std::time::Duration;

use reqwest::{Method, StatusCode};

/// Retry settings. `RetryPolicy::default()` retries up to 3 times; [`RetryPolicy::none`]
/// turns retries off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Base delay of the exponential backoff.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff delay (before jitter).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Delay before retry number `retry` (1-based): exponential, with "equal jitter"
    /// (half fixed, half random) so that clients spread out but never retry at once.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// How an attempt ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptEnd {
    /// The server answered with this status (the answer read whole, or too large to read).
    Status(StatusCode),
    /// The connection could not be made: the request never reached the server.
    NotSent,
    /// No complete answer (timeout, connection reset, a body cut off…): the server may have
    /// processed the request.
    NoAnswer,
}

/// Whether an attempt that ended so may be retried.
pub(crate) fn is_retryable(method: &Method, end: AttemptEnd) -> bool {
    let idempotent = matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    );
    match end {
        AttemptEnd::NotSent => true,
        AttemptEnd::Status(StatusCode::TOO_MANY_REQUESTS) => true,
        AttemptEnd::Status(
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT,
        ) => idempotent,
        AttemptEnd::Status(_) => false,
        AttemptEnd::NoAnswer => idempotent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_are_retried_only_when_never_processed() {
        let post = Method::POST;
        assert!(is_retryable(&post, AttemptEnd::NotSent));
        assert!(is_retryable(
            &post,
            AttemptEnd::Status(StatusCode::TOO_MANY_REQUESTS)
        ));
        for status in [500, 502, 503, 504] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(!is_retryable(&post, AttemptEnd::Status(status)), "{status}");
        }
        assert!(!is_retryable(&post, AttemptEnd::NoAnswer));
    }

    #[test]
    fn reads_are_retried_on_gateway_errors_and_lost_connections() {
        let get = Method::GET;
        for status in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(is_retryable(&get, AttemptEnd::Status(status)), "{status}");
        }
        for status in [200, 400, 401, 402, 403, 404, 500] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(!is_retryable(&get, AttemptEnd::Status(status)), "{status}");
        }
        assert!(is_retryable(&get, AttemptEnd::NoAnswer));
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let policy = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
        };
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            let third = policy.backoff(3);
            assert!((Duration::from_millis(200)..=Duration::from_millis(400)).contains(&third));
            let capped = policy.backoff(30);
            assert!((Duration::from_millis(500)..=Duration::from_millis(1000)).contains(&capped));
        }
    }
}
