//! Loopback load generator: throughput of `POST /sms` and `GET /credits` on the sandbox (in
//! memory and with `--db`), on a Prism mock of the same document and on a bare axum server
//! answering constant JSON (`examples/bare.rs`, the stack's limit), and the ratios. Run
//! through `scripts/bench.sh`, which starts every server.
//!
//! ```sh
//! cargo run --release -p noxitel-sandbox --example bench -- \
//!   --sandbox http://127.0.0.1:8787/api/v2 --prism http://127.0.0.1:4010 --token T
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// Sandbox base URL (…/api/v2).
    #[arg(long)]
    sandbox: String,
    /// Base URL of a sandbox started with `--db` (…/api/v2).
    #[arg(long)]
    sandbox_db: Option<String>,
    /// Prism base URL (Prism serves the document's paths at its root).
    #[arg(long)]
    prism: Option<String>,
    /// Base URL of the bare axum baseline (…/api/v2).
    #[arg(long)]
    bare: Option<String>,
    /// Bearer token (the sandbox's; Prism only checks that one is present).
    #[arg(long)]
    token: String,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
}

const SMS_BODY: &str = r#"{"campaignId":1,"routeId":1,"sender":"NOXITEL","mode":"text","message":"Hi #name#, your OTP is #otp#","contacts":[{"mobile":"919887111111","parameters":{"name":"Sam","otp":"847291"}}]}"#;

struct Outcome {
    rps: f64,
    ok: u64,
    failed: u64,
    p50_us: u64,
    p99_us: u64,
}

async fn measure(base: &str, token: &str, post_sms: bool, args: &Args) -> Outcome {
    let client = noxitel_api::Client::http_client_builder()
        .expect("TLS")
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .expect("client");
    let url = if post_sms {
        format!("{base}/sms")
    } else {
        format!("{base}/credits")
    };
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    // warm-up
    for _ in 0..20 {
        let _ = send(&client, &url, token, post_sms).await;
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (client, url, token) = (client.clone(), url.clone(), token.to_owned());
            let (ok, failed) = (Arc::clone(&ok), Arc::clone(&failed));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if send(&client, &url, &token, post_sms).await {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    latencies.push(t.elapsed().as_micros() as u64);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let ok = ok.load(Ordering::Relaxed);
    Outcome {
        rps: ok as f64 / elapsed,
        ok,
        failed: failed.load(Ordering::Relaxed),
        p50_us: pct(0.5),
        p99_us: pct(0.99),
    }
}

async fn send(client: &reqwest::Client, url: &str, token: &str, post_sms: bool) -> bool {
    let request = if post_sms {
        client
            .post(url)
            .header("Content-Type", "application/json")
            .body(SMS_BODY)
    } else {
        client.get(url)
    };
    match request.bearer_auth(token).send().await {
        Ok(response) => {
            let good = response.status().is_success();
            let _ = response.bytes().await;
            good
        }
        Err(_) => false,
    }
}

fn show(target: &str, op: &str, o: &Outcome) {
    println!(
        "{target:<8} {op:<13} {:>10.0} req/s  ok {:>8}  failed {:>5}  p50 {:>6} µs  p99 {:>7} µs",
        o.rps, o.ok, o.failed, o.p50_us, o.p99_us
    );
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    println!(
        "loopback load: {} connections, {} s per measurement\n",
        args.concurrency, args.seconds
    );
    let mut results = Vec::new();
    for (op, post_sms) in [("POST /sms", true), ("GET /credits", false)] {
        let targets = [
            ("sandbox", Some(&args.sandbox)),
            ("sbx --db", args.sandbox_db.as_ref()),
            ("prism", args.prism.as_ref()),
            ("bare", args.bare.as_ref()),
        ];
        let mut row = Vec::new();
        for (name, url) in targets {
            let Some(url) = url else { continue };
            let outcome = measure(url, &args.token, post_sms, &args).await;
            show(name, op, &outcome);
            row.push((name, outcome.rps));
        }
        results.push((op, row));
    }
    println!();
    for (op, row) in results {
        let rps = |name: &str| row.iter().find(|(n, _)| *n == name).map(|(_, r)| *r);
        for name in ["sandbox", "sbx --db"] {
            let Some(ours) = rps(name) else { continue };
            if let Some(prism) = rps("prism") {
                let ratio = if prism > 0.0 {
                    ours / prism
                } else {
                    f64::INFINITY
                };
                println!(
                    "{op:<13} {name:<8} / prism = {ratio:>6.1}x  ({ours:.0} vs {prism:.0} req/s){}",
                    if ratio >= 20.0 {
                        ""
                    } else {
                        "  (below the 20x target)"
                    }
                );
            }
            if let Some(bare) = rps("bare") {
                println!(
                    "{op:<13} {name:<8} / bare  = {:>5.1} %  ({ours:.0} vs {bare:.0} req/s)",
                    100.0 * ours / bare.max(1.0)
                );
            }
        }
    }
}
