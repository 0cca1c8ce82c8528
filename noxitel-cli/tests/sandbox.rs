//! End to end against the workspace's sandbox server, started by `noxitel sandbox`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

struct Sandbox {
    child: Child,
    base_url: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Sandbox {
    let mut child = Command::new(cargo_bin("noxitel"))
        .args([
            "sandbox",
            "--port",
            "0",
            "--accept-token",
            "sandbox-token",
            "--dlr-delay-ms",
            "10",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut base_url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.trim().strip_prefix("export NOXITEL_BASE_URL=") {
            base_url = Some(url.to_owned());
            break;
        }
    }
    // Keep reading stderr for the server's lifetime, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    Sandbox {
        child,
        base_url: base_url.expect("the sandbox printed its URL"),
    }
}

fn noxitel(sandbox: &Sandbox, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(cargo_bin("noxitel"))
        .env("NOXITEL_API_TOKEN", "sandbox-token")
        .env("NOXITEL_BASE_URL", &sandbox.base_url)
        .args(["-o", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn everyday_commands_against_the_sandbox() {
    let sandbox = start();
    let (code, credits, err) = noxitel(&sandbox, &["credits"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(credits["status"], "success");

    let (code, sent, err) = noxitel(
        &sandbox,
        &[
            "sms",
            "send",
            "--to",
            "919887111111",
            "--sender",
            "NOXITEL",
            "--message",
            "Hello",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let batch_id = sent["batch_id"].as_str().unwrap().to_owned();
    let (code, dlr, err) = noxitel(&sandbox, &["sms", "dlr", "--batch-id", &batch_id]);
    assert_eq!(code, 0, "{err}");
    assert!(dlr["data"].is_array(), "{dlr}");

    let (code, otp, err) = noxitel(
        &sandbox,
        &["otp", "send", "--channel", "27", "--mobile", "919887111111"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(otp["reference"].is_string());

    // Bulk send through the sandbox, then a re-run that sends nothing.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("c.csv");
    let mut rows = String::from("mobile,name\n");
    for i in 0..120 {
        rows.push_str(&format!("9198000{i:05},N{i}\n"));
    }
    std::fs::write(&csv, rows).unwrap();
    let args = [
        "sms",
        "send",
        "--csv",
        csv.to_str().unwrap(),
        "--sender",
        "NOXITEL",
        "--message",
        "Hi #name#",
        "--batch-size",
        "25",
    ];
    let (code, summary, err) = noxitel(&sandbox, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary["contacts_sent"], 120);
    assert_eq!(summary["batch_ids"].as_array().unwrap().len(), 5);
    let (code, summary, err) = noxitel(&sandbox, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary["contacts_sent"], 0);
    assert_eq!(summary["contacts_already_sent"], 120);

    // Wrong token: auth exit code.
    let out = Command::new(cargo_bin("noxitel"))
        .env("NOXITEL_API_TOKEN", "wrong")
        .env("NOXITEL_BASE_URL", &sandbox.base_url)
        .arg("credits")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_sandbox_outlives_a_closed_stderr() {
    // A parent that reads the URL and closes the pipe (a script, `| head`) must not
    // take the server down: the banner used to be four writes, the later ones fatal.
    // `-v` adds a log line per request, written after the pipe is closed.
    let mut child = Command::new(cargo_bin("noxitel"))
        .args([
            "-v",
            "sandbox",
            "--port",
            "0",
            "--accept-token",
            "sandbox-token",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // The banner's lines up to the URL; then stderr is closed.
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "no URL in the banner"
        );
        if let Some(url) = line.trim().strip_prefix("export NOXITEL_BASE_URL=") {
            break url.to_owned();
        }
    };
    drop(reader);
    let sandbox = Sandbox {
        child,
        base_url: url,
    };
    for _ in 0..3 {
        let (code, credits, err) = noxitel(&sandbox, &["credits"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(credits["status"], "success");
    }
}

#[test]
fn the_sandbox_accepts_the_global_token_and_does_not_print_it() {
    let mut child = Command::new(cargo_bin("noxitel"))
        .env("NOXITEL_API_TOKEN", "my-own-token")
        .args(["sandbox", "--port", "0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    for _ in 0..4 {
        reader.read_line(&mut banner).unwrap();
    }
    std::thread::spawn(move || reader.lines().for_each(drop));
    assert!(!banner.contains("my-own-token"), "{banner}");
    let base_url = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("export NOXITEL_BASE_URL="))
        .expect("the banner names the URL")
        .to_owned();
    let sandbox = Sandbox { child, base_url };
    let out = Command::new(cargo_bin("noxitel"))
        .env("NOXITEL_BASE_URL", &sandbox.base_url)
        .args(["--token", "my-own-token", "-o", "json", "credits"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One definition of the server's flags: `noxitel sandbox -h` lists every flag of
/// `noxitel_sandbox::ServeArgs` (the ones `noxitel-sandbox` takes).
#[test]
fn sandbox_help_lists_every_server_flag() {
    let out = Command::new(cargo_bin("noxitel"))
        .args(["sandbox", "-h"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    let server = <noxitel_sandbox::ServeArgs as clap::Args>::augment_args(clap::Command::new("s"));
    let longs: Vec<&str> = server
        .get_arguments()
        .filter_map(|a| a.get_long())
        .collect();
    assert!(longs.len() >= 17, "{longs:?}");
    for long in longs
        .iter()
        .chain(&["otp-ttl-secs", "credits", "accept-token"])
    {
        assert!(
            help.contains(&format!("--{long}")),
            "--{long} not in:\n{help}"
        );
    }
}
