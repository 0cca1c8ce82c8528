//! Error answers map to the right `Error` variant and keep the status, the API's message and
//! the body; requests that break the reference's rules are refused before anything is sent.

mod common;

use std::time::Duration;

use common::{api, builder_for, client_for, seed, seed_as};
use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use noxitel_api::types::{
    Contact, RcsMessageContent, RcsMessageType, RcsTextContent, SendOtpRequest,
    SendRcsMessageRequest, SendSmsRequest, SendWhatsappMessageRequest, SmsDlrRequest,
    StringOrNumber, VoiceCallRequest, VoiceTts, WhatsappContact, WhatsappMessageType,
};
use noxitel_api::{Client, Error, ErrorBody, OtpVerification, RetryPolicy};
use serde_json::{Value, json};

/// A client that never retries, so that every answer is the final one.
fn no_retry_client(server: &MockServer) -> Client {
    builder_for(&server.url("/api/v2"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The variant's name, for readable assertions.
fn variant(error: &Error) -> &'static str {
    match error {
        Error::InvalidRequest(_) => "InvalidRequest",
        Error::Config(_) => "Config",
        Error::BadRequest(_) => "BadRequest",
        Error::IpNotWhitelisted(_) => "IpNotWhitelisted",
        Error::InsufficientCredits(_) => "InsufficientCredits",
        Error::InvalidApiKey(_) => "InvalidApiKey",
        Error::NotFound(_) => "NotFound",
        Error::RateLimited { .. } => "RateLimited",
        Error::Server(_) => "Server",
        Error::Api(_) => "Api",
        Error::Timeout { .. } => "Timeout",
        Error::Transport(_) => "Transport",
        Error::Decode { .. } => "Decode",
        _ => "other",
    }
}

fn sms() -> SendSmsRequest {
    seed_as("sms-send-request-curl.json")
}

/// `POST /sms` answered `status` with `body`; returns the error.
async fn sms_error(status: u16, body: Value) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            api(when, POST, "/sms");
            then.status(status)
                .header("content-type", "application/json")
                .body(body.to_string());
        })
        .await;
    let error = no_retry_client(&server)
        .send_sms()
        .body(sms())
        .await
        .unwrap_err();
    mock.assert_async().await;
    error
}

const STATUSES: [(u16, &str); 7] = [
    (400, "BadRequest"),
    (401, "IpNotWhitelisted"),
    (402, "InsufficientCredits"),
    (403, "InvalidApiKey"),
    (404, "NotFound"),
    (429, "RateLimited"),
    (500, "Server"),
];

#[tokio::test]
async fn documented_statuses_map_to_their_variant_with_the_numeric_error_shape() {
    for (status, expected) in STATUSES {
        let message = format!("message for {status}");
        let body = json!({ "success": false, "status": status, "message": message });
        let error = sms_error(status, body).await;

        assert_eq!(variant(&error), expected, "{status}: {error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.message(), Some(message.as_str()));
        let Some(ErrorBody::Json(api)) = error.failure().map(|f| &f.body) else {
            panic!("{status}: JSON body expected, got {error:?}");
        };
        assert_eq!(api.success, Some(false));
        assert_eq!(api.status, Some(StringOrNumber::from(i64::from(status))));
        // Display names the status and the message.
        let shown = error.to_string();
        assert!(shown.contains(&status.to_string()), "{shown}");
        assert!(shown.contains(&message), "{shown}");
    }
}

#[tokio::test]
async fn documented_statuses_map_to_their_variant_with_the_textual_error_shape() {
    for (status, expected) in STATUSES {
        let message = format!("text message for {status}");
        let body = json!({ "status": "error", "message": message });
        let error = sms_error(status, body).await;

        assert_eq!(variant(&error), expected, "{status}: {error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.message(), Some(message.as_str()));
        let Some(ErrorBody::Json(api)) = error.failure().map(|f| &f.body) else {
            panic!("{status}: JSON body expected, got {error:?}");
        };
        assert_eq!(api.status, Some(StringOrNumber::from("error")));
        assert_eq!(api.success, None);
    }
}

#[tokio::test]
async fn the_reference_error_example_is_an_invalid_api_key() {
    let error = sms_error(403, seed("error-codes-error-response.json")).await;
    assert!(matches!(error, Error::InvalidApiKey(_)), "{error:?}");
    assert_eq!(error.message(), Some("API Key Missing"));
}

#[tokio::test]
async fn rate_limited_keeps_retry_after() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            api(when, POST, "/sms");
            then.status(429)
                .header("content-type", "application/json")
                .header("retry-after", "7")
                .body(json!({"status": "error", "message": "Too many requests"}).to_string());
        })
        .await;
    let error = no_retry_client(&server)
        .send_sms()
        .body(sms())
        .await
        .unwrap_err();
    mock.assert_async().await;
    match &error {
        Error::RateLimited {
            failure,
            retry_after,
        } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(7)));
            assert_eq!(failure.status, 429);
            assert_eq!(failure.message.as_deref(), Some("Too many requests"));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(error.to_string().contains("retry after 7s"), "{error}");
}

