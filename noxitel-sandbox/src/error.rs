//! The API's error answers: `{"success": false, "status": <http>, "message": "..."}`, or the
//! second shape the reference shows for some errors, `{"status": "error", "message": "..."}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use noxitel_types::{ApiError, StringOrNumber};
use serde_json::{Map, Value};

/// An error answer.
#[derive(Debug)]
pub struct ApiErr {
    pub status: StatusCode,
    pub message: String,
    pub extra: Map<String, Value>,
    pub retry_after: Option<u64>,
    /// Answer with `"status": "error"` (and no `success`), as the reference's example does.
    pub status_error: bool,
}

pub type ApiResult<T> = Result<T, ApiErr>;

impl ApiErr {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            extra: Map::new(),
            retry_after: None,
            status_error: false,
        }
    }

    /// The `{"status": "error", "message": …}` shape, for the errors the reference shows so.
    pub fn status_error(mut self) -> Self {
        self.status_error = true;
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn payment(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYMENT_REQUIRED, message)
    }

    /// The change could not be made durable: nothing was acknowledged.
    pub fn unstored(reason: std::sync::Arc<str>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The sandbox could not store this change: {reason}"),
        )
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }
}

/// The JSON body of an error answer.
pub fn body(status: StatusCode, message: String, extra: Map<String, Value>) -> ApiError {
    ApiError {
        message,
        status: Some(StringOrNumber::from(i64::from(status.as_u16()))),
        success: Some(false),
        extra,
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let mut body = body(self.status, self.message, self.extra);
        if self.status_error {
            body.status = Some(StringOrNumber::from("error"));
            body.success = None;
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
