//! The client's promises under faults a real network, a proxy or a misconfigured base URL
//! produce, each against a hostile loopback server the test starts: redirects are never
//! followed (a send is never repeated, nor delivered elsewhere), answers are read within a
//! bound, every 2xx success is a success, and each error says what happened and whether the
//! request may have been processed — without the token or the message text.

mod common;

use std::time::Duration;

use common::hostile::{Fault, Hostile};
use common::{TOKEN, builder_for, seed, seed_as};
use noxitel_api::types::SendSmsRequest;
use noxitel_api::{Client, Error, Phase};
use serde_json::json;

/// The seed's SMS: its text and its OTP value must never show up in an error.
fn sms() -> SendSmsRequest {
    seed_as("sms-send-request-curl.json")
}
const MESSAGE_TEXT: &str = "your OTP is";
const OTP_VALUE: &str = "847291";

/// An error as a user would print it, both ways, checked for secrets.
#[track_caller]
fn shown(error: &Error) -> String {
    let text = format!("{error}");
    let debug = format!("{error:?}");
    for secret in [TOKEN, MESSAGE_TEXT, OTP_VALUE] {
        assert!(!text.contains(secret), "{secret:?} in {text}");
        assert!(!debug.contains(secret), "{secret:?} in {debug}");
    }
    text
}

/// The request lines the server read (`POST /api/v2/sms HTTP/1.1`).
fn request_lines(server: &Hostile) -> Vec<String> {
    server
        .received()
        .iter()
        .map(|r| r.head.lines().next().unwrap_or_default().to_owned())
        .collect()
}

// ------------------------------------------------------------------------------ redirects

/// A server answering every request with a `status` redirect to `/api/v2/<path>` (`sms` or
/// `credits`) on a second server, which would answer a followed redirect with the reference's
/// success for that path: (the redirecting server, the second).
async fn redirect_elsewhere(status: u16, path: &str) -> (Hostile, Hostile) {
    let fixture = match path {
        "sms" => "sms-send-success.json",
        _ => "credits-success.json",
    };
    let elsewhere = Hostile::start(vec![Fault::json(200, &seed(fixture))]).await;
    let location = format!("{}/api/v2/{path}", elsewhere.origin());
    let server = Hostile::start(vec![Fault::redirect(status, &location)]).await;
    (server, elsewhere)
}

/// A client of `server` over a caller's `reqwest::Client::new()`, which follows redirects.
fn following_client(server: &Hostile) -> Client {
    builder_for(server.base_url())
        .http_client(reqwest::Client::new())
        .build()
        .unwrap()
}

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

#[tokio::test]
async fn a_post_answered_by_any_redirect_is_sent_once_and_fails_naming_status_and_location() {
    for status in REDIRECTS {
        // A redirect to itself: followed, it would loop (11 sends with reqwest's default).
        let server = Hostile::start(vec![Fault::redirect(status, "/api/v2/sms")]).await;
        let error = server.client().send_sms().body(sms()).await.unwrap_err();
        assert_eq!(server.hits(), 1, "{status}: {:?}", request_lines(&server));
        let Error::Redirect(redirect) = &error else {
            panic!("{status}: expected Redirect, got {error:?}");
        };
        assert_eq!(redirect.status.as_u16(), status);
        assert!(!redirect.followed);
        let text = shown(&error);
        assert!(text.contains(&format!("HTTP {status}")), "{text}");
        assert!(
            text.contains(&format!("{}/api/v2/sms", server.origin())),
            "{text}"
        );
        assert!(!error.may_have_been_processed(), "{text}");
    }
}

#[tokio::test]
async fn a_get_answered_by_any_redirect_is_not_followed() {
    for status in REDIRECTS {
        let (server, target) = redirect_elsewhere(status, "credits").await;
        let error = server.client().get_credits().await.unwrap_err();
        assert!(matches!(error, Error::Redirect(_)), "{status}: {error:?}");
        assert_eq!(server.hits(), 1, "{status}");
        assert_eq!(target.hits(), 0, "{status}: the redirect was followed");
    }
}