#[tokio::test]
async fn an_html_500_keeps_the_raw_body() {
    let html = "<html><head><title>500 Internal Server Error</title></head>\
                <body><h1>Internal Server Error</h1></body></html>";
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            api(when, POST, "/sms");
            then.status(500)
                .header("content-type", "text/html")
                .body(html);
        })
        .await;
    let error = no_retry_client(&server)
        .send_sms()
        .body(sms())
        .await
        .unwrap_err();
    mock.assert_async().await;

    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.message(), None);
    assert_eq!(
        error.failure().map(|f| &f.body),
        Some(&ErrorBody::Raw(html.to_owned()))
    );
    assert!(
        error.to_string().contains("Internal Server Error"),
        "{error}"
    );
}

#[tokio::test]
async fn an_empty_error_body_is_kept_as_empty() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            api(when, POST, "/sms");
            then.status(500);
        })
        .await;
    let error = no_retry_client(&server)
        .send_sms()
        .body(sms())
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert_eq!(error.failure().map(|f| &f.body), Some(&ErrorBody::Empty));
}

#[tokio::test]
async fn an_undeclared_503_is_a_server_error_with_its_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            api(when, POST, "/sms");
            then.status(503)
                .header("content-type", "application/json")
                .body(json!({"status": "error", "message": "Maintenance"}).to_string());
        })
        .await;
    let error = no_retry_client(&server)
        .send_sms()
        .body(sms())
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.message(), Some("Maintenance"));
}

#[tokio::test]
async fn an_undeclared_non_5xx_status_is_an_api_error() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            api(when, POST, "/sms");
            then.status(409)
                .header("content-type", "application/json")
                .body(json!({"status": "error", "message": "Duplicate batch"}).to_string());
        })
        .await;
    let error = no_retry_client(&server)
        .send_sms()
        .body(sms())
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(error.message(), Some("Duplicate batch"));
}

