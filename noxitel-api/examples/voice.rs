//! Place a text-to-speech call (the Voice API is a preview: "coming soon").
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example voice -- 919887111111 YOUR_VOICE_NUMBER "Your code is 1 2 3 4"
//! ```

use std::process::ExitCode;

use noxitel_api::Error;
use noxitel_api::types::{VoiceCallRequest, VoiceTts};

mod common;

const USAGE: &str = "voice <to, e.g. 919887111111> <your caller ID> <text to speak>";

/// The example; an early end gives the exit code.
async fn run() -> Result<ExitCode, ExitCode> {
    let [to, from, text] = common::args(USAGE)?;
    let client = common::client()?;

    let tts = VoiceTts::new(text)
        .language("en-IN")
        .voice("female")
        .repeat(2);
    let request = VoiceCallRequest::new(from, &to).tts(tts);
    let call = match client.place_voice_call().body(request).await {
        Ok(call) => call,
        Err(error) => return Err(failed("placing the call", &error)),
    };
    let status = call.status.map(|s| s.to_string());
    println!(
        "call {} to {}: {}",
        call.call_id,
        call.to.as_deref().unwrap_or(&to),
        status.as_deref().unwrap_or("no status")
    );
    Ok(ExitCode::SUCCESS)
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}

/// [`common::failed`], with a hint for the preview API.
fn failed(what: &str, error: &Error) -> ExitCode {
    let code = common::failed(what, error);
    if let Error::NotFound(_) = error {
        eprintln!("  the Voice API (preview) may not be enabled for your account yet");
    }
    code
}
