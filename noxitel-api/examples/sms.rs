//! Send an SMS, then fetch its delivery report.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example sms -- 919887111111 "Hi #name#, your order has shipped" [SENDER]
//! ```

use std::process::ExitCode;

use noxitel_api::types::Contact;

mod common;
use common::failed;

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}

async fn run() -> Result<ExitCode, ExitCode> {
    let ([mobile, message], sender) = common::args_and_optional(
        "sms <mobile with country code, e.g. 919887111111> <message> [sender]",
    )?;
    let client = common::client()?;

    let credits = client
        .get_credits()
        .await
        .map_err(|e| failed("checking the balance", &e))?;
    for route in &credits.credits {
        println!(
            "credits on route {}: {}",
            route.route.as_deref().unwrap_or("?"),
            route.credits.unwrap_or_default()
        );
    }

    let sent = client
        .send_sms()
        .message(message)
        .contact(Contact::new(mobile).param("name", "there"))
        .set_sender(sender)
        .await
        .map_err(|e| failed("sending the SMS", &e))?;
    println!(
        "submitted: batch {} ({} contact(s))",
        sent.batch_id,
        sent.total_contacts.unwrap_or_default()
    );
    for id in &sent.message_id {
        println!("  {} -> sms_id {}", id.mobile, id.sms_id);
    }

    let report = client
        .get_sms_dlr()
        .batch_id(&sent.batch_id)
        .await
        .map_err(|e| failed("fetching the delivery report", &e))?;
    for record in &report.data {
        let dlr = record.dlr.as_ref();
        let mobile = record.mobile.as_ref().map(|m| m.to_string());
        println!(
            "  {}: {} ({})",
            mobile.unwrap_or_default(),
            dlr.and_then(|d| d.status.as_deref())
                .unwrap_or("no status yet"),
            dlr.and_then(|d| d.operator_reply.as_deref()).unwrap_or("-"),
        );
    }
    Ok(ExitCode::SUCCESS)
}