#[tokio::test]
async fn a_200_with_status_error_is_an_api_error_for_every_kind_of_answer() {
    // The reference's WhatsApp error example, with no HTTP status given: answered as a 200.
    let body = seed("whatsapp-send-error.json");
    let message = "You don't have enough credits to send this campaign.";

    let server = MockServer::start_async().await;
    let whatsapp = server
        .mock_async(|when, then| {
            api(when, POST, "/whatsapp/message");
            then.status(200).json_body(body.clone());
        })
        .await;
    let sms_mock = server
        .mock_async(|when, then| {
            api(when, POST, "/sms");
            then.status(200).json_body(body.clone());
        })
        .await;
    let credits = server
        .mock_async(|when, then| {
            api(when, GET, "/credits");
            then.status(200).json_body(body.clone());
        })
        .await;
    let client = no_retry_client(&server);

    let request: SendWhatsappMessageRequest = seed_as("whatsapp-send-request-template-curl.json");
    let errors = [
        // The body does not have the success shape (no `message_id`): decoding fails.
        client
            .send_whatsapp_message()
            .body(request)
            .await
            .unwrap_err(),
        client.send_sms().body(sms()).await.unwrap_err(),
        // Every field of the success shape is optional here: it decodes, then says "error".
        client.get_credits().await.unwrap_err(),
    ];
    for mock in [&whatsapp, &sms_mock, &credits] {
        mock.assert_async().await;
    }
    for error in errors {
        assert!(matches!(error, Error::Api(_)), "{error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
        assert_eq!(error.message(), Some(message));
        assert!(error.to_string().contains(message), "{error}");
    }
}

#[tokio::test]
async fn a_200_that_is_not_the_documented_json_is_a_decode_error_with_the_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            api(when, GET, "/credits");
            then.status(200)
                .header("content-type", "application/json")
                .body("{\"status\": \"success\", \"credits\": \"lots\"}");
        })
        .await;
    let error = no_retry_client(&server).get_credits().await.unwrap_err();
    mock.assert_async().await;
    match &error {
        Error::Decode { status, body, .. } => {
            assert_eq!(*status, 200);
            assert!(body.contains("lots"), "{body}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
}

// ---------------------------------------------------------------------------------------- OTP

async fn verify(
    server: &MockServer,
    status: u16,
    body: Value,
) -> (Mock<'_>, Result<OtpVerification, Error>) {
    let mock = server
        .mock_async(|when, then| {
            api(when, GET, "/otp/verify")
                .query_param("reference", "036BZDUHIX")
                .query_param("otp", "847291");
            then.status(status)
                .header("content-type", "application/json")
                .body(body.to_string());
        })
        .await;
    let result = no_retry_client(server)
        .verify_otp()
        .reference("036BZDUHIX")
        .otp("847291")
        .await;
    (mock, result)
}

#[tokio::test]
async fn otp_verify_matched() {
    let server = MockServer::start_async().await;
    let (mock, result) = verify(&server, 200, seed("otp-verify-matched.json")).await;
    mock.assert_async().await;
    let outcome = result.unwrap();
    assert_eq!(outcome, OtpVerification::Matched);
    assert!(outcome.is_matched());
}

#[tokio::test]
async fn otp_verify_mismatch_answered_200_is_not_matched() {
    let server = MockServer::start_async().await;
    let (mock, result) = verify(&server, 200, seed("otp-verify-wrong-or-expired.json")).await;
    mock.assert_async().await;
    assert_eq!(
        result.unwrap(),
        OtpVerification::NotMatched {
            message: Some("OTP does not match or has expired".into())
        }
    );
}

#[tokio::test]
async fn otp_verify_mismatch_answered_400_is_not_matched() {
    let server = MockServer::start_async().await;
    let (mock, result) = verify(&server, 400, seed("otp-verify-wrong-or-expired.json")).await;
    mock.assert_async().await;
    let outcome = result.unwrap();
    assert!(!outcome.is_matched());
    assert_eq!(
        outcome,
        OtpVerification::NotMatched {
            message: Some("OTP does not match or has expired".into())
        }
    );
}

#[tokio::test]
async fn otp_verify_400_without_matched_is_an_error() {
    let server = MockServer::start_async().await;
    let body = json!({"status": "error", "message": "reference is required"});
    let (mock, result) = verify(&server, 400, body).await;
    mock.assert_async().await;
    let error = result.unwrap_err();
    assert!(matches!(error, Error::BadRequest(_)), "{error:?}");
}

#[tokio::test]
async fn otp_verify_403_is_an_invalid_api_key() {
    let server = MockServer::start_async().await;
    let (mock, result) = verify(&server, 403, seed("error-codes-error-response.json")).await;
    mock.assert_async().await;
    let error = result.unwrap_err();
    assert!(matches!(error, Error::InvalidApiKey(_)), "{error:?}");
    assert_eq!(error.message(), Some("API Key Missing"));
}

// ---------------------------------------------------------------------- Client-side validation

/// Runs `call` against a server that accepts anything, and checks that it was refused with
/// `InvalidRequest` naming `field` and that nothing reached the server.
async fn refused<F, Fut, T>(field: &str, call: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
    T: std::fmt::Debug,
{
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({"status": "success"}));
        })
        .await;
    let result = call(client_for(&server)).await;
    match result {
        Err(Error::InvalidRequest(reason)) => {
            assert!(reason.contains(field), "{field}: {reason}");
        }
        other => panic!("{field}: expected InvalidRequest, got {other:?}"),
    }
    assert_eq!(
        anything.calls_async().await,
        0,
        "{field}: a request was sent"
    );
}

#[tokio::test]
async fn sms_without_contacts_or_contact_group_is_refused() {
    let mut body = sms();
    body.contacts.clear();
    refused("contacts", |c| async move { c.send_sms().body(body).await }).await;
}

#[tokio::test]
async fn sms_without_message_or_template_is_refused() {
    let mut body = sms();
    body.message = None;
    refused("message", |c| async move { c.send_sms().body(body).await }).await;
}

#[tokio::test]
async fn sms_to_a_bad_mobile_is_refused() {
    let mut body = sms();
    body.contacts = vec![Contact::new("98-87 11")];
    refused("contacts[0].mobile", |c| async move {
        c.send_sms().body(body).await
    })
    .await;
}

#[tokio::test]
async fn sms_to_a_mobile_longer_than_e164_is_refused() {
    let mut body = sms();
    body.contacts = vec![Contact::new("9".repeat(16))];
    refused("contacts[0].mobile", |c| async move {
        c.send_sms().body(body).await
    })
    .await;
}

