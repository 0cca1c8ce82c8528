//! Per-request cost of the typed client (`noxitel_api::Client::get_credits`) against raw
//! `reqwest` doing the same request (GET /credits with the bearer token, accept and user
//! agent headers and the same 30 s deadline, JSON decoded into the same type) to the same in-process server. Criterion measures both; then an interleaved run
//! prints the typed/raw ratio (target ≤ 1.05×).
//!
//! `cargo bench -p noxitel-cli --bench client_overhead`

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use criterion::Criterion;
use noxitel_api::types::CreditsResponse;

const BODY: &str = r#"{"status":"success","billing_mode":"credits","wallet":{"amount":"120.00","currency":"USD"},"credits":[{"route":"Standard","credits":3946684}]}"#;
const TOKEN: &str = "bench-token";

fn start_server() -> (String, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app = Router::new().route(
        "/api/v2/credits",
        get(|| async { ([("content-type", "application/json")], BODY) }),
    );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/api/v2"), rt)
}

struct Bench {
    rt: tokio::runtime::Runtime,
    typed: noxitel_api::Client,
    raw: reqwest::Client,
    url: String,
}

impl Bench {
    fn typed(&self) -> CreditsResponse {
        self.rt.block_on(self.typed.get_credits().send()).unwrap()
    }

    fn raw(&self) -> CreditsResponse {
        self.rt.block_on(async {
            let answer = self
                .raw
                .get(&self.url)
                .bearer_auth(TOKEN)
                .header("accept", "application/json")
                .header(
                    "user-agent",
                    concat!("noxitel-api/", env!("CARGO_PKG_VERSION")),
                )
                // The typed client bounds every call by its total timeout; so does the baseline.
                .timeout(noxitel_api::DEFAULT_TIMEOUT)
                .send()
                .await
                .unwrap();
            assert!(answer.status().is_success());
            answer.json::<CreditsResponse>().await.unwrap()
        })
    }
}

/// Median per-request time of `f` over `rounds` rounds of `n` calls.
fn per_request(rounds: usize, n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed() / n as u32
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let (base_url, _server) = start_server();
    let bench = Bench {
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        typed: noxitel_api::Client::builder(TOKEN)
            .base_url(base_url.clone())
            .build()
            .unwrap(),
        // reqwest with the TLS setup it needs here (noxitel-api turns on its rustls transport
        // without a built-in provider, so `reqwest::Client::new()` would panic).
        raw: noxitel_api::Client::http_client_builder()
            .unwrap()
            .build()
            .unwrap(),
        url: format!("{base_url}/credits"),
    };
    assert_eq!(bench.typed(), bench.raw(), "same request, same answer");
    let quick = std::env::args().any(|a| a == "--test");

    let mut c = Criterion::default().configure_from_args();
    if quick {
        c = c
            .sample_size(10)
            .measurement_time(Duration::from_millis(200));
    }
    let mut group = c.benchmark_group("get_credits");
    group.bench_function("typed noxitel_api::Client", |b| b.iter(|| bench.typed()));
    group.bench_function("raw reqwest", |b| b.iter(|| bench.raw()));
    group.finish();
    c.final_summary();

    // Interleaved rounds so that both see the same machine state.
    let (rounds, n) = if quick { (3, 50) } else { (15, 2000) };
    let mut typed = Vec::new();
    let mut raw = Vec::new();
    for _ in 0..rounds {
        typed.extend(per_request(1, n, || {
            bench.typed();
        }));
        raw.extend(per_request(1, n, || {
            bench.raw();
        }));
    }
    let (t, r) = (median(typed), median(raw));
    println!(
        "per request: typed client {:.1} µs, raw reqwest {:.1} µs, ratio {:.3}× (target ≤ 1.05×)",
        t.as_secs_f64() * 1e6,
        r.as_secs_f64() * 1e6,
        t.as_secs_f64() / r.as_secs_f64()
    );
}
