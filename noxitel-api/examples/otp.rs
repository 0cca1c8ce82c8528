//! Send a one-time password, read the code the user received, verify it.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example otp -- 27 919887111111
//! ```

use std::io::BufRead;
use std::process::ExitCode;

use noxitel_api::{Client, OtpVerification};

mod common;
use common::{failed, missing_config};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [channel, mobile] = args.as_slice() else {
        eprintln!("usage: otp <OTP channel ID from the dashboard> <mobile, e.g. 919887111111>");
        return ExitCode::from(2);
    };
    let Ok(channel) = channel.parse::<i64>() else {
        eprintln!("the channel must be a number, got {channel:?}");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => return missing_config(&e),
    };

    let sent = match client.send_otp().channel(channel).mobile(mobile).await {
        Ok(sent) => sent,
        Err(e) => return failed("sending the OTP", &e),
    };
    println!("OTP sent (reference {})", sent.reference);

    eprint!("code received: ");
    let mut code = String::new();
    if std::io::stdin().lock().read_line(&mut code).is_err() {
        eprintln!("could not read the code");
        return ExitCode::FAILURE;
    }
    match client
        .verify_otp()
        .reference(&sent.reference)
        .otp(code.trim())
        .await
    {
        Ok(OtpVerification::Matched) => {
            println!("verified");
            ExitCode::SUCCESS
        }
        Ok(OtpVerification::NotMatched { message }) => {
            println!(
                "not verified: {}",
                message.as_deref().unwrap_or("wrong or expired code")
            );
            ExitCode::FAILURE
        }
        Err(e) => failed("verifying the OTP", &e),
    }
}
