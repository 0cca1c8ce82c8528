//! Retries never duplicate a send: a `POST` is retried only when the server said it did not
//! process it (429) or the connection was never made; reads are also retried on gateway
//! errors and lost connections. `Retry-After` is honoured, and the client's timeout bounds the
//! whole call.
//!
//! Timing assertions are deliberately loose (the machine is shared): lower bounds only where
//! the client must wait, and upper bounds of several times the expected duration.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::hostile::{Fault, Hostile};
use common::{Answering, BASE_PATH, api, assert_answer, builder_for, seed, seed_as};
use httpmock::Method::{GET, POST};
use httpmock::{HttpMockResponse, Then};
use noxitel_api::types::SendSmsRequest;
use noxitel_api::{Error, RetryPolicy};
use serde_json::{Value, json};
use tracing::Instrument;

fn sms() -> SendSmsRequest {
    seed_as("sms-send-request-curl.json")
}

fn json_response(status: u16, body: &Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}

/// A responder answering `first` to the first `n` requests, then `rest`.
fn first_then(
    n: usize,
    first: HttpMockResponse,
    rest: HttpMockResponse,
) -> impl Fn(&httpmock::HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    let count = Arc::new(AtomicUsize::new(0));
    move |_| {
        if count.fetch_add(1, Ordering::SeqCst) < n {
            first.clone()
        } else {
            rest.clone()
        }
    }
}

/// [`first_then`] with JSON answers: `failures` times `status`, then the reference's credits.
fn credits_after(
    failures: usize,
    status: u16,
) -> impl Fn(&httpmock::HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    first_then(
        failures,
        json_response(status, &unavailable()),
        json_response(200, &seed("credits-success.json")),
    )
}

fn unavailable() -> Value {
    json!({"status": "error", "message": "Service Unavailable"})
}

/// `GET /credits` answered as `answer` says; the result and how many requests were made.
async fn credits_answered(
    answer: impl FnOnce(Then) -> Then,
) -> (Result<noxitel_api::types::CreditsResponse, Error>, usize) {
    let server = Answering::start(|when| api(when, GET, "/credits"), answer).await;
    let result = server.client().get_credits().await;
    (result, server.calls().await)
}

#[tokio::test]
async fn a_get_is_retried_on_502_503_and_504_until_it_succeeds() {
    for (status, failures) in [(503, 2), (502, 1), (504, 1)] {
        let (result, calls) =
            credits_answered(|then| then.respond_with(credits_after(failures, status))).await;
        let answer = result.unwrap_or_else(|e| panic!("{status}: {e:?}"));
        assert_eq!(calls, failures + 1, "{status}");
        assert_eq!(answer.credits[0].credits, Some(3946684), "{status}");
    }
}

#[tokio::test]
async fn a_get_gives_up_after_max_retries_and_is_not_retried_on_500() {
    // fast_retry(): 3 retries after the first attempt of a retryable answer.
    for (status, attempts) in [(503, 4), (500, 1)] {
        let (result, calls) =
            credits_answered(|then| then.status(status).json_body(unavailable())).await;
        let error = result.unwrap_err();
        assert_eq!(calls, attempts, "{status}");
        assert_answer(&error, "Server", status, Some("Service Unavailable"));
    }
}

