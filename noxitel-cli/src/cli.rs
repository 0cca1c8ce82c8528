//! The command line, as clap derive types.

use std::path::PathBuf;

use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};
use noxitel_types::WhatsappReportMode;

use crate::flags;

/// Exit codes, shown at the end of `noxitel --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the API refused the request (400, 404, \"status\": \"error\"), or an OTP did not match
  2  usage: bad arguments, unreadable or invalid input file, bad CSV header, a port
     already in use
  3  authentication: missing or invalid API key (403), IP address not whitelisted (401)
  4  insufficient credits or balance (402)
  5  rate limit exceeded (429), after the client's retries
  6  server error (5xx) or an answer that is not the documented JSON
  7  network: connection failed, broke or timed out
  8  bulk send finished incomplete: some batches failed or have an unknown outcome
     (see the summary and the failures CSV; re-run the same command to resume)
 130 interrupted (Ctrl-C); a bulk send can be resumed by re-running it

Environment:
  NOXITEL_API_TOKEN  API token (same as --token); never printed, not even with -v
  NOXITEL_BASE_URL   base URL including /api/v2 (same as --base-url)";

/// `noxitel`: the Noxitel messaging API (SMS, WhatsApp, RCS, Voice, OTP) from the shell.
#[derive(Debug, Parser)]
#[command(name = "noxitel", version, about, long_about = None, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, shown under their own heading.
///
/// The token and the base URL fall back to the environment here, not through clap's `env`:
/// clap counts a value from the environment as given, and prints it in every usage line
/// (`Usage: noxitel otp send --token <TOKEN> --base-url <BASE_URL> …`) as if it were required.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// API token, sent as `Authorization: Bearer …` [env: NOXITEL_API_TOKEN]; never printed.
    #[arg(long = "token", value_name = "TOKEN", global = true)]
    token_flag: Option<String>,
    // (Not a doc comment: rustdoc would want the URL in angle brackets, and clap shows them.)
    #[arg(
        long = "base-url",
        value_name = "URL",
        global = true,
        help = "Base URL of the API, including `/api/v2` [env: NOXITEL_BASE_URL] \
                [default: https://dashboard.noxitel.com/api/v2]"
    )]
    base_url_flag: Option<String>,
    /// Output format: a human-readable table, or the API's JSON answer (for scripts and jq).
    #[arg(short, long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    /// Trace on stderr. -v: one line per attempt (operation, method, status, duration, retries);
    /// -vv: also connection events. Never the token, URL query or message text.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Seconds allowed for one call, retries included.
    #[arg(
        long,
        default_value_t = 30,
        global = true,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub timeout: u64,
}

/// The environment variable of the API token.
pub const TOKEN_ENV: &str = "NOXITEL_API_TOKEN";
/// The environment variable of the base URL.
pub const BASE_URL_ENV: &str = "NOXITEL_BASE_URL";

impl Global {
    /// The API token: `--token`, else `NOXITEL_API_TOKEN`; `None` if neither is given or it
    /// is blank.
    pub fn token(&self) -> Option<String> {
        let token = self
            .token_flag
            .clone()
            .or_else(|| std::env::var(TOKEN_ENV).ok())?;
        let token = token.trim();
        (!token.is_empty()).then(|| token.to_owned())
    }

