//! Send a one-time password, read the code the user received, verify it.
//!
//! ```sh
//! export NOXITEL_API_TOKEN=...            # required
//! export NOXITEL_BASE_URL=...             # optional, e.g. a local sandbox
//! cargo run -p noxitel-api --example otp -- 27 919887111111
//! ```

use std::io::BufRead;
use std::process::ExitCode;

use noxitel_api::OtpVerification;

mod common;
use common::OrExit;

const USAGE: &str = "otp <OTP channel ID from the dashboard> <mobile, e.g. 919887111111>";

/// The example; an early end gives the exit code.
async fn run() -> Result<ExitCode, ExitCode> {
    let [channel, mobile] = common::args(USAGE)?;
    let channel = common::number("the channel", &channel)?;
    let client = common::client()?;

    let send = client.send_otp().channel(channel).mobile(mobile);
    let sent = send.await.or_exit("sending the OTP")?;
    println!("OTP sent (reference {})", sent.reference);

    eprint!("code received: ");
    let mut code = String::new();
    if std::io::stdin().lock().read_line(&mut code).is_err() {
        eprintln!("could not read the code");
        return Err(ExitCode::FAILURE);
    }
    let verify = client
        .verify_otp()
        .reference(&sent.reference)
        .otp(code.trim());
    match verify.await.or_exit("verifying the OTP")? {
        OtpVerification::Matched => {
            println!("verified");
            Ok(ExitCode::SUCCESS)
        }
        OtpVerification::NotMatched { message } => {
            println!(
                "not verified: {}",
                message.as_deref().unwrap_or("wrong or expired code")
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}