#[tokio::test]
async fn a_post_answered_500_or_503_is_sent_exactly_once() {
    for status in [500, 502, 503, 504] {
        let server = Answering::start(
            |when| api(when, POST, "/sms"),
            |then| then.status(status).json_body(unavailable()),
        )
        .await;
        let error = server.client().send_sms().body(sms()).await.unwrap_err();
        assert_eq!(server.calls().await, 1, "POST answered {status} was resent");
        assert_answer(&error, "Server", status, Some("Service Unavailable"));
    }
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_retries() {
    let slow_down = HttpMockResponse::builder()
        .status(429)
        .header("content-type", "application/json")
        .header("retry-after", "1")
        .body(json!({"status": "error", "message": "Slow down"}).to_string())
        .build();
    let sent = json_response(200, &seed("sms-send-success.json"));
    let server = Answering::start(
        |when| api(when, POST, "/sms"),
        |then| then.respond_with(first_then(1, slow_down, sent)),
    )
    .await;
    let started = Instant::now();
    let answer = server.client().send_sms().body(sms()).await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(server.calls().await, 2);
    assert_eq!(answer.batch_id, "samsms_eink1rilz6ucphk");
    assert!(
        elapsed >= Duration::from_millis(900),
        "Retry-After: 1 was not waited for ({elapsed:?})"
    );
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[tokio::test]
async fn a_429_that_persists_ends_in_rate_limited_and_one_beyond_the_deadline_is_not_waited_for() {
    // Retry-After: 0 is retried (fast_retry(): 3 times); an hour is beyond the call's timeout.
    for (retry_after, attempts) in [(0, 4), (3600, 1)] {
        let server = Answering::start(
            |when| api(when, POST, "/sms"),
            |then| {
                then.status(429)
                    .header("retry-after", retry_after.to_string())
                    .json_body(json!({"status": "error", "message": "Slow down"}))
            },
        )
        .await;
        let started = Instant::now();
        let error = server.client().send_sms().body(sms()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(15), "{retry_after}");
        assert_eq!(server.calls().await, attempts, "{retry_after}");
        match error {
            Error::RateLimited { retry_after: r, .. } => {
                assert_eq!(r, Some(Duration::from_secs(retry_after)));
            }
            other => panic!("{retry_after}: expected RateLimited, got {other:?}"),
        }
    }
}

/// The attempts the transport recorded inside the test's own span `case{name=<case>}`.
fn attempts(case: &str) -> Vec<String> {
    common::global_capture()
        .lines_of(&format!("case{{name=\"{case}\"}}"))
        .into_iter()
        .filter(|line| line.contains("request failed"))
        .collect()
}

#[tokio::test]
async fn a_post_to_a_closed_port_is_retried_and_ends_in_a_transport_error() {
    common::global_capture();
    let refusing = common::Refusing::new();
    let error = refusing
        .client()
        .send_sms()
        .body(sms())
        .send()
        .instrument(tracing::info_span!("case", name = "post_closed_port"))
        .await
        .unwrap_err();
    match &error {
        Error::Transport(source) => assert!(source.is_connect(), "{source:?}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    // Nothing reached a server, so a retry cannot duplicate the send: 1 + 3 retries.
    let attempts = attempts("post_closed_port");
    assert_eq!(attempts.len(), 4, "{attempts:#?}");
    for (n, line) in attempts.iter().enumerate() {
        assert!(line.contains(&format!("attempt={}", n + 1)), "{line}");
        assert!(line.contains("connect=true"), "{line}");
    }
}

#[tokio::test]
async fn retry_policy_none_disables_retries() {
    common::global_capture();
    let server = Answering::start(
        |when| api(when, GET, "/credits"),
        |then| then.status(503).json_body(unavailable()),
    )
    .await;
    let error = server.no_retry_client().get_credits().await.unwrap_err();
    assert_eq!(server.calls().await, 1);
    assert!(matches!(error, Error::Server(_)), "{error:?}");

    let refusing = common::Refusing::new();

    let client = builder_for(refusing.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .get_credits()
        .send()
        .instrument(tracing::info_span!("case", name = "none_closed_port"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let attempts = attempts("none_closed_port");
    assert_eq!(attempts.len(), 1, "{attempts:#?}");
}

#[tokio::test]
async fn a_post_whose_connection_is_lost_after_sending_is_not_retried() {
    let server = Hostile::fault_then(Fault::Close, "sms-send-success.json").await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(server.hits(), 1, "it may have been processed: no retry");
}

#[tokio::test]
async fn a_get_whose_connection_is_lost_is_retried() {
    let server = Hostile::fault_then(Fault::Close, "credits-success.json").await;
    server.client().get_credits().await.unwrap();
    assert_eq!(server.hits(), 2);
    // Both attempts carried the same request.
    let received = server.received();
    assert_eq!(received[0].head, received[1].head);
}

#[tokio::test]
async fn a_post_that_times_out_after_sending_is_not_retried() {
    // The HTTP client's own read timeout fires long before the call's total timeout, so a
    // retry would have time to happen; it must not, since the server may have processed it.
    let http = reqwest::Client::builder()
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let stalling = async || {
        let server = Hostile::start(vec![Fault::Stall]).await;
        let client = builder_for(server.base_url())
            .http_client(http.clone())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        (server, client)
    };
    let (server, client) = stalling().await;
    let error = client.send_sms().body(sms()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(server.hits(), 1);

    // The same for a read is retried.
    let (server, client) = stalling().await;
    let error = client.get_credits().await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(server.hits(), 4);
}

#[tokio::test]
async fn a_post_answered_too_late_times_out_and_is_sent_once() {
    let server = Answering::start(
        |when| api(when, POST, "/sms"),
        |then| {
            then.status(200)
                .json_body(seed("sms-send-success.json"))
                .delay(Duration::from_secs(30))
        },
    )
    .await;
    let timeout = Duration::from_millis(500);
    let client = builder_for(&server.server.url(BASE_PATH))
        .timeout(timeout)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.send_sms().body(sms()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(elapsed < timeout * 5, "{elapsed:?}");
    server.assert_once().await;
}

/// `GET /credits` from `server` with up to 50 quick retries and `timeout` for the whole call:
/// the error and how long the call took.
async fn credits_within(server: &Hostile, timeout: Duration) -> (Error, Duration) {
    let client = builder_for(server.base_url())
        .timeout(timeout)
        .retry(RetryPolicy {
            max_retries: 50,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(20),
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get_credits().await.unwrap_err();
    (error, started.elapsed())
}

#[tokio::test]
async fn the_timeout_bounds_the_whole_call_including_retries() {
    // Two quick 503s (retried), then an answer that never comes.
    let server = Hostile::start(vec![
        Fault::json(503, &unavailable()),
        Fault::json(503, &unavailable()).after(Duration::from_millis(100)),
        Fault::Stall,
    ])
    .await;
    let timeout = Duration::from_millis(1500);
    let (error, elapsed) = credits_within(&server, timeout).await;
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(elapsed < timeout * 5, "the call took {elapsed:?}");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn slow_retried_answers_cannot_stretch_the_call_beyond_its_timeout() {
    // Every answer is a retryable 503 that takes a while: without a total deadline, 50 retries
    // would take over 10 s.
    let server = Hostile::start(vec![
        Fault::json(503, &unavailable()).after(Duration::from_millis(250)),
    ])
    .await;
    let timeout = Duration::from_secs(1);
    let (error, elapsed) = credits_within(&server, timeout).await;
    // Either the last attempt was cut off (Timeout) or the last 503 came back too close to
    // the deadline to wait again (Server); either way the call ends near its timeout.
    assert!(
        matches!(error, Error::Timeout { .. } | Error::Server(_)),
        "{error:?}"
    );
    assert!(elapsed < timeout * 5, "the call took {elapsed:?}");
    assert!(server.hits() < 50, "{} attempts", server.hits());
}

#[tokio::test]
async fn each_attempt_is_a_span_with_operation_attempt_status_and_duration() {
    common::global_capture();
    let server = Answering::start(
        |when| api(when, GET, "/credits"),
        |then| then.respond_with(credits_after(1, 503)),
    )
    .await;
    server
        .client()
        .get_credits()
        .send()
        .instrument(tracing::info_span!("case", name = "span_fields"))
        .await
        .unwrap();
    let responses: Vec<String> = common::global_capture()
        .lines_of("case{name=\"span_fields\"}")
        .into_iter()
        .filter(|line| line.contains("noxitel.request{") && line.contains(" response"))
        .collect();
    assert_eq!(responses.len(), 2, "{responses:#?}");
    for (line, (attempt, status)) in responses.iter().zip([(1, 503), (2, 200)]) {
        // The span's own fields, `noxitel.request{…}`, not the event's.
        let span = line
            .split("noxitel.request{")
            .nth(1)
            .and_then(|rest| rest.split('}').next())
            .unwrap_or_default();
        for field in [
            "operation=\"get_credits\"".to_owned(),
            "method=GET".to_owned(),
            format!("attempt={attempt}"),
            format!("status={status}"),
            "duration_ms=".to_owned(),
        ] {
            assert!(span.contains(&field), "{field} missing in span of {line}");
        }
    }
}
