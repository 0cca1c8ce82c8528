//! Sending one batch, and what its answer means for the journal and the run.

use noxitel_api::types::SendSmsRequest;
use noxitel_api::{Client, Error};
use tokio::sync::watch;

use super::journal::BatchState;
use crate::exit::{self, Failure};

/// How sending one batch ended: what the journal records, and whether the run stops.
#[derive(Debug)]
pub struct BatchOutcome {
    /// Accepted, failed (safe to send again) or unknown (may have been accepted).
    pub state: BatchState,
    /// The failure that stops the run (auth, credits, rate limit, network, server), if any.
    pub stop: Option<Failure>,
}

/// Why a batch whose request was abandoned at the second Ctrl-C is unknown.
pub const ABANDONED: &str = "interrupted (Ctrl-C twice) while the request was in flight";

/// Sends `request` (the template with the batch's contacts); an `abandon` signal (the second
/// Ctrl-C) drops the request, leaving its outcome unknown.
pub async fn send(
    client: &Client,
    request: SendSmsRequest,
    mut abandon: watch::Receiver<bool>,
) -> BatchOutcome {
    tokio::select! {
        answer = send_sms(client, request) => match answer {
            Ok(batch_id) => BatchOutcome {
                state: BatchState::Accepted { batch_id },
                stop: None,
            },
            Err(error) => classify(error),
        },
        // (An error: the dispatcher is gone, and with it nobody to abandon for.)
        Ok(_) = abandon.wait_for(|&abandoned| abandoned) => BatchOutcome {
            state: BatchState::Unknown { reason: ABANDONED.into() },
            stop: None,
        },
    }
}

/// The one call of the client: `POST /sms`, answering the batch_id.
async fn send_sms(client: &Client, request: SendSmsRequest) -> Result<String, Error> {
    Ok(client.send_sms().body(request).await?.batch_id)
}

/// What a failed send means: refused (sent again by the next run) or unknown (not sent
/// again), and whether it stops the run.
pub fn classify(error: Error) -> BatchOutcome {
    let reason = exit::reason(&error);
    // Answers that say this batch was refused: the others may still go through.
    let refused_alone = matches!(
        error,
        Error::InvalidRequest(_) | Error::BadRequest(_) | Error::NotFound(_) | Error::Api(_)
    );
    // Whether the server may have taken it: timeouts and broken connections after the
    // request went out, 5xx, unreadable 2xx. A connection never made, auth, credits and rate
    // limits are refusals.
    let state = if refused_alone || !error.may_have_been_processed() {
        BatchState::Failed { reason }
    } else {
        BatchState::Unknown { reason }
    };
    BatchOutcome {
        state,
        stop: (!refused_alone).then(|| Failure::api("send", error)),
    }
}
