//! `noxitel webhook listen`: answers 200 and prints each event typed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin;
use common::output::read_until;

mod common;

fn post(addr: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn prints_typed_events_and_answers_200() {
    let mut child = Command::new(cargo_bin("noxitel"))
        .args(["-o", "json", "webhook", "listen", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (addr, _) = read_until(&mut child, &mut stderr, |line| {
        let rest = line.split("http://").nth(1)?;
        rest.split('/').next().map(str::to_owned)
    });
    let answers = [
        post(
            &addr,
            "/rcs",
            r#"{"event":"message.received","agentId":"42","msgId":"m1","from":"919887111111","message":{"type":"suggestion"},"suggestionResponse":{"postbackData":"m1||VIEW_LOC||12.5,77.25","text":"Map"}}"#,
        ),
        post(
            &addr,
            "/rcs",
            r#"{"event":"message.delivered","msgId":"m2"}"#,
        ),
        post(
            &addr,
            "/voice",
            r#"{"callId":"call_Kx9Ab2","status":"answered","to":"919887111111"}"#,
        ),
        post(&addr, "/sms", r#"{"sms_id":"1ef4","status":"DELIVRD"}"#),
    ];
    for a in &answers {
        assert!(a.starts_with("HTTP/1.1 200"), "{a}");
    }
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let events: Vec<serde_json::Value> = (0..4)
        .map(|_| {
            let mut l = String::new();
            stdout.read_line(&mut l).unwrap();
            serde_json::from_str(&l).unwrap()
        })
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(events[0]["postback"]["action"], "VIEW_LOC");
    assert_eq!(events[0]["postback"]["location"]["lat"], 12.5);
    assert_eq!(events[1]["event"], "message.delivered");
    assert_eq!(events[2]["kind"], "voice");
    assert_eq!(events[2]["status"], "answered");
    assert_eq!(events[3]["kind"], "sms_receipt");
}

#[test]
fn a_port_in_use_is_a_usage_error_not_a_network_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(cargo_bin("noxitel"))
        .args(["webhook", "listen", "--port", &port])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another --port"), "{stderr}");
}
