//! A guided tour of the Noxitel API with the typed client.
//!
//! ```sh
//! cargo run --example quickstart                       # offline, against an embedded sandbox
//! NOXITEL_API_TOKEN=… NOXITEL_TEST_MOBILE=9198… \
//!   cargo run --example quickstart                     # a real account (sends real messages)
//! ```
//!
//! `NOXITEL_BASE_URL` overrides the real API's URL; `NOXITEL_TEST_MOBILE_2` names a second
//! phone (default: the first). Against a real account the sandbox-only steps are skipped: the
//! OTP is read from stdin (the program waits for it)
//! instead of the control surface, and the suggestion tap is left to you (a webhook receiver
//! on 127.0.0.1 is not reachable from the internet).

use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use noxitel_api::{Client, OtpVerification};
use noxitel_sandbox::{Config, Sandbox};
use noxitel_types::webhooks::RcsEvent;
use noxitel_types::{
    Contact, RcsCard, RcsCardMedia, RcsMessageType, RcsRichCardContent, RcsSuggestion,
    SendRcsMessageRequest, SendWhatsappMessageRequest, SmsDlrRecord, WhatsappContact,
    WhatsappContactParameters, WhatsappMessageType, WhatsappReportMode,
    WhatsappTemplateButtonParameter, WhatsappTemplateHeaderParameter,
};
use serde_json::Value;
use tokio::sync::mpsc;

fn step(n: u32, title: &str) {
    println!("\n── {n}. {title} ─────────────────────────────────────────");
}

