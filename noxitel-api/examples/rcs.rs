//! Check that a number supports RCS, send it a text with a reply chip, then fetch the
//! delivery report.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example rcs -- 42 919887111111 "Your parcel arrives today"
//! ```

use std::process::ExitCode;

use noxitel_api::types::{
    Contact, RcsMessageType, RcsSuggestion, RcsTextContent, RcsTrafficType, SendRcsMessageRequest,
};

mod common;
use common::OrExit;

const USAGE: &str = "rcs <agent ID> <mobile, e.g. 919887111111> <text>";

/// The example; an early end gives the exit code.
async fn run() -> Result<ExitCode, ExitCode> {
    let [agent_id, mobile, text] = common::args(USAGE)?;
    let agent_id = common::number("the agent ID", &agent_id)?;
    let client = common::client()?;

    let check = client
        .get_rcs_capability()
        .mobile(&mobile)
        .agent_id(agent_id);
    let capability = check.await.or_exit("checking RCS support")?;
    if !capability.rcs_enabled {
        println!("{mobile} does not support RCS");
        return Err(ExitCode::FAILURE);
    }
    let features: Vec<String> = capability.features.iter().map(|f| f.to_string()).collect();
    println!("RCS supported: {}", features.join(", "));

    let content = RcsTextContent::new(text).suggestion(RcsSuggestion::reply("OK"));
    let request = SendRcsMessageRequest::new(RcsMessageType::Text)
        .agent_id(agent_id)
        .content(content)
        .contact(Contact::new(mobile))
        .traffic_type(RcsTrafficType::Transaction);
    let send = client.send_rcs_message().body(request);
    let sent = send.await.or_exit("sending the message")?;
    println!("submitted: batch {}", sent.batch_id);

    let fetch = client.get_rcs_dlr().batch_id(&sent.batch_id);
    for record in fetch.await.or_exit("fetching the delivery report")?.data {
        let status = record.dlr.and_then(|d| d.status);
        println!(
            "  {}: {}",
            record.msg_id.as_deref().unwrap_or("?"),
            status.map_or_else(|| "no status yet".into(), |s| s.to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}
