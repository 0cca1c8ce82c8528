//! Check that a number supports RCS, send it a text with a reply chip, then fetch the
//! delivery report.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example rcs -- 42 919887111111 "Your parcel arrives today"
//! ```

use std::process::ExitCode;

use noxitel_api::Client;
use noxitel_api::types::{
    Contact, RcsMessageType, RcsSuggestion, RcsTextContent, RcsTrafficType, SendRcsMessageRequest,
};

mod common;
use common::{failed, missing_config};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [agent_id, mobile, text] = args.as_slice() else {
        eprintln!("usage: rcs <agent ID> <mobile, e.g. 919887111111> <text>");
        return ExitCode::from(2);
    };
    let Ok(agent_id) = agent_id.parse::<i64>() else {
        eprintln!("the agent ID must be a number, got {agent_id:?}");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => return missing_config(&e),
    };

    match client
        .get_rcs_capability()
        .mobile(mobile)
        .agent_id(agent_id)
        .await
    {
        Ok(capability) if capability.rcs_enabled => {
            let features: Vec<String> = capability.features.iter().map(|f| f.to_string()).collect();
            println!("RCS supported: {}", features.join(", "));
        }
        Ok(_) => {
            println!("{mobile} does not support RCS");
            return ExitCode::FAILURE;
        }
        Err(e) => return failed("checking RCS support", &e),
    }

    let content = RcsTextContent::new(text).suggestion(RcsSuggestion::reply("OK"));
    let request = SendRcsMessageRequest::new(RcsMessageType::Text)
        .agent_id(agent_id)
        .content(content)
        .contact(Contact::new(mobile))
        .traffic_type(RcsTrafficType::Transaction);
    let sent = match client.send_rcs_message().body(request).await {
        Ok(sent) => sent,
        Err(e) => return failed("sending the message", &e),
    };
    println!("submitted: batch {}", sent.batch_id);

    match client.get_rcs_dlr().batch_id(&sent.batch_id).await {
        Ok(report) => {
            for record in &report.data {
                let state = record.dlr.as_ref();
                println!(
                    "  {}: {}",
                    record.msg_id.as_deref().unwrap_or("?"),
                    state
                        .and_then(|d| d.status.as_ref())
                        .map_or_else(|| "no status yet".into(), |s| s.to_string())
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => failed("fetching the delivery report", &e),
    }
}
