//! Peak memory under huge answers, from the process's own high-water mark (`VmHWM`): a test
//! binary of its own, with one test, so nothing else runs beside it.
//!
//! Before the bound, a 2 GiB `200` took the process to 6 GiB and a 2 GiB `500` to 4 GiB.

mod common;

use common::hostile::{Fault, Hostile};
use common::{builder_for, seed, seed_as};
use noxitel_api::types::SendSmsRequest;
use noxitel_api::{DEFAULT_MAX_RESPONSE_SIZE, Error};

const MIB: u64 = 1024 * 1024;

/// The process's peak resident memory so far, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_answers_never_take_more_memory_than_the_limit_and_a_small_constant() {
    let Some(_) = peak_rss() else {
        eprintln!("no /proc/self/status here: peak memory not measured");
        return;
    };
    // Warm up: the runtime, the connection pool and the decoder's first allocations.
    let ok = Hostile::start(vec![Fault::json(200, &seed("credits-success.json"))]).await;
    builder_for(ok.base_url())
        .build()
        .unwrap()
        .get_credits()
        .await
        .unwrap();
    let before = peak_rss().unwrap();

    let two_gib = 2 << 30;
    for status in [200, 500] {
        // Chunked, without a length: only reading tells how long it is.
        let server = Hostile::start(vec![Fault::Endless {
            status,
            rate: None,
            limit: two_gib,
        }])
        .await;
        let client = builder_for(server.base_url()).build().unwrap();
        let sms: SendSmsRequest = seed_as("sms-send-request-curl.json");
        let error = client.send_sms().body(sms).await.unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { .. }),
            "{status}: {error:?}"
        );
        let error = client.get_credits().await.unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { .. }),
            "{status}: {error:?}"
        );
    }
    let grown = peak_rss().unwrap().saturating_sub(before);
    eprintln!(
        "peak RSS grew by {:.1} MiB reading 2 GiB answers (limit {} MiB)",
        grown as f64 / MIB as f64,
        DEFAULT_MAX_RESPONSE_SIZE as u64 / MIB
    );
    // The body buffer grows by doubling up to the limit (old and new buffer live at once
    // while it moves), plus the runtime's and the server's own buffers.
    let bound = DEFAULT_MAX_RESPONSE_SIZE as u64 * 3 / 2 + 16 * MIB;
    assert!(
        grown < bound,
        "peak RSS grew by {} MiB (bound {} MiB)",
        grown / MIB,
        bound / MIB
    );
}
