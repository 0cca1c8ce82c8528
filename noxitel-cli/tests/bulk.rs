//! The bulk path (`sms send --csv`) against a local server: resume without duplicates,
//! unknown outcomes not re-sent, bad rows skipped, journal guard.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::{BulkServer, assert_contains, exited, write_csv};

/// The campaign's message, unless a test says otherwise.
const MESSAGE: &str = "Hi #name#, 20% off today";

/// `noxitel [BEFORE…] sms send --csv CSV --sender NOXITEL --message MESSAGE` against `server`.
fn bulk(server: &BulkServer, before: &[&str], csv: &Path, message: &str) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("noxitel"));
    command
        .env("NOXITEL_API_TOKEN", "test-token")
        .env("NOXITEL_BASE_URL", &server.base_url)
        .args(before)
        .args(["sms", "send", "--csv"])
        .arg(csv)
        .args(["--sender", "NOXITEL", "--message", message]);
    command
}

/// The campaign sent to its end, with `extra` flags.
fn send(server: &BulkServer, csv: &Path, extra: &[&str]) -> Output {
    bulk(server, &[], csv, MESSAGE)
        .args(extra)
        .output()
        .unwrap()
}

/// A CSV of `rows` generated contacts, `name` in a new temporary directory, and a fresh server.
fn campaign(name: &str, rows: usize) -> (tempfile::TempDir, PathBuf, BulkServer) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join(name);
    write_csv(&csv, rows);
    (dir, csv, BulkServer::start())
}

/// Re-runs once the server behaves (100 contacts): every other contact is sent, each exactly
/// once; the batch whose outcome is unknown is not (exit 8), and the summary says `why`.
fn rerun_leaves_the_unknown_batch(server: &BulkServer, csv: &Path, args: &[&str], why: &str) {
    server.set(|b| b.slow_request = None);
    let (stdout, _) = exited(&send(server, csv, args), 8);
    assert_contains(&stdout, why);
    assert_eq!(server.total(), 100);
    assert_eq!(server.max_per_mobile(), 1, "no contact sent twice");
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn resumes_after_failure_without_sending_twice() {
    let (dir, csv, server) = campaign("contacts.csv", 1000);
    // Interrupted run: the server stops accepting after 7 batches (402).
    server.set(|b| b.accept_limit = Some(7));
    let args = ["--batch-size", "37", "--concurrency", "4"];
    let (_, stderr) = exited(&send(&server, &csv, &args), 4);
    assert!(
        stderr.to_lowercase().contains("insufficient credits"),
        "{stderr}"
    );
    assert_eq!(server.total(), 7 * 37);
    assert!(dir.path().join("contacts.csv.journal").exists());
    let failures = std::fs::read_to_string(dir.path().join("contacts.csv.failures.csv")).unwrap();
    assert!(
        failures.starts_with("line,mobile,batch,reason"),
        "{failures}"
    );

    // Credits topped up: re-run the same command.
    server.set(|b| b.accept_limit = None);
    let (stdout, _) = exited(&send(&server, &csv, &args), 0);
    assert_contains(&stdout, "already sent       259 contacts in 7 batches");
    assert_eq!(server.total(), 1000, "every contact exactly once");
    assert_eq!(server.distinct(), 1000);
    assert_eq!(server.max_per_mobile(), 1);
    assert!(!dir.path().join("contacts.csv.failures.csv").exists());

    // A third run sends nothing.
    let out = bulk(&server, &["-o", "json"], &csv, MESSAGE)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["contacts_sent"], 0);
    assert_eq!(summary["contacts_already_sent"], 1000);
    assert_eq!(server.total(), 1000);
    // Parameters came from the CSV columns.
    assert_eq!(
        server.parameters("919800000005"),
        serde_json::json!({"name": "Name 5"})
    );
}

#[test]
fn unknown_outcome_is_reported_not_resent() {
    let (dir, csv, server) = campaign("c.csv", 100);
    // Request #2 is processed by the server but answered too late: outcome unknown.
    server.set(|b| b.slow_request = Some((2, Duration::from_secs(4))));
    let args = ["--batch-size", "10", "--concurrency", "1", "--timeout", "1"];
    let (stdout, _) = exited(&send(&server, &csv, &args), 7);
    assert_contains(&stdout, "unknown outcome    1");
    assert_contains(&stdout, "--resend-unknown");
    assert_eq!(server.total(), 30);

    // Re-run: everything else is sent; the unknown batch is not.
    rerun_leaves_the_unknown_batch(&server, &csv, &args, "batch 2 (lines 22-31, 10 contacts)");
    let failures = std::fs::read_to_string(dir.path().join("c.csv.failures.csv")).unwrap();
    assert_eq!(failures.lines().count(), 11, "{failures}");
    assert_contains(&failures, "outcome unknown");

    // The operator checked: not delivered. --resend-unknown sends that batch again.
    let mut with = args.to_vec();
    with.push("--resend-unknown");
    exited(&send(&server, &csv, &with), 0);
    assert_eq!(server.total(), 110);
}

/// A CSV with bad rows, its lines as they are in the file.
const BAD_ROWS: &str = "mobile,name
919800000001,Ann
,Bob
abc123,Cy
919800000002,Di,extra
+919800000003,Ed
";

