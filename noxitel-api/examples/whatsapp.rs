//! Send a WhatsApp text message (checking the 24-hour service window first when a phone ID is
//! given), then fetch the message's report.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example whatsapp -- 919887111111 "Your order has shipped" [PHONE_ID]
//! ```

use std::process::ExitCode;

use noxitel_api::types::{
    SendWhatsappMessageRequest, WhatsappContact, WhatsappMessageType, WhatsappReportMode,
};

mod common;
use common::OrExit;

const USAGE: &str = "whatsapp <msisdn, e.g. 919887111111> <message> [phone ID]";

/// The example; an early end gives the exit code.
async fn run() -> Result<ExitCode, ExitCode> {
    let ([msisdn, message], phone_id) = common::args_and_optional(USAGE)?;
    let client = common::client()?;

    if let Some(phone_id) = &phone_id {
        let check = client
            .check_whatsapp_window()
            .phone_id(phone_id)
            .msisdn(&msisdn);
        let window = check.await.or_exit("checking the service window")?;
        if window.window_open {
            let until = window.expires_at.as_deref().unwrap_or("?");
            println!("service window open until {until}");
        } else {
            println!("service window closed: free-form text may be refused (use a template)");
        }
    }

    let mut request = SendWhatsappMessageRequest::new([WhatsappContact::new(msisdn)])
        .type_(WhatsappMessageType::Text)
        .message(message);
    if let Some(phone_id) = phone_id {
        request = request.phone_id(phone_id);
    }
    let send = client.send_whatsapp_message().body(request);
    let sent = send.await.or_exit("sending the message")?;
    let cost = sent
        .total_cost
        .map_or_else(|| "?".into(), |c| c.to_string());
    println!(
        "{} (cost {cost})",
        sent.message.as_deref().unwrap_or("sent")
    );

    for id in &sent.message_id {
        let fetch = client
            .get_whatsapp_report()
            .mode(WhatsappReportMode::Message)
            .id(&id.msg_id);
        for r in fetch.await.or_exit("fetching the report")?.reports() {
            println!(
                "  {} -> {}: {}",
                id.msisdn,
                id.msg_id,
                r.status.as_deref().unwrap_or("no status yet")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}