#[tokio::test]
async fn a_cross_origin_redirect_delivers_nothing_to_the_other_host() {
    for status in REDIRECTS {
        let (server, elsewhere) = redirect_elsewhere(status, "sms").await;
        let error = server.client().send_sms().body(sms()).await.unwrap_err();
        assert!(matches!(error, Error::Redirect(_)), "{status}: {error:?}");
        assert_eq!(elsewhere.hits(), 0, "{status}: the other host got it");
    }
}

#[tokio::test]
async fn an_http_to_https_redirect_names_the_base_url_to_use() {
    let server = Hostile::start(vec![Fault::redirect(
        301,
        "https://api.example.test/api/v2/sms",
    )])
    .await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    let text = shown(&error);
    assert!(
        text.contains("set the base URL to https://api.example.test/api/v2"),
        "{text}"
    );
}

#[tokio::test]
async fn a_callers_http_client_that_follows_redirects_cannot_resend_a_post() {
    // reqwest's default policy follows up to 10 redirects; the client's one-shot request
    // body makes a 307/308 unfollowable, and a 301/302/303 turns into a bodiless GET whose
    // answer is refused.
    for status in REDIRECTS {
        let (server, elsewhere) = redirect_elsewhere(status, "sms").await;
        let client = following_client(&server);
        let error = client.send_sms().body(sms()).await.unwrap_err();
        assert!(matches!(error, Error::Redirect(_)), "{status}: {error:?}");
        shown(&error);
        assert_eq!(server.hits(), 1, "{status}");
        for received in elsewhere.received() {
            assert!(
                received.body.is_empty(),
                "{status}: the body went elsewhere"
            );
            let head = received.head.to_lowercase();
            assert!(
                !head.contains(&TOKEN.to_lowercase()),
                "{status}: the token went elsewhere"
            );
            assert!(head.starts_with("get "), "{status}: {head}");
        }
    }
}

#[tokio::test]
async fn a_redirect_that_a_callers_http_client_followed_is_refused() {
    let (server, _target) = redirect_elsewhere(302, "credits").await;
    let client = following_client(&server);
    let error = client.get_credits().await.unwrap_err();
    match &error {
        Error::Redirect(redirect) => assert!(redirect.followed, "{redirect:?}"),
        other => panic!("expected Redirect, got {other:?}"),
    }
    let text = shown(&error);
    assert!(text.contains("Policy::none()"), "{text}");
}

// ------------------------------------------------------------------------ bounded answers

#[tokio::test]
async fn an_answer_announcing_more_than_the_limit_is_refused_unread() {
    for status in [200, 500] {
        let server = Hostile::start(vec![Fault::Huge {
            status,
            declared: 2 << 30,
        }])
        .await;
        let error = server.client().get_credits().await.unwrap_err();
        match &error {
            Error::ResponseTooLarge {
                status: s, limit, ..
            } => {
                assert_eq!(s.as_u16(), status);
                assert_eq!(*limit, noxitel_api::DEFAULT_MAX_RESPONSE_SIZE);
            }
            other => panic!("{status}: expected ResponseTooLarge, got {other:?}"),
        }
        let text = shown(&error);
        assert!(text.contains("8 MiB"), "{text}");
        assert!(text.contains(&format!("HTTP {status}")), "{text}");
    }
}

#[tokio::test]
async fn an_endless_answer_stops_at_the_limit() {
    let server = Hostile::start(vec![Fault::Endless {
        status: 200,
        rate: None,
        limit: 2 << 30,
    }])
    .await;
    let client = builder_for(server.base_url())
        .max_response_size(256 * 1024)
        .build()
        .unwrap();
    let error = client.send_sms().body(sms()).await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 262_144, .. }),
        "{error:?}"
    );
    let text = shown(&error);
    assert!(text.contains("256 KiB"), "{text}");
    // A 2xx to a send that cannot be read: the SMS may well have gone out.
    assert!(error.may_have_been_processed());
    assert!(text.contains("GET /dlr"), "{text}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_slow_endless_answer_ends_at_the_deadline_with_its_status() {
    let server = Hostile::start(vec![Fault::Endless {
        status: 200,
        rate: Some(1024),
        limit: u64::MAX,
    }])
    .await;
    let client = builder_for(server.base_url())
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let error = client.get_credits().await.unwrap_err();
    match &error {
        Error::Timeout { phase, .. } => assert_eq!(*phase, Phase::Body(200.try_into().unwrap())),
        other => panic!("expected Timeout, got {other:?}"),
    }
    let text = shown(&error);
    assert!(text.contains("timed out after 800 ms"), "{text}");
    assert!(text.contains("HTTP 200"), "{text}");
}

