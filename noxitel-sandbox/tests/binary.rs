//! The `noxitel-sandbox` binary as a user starts it: banner on stdout, one log line per request
//! on stderr.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// `GET /api/v2/credits` over a plain socket; returns the status line.
fn get_credits(base_url: &str, token: &str) -> String {
    let rest = base_url.strip_prefix("http://").expect("http base URL");
    let (authority, path) = rest.split_once('/').expect("a path");
    let mut stream = TcpStream::connect(authority).expect("the sandbox is listening");
    write!(
        stream,
        "GET /{path}/credits HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// Starts the binary with both outputs piped and reads its banner from stdout up to the
/// base URL line; returns the child, the banner read so far, and the base URL (stdout is
/// closed then: what a script that read the URL does).
fn start() -> (Child, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_noxitel-sandbox"));
    command
        .args(["--port", "0", "--token", "t0k"])
        .stderr(Stdio::piped());
    common::start_binary(command)
}

#[test]
fn serves_on_after_its_output_is_closed() {
    // A script that reads the URL and closes the pipes (`2>&1 | head -3`) must not take
    // the server down, although the rest of the banner and every request's log line are
    // then written to closed pipes.
    let (mut child, _, base_url) = start();
    drop(child.stderr.take());
    let statuses: Vec<_> = (0..3).map(|_| get_credits(&base_url, "t0k")).collect();
    let _ = child.kill();
    let _ = child.wait();
    for status in statuses {
        assert_eq!(status, "HTTP/1.1 200 OK");
    }
}

#[test]
fn logs_requests_on_stderr_without_colour_codes() {
    let (mut child, banner, base_url) = start();
    let status = get_credits(&base_url, "t0k");
    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(logs.contains("/api/v2/credits"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "colour codes in a file: {logs:?}");
    assert!(
        !banner.contains("INFO"),
        "logs mixed into the banner: {banner}"
    );
    assert!(!logs.contains("t0k"), "the token in the logs");
}