    /// The base URL: `--base-url`, else `NOXITEL_BASE_URL`, else the API's.
    pub fn base_url(&self) -> String {
        self.base_url_flag
            .clone()
            .or_else(|| std::env::var(BASE_URL_ENV).ok())
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| noxitel_api::DEFAULT_BASE_URL.to_owned())
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable table.
    Table,
    /// The API's answer as JSON.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Wallet and credit balance (`GET /credits`).
    Credits(flags::GetCredits),
    /// SMS: send (one-off or bulk from CSV), delivery reports, offline segment count.
    #[command(subcommand)]
    Sms(Sms),
    /// WhatsApp Business: send, reports, service window, prices.
    #[command(subcommand)]
    Whatsapp(Whatsapp),
    /// RCS: send, delivery reports, capability, conversation window, agents, test devices.
    #[command(subcommand)]
    Rcs(Rcs),
    /// Voice (preview): outbound calls.
    #[command(subcommand)]
    Voice(Voice),
    /// OTP: send a code, verify what the user typed.
    #[command(subcommand)]
    Otp(Otp),
    /// Local webhook receiver.
    #[command(subcommand)]
    Webhook(Webhook),
    /// Run the local sandbox server (a stateful /api/v2 for development; prints its URL and
    /// token; Ctrl-C to stop), or talk to a running one (otp, inbound, tap, flush, fault,
    /// events; at --base-url, default http://127.0.0.1:8787).
    Sandbox(SandboxCmd),
    /// Print a shell completion script, e.g. `noxitel completions bash > /etc/bash_completion.d/noxitel`
    /// or `noxitel completions zsh > "${fpath[1]}/_noxitel"`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// A JSON request body from a file (`-` reads stdin); flags given next to it override its
/// fields.
#[derive(Debug, Args, Default)]
pub struct BodyFile {
    /// JSON file with the request body (`-` for stdin); flags override its fields.
    #[arg(long = "json", value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// The command of an operation with a body and no hand-made flags: `--json FILE` and the
/// operation's flags.
#[derive(Debug, Args)]
pub struct WithBody<F: Args + FromArgMatches> {
    #[command(flatten)]
    pub body: BodyFile,
    #[command(flatten)]
    pub flags: F,
}

#[derive(Debug, Subcommand)]
pub enum Sms {
    /// Send an SMS (`POST /sms`) to --to numbers, or a bulk campaign from --csv.
    #[command(after_help = SMS_SEND_HELP)]
    Send(Box<SmsSend>),
    /// Delivery reports of a batch or of one message (`GET /dlr`).
    #[command(group = one_of("batch_id", "sms_id"))]
    Dlr(flags::GetSmsDlr),
    /// Offline: encoding (GSM-7 or UCS-2) and number of SMS parts of a text. No token needed.
    Segments {
        /// The message text.
        text: String,
    },
}

const SMS_SEND_HELP: &str = "\
Examples:
  noxitel sms send --to 919887111111 --sender NOXITEL --message 'Your order has shipped'
  noxitel sms send --csv contacts.csv --sender NOXITEL --message 'Hi #name#, 20% off today'

Bulk (--csv): the header must have a `mobile` column; every other column is a #parameter#.
Contacts are sent in batches (--batch-size) with --concurrency requests in flight. Each
accepted batch is recorded, with its batch_id, in a journal (default: <csv>.journal), written
durably before and after each request. Re-running the same command resumes: accepted batches
are never sent again. A batch whose outcome is unknown (timeout, connection lost after the
request went out, 5xx answer, crash mid-request) is NOT re-sent: check its delivery reports
(`noxitel sms dlr`) or the dashboard, then re-run with --resend-unknown only if it was not
delivered. Rejected batches (400, 402, 429, connection refused) are re-sent on the next run.
Bad rows (empty or non-numeric mobile, wrong column count) are reported with their line
number and skipped. Failures are written to <csv>.failures.csv with the reason.";

#[derive(Debug, Args)]
pub struct SmsSend {
    #[command(flatten)]
    pub recipients: Recipients,
    /// Bulk: CSV file with a `mobile` column; other columns become #parameters#.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["to", "params", "contact_group"])]
    pub csv: Option<PathBuf>,
    /// Message text; `#name#` is replaced by the contact's `name` parameter.
    #[arg(long, short)]
    pub message: Option<String>,
    /// Contact group ID (replaces --to).
    #[arg(long)]
    pub contact_group: Option<i64>,
    #[command(flatten)]
    pub body: BodyFile,
    #[command(flatten)]
    pub bulk: BulkArgs,
    /// Every other field of the request, from the document.
    #[command(flatten)]
    pub flags: flags::SendSms,
}

/// The `contacts` of an SMS or RCS message, from the command line.
#[derive(Debug, Args)]
pub struct Recipients {
    /// Recipient mobile number with country code (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub to: Vec<String>,
    /// Parameter for the --to contacts, `name=value` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

/// Options of a bulk send (`--csv`).
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// Bulk: contacts per request.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch_size: u32,
    /// Bulk: requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Bulk: journal file (default: `<csv>.journal`).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Bulk: failures CSV (default: `<csv>.failures.csv`).
    #[arg(long, value_name = "FILE")]
    pub failures: Option<PathBuf>,
    /// Bulk: also re-send batches whose outcome is unknown (only after checking they were not
    /// delivered: this may send those contacts twice).
    #[arg(long)]
    pub resend_unknown: bool,
}

/// Exactly one of two generated flags (by their ids, the fields' snake-case names): the
/// reference asks for a batch's reports or one message's.
fn one_of(first: &'static str, second: &'static str) -> clap::ArgGroup {
    clap::ArgGroup::new("which")
        .args([first, second])
        .required(true)
        .multiple(false)
}

#[derive(Debug, Subcommand)]
pub enum Whatsapp {
    /// Send a WhatsApp message (`POST /whatsapp/message`). Templates: use --json FILE.
    Send(WhatsappSend),
    /// Report of a message or a campaign (`GET /whatsapp/report`).
    Report(WhatsappReport),
    /// Whether the 24-hour service window is open (`GET /whatsapp/checkwindow`).
    Window(flags::CheckWhatsappWindow),
    /// Conversation prices per country (`GET /whatsapp/prices`).
    Prices(flags::GetWhatsappPrices),
}

#[derive(Debug, Args)]
pub struct WhatsappReport {
    /// `message` (--id is a msg_id) or `campaign` (--id is a campaign ID).
    #[arg(
        long,
        value_parser = flags::choice::<WhatsappReportMode>(&["message", "campaign"]),
        default_value = "message"
    )]
    pub mode: WhatsappReportMode,
    #[command(flatten)]
    pub flags: flags::GetWhatsappReport,
}