/// A tiny webhook receiver: every POSTed body goes to the channel.
async fn webhook_receiver() -> anyhow::Result<(String, mpsc::UnboundedReceiver<Bytes>)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/webhook/rcs",
            post(
                |State(tx): State<mpsc::UnboundedSender<Bytes>>, body: Bytes| async move {
                    let _ = tx.send(body);
                    "ok"
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhook/rcs", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, rx))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A real account is used when a token is set (the base URL defaults to Noxitel's). It
    // sends real messages, so it only runs towards a phone the user names.
    let token = std::env::var(noxitel_api::TOKEN_ENV).unwrap_or_default();
    let real = !token.trim().is_empty();
    let mut sandbox = None;
    let (base_url, token) = if real {
        let base_url = std::env::var(noxitel_api::BASE_URL_ENV)
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| noxitel_api::DEFAULT_BASE_URL.to_owned());
        println!("Using the real account at {base_url}");
        (base_url, token)
    } else {
        let started = Sandbox::start_with(Config {
            dlr_delay: Duration::from_millis(500),
            ..Config::default()
        })
        .await?;
        println!(
            "Started an embedded Noxitel sandbox at {}",
            started.base_url()
        );
        let pair = (started.base_url(), started.token().to_owned());
        sandbox = Some(started);
        pair
    };
    let offline = sandbox.is_some();
    let control = sandbox.as_ref().map(Sandbox::control_url);
    // Not `reqwest::Client::new()`: see `Client::http_client_builder`.
    let http = Client::http_client_builder()?.build()?;
    let client = Client::builder(&token).base_url(&base_url).build()?;
    let (first, second) = if offline {
        // The reference's own example numbers: harmless in the sandbox.
        ("919887111111".to_owned(), "918058222222".to_owned())
    } else {
        let first = std::env::var("NOXITEL_TEST_MOBILE")
            .ok()
            .filter(|m| !m.trim().is_empty());
        let first = first.context(
            "against a real account the tour sends real SMS, OTP, RCS and WhatsApp messages: \
             set NOXITEL_TEST_MOBILE (and optionally NOXITEL_TEST_MOBILE_2) to phones you own",
        )?;
        let second = std::env::var("NOXITEL_TEST_MOBILE_2").unwrap_or_else(|_| first.clone());
        (first, second)
    };

    step(1, "Credits");
    let credits = client.get_credits().await?;
    if let Some(wallet) = &credits.wallet {
        println!(
            "wallet: {} {}",
            wallet.amount.as_deref().unwrap_or("?"),
            wallet.currency.as_deref().unwrap_or("")
        );
    }
    for route in &credits.credits {
        println!(
            "route {:<14} {} credits",
            route.route.as_deref().unwrap_or("?"),
            route.credits.unwrap_or_default()
        );
    }

    step(2, "A personalized SMS to two contacts");
    let call = client
        .send_sms()
        .campaign_id(1)
        .route_id(1)
        .sender("NOXITEL")
        .message("Hi #name#, your order #order# has shipped.")
        .contact(
            Contact::new(&first)
                .param("name", "Sam")
                .param("order", "A-1042"),
        )
        .contact(
            Contact::new(&second)
                .param("name", "Alex")
                .param("order", "A-1043"),
        );
    println!("POST /sms  message = \"Hi #name#, your order #order# has shipped.\"");
    let sent = call.await?;
    println!(
        "→ {} (batch_id {})",
        sent.message.as_deref().unwrap_or("sent"),
        sent.batch_id
    );
    for id in &sent.message_id {
        println!("  {} → sms_id {}", id.mobile, id.sms_id);
        if let Some(control) = &control {
            let stored: Value = http
                .get(format!("{control}/sms/{}", id.sms_id))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            println!("    text as sent: {}", stored["text"]);
        }
    }

    step(3, "Its delivery reports");
    for attempt in 0..30 {
        let dlr = client.get_sms_dlr().batch_id(&sent.batch_id).await?;
        // Delivered or failed (`is_final`), whatever the report's wording.
        let done = dlr.data.iter().all(SmsDlrRecord::is_final);
        if done || attempt == 29 {
            for record in &dlr.data {
                let state = record.dlr.clone().unwrap_or_default();
                println!(
                    "  {} : {} — {} ({}) at {}",
                    record
                        .mobile
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    record
                        .delivery_status()
                        .map_or_else(|| "no report yet".to_owned(), |s| s.to_string()),
                    state.status.unwrap_or_default(),
                    state.operator_reply.unwrap_or_default(),
                    state.delivery_time.unwrap_or_else(|| "-".into())
                );
            }
            break;
        }
        if attempt == 0 {
            println!("  (waiting for the handsets…)");
        }
        tokio::time::sleep(Duration::from_millis(if offline { 200 } else { 2000 })).await;
    }

    step(4, "An OTP, sent and verified");
    let otp = client.send_otp().channel(27).mobile(&first).await?;
    println!("POST /otp → reference {}", otp.reference);
    let code = match &control {
        Some(control) => {
            let last: Value = http
                .get(format!("{control}/otp/{first}"))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            let code = last["otp"]
                .as_str()
                .context("no OTP in the sandbox")?
                .to_owned();
            println!("(sandbox control surface: the SMS to {first} carried code {code})");
            code
        }
        None => {
            println!("Type the code you received on {first} and press Enter:");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let code = line.trim().to_owned();
            anyhow::ensure!(!code.is_empty(), "no code typed: the tour stops here");
            code
        }
    };
    if offline {
        let wrong = if code == "000000" { "111111" } else { "000000" };
        match client
            .verify_otp()
            .reference(&otp.reference)
            .otp(wrong)
            .await?
        {
            OtpVerification::NotMatched { message } => {
                println!(
                    "GET /otp/verify otp={wrong} → not matched: {}",
                    message.unwrap_or_default()
                )
            }
            OtpVerification::Matched => println!("GET /otp/verify otp={wrong} → matched?!"),
        }
    }
    match client
        .verify_otp()
        .reference(&otp.reference)
        .otp(&code)
        .await?
    {
        OtpVerification::Matched => println!("GET /otp/verify otp={code} → matched ✔"),
        OtpVerification::NotMatched { message } => {
            println!(
                "GET /otp/verify otp={code} → not matched: {}",
                message.unwrap_or_default()
            )
        }
    }

    step(
        5,
        "An RCS rich card, and a suggestion tap received by a local webhook",
    );
    let (hook_url, mut hooks) = webhook_receiver().await?;
    println!("webhook receiver listening at {hook_url}");
    let card = RcsCard::new()
        .title("Flash Sale 40% Off")
        .description("Hi #name#, use FLASH40 at checkout.")
        .media(RcsCardMedia::new("https://cdn.example.com/sale.jpg").height("MEDIUM"))
        .suggestion(RcsSuggestion::reply("Remind me"))
        .suggestion(RcsSuggestion::url("Shop Now", "https://brand.com/sale"));
    let rich_card = SendRcsMessageRequest::new(RcsMessageType::RichCard)
        .agent_id(3)
        .contact(Contact::new(&first).param("name", "Sam"))
        .content(RcsRichCardContent::new(card).orientation("VERTICAL"))
        .notify_url(&hook_url);
    let rcs = client.send_rcs_message().body(rich_card).await?;
    let msg_id = rcs.message_id.first().context("no msg_id")?.msg_id.clone();
    println!("POST /rcs/message → batch {} msg_id {msg_id}", rcs.batch_id);
    if let Some(control) = &control {
        tokio::time::sleep(Duration::from_millis(700)).await;
        println!("(sandbox: {first} taps \"Shop Now\")");
        http.post(format!("{control}/rcs/tap"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"msgId": msg_id, "text": "Shop Now"}))
            .send()
            .await?
            .error_for_status()?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let body = match tokio::time::timeout_at(deadline, hooks.recv()).await {
                Ok(Some(body)) => body,
                _ => {
                    println!("  (no more webhooks)");
                    break;
                }
            };
            match RcsEvent::from_slice(&body)? {
                RcsEvent::SuggestionReceived { postback, text, .. } => {
                    println!(
                        "  webhook message.received: tapped {:?} → action {} payload {}",
                        text.unwrap_or_default(),
                        postback.action,
                        postback.payload
                    );
                    break;
                }
                other => println!(
                    "  webhook {}: msgId {}",
                    other.payload().event,
                    other.payload().msg_id.as_deref().unwrap_or("-")
                ),
            }
        }
        let dlr = client.get_rcs_dlr().msg_id(&msg_id).await?;
        if let Some(state) = dlr.data.first().and_then(|r| r.dlr.as_ref()) {
            println!(
                "GET /rcs/dlr → {}",
                state
                    .status
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            );
        }
    } else {
        println!(
            "(real account: the tap webhook would go to {hook_url}, which Noxitel cannot reach; skipped)"
        );
    }

    step(6, "A WhatsApp template");
    let parameters = WhatsappContactParameters::new()
        .header([WhatsappTemplateHeaderParameter::new("text", "Hello!")])
        .body(["Sam", "Special Offer"])
        .button(WhatsappTemplateButtonParameter::new(0).url("https://brand.com/offer"));
    let template =
        SendWhatsappMessageRequest::new([WhatsappContact::new(&first).parameters(parameters)])
            .phone_id("1234567890")
            .type_(WhatsappMessageType::Template)
            .template_id("welcome_template");
    let wa = client.send_whatsapp_message().body(template).await?;
    let wa_id = wa.message_id.first().context("no msg_id")?.msg_id.clone();
    println!(
        "POST /whatsapp/message (welcome_template) → {} msg_id {wa_id}, cost {}",
        wa.message.as_deref().unwrap_or("sent"),
        wa.total_cost.unwrap_or_default()
    );
    let report = client
        .get_whatsapp_report()
        .mode(WhatsappReportMode::Message)
        .id(&wa_id)
        .await?;
    for r in report.reports() {
        println!(
            "GET /whatsapp/report → status {} (delivered: {})",
            r.status.as_deref().unwrap_or("?"),
            r.is_delivered()
        );
    }

    step(7, "Credits afterwards");
    let credits = client.get_credits().await?;
    if let Some(wallet) = &credits.wallet {
        println!("wallet: {}", wallet.amount.as_deref().unwrap_or("?"));
    }
    if let Some(route) = credits.credits.first() {
        println!(
            "route {}: {} credits",
            route.route.as_deref().unwrap_or("?"),
            route.credits.unwrap_or_default()
        );
    }
    println!("\nDone.");
    if let Some(sandbox) = sandbox {
        println!(
            "\nEverything this tour sent is in the sandbox inbox, one thread per phone with its\n\
             delivery reports, webhooks and the OTP code; tap the RCS chips or reply there:\n  {}\n\
             (the API reference: {})",
            sandbox.inbox_url(),
            sandbox.docs_url()
        );
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            println!("Open it now; press Enter to stop the sandbox.");
            let _ = tokio::task::spawn_blocking(|| {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)
            })
            .await;
        } else {
            println!(
                "(stdin is not a terminal, so the sandbox stops now: `cargo run -p noxitel-sandbox` \
                 or `noxitel sandbox` keeps one running)"
            );
        }
        sandbox.shutdown().await;
    }
    Ok(())
}
