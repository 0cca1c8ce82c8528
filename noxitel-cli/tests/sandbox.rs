//! End to end against the workspace's sandbox server, started by `noxitel sandbox`.

use std::io::BufRead;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

mod common;

use common::exited;
use common::sandbox::Sandbox;

fn start() -> Sandbox {
    Sandbox::start("sandbox-token", &["--dlr-delay-ms", "10"])
}

#[test]
fn everyday_commands_against_the_sandbox() {
    let sandbox = start();
    let (code, credits, err) = sandbox.json(&["credits"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(credits["status"], "success");

    let (code, sent, err) = sandbox.json(&[
        "sms",
        "send",
        "--to",
        "919887111111",
        "--sender",
        "NOXITEL",
        "--message",
        "Hello",
    ]);
    assert_eq!(code, 0, "{err}");
    let batch_id = sent["batch_id"].as_str().unwrap().to_owned();
    let (code, dlr, err) = sandbox.json(&["sms", "dlr", "--batch-id", &batch_id]);
    assert_eq!(code, 0, "{err}");
    assert!(dlr["data"].is_array(), "{dlr}");

    let (code, otp, err) =
        sandbox.json(&["otp", "send", "--channel", "27", "--mobile", "919887111111"]);
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
    let (code, summary, err) = sandbox.json(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary["contacts_sent"], 120);
    assert_eq!(summary["batch_ids"].as_array().unwrap().len(), 5);
    let (code, summary, err) = sandbox.json(&args);
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
    exited(&out, 3);
}

#[test]
fn the_sandbox_outlives_a_closed_stderr() {
    // A parent that reads the URL and closes the pipe (a script, `| head`) must not
    // take the server down: the banner used to be four writes, the later ones fatal.
    // `-v` adds a log line per request, written after the pipe is closed.
    let mut command = Command::new(cargo_bin("noxitel"));
    command.args([
        "-v",
        "sandbox",
        "--port",
        "0",
        "--accept-token",
        "sandbox-token",
    ]);
    // The banner is read; then stderr is closed.
    let (sandbox, _, stderr) = Sandbox::spawn(command, "sandbox-token");
    drop(stderr);
    for _ in 0..3 {
        let (code, credits, err) = sandbox.json(&["credits"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(credits["status"], "success");
    }
}

#[test]
fn the_sandbox_accepts_the_global_token_and_does_not_print_it() {
    let mut command = Command::new(cargo_bin("noxitel"));
    command
        .env("NOXITEL_API_TOKEN", "my-own-token")
        .args(["sandbox", "--port", "0"]);
    let (sandbox, banner, stderr) = Sandbox::spawn(command, "my-own-token");
    std::thread::spawn(move || stderr.lines().for_each(drop));
    assert!(!banner.contains("my-own-token"), "{banner}");
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
