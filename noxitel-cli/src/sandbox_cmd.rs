//! `noxitel sandbox otp|inbound|tap|flush|fault|events`: the control surface of a running
//! sandbox, through `noxitel_sandbox::Control`.

use noxitel_sandbox::{Control, ControlError, EventRecord, FaultSpec};
use serde_json::{Value, json};

use crate::cli::{FaultAction, Global, InboundChannel, Output, SandboxAction};
use crate::exit::{Failure, Kind};
use crate::output;

/// Where the sandbox runs: `--base-url` unless it is the real API's, then the default port.
fn control(global: &Global) -> Result<Control, Failure> {
    let Some(token) = global.token() else {
        return Err(Failure::new(
            Kind::NoToken,
            "no sandbox token: pass --token or set NOXITEL_API_TOKEN (the sandbox prints it)",
        ));
    };
    let url = global.base_url();
    let url = if url == noxitel_api::DEFAULT_BASE_URL {
        "http://127.0.0.1:8787"
    } else {
        url.as_str()
    };
    Ok(Control::new(url, &token))
}

fn failure(control: &Control, error: ControlError) -> Failure {
    match error {
        ControlError::Http(e) => Failure::new(
            Kind::Sandbox(None),
            format!(
                "no sandbox at {} ({e}); start one with `noxitel sandbox` and set NOXITEL_BASE_URL",
                control.url()
            ),
        ),
        ControlError::Status { status, message } => Failure::new(
            Kind::Sandbox(Some(status)),
            format!("{message} (HTTP {status})"),
        ),
    }
}

fn show(out: Output, value: &Value, table: impl FnOnce() -> String) {
    match out {
        Output::Json => output::emit(&value.to_string()),
        Output::Table => output::emit(&table()),
    };
}

fn event_line(e: &EventRecord) -> String {
    format!(
        "{:>6}  {}  {:<22} {}",
        e.id,
        e.time,
        e.kind,
        e.recipient.as_deref().unwrap_or("-")
    )
}

fn event_json(e: &EventRecord) -> Value {
    json!({"id": e.id, "time": e.time, "account": e.account, "kind": e.kind,
           "recipient": e.recipient, "payload": e.payload})
}

/// Runs one action against the running sandbox.
pub async fn run(action: &SandboxAction, global: &Global) -> Result<(), Failure> {
    let c = control(global)?;
    let out = global.output;
    let fail = |e| failure(&c, e);
    match action {
        SandboxAction::Otp { mobile } => {
            let otp = c.last_otp(mobile).await.map_err(fail)?;
            let value = json!({"mobile": otp.mobile, "otp": otp.otp, "reference": otp.reference,
                               "expires_at": otp.expires_at, "attempts": otp.attempts,
                               "verified": otp.verified});
            show(out, &value, || {
                format!(
                    "otp        {}\nreference  {}\nexpires    {}\nattempts   {}{}",
                    otp.otp,
                    otp.reference,
                    otp.expires_at,
                    otp.attempts,
                    if otp.verified { " (verified)" } else { "" }
                )
            });
        }
        SandboxAction::Inbound {
            from,
            text,
            channel,
            agent_id,
        } => {
            let answer = match channel {
                InboundChannel::Rcs => c.rcs_inbound(from, text, *agent_id).await,
                InboundChannel::Whatsapp => c.whatsapp_inbound(from, text).await,
            }
            .map_err(fail)?;
            show(out, &answer, || match channel {
                InboundChannel::Rcs => format!(
                    "RCS message from {from} received; conversation {}; webhook: {}",
                    answer["conversationId"].as_str().unwrap_or("-"),
                    answer["notifyUrl"]
                        .as_str()
                        .unwrap_or("none (no notifyUrl known)")
                ),
                InboundChannel::Whatsapp => format!(
                    "WhatsApp message from {from} received; service window open until {}",
                    answer["expires_at"].as_str().unwrap_or("-")
                ),
            });
        }
        SandboxAction::Tap { msg_id, text } => {
            let answer = c.rcs_tap(msg_id, text.as_deref()).await.map_err(fail)?;
            show(out, &answer, || {
                format!(
                    "tapped: {}; webhook: {}",
                    answer["event"]["suggestionResponse"]["postbackData"]
                        .as_str()
                        .unwrap_or("-"),
                    answer["notifyUrl"]
                        .as_str()
                        .unwrap_or("none (no notifyUrl)")
                )
            });
        }
        SandboxAction::Flush => {
            let flushed = c.flush().await.map_err(fail)?;
            let value = json!({"processed": flushed.processed, "webhooks": flushed.webhooks});
            show(out, &value, || {
                format!(
                    "{} pending steps done, {} webhooks queued",
                    flushed.processed, flushed.webhooks
                )
            });
        }
        SandboxAction::Fault(FaultAction::Add { spec }) => {
            let spec = FaultSpec::parse(spec).map_err(|e| Failure::usage(format!("fault: {e}")))?;
            let rule = c.add_fault(&spec).await.map_err(fail)?;
            let value = serde_json::to_value(&rule).unwrap_or(Value::Null);
            show(out, &value, || {
                format!("fault rule {} added: {value}", rule.id)
            });
        }
        SandboxAction::Fault(FaultAction::List) => {
            let rules = c.faults().await.map_err(fail)?;
            let value = serde_json::to_value(&rules).unwrap_or(Value::Null);
            show(out, &value, || {
                if rules.is_empty() {
                    return "no fault rules".to_owned();
                }
                rules
                    .iter()
                    .map(|r| {
                        let mut spec = serde_json::to_value(&r.spec).unwrap_or(Value::Null);
                        if let Value::Object(m) = &mut spec {
                            m.remove("kind");
                        }
                        format!(
                            "{:>3}  {:<9} fired {:>4}{}  {spec}",
                            r.id,
                            serde_json::to_value(&r.spec.action).unwrap_or(Value::Null)["kind"]
                                .as_str()
                                .unwrap_or("?"),
                            r.fired,
                            r.remaining
                                .map(|n| format!(", {n} left"))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        SandboxAction::Fault(FaultAction::Clear { id }) => {
            let removed = c.clear_faults(*id).await.map_err(fail)?;
            show(out, &json!({"removed": removed}), || {
                format!("{removed} fault rule(s) removed")
            });
        }
        SandboxAction::Events { after, follow } => {
            let emit = |e: &EventRecord| match out {
                Output::Json => output::emit(&event_json(e).to_string()),
                Output::Table => output::emit(&event_line(e)),
            };
            let mut from = *after;
            if !*follow || after.is_none() {
                let mut last = after.unwrap_or(0);
                for event in c.events(last).await.map_err(fail)? {
                    last = event.id;
                    if !emit(&event) {
                        return Ok(());
                    }
                }
                from = Some(last);
            }
            if *follow {
                c.follow(from, |e| emit(&e)).await.map_err(fail)?;
            }
        }
    }
    Ok(())
}
