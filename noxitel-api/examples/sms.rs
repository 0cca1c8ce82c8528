//! Send an SMS, then fetch its delivery report.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example sms -- 919887111111 "Hi #name#, your order has shipped" [SENDER]
//! ```

use std::process::ExitCode;

use noxitel_api::Client;
use noxitel_api::types::Contact;

mod common;
use common::{failed, missing_config};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mobile, message, rest @ ..] = args.as_slice() else {
        eprintln!("usage: sms <mobile with country code, e.g. 919887111111> <message> [sender]");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => return missing_config(&e),
    };

    match client.get_credits().await {
        Ok(credits) => {
            for route in &credits.credits {
                println!(
                    "credits on route {}: {}",
                    route.route.as_deref().unwrap_or("?"),
                    route.credits.unwrap_or_default()
                );
            }
        }
        Err(e) => return failed("checking the balance", &e),
    }

    let call = client
        .send_sms()
        .message(message)
        .contact(Contact::new(mobile).param("name", "there"))
        .set_sender(rest.first().cloned());
    let sent = match call.await {
        Ok(sent) => sent,
        Err(e) => return failed("sending the SMS", &e),
    };
    println!(
        "submitted: batch {} ({} contact(s))",
        sent.batch_id,
        sent.total_contacts.unwrap_or_default()
    );
    for id in &sent.message_id {
        println!("  {} -> sms_id {}", id.mobile, id.sms_id);
    }

    match client.get_sms_dlr().batch_id(&sent.batch_id).await {
        Ok(report) => {
            for record in &report.data {
                let dlr = record.dlr.as_ref();
                println!(
                    "  {}: {} ({})",
                    record
                        .mobile
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    dlr.and_then(|d| d.status.as_deref())
                        .unwrap_or("no status yet"),
                    dlr.and_then(|d| d.operator_reply.as_deref()).unwrap_or("-"),
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => failed("fetching the delivery report", &e),
    }
}