#[tokio::test]
async fn a_notify_url_that_is_not_an_http_url_is_refused() {
    for bad in [
        "/sms",
        "not a url",
        "ftp://x/y",
        "https://",
        "https:// yourapp.com/x",
    ] {
        let mut body = sms();
        body.notify_url = Some(bad.into());
        refused(
            "notifyUrl",
            |c| async move { c.send_sms().body(body).await },
        )
        .await;
        let mut body: SendRcsMessageRequest = seed_as("rcs-send-request-curl.json");
        body.notify_url = Some(bad.into());
        refused("notifyUrl", |c| async move {
            c.send_rcs_message().body(body).await
        })
        .await;
        let mut body: VoiceCallRequest = seed_as("voice-call-request.json");
        body.notify_url = Some(bad.into());
        refused("notifyUrl", |c| async move {
            c.place_voice_call().body(body).await
        })
        .await;
    }
}

#[tokio::test]
async fn sms_with_a_badly_formatted_schedule_is_refused() {
    let mut body = sms();
    body.schedule = Some("2026-05-01T10:00:00Z".into());
    refused("schedule", |c| async move { c.send_sms().body(body).await }).await;
}

#[tokio::test]
async fn sms_dlr_without_an_identifier_is_refused() {
    let body = SmsDlrRequest::new();
    refused(
        "batch_id",
        |c| async move { c.get_sms_dlr().body(body).await },
    )
    .await;
}

#[tokio::test]
async fn whatsapp_image_without_media_is_refused() {
    let body = SendWhatsappMessageRequest::new(vec![WhatsappContact::new("919887111111")])
        .type_(WhatsappMessageType::Image)
        .message("a caption in the wrong place");
    refused("media", |c| async move {
        c.send_whatsapp_message().body(body).await
    })
    .await;
}

#[tokio::test]
async fn whatsapp_template_without_template_id_is_refused() {
    let mut body: SendWhatsappMessageRequest = seed_as("whatsapp-send-request-template-curl.json");
    body.template_id = None;
    refused("templateId", |c| async move {
        c.send_whatsapp_message().body(body).await
    })
    .await;
}

#[tokio::test]
async fn rcs_rich_card_with_text_content_is_refused() {
    let mut body: SendRcsMessageRequest = seed_as("rcs-send-request-curl.json");
    body.type_ = RcsMessageType::RichCard;
    assert!(matches!(body.content, Some(RcsMessageContent::Text(_))));
    refused("content", |c| async move {
        c.send_rcs_message().body(body).await
    })
    .await;
}

#[tokio::test]
async fn rcs_text_with_empty_text_is_refused() {
    let mut body: SendRcsMessageRequest = seed_as("rcs-send-request-curl.json");
    body.content = Some(RcsMessageContent::Text(RcsTextContent::new("  ")));
    refused("content.text", |c| async move {
        c.send_rcs_message().body(body).await
    })
    .await;
}

#[tokio::test]
async fn voice_without_tts_or_audio_url_is_refused() {
    let mut body: VoiceCallRequest = seed_as("voice-call-request.json");
    body.tts = None;
    body.audio_url = None;
    refused(
        "tts",
        |c| async move { c.place_voice_call().body(body).await },
    )
    .await;
}

#[tokio::test]
async fn voice_to_a_bad_number_is_refused() {
    let mut body: VoiceCallRequest = seed_as("voice-call-request.json");
    body.to = "call me".into();
    body.tts = Some(VoiceTts::new("hello"));
    refused(
        "to",
        |c| async move { c.place_voice_call().body(body).await },
    )
    .await;
}

#[tokio::test]
async fn otp_to_a_bad_mobile_is_refused() {
    let body = SendOtpRequest::new(27, "not-a-number");
    refused("mobile", |c| async move { c.send_otp().body(body).await }).await;
}

#[tokio::test]
async fn otp_verify_with_a_non_digit_code_is_refused() {
    for code in ["84729a", "", " 847291", "８４７"] {
        refused("otp", |c| async move {
            c.verify_otp().reference("036BZDUHIX").otp(code).await
        })
        .await;
    }
    refused("reference", |c| async move {
        c.verify_otp().reference(" ").otp("847291").await
    })
    .await;
}

#[test]
fn bad_configuration_is_a_config_error() {
    for (what, result) in [
        ("empty token", Client::builder("  ").build()),
        (
            "bad base URL",
            Client::builder(common::TOKEN).base_url("not a url").build(),
        ),
        (
            "zero timeout",
            Client::builder(common::TOKEN)
                .timeout(Duration::ZERO)
                .build(),
        ),
        (
            "bad user agent",
            Client::builder(common::TOKEN)
                .user_agent("line\nbreak")
                .build(),
        ),
    ] {
        match result {
            Err(Error::Config(_)) => {}
            other => panic!("{what}: expected Config, got {other:?}"),
        }
    }
}
