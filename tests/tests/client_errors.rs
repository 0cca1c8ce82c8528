//! Error answers map to the right `Error` variant and keep the status, the API's message and
//! the body; requests that break the reference's rules are refused before anything is sent.

mod common;

use std::time::Duration;

use common::{Answering, api, assert_answer, json_text, no_retry_client_for, seed, seed_as};
use httpmock::Method::{GET, POST};
use httpmock::{MockServer, Then};
use noxitel_api::types::{
    Contact, RcsMessageContent, RcsMessageType, RcsTextContent, SendOtpRequest,
    SendRcsMessageRequest, SendSmsRequest, SendWhatsappMessageRequest, SmsDlrRequest,
    StringOrNumber, VoiceCallRequest, VoiceTts, WhatsappContact, WhatsappMessageType,
};
use noxitel_api::{Client, Error, ErrorBody, OtpVerification};
use serde_json::{Value, json};

fn sms() -> SendSmsRequest {
    seed_as("sms-send-request-curl.json")
}

/// `POST /sms` answered as `answer` says, by a server that sees it exactly once (the client
/// never retries, so every answer is the final one); returns the error.
async fn sms_answered(answer: impl FnOnce(Then) -> Then) -> Error {
    let server = Answering::start(|when| api(when, POST, "/sms"), answer).await;
    let error = server
        .no_retry_client()
        .send_sms()
        .body(sms())
        .await
        .unwrap_err();
    server.assert_once().await;
    error
}

