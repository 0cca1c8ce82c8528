//! Place a text-to-speech call (the Voice API is a preview: "coming soon").
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example voice -- 919887111111 YOUR_VOICE_NUMBER "Your code is 1 2 3 4"
//! ```

use std::process::ExitCode;

use noxitel_api::types::{VoiceCallRequest, VoiceTts};
use noxitel_api::{Client, Error};

mod common;
use common::missing_config;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [to, from, text] = args.as_slice() else {
        eprintln!("usage: voice <to, e.g. 919887111111> <your caller ID> <text to speak>");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => return missing_config(&e),
    };

    let tts = VoiceTts::new(text)
        .language("en-IN")
        .voice("female")
        .repeat(2);
    let request = VoiceCallRequest::new(from, to).tts(tts);
    match client.place_voice_call().body(request).await {
        Ok(call) => {
            println!(
                "call {} to {}: {}",
                call.call_id,
                call.to.as_deref().unwrap_or(to),
                call.status
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "no status".into())
            );
            ExitCode::SUCCESS
        }
        Err(e) => failed("placing the call", &e),
    }
}

fn failed(what: &str, error: &Error) -> ExitCode {
    let code = common::failed(what, error);
    if let Error::NotFound(_) = error {
        eprintln!("  the Voice API (preview) may not be enabled for your account yet");
    }
    code
}
