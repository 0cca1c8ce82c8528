//! Routing, authentication, IP allow-list, rate limiting, request logs and error bodies.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, Request, State};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use noxitel_types::Validate;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiResult;
use crate::state::{Account, Session};
use crate::store::Durable;

use crate::error::{ApiErr, body};
use crate::faults::Faults;
use crate::state::Shared;
use crate::{api, control};

/// The state every handler gets.
pub type SharedState = State<Arc<Shared>>;
/// The query string as name → value.
pub type QueryParams = Query<HashMap<String, String>>;

/// Extracts the account the guard found for the bearer token.
pub struct TokenAccount(pub Arc<Account>);

impl<RouterState: Send + Sync> FromRequestParts<RouterState> for TokenAccount {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, _: &RouterState) -> Result<Self, ApiErr> {
        parts
            .extensions
            .get::<Arc<Account>>()
            .cloned()
            .map(TokenAccount)
            .ok_or_else(|| ApiErr::new(StatusCode::FORBIDDEN, "API Key Missing"))
    }
}

/// What a handler of an account's request works with: the server's state and the account the
/// bearer token selects.
pub struct Caller {
    /// The server's state.
    pub shared: Arc<Shared>,
    /// The account.
    pub account: Arc<Account>,
}

impl FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiErr> {
        let TokenAccount(account) = TokenAccount::from_request_parts(parts, shared).await?;
        Ok(Self {
            shared: Arc::clone(shared),
            account,
        })
    }
}

impl Caller {
    /// Locks the account to read it (after moving its due events along).
    pub fn session(&self) -> Session<'_> {
        self.shared.session(&self.account)
    }

    /// Runs `f` on the locked account with the sandbox clock's time, then waits until its
    /// changes are durable ([`change`]).
    pub async fn change<T>(
        &self,
        f: impl FnOnce(&mut Session<'_>, DateTime<Utc>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let now = self.shared.clock.now();
        change(&self.shared, &self.account, |session| f(session, now)).await
    }
}

/// Extracts a JSON body as `T`, checked against the reference's rules ([`parse`]).
pub struct Valid<T>(pub T);

impl<RouterState: Send + Sync, T: DeserializeOwned + Validate> FromRequest<RouterState>
    for Valid<T>
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &RouterState) -> Result<Self, Response> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse(&body).map(Valid).map_err(IntoResponse::into_response)
    }
}

/// Extracts a JSON body as `T` (control surface: no reference rules to check).
pub struct JsonBody<T>(pub T);

impl<RouterState: Send + Sync, T: DeserializeOwned> FromRequest<RouterState> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &RouterState) -> Result<Self, Response> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse_raw(&body)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

/// Runs `f` on the locked account, then waits until its changes are durable: only then may
/// the answer be sent. (The lock is released before waiting.)
pub(crate) async fn change<T>(
    shared: &Shared,
    account: &Arc<crate::state::Account>,
    f: impl FnOnce(&mut Session<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    let (result, wait) = {
        let mut session = shared.session(account);
        let result = f(&mut session);
        (result, session.commit())
    };
    let answer = result?;
    durable(wait).await?;
    Ok(answer)
}

/// Waits until the session's changes are durable: the answer may then be sent.
pub(crate) async fn durable(durable: Durable) -> ApiResult<()> {
    durable.wait().await.map_err(ApiErr::unstored)
}

/// Reads a JSON body into a request type and checks the reference's rules.
pub fn parse<T: DeserializeOwned + Validate>(body: &[u8]) -> ApiResult<T> {
    let value = parse_raw::<T>(body)?;
    // No field of the document is nullable: `null` is a wrong type, not an omitted field.
    if let Ok(raw) = serde_json::from_slice::<Value>(body)
        && let Some(path) = find_null(&raw, String::new())
    {
        return Err(ApiErr::bad_request(format!(
            "Invalid parameter {path}: null is not allowed (omit the field instead)"
        )));
    }
    value
        .validate()
        .map_err(|e| ApiErr::bad_request(format!("Invalid parameter {}: {}", e.field, e.reason)))?;
    Ok(value)
}

fn find_null(value: &Value, path: String) -> Option<String> {
    match value {
        Value::Null => Some(if path.is_empty() { ".".into() } else { path }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_null(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            find_null(v, child)
        }),
        _ => None,
    }
}

/// Reads a JSON body into `T`, with the path of the offending field on error.
pub fn parse_raw<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiErr::bad_request(
            "Missing request body: send a JSON object with Content-Type: application/json",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at_root = path == "." || path.is_empty();
        if inner.is_syntax() || inner.is_eof() {
            return ApiErr::bad_request(format!("Malformed JSON body: {inner}"));
        }
        let reason = plain_reason(&inner);
        // "missing field `x`" reads like the query-string answer: `Missing parameter x`.
        if let Some(field) = reason
            .strip_prefix("missing field `")
            .and_then(|r| r.strip_suffix('`'))
        {
            return ApiErr::bad_request(match at_root {
                true => format!("Missing parameter {field}"),
                false => format!("Missing parameter {path}.{field}"),
            });
        }
        match at_root {
            // An array body reads as a struct-from-sequence: say what is expected instead.
            true if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') => {
                ApiErr::bad_request("Invalid request body: it must be a JSON object")
            }
            true => ApiErr::bad_request(format!("Invalid request body: {reason}")),
            false => ApiErr::bad_request(format!("Invalid parameter {path}: {reason}")),
        }
    })
}

