//! The API token never shows: not in `Debug`/`Display` of the client, its builder, the token
//! or any error, and not in tracing output (TRACE level, span fields included, `log` records of
//! the HTTP stack included) of successful, failing and retried calls. OTP codes and the
//! verification message stay out of tracing output too.
//!
//! This binary installs one global subscriber; every test checks the whole capture.

mod common;

use std::time::Duration;

use common::hostile::{Fault, Hostile};
use common::{Answering, Captured, TOKEN, api, builder_for, exchange, seed, seed_as};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use noxitel_api::types::{SendSmsRequest, SmsDlrRequest};
use noxitel_api::{ApiToken, Client, Error, OtpVerification, RetryPolicy};
use serde_json::json;

/// A code and message that only the OTP test uses.
const OTP_CODE: &str = "582941";
const OTP_REFERENCE: &str = "036BZDUHIX";
const OTP_MESSAGE: &str = "OTP does not match or has expired";

fn captured() -> &'static Captured {
    common::global_capture()
}

/// Asserts that `text` (named `what`) does not contain the token or any part of it that
/// would identify it.
#[track_caller]
fn assert_no_token(what: &str, text: &str) {
    for needle in [TOKEN, &TOKEN[TOKEN.len() / 2..], &TOKEN[..TOKEN.len() / 2]] {
        assert!(!text.contains(needle), "{what} leaks the token: {text}");
    }
}

/// Debug, pretty Debug and (where given) Display of an error, each checked.
#[track_caller]
fn assert_error_redacted(what: &str, error: &Error) {
    assert_no_token(&format!("{what} (Debug)"), &format!("{error:?}"));
    assert_no_token(&format!("{what} (pretty Debug)"), &format!("{error:#?}"));
    assert_no_token(&format!("{what} (Display)"), &error.to_string());
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        assert_no_token(&format!("{what} (source)"), &format!("{inner} {inner:?}"));
        source = inner.source();
    }
}

/// Asserts that the tracing output `text` shows each of `shows` (the capture is about real
/// calls) and no part of the token.
#[track_caller]
fn assert_traced_without_token(text: &str, shows: &[&str]) {
    for needle in shows {
        assert!(text.contains(needle), "{needle} not traced: {text}");
    }
    assert_no_token("tracing output", text);
}

fn sms() -> SendSmsRequest {
    seed_as("sms-send-request-curl.json")
}

#[test]
fn client_builder_and_token_are_redacted() {
    let token = ApiToken::new(TOKEN).unwrap();
    assert_no_token("ApiToken Debug", &format!("{token:?} {token:#?}"));

    let builder = Client::builder(TOKEN).base_url("http://127.0.0.1:9/api/v2");
    let shown = format!("{builder:?} {builder:#?}");
    assert_no_token("ClientBuilder Debug", &shown);
    assert!(shown.contains("redacted"), "{shown}");

    let client = builder.build().unwrap();
    let shown = format!("{client:?} {client:#?}");
    assert_no_token("Client Debug", &shown);
    assert!(shown.contains("127.0.0.1:9"), "{shown}");

    let raw = client.raw();
    assert_no_token("raw client", &format!("{raw:?}"));
}

#[test]
fn configuration_errors_do_not_echo_the_token() {
    let bad = format!("{TOKEN}\nsecond line");
    let error = Client::builder(&bad).build().unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert_error_redacted("Config error", &error);

    let builder = Client::builder(&bad);
    assert_no_token("builder with a bad token", &format!("{builder:?}"));
}

#[tokio::test]
async fn successful_calls_trace_without_the_token() {
    let capture = captured();
    let body: SmsDlrRequest = seed_as("sms-dlr-request-by-batch.json");
    exchange(
        |when| api(when, POST, "/sms"),
        seed("sms-send-success.json"),
        async |client| client.send_sms().body(sms()).await.unwrap(),
    )
    .await;
    exchange(
        |when| api(when, GET, "/dlr"),
        seed("sms-dlr-success.json"),
        async |client| client.get_sms_dlr().body(body).await.unwrap(),
    )
    .await;

    // The capture works: the request span and its fields are there.
    let shows = [
        "noxitel.request",
        "operation=\"send_sms\"",
        "operation=\"get_sms_dlr\"",
        "status=200",
    ];
    assert_traced_without_token(&capture.text(), &shows);
}