// ------------------------------------------------------------------------------ every 2xx

#[tokio::test]
async fn a_201_or_202_with_the_success_body_is_a_success() {
    for status in [201, 202] {
        let server =
            Hostile::start(vec![Fault::json(status, &seed("sms-send-success.json"))]).await;
        let sent = server
            .client()
            .send_sms()
            .body(sms())
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert!(!sent.batch_id.is_empty());
        assert_eq!(server.hits(), 1);
    }
}

#[tokio::test]
async fn a_2xx_with_the_error_envelope_stays_an_error() {
    let server = Hostile::start(vec![Fault::json(202, &seed("sms-send-error.json"))]).await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(202));
}

#[tokio::test]
async fn a_204_without_a_body_is_a_decode_error_that_says_the_send_was_taken() {
    let server = Hostile::start(vec![Fault::typed(204, "application/json", "")]).await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.may_have_been_processed());
    let text = shown(&error);
    assert!(text.contains("HTTP 204"), "{text}");
}

// -------------------------------------------------------------------- forward compatibility

#[tokio::test]
async fn unknown_fields_of_any_type_do_not_break_an_answer() {
    let mut prices = seed("whatsapp-prices-success.json");
    prices[0]["price"]["currency"] = json!("USD");
    prices[0]["price"]["tiers"] = json!([{"from": 0, "price": 0.01}]);
    prices[0]["flags"] = json!({"new": true});
    let server = Hostile::start(vec![Fault::json(200, &prices)]).await;
    let answer = server.client().get_whatsapp_prices().await.unwrap();
    let price = answer.0[0].price.as_ref().unwrap();
    assert_eq!(price.extra["currency"], json!("USD"));
}

// --------------------------------------------------------------- errors that say what happened