/// `POST /sms` answered `status` with the JSON `body`; returns the error.
async fn sms_error(status: u16, body: Value) -> Error {
    sms_answered(|then| json_text(then, status, &body.to_string())).await
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

/// The API's JSON error body of an error that is an answer.
#[track_caller]
fn json_body(error: &Error) -> &noxitel_api::types::ApiError {
    match error.failure().map(|f| &f.body) {
        Some(ErrorBody::Json(api)) => api,
        _ => panic!("JSON body expected, got {error:?}"),
    }
}

#[tokio::test]
async fn documented_statuses_map_to_their_variant_with_the_numeric_error_shape() {
    for (status, expected) in STATUSES {
        let message = format!("message for {status}");
        let body = json!({ "success": false, "status": status, "message": message });
        let error = sms_error(status, body).await;

        assert_answer(&error, expected, status, Some(&message));
        let api = json_body(&error);
        assert_eq!(api.success, Some(false), "{status}");
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

        assert_answer(&error, expected, status, Some(&message));
        let api = json_body(&error);
        assert_eq!(api.status, Some(StringOrNumber::from("error")), "{status}");
        assert_eq!(api.success, None, "{status}");
    }
}

#[tokio::test]
async fn the_reference_error_example_is_an_invalid_api_key() {
    let error = sms_error(403, seed("error-codes-error-response.json")).await;
    assert_answer(&error, "InvalidApiKey", 403, Some("API Key Missing"));
}

#[tokio::test]
async fn rate_limited_keeps_retry_after() {
    let error = sms_answered(|then| {
        then.status(429)
            .header("content-type", "application/json")
            .header("retry-after", "7")
            .body(json!({"status": "error", "message": "Too many requests"}).to_string())
    })
    .await;
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
    let error = sms_answered(|then| {
        then.status(500)
            .header("content-type", "text/html")
            .body(html)
    })
    .await;

    assert_answer(&error, "Server", 500, None);
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
    let error = sms_answered(|then| then.status(500)).await;
    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert_eq!(error.failure().map(|f| &f.body), Some(&ErrorBody::Empty));
}

#[tokio::test]
async fn an_undeclared_503_is_a_server_error_with_its_message() {
    let error = sms_error(503, json!({"status": "error", "message": "Maintenance"})).await;
    assert_answer(&error, "Server", 503, Some("Maintenance"));
}

#[tokio::test]
async fn an_undeclared_non_5xx_status_is_an_api_error() {
    let error = sms_error(
        409,
        json!({"status": "error", "message": "Duplicate batch"}),
    )
    .await;
    assert_answer(&error, "Api", 409, Some("Duplicate batch"));
}

#[tokio::test]
async fn a_200_with_status_error_is_an_api_error_for_every_kind_of_answer() {
    // The reference's WhatsApp error example, with no HTTP status given: answered as a 200.
    let body = seed("whatsapp-send-error.json");
    let message = "You don't have enough credits to send this campaign.";

    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (method, path) in [
        (POST, "/whatsapp/message"),
        (POST, "/sms"),
        (GET, "/credits"),
    ] {
        let mock = server
            .mock_async(|when, then| {
                api(when, method, path);
                then.status(200).json_body(body.clone());
            })
            .await;
        mocks.push(mock);
    }
    let client = no_retry_client_for(&server);

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
    for mock in &mocks {
        mock.assert_async().await;
    }
    for error in errors {
        assert_answer(&error, "Api", 200, Some(message));
        assert!(error.to_string().contains(message), "{error}");
    }
}

#[tokio::test]
async fn a_200_that_is_not_the_documented_json_is_a_decode_error_with_the_body() {
    let server = Answering::start(
        |when| api(when, GET, "/credits"),
        |then| json_text(then, 200, r#"{"status": "success", "credits": "lots"}"#),
    )
    .await;
    let error = server.no_retry_client().get_credits().await.unwrap_err();
    server.assert_once().await;
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

/// `GET /otp/verify` of reference 036BZDUHIX and code 847291, answered `status` with `body`
/// by a server that sees it exactly once.
async fn verify(status: u16, body: Value) -> Result<OtpVerification, Error> {
    let server = Answering::start(
        |when| {
            api(when, GET, "/otp/verify")
                .query_param("reference", "036BZDUHIX")
                .query_param("otp", "847291")
        },
        |then| json_text(then, status, &body.to_string()),
    )
    .await;
    let result = server
        .no_retry_client()
        .verify_otp()
        .reference("036BZDUHIX")
        .otp("847291")
        .await;
    server.assert_once().await;
    result
}

#[tokio::test]
async fn otp_verify_matched() {
    let outcome = verify(200, seed("otp-verify-matched.json")).await.unwrap();
    assert_eq!(outcome, OtpVerification::Matched);
    assert!(outcome.is_matched());
}

#[tokio::test]
async fn otp_verify_mismatch_answered_200_or_400_is_not_matched() {
    for status in [200, 400] {
        let outcome = verify(status, seed("otp-verify-wrong-or-expired.json")).await;
        let outcome = outcome.unwrap_or_else(|e| panic!("{status}: {e:?}"));
        assert!(!outcome.is_matched(), "{status}");
        assert_eq!(
            outcome,
            OtpVerification::NotMatched {
                message: Some("OTP does not match or has expired".into())
            },
            "{status}"
        );
    }
}

#[tokio::test]
async fn otp_verify_400_without_matched_is_an_error() {
    let body = json!({"status": "error", "message": "reference is required"});
    let error = verify(400, body).await.unwrap_err();
    assert_answer(&error, "BadRequest", 400, Some("reference is required"));
}

#[tokio::test]
async fn otp_verify_403_is_an_invalid_api_key() {
    let error = verify(403, seed("error-codes-error-response.json"))
        .await
        .unwrap_err();
    assert_answer(&error, "InvalidApiKey", 403, Some("API Key Missing"));
}

// ---------------------------------------------------------------------- Client-side validation

/// A request that breaks a rule of the reference, for the operation it goes to.
enum Bad {
    Sms(SendSmsRequest),
    SmsDlr(SmsDlrRequest),
    Whatsapp(SendWhatsappMessageRequest),
    Rcs(SendRcsMessageRequest),
    Voice(VoiceCallRequest),
    Otp(SendOtpRequest),
    /// `GET /otp/verify` of (reference, code).
    Verify(&'static str, &'static str),
}

impl Bad {
    /// Sends it; what came back.
    async fn send(self, c: Client) -> Result<Box<dyn std::fmt::Debug>, Error> {
        let answer: Box<dyn std::fmt::Debug> = match self {
            Bad::Sms(body) => Box::new(c.send_sms().body(body).await?),
            Bad::SmsDlr(body) => Box::new(c.get_sms_dlr().body(body).await?),
            Bad::Whatsapp(body) => Box::new(c.send_whatsapp_message().body(body).await?),
            Bad::Rcs(body) => Box::new(c.send_rcs_message().body(body).await?),
            Bad::Voice(body) => Box::new(c.place_voice_call().body(body).await?),
            Bad::Otp(body) => Box::new(c.send_otp().body(body).await?),
            Bad::Verify(reference, code) => {
                Box::new(c.verify_otp().reference(reference).otp(code).await?)
            }
        };
        Ok(answer)
    }
}

fn with_sms(edit: impl FnOnce(&mut SendSmsRequest)) -> Bad {
    let mut body = sms();
    edit(&mut body);
    Bad::Sms(body)
}

fn with_rcs(edit: impl FnOnce(&mut SendRcsMessageRequest)) -> Bad {
    let mut body = seed_as("rcs-send-request-curl.json");
    edit(&mut body);
    Bad::Rcs(body)
}

fn with_voice(edit: impl FnOnce(&mut VoiceCallRequest)) -> Bad {
    let mut body = seed_as("voice-call-request.json");
    edit(&mut body);
    Bad::Voice(body)
}

/// Sends `bad` through a client of a server that accepts anything, and checks that it was
/// refused with `InvalidRequest` naming `field` and that nothing reached the server.
async fn assert_refused(case: &str, field: &str, bad: Bad) {
    let server = Answering::start(
        |when| when.any_request(),
        |then| then.status(200).json_body(json!({"status": "success"})),
    )
    .await;
    match bad.send(server.client()).await {
        Err(Error::InvalidRequest(reason)) => {
            assert!(reason.contains(field), "{case}: {field} not in {reason}");
        }
        other => panic!("{case}: expected InvalidRequest naming {field}, got {other:?}"),
    }
    assert_eq!(server.calls().await, 0, "{case}: a request was sent");
}

#[tokio::test]
async fn requests_that_break_a_rule_of_the_reference_are_refused_before_sending() {
    let cases = [
        (
            "sms without contacts or contact group",
            "contacts",
            with_sms(|b| b.contacts.clear()),
        ),
        (
            "sms without message or template",
            "message",
            with_sms(|b| b.message = None),
        ),
        (
            "sms to a bad mobile",
            "contacts[0].mobile",
            with_sms(|b| b.contacts = vec![Contact::new("98-87 11")]),
        ),
        (
            "sms to a mobile longer than E.164",
            "contacts[0].mobile",
            with_sms(|b| b.contacts = vec![Contact::new("9".repeat(16))]),
        ),
        (
            "sms with a badly formatted schedule",
            "schedule",
            with_sms(|b| b.schedule = Some("2026-05-01T10:00:00Z".into())),
        ),
        (
            "sms dlr without an identifier",
            "batch_id",
            Bad::SmsDlr(SmsDlrRequest::new()),
        ),
        (
            "whatsapp image without media",
            "media",
            Bad::Whatsapp(
                SendWhatsappMessageRequest::new(vec![WhatsappContact::new("919887111111")])
                    .type_(WhatsappMessageType::Image)
                    .message("a caption in the wrong place"),
            ),
        ),
        ("whatsapp template without template id", "templateId", {
            let mut body: SendWhatsappMessageRequest =
                seed_as("whatsapp-send-request-template-curl.json");
            body.template_id = None;
            Bad::Whatsapp(body)
        }),
        (
            "rcs rich card with text content",
            "content",
            with_rcs(|b| {
                b.type_ = RcsMessageType::RichCard;
                assert!(matches!(b.content, Some(RcsMessageContent::Text(_))));
            }),
        ),
        (
            "rcs text with empty text",
            "content.text",
            with_rcs(|b| b.content = Some(RcsMessageContent::Text(RcsTextContent::new("  ")))),
        ),
        (
            "voice without tts or audio url",
            "tts",
            with_voice(|b| {
                b.tts = None;
                b.audio_url = None;
            }),
        ),
        (
            "voice to a bad number",
            "to",
            with_voice(|b| {
                b.to = "call me".into();
                b.tts = Some(VoiceTts::new("hello"));
            }),
        ),
        (
            "otp to a bad mobile",
            "mobile",
            Bad::Otp(SendOtpRequest::new(27, "not-a-number")),
        ),
        (
            "otp verify with a blank reference",
            "reference",
            Bad::Verify(" ", "847291"),
        ),
    ];
    for (case, field, bad) in cases {
        assert_refused(case, field, bad).await;
    }
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
        let url = Some(bad.to_owned());
        for (case, request) in [
            ("sms", with_sms(|b| b.notify_url = url.clone())),
            ("rcs", with_rcs(|b| b.notify_url = url.clone())),
            ("voice", with_voice(|b| b.notify_url = url.clone())),
        ] {
            assert_refused(&format!("{case} to {bad:?}"), "notifyUrl", request).await;
        }
    }
}

#[tokio::test]
async fn otp_verify_with_a_non_digit_code_is_refused() {
    for code in ["84729a", "", " 847291", "８４７"] {
        assert_refused(code, "otp", Bad::Verify("036BZDUHIX", code)).await;
    }
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