#[tokio::test]
async fn every_error_variant_and_its_tracing_are_redacted() {
    let capture = captured();
    let server = MockServer::start_async().await;
    for (path, status) in [
        ("/rcs/agent/400", 400),
        ("/rcs/agent/401", 401),
        ("/rcs/agent/402", 402),
        ("/rcs/agent/403", 403),
        ("/rcs/agent/404", 404),
        ("/rcs/agent/429", 429),
        ("/rcs/agent/500", 500),
        ("/rcs/agent/409", 409),
    ] {
        server
            .mock_async(|when, then| {
                api(when, GET, path);
                then.status(status)
                    .json_body(json!({"success": false, "status": status, "message": "nope"}));
            })
            .await;
    }
    server
        .mock_async(|when, then| {
            api(when, GET, "/rcs/agent/200");
            then.status(200)
                .header("content-type", "application/json")
                .body("[not json");
        })
        .await;
    server
        .mock_async(|when, then| {
            api(when, GET, "/rcs/agent/1");
            then.status(200)
                .json_body(json!({"status": "success"}))
                .delay(Duration::from_secs(30));
        })
        .await;
    let client = builder_for(&server.url("/api/v2"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    let mut errors = Vec::new();
    for id in [400, 401, 402, 403, 404, 429, 500, 409, 200] {
        errors.push(client.get_rcs_agent().id(id).await.unwrap_err());
    }
    let slow = builder_for(&server.url("/api/v2"))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    errors.push(slow.get_rcs_agent().id(1).await.unwrap_err());
    let refusing = common::Refusing::new();
    errors.push(refusing.client().get_credits().await.unwrap_err());
    let mut body = sms();
    body.contacts.clear();
    errors.push(client.send_sms().body(body).await.unwrap_err());
    errors.push(Client::builder("").build().unwrap_err());

    let mut seen: Vec<&str> = errors
        .iter()
        .map(|error| {
            assert_error_redacted("error", error);
            common::variant(error)
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 13, "not every variant was produced: {seen:?}");
    assert_no_token("tracing output", &capture.text());
}

#[tokio::test]
async fn retried_calls_trace_without_the_token() {
    let capture = captured();
    let server = Hostile::start(vec![
        Fault::json(503, &json!({"status": "error", "message": "busy"})),
        Fault::Close,
        Fault::json(200, &seed("credits-success.json")),
    ])
    .await;
    server.client().get_credits().await.unwrap();
    assert_eq!(server.hits(), 3);
    // Every attempt carried the token (the capture must be about a real token).
    for request in server.received() {
        assert!(request.head.contains(TOKEN), "{}", request.head);
    }

    let refusing = common::Refusing::new();
    let error = refusing.client().send_sms().body(sms()).await.unwrap_err();
    assert_error_redacted("connect error", &error);

    assert_traced_without_token(&capture.text(), &["retrying", "attempt=3"]);
}

#[tokio::test]
async fn otp_code_and_verification_message_stay_out_of_tracing() {
    let capture = captured();
    let server = Answering::start(
        |when| {
            api(when, GET, "/otp/verify")
                .query_param("reference", OTP_REFERENCE)
                .query_param("otp", OTP_CODE)
        },
        |then| {
            then.status(400).json_body(json!({
                "status": "error", "matched": "no", "message": OTP_MESSAGE
            }))
        },
    )
    .await;
    let outcome = verify(&server.client()).await.unwrap();
    server.assert_once().await;
    assert_eq!(
        outcome,
        OtpVerification::NotMatched {
            message: Some(OTP_MESSAGE.into())
        }
    );

    // A transport failure and a timeout of a verification name neither code nor URL.
    let refusing = common::Refusing::new();
    let error = verify(&refusing.client()).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(OTP_CODE), "{shown}");

    let hang = Hostile::start(vec![Fault::Stall]).await;
    let slow = builder_for(hang.base_url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = verify(&slow).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains(OTP_CODE));
    // The code did go over the wire.
    assert!(hang.received()[0].head.contains(OTP_CODE));

    let text = capture.text();
    assert_traced_without_token(&text, &["operation=\"verify_otp\""]);
    assert!(
        !text.contains(OTP_CODE),
        "tracing output leaks the OTP code: {text}"
    );
    assert!(
        !text.contains(OTP_MESSAGE),
        "tracing output leaks the OTP message: {text}"
    );
}

/// The test's verification of [`OTP_CODE`] for [`OTP_REFERENCE`].
async fn verify(client: &Client) -> Result<OtpVerification, Error> {
    client
        .verify_otp()
        .reference(OTP_REFERENCE)
        .otp(OTP_CODE)
        .await
}
