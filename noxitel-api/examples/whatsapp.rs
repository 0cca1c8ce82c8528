//! Send a WhatsApp text message (checking the 24-hour service window first when a phone ID is
//! given), then fetch the message's report.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example whatsapp -- 919887111111 "Your order has shipped" [PHONE_ID]
//! ```

use std::process::ExitCode;

use noxitel_api::Client;
use noxitel_api::types::{
    SendWhatsappMessageRequest, WhatsappContact, WhatsappMessageType, WhatsappReportMode,
};

mod common;
use common::{failed, missing_config};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [msisdn, message, rest @ ..] = args.as_slice() else {
        eprintln!("usage: whatsapp <msisdn, e.g. 919887111111> <message> [phone ID]");
        return ExitCode::from(2);
    };
    let phone_id = rest.first().cloned();
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => return missing_config(&e),
    };

    if let Some(phone_id) = &phone_id {
        match client
            .check_whatsapp_window()
            .phone_id(phone_id)
            .msisdn(msisdn)
            .await
        {
            Ok(window) if window.window_open => println!(
                "service window open until {}",
                window.expires_at.as_deref().unwrap_or("?")
            ),
            Ok(_) => {
                println!("service window closed: free-form text may be refused (use a template)")
            }
            Err(e) => return failed("checking the service window", &e),
        }
    }

    let mut request = SendWhatsappMessageRequest::new([WhatsappContact::new(msisdn)])
        .type_(WhatsappMessageType::Text)
        .message(message);
    if let Some(phone_id) = phone_id {
        request = request.phone_id(phone_id);
    }
    let sent = match client.send_whatsapp_message().body(request).await {
        Ok(sent) => sent,
        Err(e) => return failed("sending the message", &e),
    };
    println!(
        "{} (cost {})",
        sent.message.as_deref().unwrap_or("sent"),
        sent.total_cost
            .map_or_else(|| "?".into(), |c| c.to_string())
    );

    for id in &sent.message_id {
        match client
            .get_whatsapp_report()
            .mode(WhatsappReportMode::Message)
            .id(&id.msg_id)
            .await
        {
            Ok(report) => {
                for r in report.reports() {
                    println!(
                        "  {} -> {}: {}",
                        id.msisdn,
                        id.msg_id,
                        r.status.as_deref().unwrap_or("no status yet")
                    );
                }
            }
            Err(e) => return failed("fetching the report", &e),
        }
    }
    ExitCode::SUCCESS
}