#[tokio::test]
async fn a_cut_off_success_body_names_the_cause_and_that_the_send_may_have_gone_out() {
    let server = Hostile::start(vec![Fault::CutOff {
        status: 200,
        declared: 1000,
        body: br#"{"status":"success","batch_id":"#.to_vec(),
    }])
    .await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    assert_eq!(
        server.hits(),
        1,
        "a send is never retried once it may have arrived"
    );
    let Error::Transport(transport) = &error else {
        panic!("expected Transport, got {error:?}");
    };
    assert_eq!(transport.phase(), Phase::Body(200.try_into().unwrap()));
    assert!(error.may_have_been_processed());
    let text = shown(&error);
    assert!(text.contains("HTTP 200"), "{text}");
    assert!(text.contains(transport.cause()), "{text}");
    assert!(
        !transport.cause().contains("error decoding response body"),
        "{text}"
    );
    assert!(text.contains("may have been processed"), "{text}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn a_cut_off_error_body_keeps_its_status() {
    let server = Hostile::start(vec![Fault::CutOff {
        status: 500,
        declared: 4000,
        body: b"<html><body>Internal".to_vec(),
    }])
    .await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{error:?}");
    let text = shown(&error);
    assert!(text.contains("HTTP 500"), "{text}");
}

#[tokio::test]
async fn a_get_whose_body_is_cut_off_or_reset_after_the_request_was_read_is_retried() {
    let cut_off = Fault::CutOff {
        status: 200,
        declared: 1000,
        body: br#"{"status":"succ"#.to_vec(),
    };
    for (case, fault) in [("cut off", cut_off), ("reset", Fault::Reset)] {
        let server = Hostile::fault_then(fault, "credits-success.json").await;
        let answer = server.client().get_credits().await;
        answer.unwrap_or_else(|e| panic!("{case}: {e:?}"));
        assert_eq!(server.hits(), 2, "{case}");
    }
}

#[tokio::test]
async fn a_post_reset_after_the_request_was_read_may_have_been_processed() {
    let server = Hostile::fault_then(Fault::Reset, "sms-send-success.json").await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    assert_eq!(server.hits(), 1, "not retried: the server read it");
    let Error::Transport(transport) = &error else {
        panic!("expected Transport, got {error:?}");
    };
    assert_eq!(transport.phase(), Phase::Request);
    assert!(error.may_have_been_processed());
    let text = shown(&error);
    assert!(text.contains("may have been processed"), "{text}");
    assert!(text.contains("GET /dlr"), "{text}");
    assert!(!text.contains("error sending request"), "{text}");
}

#[tokio::test]
async fn a_refused_connection_says_nothing_was_sent() {
    let refusing = common::Refusing::new();
    let error = refusing.client().send_sms().body(sms()).await.unwrap_err();
    assert!(!error.may_have_been_processed());
    let text = shown(&error);
    assert!(text.contains("nothing was sent"), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
}

#[tokio::test]
async fn a_stall_past_the_deadline_names_the_deadline() {
    let server = Hostile::start(vec![Fault::Stall]).await;
    let client = builder_for(server.base_url())
        .timeout(Duration::from_millis(600))
        .build()
        .unwrap();
    let error = client.send_sms().body(sms()).await.unwrap_err();
    assert_eq!(server.hits(), 1);
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.may_have_been_processed());
    let text = shown(&error);
    assert!(
        text.contains("timed out after 600 ms (the call's total timeout)"),
        "{text}"
    );
    assert!(text.contains("GET /dlr"), "{text}");
}

#[tokio::test]
async fn an_html_page_instead_of_json_shows_status_type_and_start() {
    let page = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\u{1b}[0m<body>Please log in</body></html>";
    let server = Hostile::start(vec![Fault::typed(200, "text/html; charset=utf-8", page)]).await;
    let error = server.client().get_credits().await.unwrap_err();
    let Error::Decode {
        content_type, body, ..
    } = &error
    else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(content_type.as_deref(), Some("text/html"));
    assert_eq!(body, page);
    let text = shown(&error);
    assert!(text.contains("HTTP 200"), "{text}");
    assert!(text.contains("text/html"), "{text}");
    assert!(text.contains("<title>Sign in</title>"), "{text}");
    assert!(
        text.contains(r"\u{1b}"),
        "control characters are escaped: {text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[tokio::test]
async fn a_huge_html_error_page_is_kept_truncated() {
    let page = format!("<html>{}</html>", "x".repeat(1 << 20));
    let server = Hostile::start(vec![Fault::typed(502, "text/html", &page)]).await;
    let error = server.client().send_sms().body(sms()).await.unwrap_err();
    let failure = error.failure().expect("an answer");
    match &failure.body {
        noxitel_api::ErrorBody::Raw(raw) => {
            assert!(
                raw.len() <= noxitel_api::KEPT_BODY_BYTES + 4,
                "{}",
                raw.len()
            )
        }
        other => panic!("expected a raw body, got {other:?}"),
    }
    let text = shown(&error);
    assert!(text.len() < 1000, "{}", text.len());
    assert!(error.may_have_been_processed(), "a 5xx to a send");
    assert!(text.contains("may have been processed"), "{text}");
    assert!(error.resend_advice().is_some());
}

#[tokio::test]
async fn a_server_error_to_a_read_gives_no_resend_advice() {
    let server = Hostile::start(vec![Fault::typed(500, "text/html", "<h1>oops</h1>")]).await;
    let error = server.client().get_credits().await.unwrap_err();
    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert_eq!(error.resend_advice(), None);
    assert!(!shown(&error).contains("may have been processed"));
}

#[tokio::test]
async fn a_server_that_echoes_the_token_does_not_get_it_into_the_error() {
    let echo = format!("<html>Authorization: Bearer {TOKEN}</html>");
    for status in [200, 400, 500] {
        let server = Hostile::start(vec![Fault::typed(status, "text/html", &echo)]).await;
        let error = server.client().get_credits().await.unwrap_err();
        shown(&error);
        let server = Hostile::start(vec![Fault::json(
            status,
            &json!({"status": "error", "message": format!("bad {TOKEN}"), "echo": [TOKEN]}),
        )])
        .await;
        let error = server.client().get_credits().await.unwrap_err();
        shown(&error);
    }
}