/// With LF and with CRLF line ends (Excel's and Python's default): the same line numbers.
#[test]
fn bad_rows_are_reported_with_their_line_and_skipped() {
    for ending in ["\n", "\r\n"] {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("c.csv");
        std::fs::write(&csv, BAD_ROWS.replace('\n', ending)).unwrap();
        let server = BulkServer::start();
        let out = send(&server, &csv, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{ending:?}: {stderr}");
        for expected in [
            "line 3: skipped: empty mobile",
            "line 4: skipped: non-numeric mobile \"abc123\"",
            "line 5: skipped: expected 2 columns, found 3",
            "batch 0 (lines 2-6): accepted 2 contacts",
        ] {
            assert!(stderr.contains(expected), "{ending:?}: {stderr}");
        }
        assert_eq!(server.total(), 2);
        assert_eq!(
            server.parameters("919800000003"),
            serde_json::json!({"name": "Ed"})
        );
        let failures = std::fs::read_to_string(dir.path().join("c.csv.failures.csv")).unwrap();
        assert_eq!(failures.lines().count(), 4, "{failures}");
    }
}

#[test]
fn journal_refuses_other_inputs() {
    let (dir, csv, server) = campaign("c.csv", 20);
    let batches = ["--batch-size", "5"];
    exited(&send(&server, &csv, &batches), 0);
    // Other message: refused.
    let out = bulk(&server, &[], &csv, "Another campaign")
        .args(batches)
        .output()
        .unwrap();
    let (_, stderr) = exited(&out, 2);
    assert_contains(&stderr, "different message");
    // Same command, changed CSV: refused.
    write_csv(&dir.path().join("other.csv"), 20);
    let mut changed = std::fs::read_to_string(dir.path().join("other.csv")).unwrap();
    changed = changed.replace("919800000003", "919800099999");
    std::fs::write(&csv, changed).unwrap();
    let (_, stderr) = exited(&send(&server, &csv, &batches), 2);
    assert_contains(&stderr, "changed since the journal");
    assert_eq!(server.total(), 20);
    // No mobile column: usage error.
    std::fs::write(dir.path().join("bad.csv"), "phone,name\n1,2\n").unwrap();
    let (_, stderr) = exited(&send(&server, &dir.path().join("bad.csv"), &[]), 2);
    assert_contains(&stderr, "no `mobile` column");
}

fn wait_for_requests(server: &BulkServer, n: u32) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while server.shared.received.lock().unwrap().requests < n {
        assert!(
            std::time::Instant::now() < deadline,
            "server never got {n} requests"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The campaign started in batches of 10, one at a time, its output piped.
fn spawn_send(server: &BulkServer, csv: &Path) -> Child {
    bulk(server, &[], csv, MESSAGE)
        .args(["--batch-size", "10", "--concurrency", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What Ctrl-C in a terminal sends.
fn ctrl_c(child: &Child) {
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

#[test]
fn crash_mid_request_then_ctrl_c_resume_without_duplicates() {
    let (_dir, csv, server) = campaign("c.csv", 100);

    // Crash (SIGKILL) while request #3 is in flight: processed by the server, never answered.
    server.set(|b| b.slow_request = Some((3, Duration::from_secs(30))));
    let mut child = spawn_send(&server, &csv);
    wait_for_requests(&server, 4);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(server.total(), 40);

    // Ctrl-C (SIGINT) during the next run: it stops after the request in flight.
    server.set(|b| b.slow_request = Some((6, Duration::from_millis(500))));
    let child = spawn_send(&server, &csv);
    wait_for_requests(&server, 7);
    ctrl_c(&child);
    let (_, stderr) = exited(&child.wait_with_output().unwrap(), 130);
    assert_contains(&stderr, "interrupted");
    let after_interrupt = server.total();
    assert!(after_interrupt < 100, "stopped early: {after_interrupt}");

    // Resume: everything else is sent once; the batch in flight at the crash is not re-sent.
    rerun_leaves_the_unknown_batch(
        &server,
        &csv,
        &["--batch-size", "10", "--concurrency", "1"],
        "interrupted while the request was in flight",
    );
}

#[test]
fn a_placeholder_that_is_not_a_column_is_warned_about() {
    let (_dir, csv, server) = campaign("contacts.csv", 3);
    let out = bulk(&server, &[], &csv, "Hi #name#, #city# deals")
        .output()
        .unwrap();
    let (_, stderr) = exited(&out, 0);
    assert_contains(&stderr, "warning: #city# is not a column of");
    assert!(!stderr.contains("#name#"), "name is a column: {stderr}");
    assert_eq!(server.total(), 3);
}

#[test]
fn a_second_ctrl_c_abandons_the_requests_in_flight_as_unknown() {
    let (_dir, csv, server) = campaign("c.csv", 100);
    server.set(|b| b.slow_request = Some((1, Duration::from_secs(30))));
    let child = spawn_send(&server, &csv);
    wait_for_requests(&server, 2);
    let started = std::time::Instant::now();
    for _ in 0..2 {
        ctrl_c(&child);
        std::thread::sleep(Duration::from_millis(200));
    }
    let (stdout, stderr) = exited(&child.wait_with_output().unwrap(), 130);
    assert!(started.elapsed() < Duration::from_secs(20), "quit at once");
    assert_contains(&stderr, "interrupted again");
    assert!(
        stdout.contains("unknown outcome    1"),
        "the summary is still printed: {stdout}"
    );

    // The abandoned batch is not re-sent by the next run.
    rerun_leaves_the_unknown_batch(
        &server,
        &csv,
        &["--batch-size", "10", "--concurrency", "1"],
        "Ctrl-C twice",
    );
}
