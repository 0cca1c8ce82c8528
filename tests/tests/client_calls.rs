//! The operation builders of `noxitel_api::calls`: inputs checked before anything is sent,
//! per-call timeout, retry policy and headers without a second client, and the answer with
//! its status, headers and exact bytes.

mod common;

use std::time::Duration;

use common::hostile::{Fault, Hostile};
use common::{builder_for, fast_retry, seed, seed_as};
use noxitel_api::types::{Contact, SendSmsRequest};
use noxitel_api::{Error, RetryPolicy};

/// A server answering a retryable 503 first, then the reference's credits.
async fn unavailable_then_credits() -> Hostile {
    let unavailable = serde_json::json!({"status": "error", "message": "try again"});
    Hostile::start(vec![
        Fault::json(503, &unavailable),
        Fault::json(200, &seed("credits-success.json")),
    ])
    .await
}

#[tokio::test]
async fn a_per_call_timeout_replaces_the_clients() {
    let server = Hostile::start(vec![Fault::Stall]).await;
    let client = server.client(); // 20 s
    let started = std::time::Instant::now();
    let error = client
        .get_credits()
        .timeout(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.to_string().contains("300 ms"), "{error}");
}

#[tokio::test]
async fn a_per_call_retry_policy_replaces_the_clients() {
    let server = unavailable_then_credits().await;
    let error = server
        .client()
        .get_credits()
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert_eq!(server.hits(), 1);

    let server = unavailable_then_credits().await;
    let client = builder_for(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.get_credits().retry(fast_retry()).await.unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_per_call_header_is_sent_on_every_attempt() {
    let server = unavailable_then_credits().await;
    server
        .client()
        .get_credits()
        .header("x-request-id", "support-4711")
        .await
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 2);
    for request in received {
        assert!(
            request
                .head
                .to_lowercase()
                .contains("x-request-id: support-4711"),
            "{}",
            request.head
        );
    }
}

#[tokio::test]
async fn a_header_that_cannot_be_used_fails_the_call_before_anything_is_sent() {
    let server = Hostile::start(vec![Fault::json(200, &seed("sms-send-success.json"))]).await;
    let client = server.client();
    for (name, value) in [
        ("authorization", "Bearer someone-else"),
        ("User-Agent", "other"),
        ("bad header", "x"),
        ("x-ok", "line\nbreak"),
    ] {
        let sms: SendSmsRequest = seed_as("sms-send-request-curl.json");
        let error = client
            .send_sms()
            .body(sms)
            .header(name, value)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{name}: {error:?}"
        );
    }
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn a_call_sends_nothing_until_awaited() {
    let server = Hostile::start(vec![Fault::json(200, &seed("sms-send-success.json"))]).await;
    let client = server.client();
    let sms: SendSmsRequest = seed_as("sms-send-request-curl.json");
    let call = client.send_sms().body(sms).timeout(Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.hits(), 0);
    drop(call);
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn with_response_gives_the_status_the_headers_and_the_exact_bytes() {
    // Formatting the typed value would not give these bytes back.
    let body = "{ \"status\" : \"success\",\n  \"billing_mode\": \"credits\", \"wallet\": {\"amount\": \"120.00\", \"currency\": \"USD\"}, \"credits\": [], \"extra\": 1.50 }";
    let server = Hostile::start(vec![Fault::Answer {
        status: 202,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-trace".into(), "abc".into()),
        ],
        body: body.as_bytes().to_vec(),
    }])
    .await;
    let response = server.client().get_credits().with_response().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(response.headers()["x-trace"], "abc");
    assert_eq!(response.body().as_ref(), body.as_bytes());
    assert_eq!(
        response.value().wallet.as_ref().unwrap().amount.as_deref(),
        Some("120.00")
    );
}

#[tokio::test]
async fn with_response_of_a_failed_call_is_the_error() {
    let server = Hostile::start(vec![Fault::json(400, &seed("sms-send-error.json"))]).await;
    let sms: SendSmsRequest = seed_as("sms-send-request-curl.json");
    let error = server
        .client()
        .send_sms()
        .body(sms)
        .with_response()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::BadRequest(_)), "{error:?}");
}

#[tokio::test]
async fn a_missing_required_input_is_a_typed_error_and_nothing_is_sent() {
    let server = Hostile::start(vec![Fault::json(200, &seed("otp-send-success.json"))]).await;
    let client = server.client();

    let error = client.send_otp().mobile("919887111111").await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "invalid request (not sent): sendOtp: missing required `channel` (set with \
         .channel(..))"
    );
    assert!(!error.may_have_been_processed());

    let error = client
        .send_whatsapp_message()
        .message("Hi")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("`contacts`"), "{error}");

    let error = client
        .get_whatsapp_report()
        .with_response()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("missing required `mode`, `id`"),
        "{error}"
    );
    let error = client.verify_otp().otp("1234").await.unwrap_err();
    assert!(error.to_string().contains("`reference`"), "{error}");
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn setters_after_body_change_the_request_built_beforehand() {
    let server = Hostile::start(vec![Fault::json(200, &seed("sms-send-success.json"))]).await;
    let sms: SendSmsRequest = seed_as("sms-send-request-curl.json");
    server
        .client()
        .send_sms()
        .body(sms)
        .sender("OTHER")
        .set_notify_url(None)
        .contact(Contact::new("919887222222").param("name", "Alex"))
        .send()
        .await
        .unwrap();
    let received = server.received();
    let sent: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
    let mut expected = seed("sms-send-request-curl.json");
    expected["sender"] = "OTHER".into();
    expected.as_object_mut().unwrap().remove("notifyUrl");
    expected["contacts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"mobile": "919887222222", "parameters": {"name": "Alex"}}));
    assert_eq!(sent, expected);
}

#[tokio::test]
async fn a_builder_is_a_send_future_that_can_be_spawned() {
    let server = Hostile::start(vec![Fault::json(200, &seed("credits-success.json"))]).await;
    let client = server.client();
    let task =
        tokio::spawn(async move { client.get_credits().timeout(Duration::from_secs(5)).await });
    task.await.unwrap().unwrap();
    assert_eq!(server.hits(), 1);
}
