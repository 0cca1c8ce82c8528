//! One function per API operation: flags (and an optional JSON body file) in, answer out.

use std::io::Read as _;
use std::path::Path;

use noxitel_api::Client;
use noxitel_api::types::{RcsMessageContent, SendSmsRequest};
use noxitel_api::{Error, OtpVerification, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::cli::{
    BodyFile, Otp, Output, Rcs, RcsAgent, RcsSend, RcsTestdevice, Recipients, SmsSend, Voice,
    Whatsapp, WhatsappSend, WithBody,
};
use crate::exit::{self, Failure};
use crate::flags::{self, BodyFlags, Required};
use crate::output;

type Body = Map<String, Value>;

/// Reads `--json FILE` (or stdin for `-`) as a JSON object; empty without the flag.
pub fn read_body(file: &BodyFile) -> Result<Body, Failure> {
    let Some(path) = &file.json else {
        return Ok(Body::new());
    };
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("cannot read the JSON body from stdin: {e}")))?;
        text
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::usage(format!(
            "{}: the request body must be a JSON object",
            path.display()
        ))),
        Err(e) => Err(Failure::usage(format!(
            "{}: invalid JSON: {e}",
            path.display()
        ))),
    }
}

/// Reads a JSON file (any value).
pub fn read_json(path: &Path) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("{}: invalid JSON: {e}", path.display())))
}

/// The request type from the merged body: a required field missing (named by its flag), or
/// a body of the wrong shape, is a usage error.
pub fn request<T: DeserializeOwned>(
    what: &str,
    required: &[Required],
    body: Body,
) -> Result<T, Failure> {
    let missing: Vec<String> = required
        .iter()
        .filter(|r| !body.contains_key(r.field))
        .map(|r| match r.flag {
            Some(flag) => format!("--{flag}"),
            None => format!("`{}`", r.field),
        })
        .collect();
    if !missing.is_empty() {
        return Err(Failure::usage(format!(
            "{what}: missing {} (as flags or in the --json file)",
            missing.join(", ")
        )));
    }
    serde_json::from_value(Value::Object(body))
        .map_err(|e| Failure::usage(format!("{what}: invalid request: {e}")))
}

/// `name=value` pairs.
pub fn params(pairs: &[String]) -> Result<Map<String, Value>, Failure> {
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), Value::String(v.to_owned()))),
            _ => Err(Failure::usage(format!(
                "--param {pair:?}: expected NAME=VALUE"
            ))),
        })
        .collect()
}

/// `contacts` from `--to` and `--param`, when `--to` is given.
fn add_recipients(body: &mut Body, recipients: &Recipients) -> Result<(), Failure> {
    if !recipients.to.is_empty() {
        let params = params(&recipients.params)?;
        body.insert(
            "contacts".into(),
            contacts("mobile", &recipients.to, &params),
        );
    }
    Ok(())
}

/// `[{mobile|msisdn, parameters?}]` from `--to` and `--param`.
fn contacts(key: &str, to: &[String], params: &Map<String, Value>) -> Value {
    Value::Array(
        to.iter()
            .map(|n| {
                let mut c = Map::new();
                c.insert(key.into(), Value::String(n.trim().to_owned()));
                if !params.is_empty() {
                    c.insert("parameters".into(), Value::Object(params.clone()));
                }
                Value::Object(c)
            })
            .collect(),
    )
}

fn done<T: Serialize>(
    output: Output,
    what: &str,
    answer: Result<Response<T>, Error>,
) -> Result<(), Failure> {
    match answer {
        Ok(response) => output::print_answer(output, &response),
        Err(e) => Err(Failure::api(what, e)),
    }
}

/// Sends `call` with the parameters given as `flags` and prints the answer.
macro_rules! with_params {
    ($output:expr, $what:literal, $flags:expr, $call:expr) => {
        done($output, $what, $flags.apply($call).with_response().await)
    };
}

/// Sends `call` with the body of a command without hand-made flags (the --json file, then
/// the flags) and prints the answer.
macro_rules! with_body {
    ($output:expr, $what:literal, $args:expr, $call:expr) => {{
        let request = body_of($what, $args)?;
        done($output, $what, $call.body(request).with_response().await)
    }};
}

pub async fn credits(
    client: &Client,
    output: Output,
    flags: &flags::GetCredits,
) -> Result<(), Failure> {
    with_params!(output, "credits", flags, client.get_credits())
}

/// `sms send` without `--csv`.
pub async fn sms_send(client: &Client, output: Output, args: &SmsSend) -> Result<(), Failure> {
    let mut body = sms_template(args)?;
    add_recipients(&mut body, &args.recipients)?;
    let req: SendSmsRequest = request("sms send", flags::SendSms::REQUIRED, body)?;
    warn_unfilled_placeholders(&req);
    done(
        output,
        "sms send",
        client.send_sms().body(req).with_response().await,
    )
}