#[derive(Debug, Args)]
pub struct WhatsappSend {
    /// Recipient number (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub to: Vec<String>,
    /// Message text (type text).
    #[arg(long, short)]
    pub message: Option<String>,
    /// Media URL (types image, video, audio, document).
    #[arg(long)]
    pub media_url: Option<String>,
    /// Media caption.
    #[arg(long, requires = "media_url")]
    pub caption: Option<String>,
    #[command(flatten)]
    pub body: BodyFile,
    /// Every other field of the request (templates: parameters in --json FILE).
    #[command(flatten)]
    pub flags: flags::SendWhatsappMessage,
}

#[derive(Debug, Subcommand)]
pub enum Rcs {
    /// Send an RCS message (`POST /rcs/message`). Cards and carousels: --content FILE or --json FILE.
    Send(RcsSend),
    /// Delivery reports of a batch or one message (`GET /rcs/dlr`).
    #[command(group = one_of("batch_id", "msg_id"))]
    Dlr(flags::GetRcsDlr),
    /// Whether a number supports RCS (`GET /rcs/capability`).
    Capability(flags::GetRcsCapability),
    /// Whether a conversation window is open (`GET /rcs/conversation`).
    Conversation(flags::GetRcsConversation),
    /// RCS agents: create, submit, get, list, launch.
    #[command(subcommand)]
    Agent(RcsAgent),
    /// Test devices of an agent: add, list, remove.
    #[command(subcommand)]
    Testdevice(RcsTestdevice),
}

#[derive(Debug, Args)]
pub struct RcsSend {
    #[command(flatten)]
    pub recipients: Recipients,
    /// Text (type text).
    #[arg(long, conflicts_with = "content")]
    pub text: Option<String>,
    /// JSON file with the `content` object (rich card, carousel, text with suggestions).
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    #[command(flatten)]
    pub body: BodyFile,
    /// Every other field of the request (`--type`: text when not given).
    #[command(flatten)]
    pub flags: flags::SendRcsMessage,
}

#[derive(Debug, Subcommand)]
pub enum RcsAgent {
    /// Create or update a draft agent (`POST /rcs/agent`).
    Create(Box<WithBody<flags::UpsertRcsAgent>>),
    /// Submit a draft for review (`POST /rcs/agent/submit`).
    Submit(WithBody<flags::SubmitRcsAgent>),
    /// One agent (`GET /rcs/agent/{id}`).
    Get(RcsAgentGet),
    /// All your agents (`GET /rcs/agents`).
    List(flags::ListRcsAgents),
    /// Request launch to carriers (`POST /rcs/agent/launch`).
    Launch(WithBody<flags::LaunchRcsAgent>),
}

#[derive(Debug, Args)]
pub struct RcsAgentGet {
    /// Agent ID (or `--agent-id`, like the other rcs commands).
    #[arg(
        value_name = "AGENT_ID",
        required_unless_present = "agent_id",
        conflicts_with = "agent_id"
    )]
    pub id: Option<i64>,
    /// Agent ID.
    #[arg(long = "agent-id", value_name = "AGENT_ID")]
    pub agent_id: Option<i64>,
    #[command(flatten)]
    pub flags: flags::GetRcsAgent,
}

#[derive(Debug, Subcommand)]
pub enum RcsTestdevice {
    /// Add a test device (`POST /rcs/testdevice`).
    Add(WithBody<flags::AddRcsTestDevice>),
    /// List an agent's test devices (`GET /rcs/testdevices`).
    List(flags::ListRcsTestDevices),
    /// Remove a test device (`DELETE /rcs/testdevice`).
    Remove(WithBody<flags::RemoveRcsTestDevice>),
}

