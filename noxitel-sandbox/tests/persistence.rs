//! `--db`: everything acknowledged survives `kill -9` (SIGKILL) and a restart on the same
//! file; pending DLR steps and webhook retries resume; the schema is versioned.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Calls, data, receiver};
use noxitel_sandbox::{Config, Sandbox};
use serde_json::{Value, json};

const TOKEN: &str = "t0k_persist";

struct Bin {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Bin {
    /// Starts the binary on the database and reads the base URL from its banner.
    fn start(db: &Path, extra: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_noxitel-sandbox"));
        command
            .args(["--port", "0", "--token", TOKEN, "--log", "warn", "--db"])
            .arg(db)
            .args(extra)
            .stderr(Stdio::null());
        let (child, _, url) = common::start_binary(command);
        Self {
            child,
            base: url.trim_end_matches("/api/v2").to_owned(),
            http: noxitel_api::Client::http_client_builder()
                .unwrap()
                .build()
                .unwrap(),
        }
    }

    /// SIGKILL: no shutdown code runs.
    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Calls for Bin {
    fn target(&self) -> (&reqwest::Client, String, &str) {
        (&self.http, self.base.clone(), TOKEN)
    }
}

fn kinds_and_ids(events: &Value) -> Vec<(u64, String)> {
    data(events)
        .iter()
        .map(|e| {
            (
                e["id"].as_u64().unwrap(),
                e["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn everything_acknowledged_survives_kill_9_and_pending_steps_resume() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let hook = receiver(0).await;
    // DLRs are due in 10 minutes: they are pending when the process dies.
    let bin = Bin::start(&db, &["--dlr-delay-ms", "600000"]);

    let (status, sent) = bin
        .post(
            "/api/v2/sms",
            json!({"message": "Hi #name#", "sender": "NOXITEL", "notifyUrl": hook.url,
                        "contacts": [{"mobile": "919887111111", "parameters": {"name": "Sam"}},
                                     {"mobile": "918058222222", "parameters": {"name": "Alex"}}]}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let batch = sent["batch_id"].as_str().unwrap().to_owned();
    let (_, otp) = bin
        .post(
            "/api/v2/otp",
            json!({"channel": 27, "mobile": "918058333333"}),
        )
        .await;
    let reference = otp["reference"].as_str().unwrap().to_owned();
    let (_, code) = bin.get("/sandbox/otp/918058333333").await;
    let code = code["otp"].as_str().unwrap().to_owned();
    let (status, agent) = bin
        .post(
            "/api/v2/rcs/agent",
            json!({"agentName": "kill9_bot", "displayName": "Kill 9", "brandName": "Noxitel"}),
        )
        .await;
    assert_eq!(status, 200, "{agent}");
    let agent_id = agent["agentId"].as_i64().unwrap();
    let (status, _) = bin
        .post(
            "/api/v2/rcs/testdevice",
            json!({"agentId": 42, "phoneNumber": "+919999999991"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, credits) = bin.get("/api/v2/credits").await;
    let (_, dlr) = bin.get(&format!("/api/v2/dlr?batch_id={batch}")).await;
    let (_, events) = bin.get("/sandbox/events").await;
    let before = kinds_and_ids(&events);
    assert!(before.iter().any(|(_, k)| k == "sms_accepted"), "{events}");
    assert!(before.iter().any(|(_, k)| k == "otp_issued"));
    assert!(before.iter().any(|(_, k)| k == "credits_debited"));
    bin.kill_9();

    let bin = Bin::start(&db, &["--dlr-delay-ms", "600000"]);
    let (_, credits_after) = bin.get("/api/v2/credits").await;
    assert_eq!(
        credits_after, credits,
        "credits as answered before the crash"
    );
    let (_, dlr_after) = bin.get(&format!("/api/v2/dlr?batch_id={batch}")).await;
    assert_eq!(dlr_after, dlr, "DLRs as answered before the crash");
    assert_eq!(dlr_after["data"][0]["dlr"]["status"], "Submitted");
    let (_, agent_after) = bin.get(&format!("/api/v2/rcs/agent/{agent_id}")).await;
    assert_eq!(
        agent_after["data"]["agentName"], "kill9_bot",
        "{agent_after}"
    );
    let (_, devices) = bin.get("/api/v2/rcs/testdevices?agentId=42").await;
    assert!(
        data(&devices)
            .iter()
            .any(|d| d["phoneNumber"] == "+919999999991"),
        "{devices}"
    );
    let (_, events_after) = bin.get("/sandbox/events").await;
    let after = kinds_and_ids(&events_after);
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "the event log as it was"
    );
    assert_eq!(
        events_after["data"][0], events["data"][0],
        "events read back from the file are identical"
    );
    // The OTP is still verifiable.
    let (_, verified) = bin
        .get(&format!(
            "/api/v2/otp/verify?reference={reference}&otp={code}"
        ))
        .await;
    assert_eq!(verified["matched"], "yes", "{verified}");
    // The pending DLR steps are still there: a flush delivers them, and the receipts go out.
    let (_, flushed) = bin.call("POST", "/sandbox/flush", None).await;
    assert_eq!(
        flushed["processed"], 3,
        "two SMS and the OTP SMS: {flushed}"
    );
    let bodies = hook.wait_for("two receipts", |b| b.len() == 2).await;
    assert!(bodies.iter().all(|b| b["status"] == "Handset Delivered"));
    bin.kill_9();
}

#[tokio::test]
async fn a_webhook_retry_interrupted_by_kill_9_resumes_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    // The first attempt fails; the retry would come a minute later.
    let hook = receiver(1).await;
    let bin = Bin::start(
        &db,
        &[
            "--dlr-delay-ms",
            "0",
            "--webhook-attempts",
            "3",
            "--webhook-backoff-ms",
            "60000",
        ],
    );
    let (status, _) = bin
        .post("/api/v2/sms", json!({"message": "hi", "notifyUrl": hook.url, "contacts": [{"mobile": "919887111111"}]}))
        .await;
    assert_eq!(status, 200);
    let mut attempts = Value::Null;
    for _ in 0..200 {
        let (_, log) = bin.get("/sandbox/webhooks").await;
        attempts = log["data"][0]["attempts"].clone();
        if attempts == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(attempts, 1, "the first attempt was made and recorded");
    bin.kill_9();
    assert!(hook.bodies.lock().unwrap().is_empty());

    let bin = Bin::start(&db, &["--webhook-backoff-ms", "10"]);
    let bodies = hook.wait_for("the resumed retry", |b| !b.is_empty()).await;
    assert_eq!(bodies[0]["status"], "Handset Delivered");
    let mut log = Value::Null;
    for _ in 0..200 {
        log = bin.get("/sandbox/webhooks").await.1;
        if log["data"][0]["delivered"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(log["data"][0]["attempts"], 2, "{log}");
    assert_eq!(log["data"][0]["delivered"], true, "{log}");
    bin.kill_9();
}

#[tokio::test]
async fn the_token_of_a_database_is_reused_when_none_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let first = Sandbox::start_with(Config::default().db(&db))
        .await
        .unwrap();
    let token = first.token().to_owned();
    first.shutdown().await;
    let second = Sandbox::start_with(Config::default().db(&db))
        .await
        .unwrap();
    assert_eq!(second.token(), token);
}

#[tokio::test]
async fn an_older_schema_is_migrated_a_newer_or_foreign_file_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A version-1 file, as the first release wrote it.
    let old = dir.path().join("v1.db");
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 'accounts and the event log', '2026-01-01T00:00:00Z');
             CREATE TABLE accounts (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
             CREATE TABLE events (id INTEGER PRIMARY KEY, account INTEGER NOT NULL REFERENCES accounts(id),
                                  at TEXT NOT NULL, kind TEXT NOT NULL, recipient TEXT, change TEXT NOT NULL);",
        )
        .unwrap();
    }
    let sandbox = Sandbox::start_with(Config::default().db(&old))
        .await
        .unwrap();
    sandbox.shutdown().await;
    let conn = rusqlite::Connection::open(&old).unwrap();
    let version: i64 = conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, noxitel_sandbox::SCHEMA_VERSION);
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'events_kind'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 1, "migration 2 ran");

    let newer = dir.path().join("newer.db");
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01T00:00:00Z');",
        )
        .unwrap();
    }
    let error = Sandbox::start_with(Config::default().db(&newer))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("schema version 99") && error.contains("newer"),
        "{error}"
    );

    let foreign = dir.path().join("foreign.db");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY);")
            .unwrap();
    }
    let error = Sandbox::start_with(Config::default().db(&foreign))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a noxitel-sandbox"), "{error}");
}

