//! The WhatsApp 24-hour service window: free-form messages only inside it, templates always.

mod common;

use common::{Calls, env};
use serde_json::{Value, json};

async fn wallet(env: &common::Env) -> String {
    let (_, credits) = env.get("/api/v2/credits").await;
    credits["wallet"]["amount"].as_str().unwrap().to_owned()
}

async fn send(env: &common::Env, body: Value) -> (u16, Value) {
    env.post("/api/v2/whatsapp/message", body).await
}

fn text(to: &str) -> Value {
    json!({"type": "text", "message": "Your order has shipped", "contacts": [{"msisdn": to}]})
}

fn template(to: &str) -> Value {
    json!({"type": "template", "templateId": "order_update",
        "contacts": [{"msisdn": to, "parameters": {"body": ["A-1"]}}]})
}

#[tokio::test]
async fn free_form_outside_the_window_is_rejected_and_not_charged() {
    let env = env().await;
    let before = wallet(&env).await;
    let (_, events_before) = env.get("/sandbox/events").await;
    let (status, answer) = send(&env, text("918058333333")).await;
    assert_eq!(status, 400, "{answer}");
    // The reference's WhatsApp error shape: status "error", a message, nothing else.
    assert_eq!(answer["status"], "error", "{answer}");
    assert!(answer.get("success").is_none(), "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("918058333333") && message.contains("24-hour service window"),
        "{message}"
    );
    assert_eq!(wallet(&env).await, before, "nothing charged");
    let (_, events_after) = env.get("/sandbox/events").await;
    assert_eq!(events_after, events_before, "no change recorded");

    // Every type but template is free-form; one recipient outside rejects the whole request.
    let (status, answer) = send(
        &env,
        json!({"type": "text", "message": "hi",
            "contacts": [{"msisdn": "919887111111"}, {"msisdn": "918058333333"}]}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = send(
        &env,
        json!({"type": "image", "media": {"url": "https://cdn.example.com/a.png"},
            "contacts": [{"msisdn": "918058333333"}]}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(wallet(&env).await, before, "nothing charged");
}

#[tokio::test]
async fn templates_are_always_accepted() {
    let env = env().await;
    assert!(!env.window_open("918058333333").await);
    let (status, answer) = send(&env, template("918058333333")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["total_cost"], 0.05);
    assert_eq!(wallet(&env).await, "119.95");
    // A template does not open the window: only the customer can.
    assert!(!env.window_open("918058333333").await);
}

#[tokio::test]
async fn an_inbound_message_opens_the_window_for_24_hours() {
    let env = env().await;
    let (status, inbound) = env
        .post(
            "/sandbox/whatsapp/inbound",
            json!({"from": "+918058333333", "text": "where is my order?"}),
        )
        .await;
    assert_eq!(status, 200, "{inbound}");
    assert!(env.window_open("918058333333").await);
    let (status, answer) = send(&env, text("918058333333")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["total_cost"], 0.05);
    assert_eq!(wallet(&env).await, "119.95");

    // Still open just before 24 hours, closed after.
    env.advance(24 * 3600 - 60).await;
    assert!(env.window_open("918058333333").await);
    let (status, answer) = send(&env, text("918058333333")).await;
    assert_eq!(status, 200, "{answer}");
    env.advance(120).await;
    assert!(!env.window_open("918058333333").await);
    let (status, answer) = send(&env, text("918058333333")).await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = send(&env, template("918058333333")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(wallet(&env).await, "119.85");
}

#[tokio::test]
async fn the_reference_examples_recipient_has_an_open_window() {
    let env = env().await;
    // As the reference's checkwindow example answers ("Window Open"), so that its free-form
    // examples work copy-pasted; it stays open a year, as the example OTP stays valid.
    assert!(env.window_open("919887111111").await);
    let (status, answer) = send(
        &env,
        json!({"type": "text", "message": "Hello!", "contacts": [{"msisdn": "919887111111"}]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["total_cost"], 0.05,
        "as the reference's answer shows"
    );
    env.advance(3 * 24 * 3600).await;
    assert!(env.window_open("919887111111").await);
    // The other provisioned phone has no window with it.
    let (status, answer) = send(
        &env,
        json!({"phoneId": "12345678909812", "type": "text", "message": "Hello!",
            "contacts": [{"msisdn": "919887111111"}]}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    // A reset provisions it again.
    env.call("POST", "/sandbox/reset", None).await;
    assert!(env.window_open("919887111111").await);
}