/// serde's reason in the API's words: no source position, no Rust type names.
fn plain_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) if text[at..].contains(" column ") => &text[..at],
        _ => &text,
    };
    let text = match text.find("expected struct ") {
        Some(at) => format!("{}expected a JSON object", &text[..at]),
        None => text.to_owned(),
    };
    text.replace("expected i64", "expected an integer")
        .replace("expected u64", "expected a non-negative integer")
        .replace("expected u32", "expected a non-negative integer")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected a JSON array")
        .replace("expected a map", "expected a JSON object")
}

/// The whole server: `/api/v2` (behind the fault rules), `/sandbox`, `/`.
pub fn router(shared: Arc<Shared>, faults: Arc<Faults>) -> Router {
    let api = Router::new()
        .route("/sms", post(api::send_sms))
        .route("/dlr", get(api::sms_dlr))
        .route("/credits", get(api::credits))
        .route("/whatsapp/message", post(api::send_whatsapp))
        .route("/whatsapp/report", get(api::whatsapp_report))
        .route("/whatsapp/checkwindow", get(api::whatsapp_window))
        .route("/whatsapp/prices", get(api::whatsapp_prices))
        .route("/rcs/message", post(api::send_rcs))
        .route("/rcs/agent", post(api::upsert_agent))
        .route("/rcs/agent/submit", post(api::submit_agent))
        .route("/rcs/agent/launch", post(api::launch_agent))
        .route("/rcs/agent/{id}", get(api::get_agent))
        .route("/rcs/agents", get(api::list_agents))
        .route(
            "/rcs/testdevice",
            post(api::add_test_device).delete(api::remove_test_device),
        )
        .route("/rcs/testdevices", get(api::list_test_devices))
        .route("/rcs/capability", get(api::capability))
        .route("/rcs/conversation", get(api::conversation))
        .route("/rcs/dlr", get(api::rcs_dlr))
        .route("/voice/call", post(api::voice_call))
        .route("/otp", post(api::send_otp))
        .route("/otp/verify", get(api::verify_otp))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), guard));
    let control = control::router()
        .merge(control::fault_routes(Arc::clone(&faults)))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            control_guard,
        ));
    Router::new()
        .nest("/api/v2", api)
        .nest("/sandbox", control)
        .merge(crate::web::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            faults,
            crate::faults::inject,
        ))
        .layer(middleware::from_fn_with_state(
            shared.config.max_body_bytes,
            normalize_errors,
        ))
        .layer(DefaultBodyLimit::max(shared.config.max_body_bytes))
        .layer(middleware::from_fn(log_requests))
        .with_state(shared)
}

/// Names the path as the client sent it (a nested router sees only its own part).
async fn not_found(method: Method, uri: axum::extract::OriginalUri) -> ApiErr {
    ApiErr::not_found(format!("No such endpoint: {method} {}", uri.0.path()))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn forbidden(message: &str) -> Response {
    ApiErr::new(StatusCode::FORBIDDEN, message).into_response()
}

/// `/api/v2`: token (403), allow-list (401), rate limit (429).
async fn guard(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let Some(token) = bearer(request.headers()) else {
        return forbidden("API Key Missing");
    };
    let Some(account) = shared.account(token) else {
        return forbidden("Invalid API Key");
    };
    if let Some(allowed) = &shared.config.allowed_ips {
        let ip = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if !ip.is_some_and(|ip| allowed.contains(&ip)) {
            let shown = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
            return ApiErr::new(
                StatusCode::UNAUTHORIZED,
                format!("IP not whitelisted: {shown} is not on this API key's allow-list"),
            )
            .into_response();
        }
    }
    if let Some(rate) = shared.config.rate_limit
        && let Err(wait) = account.take(rate)
    {
        let mut err = ApiErr::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Rate limit exceeded: {rate} requests per second per API key; retry in {wait} s"
            ),
        );
        err.retry_after = Some(wait);
        return err.into_response();
    }
    request.extensions_mut().insert(account);
    next.run(request).await
}

/// `/sandbox`: the same tokens select the account; no allow-list or rate limit.
async fn control_guard(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let account = match bearer(request.headers()) {
        Some(token) => shared.account(token),
        // The inbox page names its account instead (crate::web::inbox_account).
        None => match crate::web::inbox_account(&shared, request.headers()) {
            Some(account) => Some(account),
            None => return forbidden("API Key Missing"),
        },
    };
    let Some(account) = account else {
        return forbidden("Invalid API Key");
    };
    request.extensions_mut().insert(account);
    next.run(request).await
}

/// Every error answer gets the documented JSON shape, whoever produced it (axum's own
/// 405, 413 and extractor rejections are plain text).
async fn normalize_errors(
    State(max_body_bytes): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, original) = response.into_parts();
    let text = axum::body::to_bytes(original, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = parts
                .headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            if allow.is_empty() {
                format!("Method {method} is not allowed on {path}")
            } else {
                format!("Method {method} is not allowed on {path}; allowed: {allow}")
            }
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("Request body too large: {path} accepts at most {max_body_bytes} bytes")
        }
        _ if text.is_empty() => status.canonical_reason().unwrap_or("Error").to_owned(),
        _ => text,
    };
    let json = serde_json::to_vec(&body(status, message, Map::new())).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(json))
}

/// One line per request: method, path (never the query string or headers), status, time.
async fn log_requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "noxitel_sandbox::request",
        %method,
        path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
    );
    response
}