#[tokio::test]
async fn events_older_than_memory_holds_are_read_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = |db: Option<&Path>| Config {
        event_capacity: 5,
        db: db.map(Path::to_path_buf),
        ..common::config()
    };
    let with_db = Sandbox::start_with(config(Some(&dir.path().join("sandbox.db"))))
        .await
        .unwrap();
    let in_memory = Sandbox::start_with(config(None)).await.unwrap();
    for sandbox in [&with_db, &in_memory] {
        let control = sandbox.control();
        for _ in 0..6 {
            control.advance_clock(1).await.unwrap();
        }
    }
    let all = with_db.control().events(0).await.unwrap();
    assert_eq!(all.len(), 7, "provisioned + 6 clock moves: {all:?}");
    assert_eq!(all[0].kind, "account_provisioned");
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let recent = in_memory.control().events(0).await.unwrap();
    assert_eq!(recent.len(), 5, "memory keeps the last 5 without a file");
    assert_eq!(recent[4].id, all[6].id);
}

#[tokio::test]
async fn fault_rules_are_settings_of_the_process_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let bin = Bin::start(&db, &["--fault", "status=503,path=/credits,next=1"]);
    let (status, _) = bin
        .post(
            "/sandbox/faults",
            json!({"kind": "status", "status": 500, "path": "/rcs/agents"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = bin.get("/api/v2/credits").await;
    assert_eq!(status, 503, "the --fault rule fired");
    let (status, _) = bin.get("/api/v2/rcs/agents").await;
    assert_eq!(status, 500, "the runtime rule fired");
    bin.kill_9();

    // The same command line: its --fault rule again, with its count from the start; the rule
    // added at runtime is gone (the sandbox comes back serving).
    let bin = Bin::start(&db, &["--fault", "status=503,path=/credits,next=1"]);
    let (_, rules) = bin.get("/sandbox/faults").await;
    let rules = data(&rules).to_vec();
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0]["path"], "/credits");
    assert_eq!(rules[0]["remaining"], 1);
    let (status, _) = bin.get("/api/v2/rcs/agents").await;
    assert_eq!(status, 200);
    let (status, _) = bin.get("/api/v2/credits").await;
    assert_eq!(status, 503);
    bin.kill_9();

    // Without --fault: no rules at all.
    let bin = Bin::start(&db, &[]);
    let (_, rules) = bin.get("/sandbox/faults").await;
    assert_eq!(rules["data"], json!([]));
    bin.kill_9();
}