#[derive(Debug, Subcommand)]
pub enum Voice {
    /// Place an outbound call (`POST /voice/call`) with text-to-speech or an audio file.
    Call(VoiceCall),
}

#[derive(Debug, Args)]
pub struct VoiceCall {
    /// Text to speak.
    #[arg(long, conflicts_with = "audio_url")]
    pub tts: Option<String>,
    /// TTS language, e.g. en-IN.
    #[arg(long, requires = "tts")]
    pub language: Option<String>,
    /// TTS voice, e.g. female.
    #[arg(long, requires = "tts")]
    pub voice: Option<String>,
    /// How many times to repeat the TTS text.
    #[arg(long, requires = "tts")]
    pub repeat: Option<i64>,
    #[command(flatten)]
    pub body: BodyFile,
    /// Every other field of the request, from the document.
    #[command(flatten)]
    pub flags: flags::PlaceVoiceCall,
}

#[derive(Debug, Subcommand)]
pub enum Otp {
    /// Send a one-time password (`POST /otp`); prints the reference to verify with.
    Send(WithBody<flags::SendOtp>),
    /// Verify a code (`GET /otp/verify`) — the reference `otp send` printed; exits 1 if it
    /// does not match.
    Verify(flags::VerifyOtp),
}

/// `noxitel sandbox [serve options]` or `noxitel sandbox ACTION`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SandboxCmd {
    /// The server's flags, defined by the sandbox crate (the same as `noxitel-sandbox`'s).
    #[cfg(feature = "sandbox")]
    #[command(flatten)]
    pub serve: noxitel_sandbox::ServeArgs,
    /// Another bearer token the sandbox accepts (repeatable), besides `--token` /
    /// NOXITEL_API_TOKEN. Default when neither is given: one random token, printed.
    #[arg(long = "accept-token", value_name = "TOKEN")]
    pub accept_tokens: Vec<String>,
    #[command(subcommand)]
    pub action: Option<SandboxAction>,
}

/// What to ask a running sandbox (its control surface, with --token).
#[derive(Debug, Subcommand)]
pub enum SandboxAction {
    /// The last OTP sent to a number: code and reference.
    Otp {
        /// The number, e.g. 919887111111.
        mobile: String,
    },
    /// A user writes to you: an RCS message to an agent, or a WhatsApp message (opens the
    /// 24-hour service window).
    Inbound {
        /// The user's number.
        from: String,
        /// What they write.
        text: String,
        /// Channel.
        #[arg(long, value_enum, default_value_t = InboundChannel::Rcs)]
        channel: InboundChannel,
        /// RCS agent (default: the account's default agent).
        #[arg(long)]
        agent_id: Option<i64>,
    },
    /// A user taps a suggestion of an RCS message.
    Tap {
        /// The message's msg_id.
        msg_id: String,
        /// The suggestion's label (default: the first suggestion).
        #[arg(long)]
        text: Option<String>,
    },
    /// Every pending message reaches its final state now.
    Flush,
    /// Fault rules on /api/v2: add, list, clear.
    #[command(subcommand)]
    Fault(FaultAction),
    /// The event log of the account (every change of state); --follow streams new ones.
    Events {
        /// Only events after this id.
        #[arg(long)]
        after: Option<u64>,
        /// Keep streaming new events (Ctrl-C to stop).
        #[arg(long)]
        follow: bool,
    },
}

/// Channel of a simulated inbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InboundChannel {
    /// RCS (a `message.received` webhook to the last notifyUrl of that number).
    Rcs,
    /// WhatsApp.
    Whatsapp,
}

#[derive(Debug, Subcommand)]
pub enum FaultAction {
    /// Adds a rule, e.g. `status=503,path=/sms,next=2`, `status=429,retry-after=3`,
    /// `latency=100..400,probability=0.5`, `drop`, `cut`, `redirect[=URL]`, `stall[=MS]`.
    Add {
        /// The rule.
        spec: String,
    },
    /// Lists the rules with how often each fired.
    List,
    /// Removes one rule, or all.
    Clear {
        /// The rule's id (default: all).
        id: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum Webhook {
    /// Receive webhooks locally and print each event, typed (RCS events with parsed
    /// postbacks, voice call status, SMS receipts). Answers 200. Ctrl-C to stop.
    Listen {
        /// Port to listen on (0: any free port, printed at start).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
    },
}
