//! `Client::capture_raw`: the API's answer exactly as sent, beside the typed value.

use httpmock::prelude::*;
use noxitel_api::{Client, RetryPolicy};

#[tokio::test]
async fn capture_keeps_the_body_byte_for_byte_and_plain_clients_keep_nothing() {
    // Key order, spacing, `0` (not `0.0`) and an unknown field: all things a re-serialised
    // typed value would change.
    let body = r#"{ "status":"success","billing_mode":"credits","wallet":{"amount":"120.00","currency":"USD"},"credits":[{"route":"Standard","credits":0}],"new_field":null }"#;
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v2/credits");
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await;
    let client = Client::builder("tok")
        .base_url(server.url("/api/v2"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(client.raw_capture().is_none());

    let (capturing, raw) = client.capture_raw();
    assert!(raw.body().is_none());
    let credits = capturing.get_credits().await.unwrap();
    assert_eq!(credits.credits[0].credits, Some(0));
    assert_eq!(raw.body().as_deref(), Some(body.as_bytes()));
    assert!(capturing.raw_capture().is_some());

    // The original client shares the pool but not the capture.
    client.get_credits().await.unwrap();
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test]
async fn error_answers_are_not_captured() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v2/credits");
            then.status(403).json_body(
                serde_json::json!({"success": false, "status": 403, "message": "API Key Missing"}),
            );
        })
        .await;
    let (client, raw) = Client::builder("tok")
        .base_url(server.url("/api/v2"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .capture_raw();
    assert!(client.get_credits().await.is_err());
    assert!(raw.body().is_none());
}
