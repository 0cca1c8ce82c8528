//! The `noxitel-sandbox` binary as a user starts it: banner on stdout, one log line per request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

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

#[test]
fn serves_on_after_its_output_is_closed() {
    // A script that reads the URL and closes the pipes (`2>&1 | head -3`) must not take
    // the server down, although every request then logs a line to the closed stdout.
    let mut child = Command::new(env!("CARGO_BIN_EXE_noxitel-sandbox"))
        .args(["--port", "0", "--token", "t0k"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut base_url = None;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        if let Some(url) = line.trim().strip_prefix("base URL :") {
            base_url = Some(url.trim().to_owned());
            break;
        }
        line.clear();
    }
    drop(reader);
    let base_url = base_url.expect("the banner names the base URL");
    let statuses: Vec<_> = (0..3).map(|_| get_credits(&base_url, "t0k")).collect();
    let _ = child.kill();
    let _ = child.wait();
    for status in statuses {
        assert_eq!(status, "HTTP/1.1 200 OK");
    }
}
