//! Bulk-send benchmark: `noxitel sms send --csv` with 1,000,000 generated contacts against a
//! loopback server started here. Reports contacts/s and the CLI's peak RSS (VmHWM of the child
//! process, polled from /proc), for 100k and 1M contacts to show that memory stays flat.
//!
//! `cargo bench -p noxitel-cli --bench bulk` (set `BULK_CONTACTS=…` to change the large size).

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;

fn write_csv(path: &std::path::Path, rows: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "mobile,name,code").unwrap();
    for i in 0..rows {
        writeln!(f, "9198{i:08},Customer {i},C{:06}", i % 1_000_000).unwrap();
    }
}

/// A minimal `/sms`: counts the contacts of each batch and answers the documented success.
fn start_server() -> (String, Arc<AtomicU64>, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let count = Arc::new(AtomicU64::new(0));
    let batches = Arc::new(AtomicU64::new(0));
    let app = Router::new()
        .route(
            "/api/v2/sms",
            post(
                |State((count, batches)): State<(Arc<AtomicU64>, Arc<AtomicU64>)>, body: Bytes| async move {
                    let n = body.windows(9).filter(|w| w == b"\"mobile\":").count() as u64;
                    count.fetch_add(n, Ordering::Relaxed);
                    let b = batches.fetch_add(1, Ordering::Relaxed);
                    (
                        [("content-type", "application/json")],
                        format!(
                            r#"{{"status":"success","message":"SMS Submitted successfully","batch_id":"bench_{b}","total_contacts":{n},"message_id":[]}}"#
                        ),
                    )
                },
            ),
        )
        .with_state((Arc::clone(&count), batches));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/api/v2"), count, rt)
}

/// Personalized from two CSV columns.
const MESSAGE: &str = "Hi #name#, your code is #code#";

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(rows: u64, batch_size: u32, concurrency: u32) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("contacts.csv");
    write_csv(&csv, rows);
    let size = std::fs::metadata(&csv).unwrap().len();
    let (base_url, count, _rt) = start_server();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_noxitel"))
        .env("NOXITEL_API_TOKEN", "bench-token")
        .env("NOXITEL_BASE_URL", &base_url)
        .args(["sms", "send", "--csv"])
        .arg(&csv)
        .args(["--sender", "NOXITEL", "--message", MESSAGE])
        .args([
            "--batch-size",
            &batch_size.to_string(),
            "--concurrency",
            &concurrency.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed().as_secs_f64();
    assert!(status.success(), "bulk send failed: {status}");
    let received = count.load(Ordering::Relaxed);
    assert_eq!(received, rows, "the server received every contact once");
    println!(
        "bulk {rows:>9} contacts ({:.1} MiB CSV), batch {batch_size}, concurrency {concurrency}: \
         {elapsed:.2}s, {:.0} contacts/s, peak RSS {:.1} MiB",
        size as f64 / 1048576.0,
        rows as f64 / elapsed,
        peak as f64 / 1024.0
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with `--test`: keep that quick.
    if std::env::args().any(|a| a == "--test") {
        run(2_000, 500, 4);
        return;
    }
    let large: u64 = std::env::var("BULK_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    run(100_000, 1000, 4);
    run(large, 1000, 4);
}
