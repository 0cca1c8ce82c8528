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
use common::OrExit;

const USAGE: &str = "sms <mobile with country code, e.g. 919887111111> <message> [sender]";

/// The example; an early end gives the exit code.
async fn run() -> Result<ExitCode, ExitCode> {
    let ([mobile, message], sender) = common::args_and_optional(USAGE)?;
    let client = common::client()?;

    let credits = client.get_credits().await.or_exit("checking the balance")?;
    for route in &credits.credits {
        let name = route.route.as_deref().unwrap_or("?");
        println!(
            "credits on route {name}: {}",
            route.credits.unwrap_or_default()
        );
    }

    let send = client
        .send_sms()
        .message(message)
        .contact(Contact::new(mobile).param("name", "there"))
        .set_sender(sender);
    let sent = send.await.or_exit("sending the SMS")?;
    println!(
        "submitted: batch {} ({} contact(s))",
        sent.batch_id,
        sent.total_contacts.unwrap_or_default()
    );
    for id in &sent.message_id {
        println!("  {} -> sms_id {}", id.mobile, id.sms_id);
    }

    let fetch = client.get_sms_dlr().batch_id(&sent.batch_id);
    for record in fetch.await.or_exit("fetching the delivery report")?.data {
        let mobile = record.mobile.map(|m| m.to_string()).unwrap_or_default();
        let (status, reply) = record
            .dlr
            .map_or((None, None), |d| (d.status, d.operator_reply));
        println!(
            "  {mobile}: {} ({})",
            status.as_deref().unwrap_or("no status yet"),
            reply.as_deref().unwrap_or("-"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}