/// The API sends a `#name#` without a value as written: say so before it reaches a phone.
fn warn_unfilled_placeholders(req: &SendSmsRequest) {
    let Some(message) = &req.message else { return };
    for name in noxitel_types::personalization::placeholders(message) {
        let missing = req
            .contacts
            .iter()
            .filter(|c| !c.parameters.contains_key(name))
            .count();
        if missing > 0 {
            output::emit_err(&format!(
                "warning: #{name}# has no value for {missing} of {} contact(s) (--param {name}=…); \
                 it is sent as written",
                req.contacts.len()
            ));
        }
    }
}

/// The `sms send` body but the recipients: the --json file, then the flags (shared with the
/// bulk path, which adds each batch's contacts).
pub fn sms_template(args: &SmsSend) -> Result<Body, Failure> {
    let mut body = read_body(&args.body)?;
    args.flags.merge(&mut body);
    flags::put(&mut body, "message", &args.message);
    flags::put(&mut body, "contactGroup", &args.contact_group);
    Ok(body)
}

pub async fn sms_dlr(
    client: &Client,
    output: Output,
    flags: &flags::GetSmsDlr,
) -> Result<(), Failure> {
    let mut body = Body::new();
    flags.merge(&mut body);
    let req = request("sms dlr", flags::GetSmsDlr::REQUIRED, body)?;
    done(
        output,
        "sms dlr",
        client.get_sms_dlr().body(req).with_response().await,
    )
}

/// `sms segments`: offline.
pub fn sms_segments(output: Output, text: &str) -> Result<(), Failure> {
    let c = noxitel_types::segments::count(text);
    let answer = json!({
        "encoding": c.encoding.to_string(),
        "mode": c.encoding.api_mode(),
        "characters": c.chars,
        "units": c.units,
        "segments": c.segments,
        "per_segment": c.per_segment,
        "remaining_in_last_segment": c.remaining,
    });
    output::print(output, &answer)
}

pub async fn whatsapp(client: &Client, output: Output, cmd: &Whatsapp) -> Result<(), Failure> {
    match cmd {
        Whatsapp::Send(args) => whatsapp_send(client, output, args).await,
        Whatsapp::Report(args) => {
            let call = client.get_whatsapp_report().mode(args.mode);
            with_params!(output, "whatsapp report", args.flags, call)
        }
        Whatsapp::Window(flags) => {
            with_params!(
                output,
                "whatsapp window",
                flags,
                client.check_whatsapp_window()
            )
        }
        Whatsapp::Prices(flags) => {
            with_params!(
                output,
                "whatsapp prices",
                flags,
                client.get_whatsapp_prices()
            )
        }
    }
}

async fn whatsapp_send(
    client: &Client,
    output: Output,
    args: &WhatsappSend,
) -> Result<(), Failure> {
    let mut body = read_body(&args.body)?;
    args.flags.merge(&mut body);
    flags::put(&mut body, "message", &args.message);
    if !args.to.is_empty() {
        body.insert("contacts".into(), contacts("msisdn", &args.to, &Map::new()));
    }
    if let Some(url) = &args.media_url {
        let mut media = Map::new();
        media.insert("url".into(), json!(url));
        flags::put(&mut media, "caption", &args.caption);
        body.insert("media".into(), Value::Object(media));
    }
    let req = request("whatsapp send", flags::SendWhatsappMessage::REQUIRED, body)?;
    done(
        output,
        "whatsapp send",
        client
            .send_whatsapp_message()
            .body(req)
            .with_response()
            .await,
    )
}

pub async fn rcs(client: &Client, output: Output, cmd: &Rcs) -> Result<(), Failure> {
    match cmd {
        Rcs::Send(args) => rcs_send(client, output, args).await,
        Rcs::Dlr(flags) => with_params!(output, "rcs dlr", flags, client.get_rcs_dlr()),
        Rcs::Capability(flags) => {
            with_params!(output, "rcs capability", flags, client.get_rcs_capability())
        }
        Rcs::Conversation(flags) => {
            with_params!(
                output,
                "rcs conversation",
                flags,
                client.get_rcs_conversation()
            )
        }
        Rcs::Agent(cmd) => rcs_agent(client, output, cmd).await,
        Rcs::Testdevice(RcsTestdevice::Add(args)) => {
            with_body!(
                output,
                "rcs testdevice add",
                args,
                client.add_rcs_test_device()
            )
        }
        Rcs::Testdevice(RcsTestdevice::List(flags)) => {
            let call = client.list_rcs_test_devices();
            with_params!(output, "rcs testdevice list", flags, call)
        }
        Rcs::Testdevice(RcsTestdevice::Remove(args)) => {
            let call = client.remove_rcs_test_device();
            with_body!(output, "rcs testdevice remove", args, call)
        }
    }
}

