//! Routing, authentication, IP allow-list, rate limiting, request logs and error bodies.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Map;

use crate::error::{ApiErr, body};
use crate::state::Shared;
use crate::{api, control};

/// The state every handler gets.
pub type S = State<Arc<Shared>>;
/// The account the bearer token selects.
pub type A = axum::extract::Extension<Arc<crate::state::Account>>;

pub fn router(shared: Arc<Shared>) -> Router {
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
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            control_guard,
        ));
    Router::new()
        .nest("/api/v2", api)
        .nest("/sandbox", control)
        .route("/", get(control::index))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
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
    let Some(token) = bearer(request.headers()) else {
        return forbidden("API Key Missing");
    };
    let Some(account) = shared.account(token) else {
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
