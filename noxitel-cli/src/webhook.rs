//! `noxitel webhook listen`: a local receiver that prints each event, typed, and answers 200.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, Uri};
use axum::routing::any;
use noxitel_types::VoiceCallStatusEvent;
use noxitel_types::webhooks::{RcsEvent, SmsDeliveryReceipt, WebhookError};
use serde_json::{Value, json};

use crate::cli::Output;
use crate::exit::Failure;

/// What a webhook body is.
pub fn describe(path: &str, body: &[u8]) -> Value {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return json!({"path": path, "kind": "invalid", "error": format!("not JSON: {e}"),
                "body": String::from_utf8_lossy(body)});
        }
    };
    // The receiver's path says what was subscribed where (`…/rcs`, `…/voice`, `…/sms`);
    // otherwise the shape decides: RCS events are named `message.*`, voice events carry a
    // `callId`, and the (undocumented) SMS receipt is whatever remains.
    let path_says = |word: &str| path.to_ascii_lowercase().contains(word);
    let rcs_shaped = value
        .get("event")
        .and_then(Value::as_str)
        .is_some_and(|e| e.starts_with("message."));
    let is_voice = path_says("voice") || (!path_says("rcs") && value.get("callId").is_some());
    let is_rcs = !is_voice && !path_says("sms") && (path_says("rcs") || rcs_shaped);
    if is_rcs {
        match RcsEvent::from_slice(body) {
            Ok(event) => rcs(path, &event),
            Err(WebhookError::Postback { source, event }) => json!({
                "path": path, "kind": "rcs", "event": event.event.to_string(),
                "msgId": event.msg_id, "from": event.from,
                "error": format!("malformed postbackData: {source}"),
            }),
            Err(e) => json!({"path": path, "kind": "rcs", "error": e.to_string(), "body": value}),
        }
    } else if is_voice {
        match serde_json::from_value::<VoiceCallStatusEvent>(value.clone()) {
            Ok(ev) => json!({
                "path": path, "kind": "voice", "callId": ev.call_id,
                "status": ev.status.map(|s| s.to_string()), "to": ev.to,
                "extra": ev.extra,
            }),
            Err(e) => json!({"path": path, "kind": "voice", "error": e.to_string(), "body": value}),
        }
    } else {
        match serde_json::from_value::<SmsDeliveryReceipt>(value.clone()) {
            Ok(receipt) => json!({"path": path, "kind": "sms_receipt", "fields": receipt.0}),
            Err(_) => json!({"path": path, "kind": "unknown", "body": value}),
        }
    }
}

fn rcs(path: &str, event: &RcsEvent) -> Value {
    let p = event.payload();
    let mut out = json!({
        "path": path, "kind": "rcs", "event": p.event.to_string(),
        "msgId": p.msg_id, "from": p.from, "timestamp": p.timestamp,
    });
    match event {
        RcsEvent::TextReceived { text, .. } => out["text"] = json!(text),
        RcsEvent::SuggestionReceived { postback, text, .. } => {
            out["postback"] = json!({
                "msgId": postback.msg_id,
                "action": postback.action.to_string(),
                "payload": postback.payload,
            });
            if let Some((lat, lon)) = postback.location() {
                out["postback"]["location"] = json!({"lat": lat, "lon": lon});
            }
            out["text"] = json!(text);
        }
        _ => {}
    }
    out
}

/// One line per event for people.
pub fn line(event: &Value) -> String {
    let s = |k: &str| {
        event
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_owned()
    };
    match event["kind"].as_str().unwrap_or("") {
        "rcs" => {
            let mut l = format!("RCS {} msgId={} from={}", s("event"), s("msgId"), s("from"));
            if let Some(pb) = event.get("postback") {
                l.push_str(&format!(
                    " postback action={} payload={:?}",
                    pb["action"].as_str().unwrap_or("-"),
                    pb["payload"].as_str().unwrap_or("")
                ));
            } else if let Some(t) = event.get("text").and_then(Value::as_str) {
                l.push_str(&format!(" text={t:?}"));
            }
            if let Some(e) = event.get("error").and_then(Value::as_str) {
                l.push_str(&format!(" ({e})"));
            }
            l
        }
        "voice" => format!(
            "VOICE callId={} status={} to={}",
            s("callId"),
            s("status"),
            s("to")
        ),
        "sms_receipt" => format!("SMS receipt {}", event["fields"]),
        "invalid" => format!("INVALID body on {}: {}", s("path"), s("error")),
        _ => format!("UNKNOWN payload on {}: {}", s("path"), event["body"]),
    }
}

/// Serves until Ctrl-C.
pub async fn listen(host: std::net::IpAddr, port: u16, output: Output) -> Result<(), Failure> {
    let app = Router::new().fallback(any(move |uri: Uri, body: Bytes| async move {
        let event = describe(uri.path(), &body);
        let shown = match output {
            Output::Json => crate::output::emit(&event.to_string()),
            Output::Table => crate::output::emit(&line(&event)),
        };
        // An event nobody saw is not acknowledged: the sender retries it.
        if shown {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        }
    }));
    let addr = SocketAddr::new(host, port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::listen(addr, &e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::listen(addr, &e))?;
    crate::output::emit_err(&format!(
        "listening on http://{local}/ (any path; Ctrl-C to stop)"
    ));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::internal(format!("webhook server failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_postback_is_parsed() {
        let body =
            br#"{"event":"message.received","agentId":"42","msgId":"m1","from":"919887111111",
          "message":{"type":"suggestion"},
          "suggestionResponse":{"postbackData":"m1||REPLY||Confirm","text":"Confirm"}}"#;
        let e = describe("/rcs", body);
        assert_eq!(e["postback"]["action"], "REPLY");
        assert_eq!(e["postback"]["payload"], "Confirm");
        assert!(line(&e).contains("action=REPLY"), "{}", line(&e));
    }

    #[test]
    fn voice_and_sms() {
        let e = describe(
            "/hook",
            br#"{"callId":"call_1","status":"answered","to":"9198"}"#,
        );
        assert_eq!(e["kind"], "voice");
        let e = describe("/sms", br#"{"sms_id":"x","status":"DELIVRD"}"#);
        assert_eq!(e["kind"], "sms_receipt");
    }
}