async fn rcs_send(client: &Client, output: Output, args: &RcsSend) -> Result<(), Failure> {
    let mut body = read_body(&args.body)?;
    args.flags.merge(&mut body);
    add_recipients(&mut body, &args.recipients)?;
    if let Some(text) = &args.text {
        body.insert("content".into(), json!({ "text": text }));
    }
    if let Some(path) = &args.content {
        let content = read_json(path)?;
        if !body.contains_key("type") {
            untyped_content(path, &content)?;
        }
        body.insert("content".into(), content);
    }
    if !body.contains_key("type") {
        body.insert("type".into(), json!("text"));
    }
    let req = request("rcs send", flags::SendRcsMessage::REQUIRED, body)?;
    done(
        output,
        "rcs send",
        client.send_rcs_message().body(req).with_response().await,
    )
}

/// `--content FILE` without `--type` is a text message: fine if it has that shape; otherwise
/// say which type its shape is, or that `--type` is needed.
fn untyped_content(path: &Path, content: &Value) -> Result<(), Failure> {
    let shape = match serde_json::from_value::<RcsMessageContent>(content.clone()) {
        Ok(RcsMessageContent::Text(_)) => return Ok(()),
        Ok(RcsMessageContent::RichCard(_)) => Some("rich_card"),
        Ok(RcsMessageContent::Carousel(_)) => Some("carousel"),
        Ok(RcsMessageContent::Other(_)) | Err(_) => None,
    };
    let file = path.display();
    Err(Failure::usage(match shape {
        Some(kind) => format!(
            "rcs send: {file} has the shape of a {kind} message: pass --type {kind} \
             (without --type the message is text)"
        ),
        None => format!(
            "rcs send: {file} is not a text message's content ({{\"text\": …}}), the type \
             without --type, nor a rich_card's ({{\"card\": …}}) or a carousel's \
             ({{\"cards\": […]}}): pass --type media, template, rich_card or carousel"
        ),
    }))
}

/// The request of a command without hand-made flags: the --json file, then the flags.
fn body_of<F: BodyFlags + clap::Args + clap::FromArgMatches, T: DeserializeOwned>(
    what: &str,
    args: &WithBody<F>,
) -> Result<T, Failure> {
    let mut body = read_body(&args.body)?;
    args.flags.merge(&mut body);
    request(what, F::REQUIRED, body)
}

async fn rcs_agent(client: &Client, output: Output, cmd: &RcsAgent) -> Result<(), Failure> {
    match cmd {
        RcsAgent::Create(args) => {
            with_body!(output, "rcs agent create", args, client.upsert_rcs_agent())
        }
        RcsAgent::Submit(args) => {
            with_body!(output, "rcs agent submit", args, client.submit_rcs_agent())
        }
        RcsAgent::Get(args) => {
            // clap requires exactly one of the two spellings.
            let id = args.id.or(args.agent_id).unwrap_or_default();
            let call = client.get_rcs_agent().id(id);
            with_params!(output, "rcs agent get", args.flags, call)
        }
        RcsAgent::List(flags) => {
            with_params!(output, "rcs agent list", flags, client.list_rcs_agents())
        }
        RcsAgent::Launch(args) => {
            with_body!(output, "rcs agent launch", args, client.launch_rcs_agent())
        }
    }
}

pub async fn voice(client: &Client, output: Output, cmd: &Voice) -> Result<(), Failure> {
    let Voice::Call(args) = cmd;
    let mut body = read_body(&args.body)?;
    args.flags.merge(&mut body);
    if let Some(text) = &args.tts {
        let mut tts = Map::new();
        tts.insert("text".into(), json!(text));
        flags::put(&mut tts, "language", &args.language);
        flags::put(&mut tts, "voice", &args.voice);
        flags::put(&mut tts, "repeat", &args.repeat);
        body.insert("tts".into(), Value::Object(tts));
    }
    let req = request("voice call", flags::PlaceVoiceCall::REQUIRED, body)?;
    done(
        output,
        "voice call",
        client.place_voice_call().body(req).with_response().await,
    )
}

pub async fn otp(client: &Client, output: Output, cmd: &Otp) -> Result<(), Failure> {
    match cmd {
        Otp::Send(args) => with_body!(output, "otp send", args, client.send_otp()),
        Otp::Verify(flags) => match flags.apply(client.verify_otp()).await {
            // The outcome, whichever way the API answered it (see `OtpVerification`).
            Ok(OtpVerification::Matched) => {
                output::print(output, &json!({"status": "success", "matched": "yes"}))
            }
            Ok(OtpVerification::NotMatched { message }) => {
                let mut answer = json!({"status": "error", "matched": "no"});
                if let Some(m) = &message {
                    answer["message"] = json!(m);
                }
                output::print(output, &answer)?;
                Err(Failure::new(
                    exit::Kind::Refused,
                    format!(
                        "otp verify: not matched: {}",
                        message.as_deref().unwrap_or("wrong or expired code")
                    ),
                ))
            }
            Err(e) => Err(Failure::api("otp verify", e)),
        },
    }
}
