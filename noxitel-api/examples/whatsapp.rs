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
use common::failed;

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}

async fn run() -> Result<ExitCode, ExitCode> {
    let ([msisdn, message], phone_id) =
        common::args_and_optional("whatsapp <msisdn, e.g. 919887111111> <message> [phone ID]")?;
    let client = common::client()?;

    if let Some(phone_id) = &phone_id {
        let window = client
            .check_whatsapp_window()
            .phone_id(phone_id)
            .msisdn(&msisdn)
            .await
            .map_err(|e| failed("checking the service window", &e))?;
        if window.window_open {
            println!(
                "service window open until {}",
                window.expires_at.as_deref().unwrap_or("?")
            );
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
    let sent = client
        .send_whatsapp_message()
        .body(request)
        .await
        .map_err(|e| failed("sending the message", &e))?;
    println!(
        "{} (cost {})",
        sent.message.as_deref().unwrap_or("sent"),
        sent.total_cost
            .map_or_else(|| "?".into(), |c| c.to_string())
    );

    for id in &sent.message_id {
        let report = client
            .get_whatsapp_report()
            .mode(WhatsappReportMode::Message)
            .id(&id.msg_id)
            .await
            .map_err(|e| failed("fetching the report", &e))?;
        for r in report.reports() {
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
