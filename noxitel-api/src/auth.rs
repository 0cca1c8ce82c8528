//! The API token: sent as `Authorization: Bearer …`, never shown.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::Error;

/// A Noxitel API token.
///
/// Kept as a sensitive header value: its `Debug` output is redacted, it is never part of an
/// error message, a tracing field or reqwest's own `Debug` output.
#[derive(Clone)]
pub struct ApiToken(HeaderValue);

impl ApiToken {
    /// Checks and wraps a token. Fails (without echoing it) if it is empty or cannot be sent
    /// in an HTTP header.
    pub fn new(token: impl AsRef<str>) -> Result<Self, Error> {
        let token = token.as_ref().trim();
        if token.is_empty() {
            return Err(Error::Config("the API token is empty".into()));
        }
        let mut value = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
            Error::Config(
                "the API token contains characters that cannot be sent in an HTTP header".into(),
            )
        })?;
        value.set_sensitive(true);
        Ok(Self(value))
    }

    /// The `Authorization` header value.
    pub(crate) fn header(&self) -> &HeaderValue {
        &self.0
    }

    /// Replaces every occurrence of the token in `text` (taken from an answer) by
    /// `<redacted>`.
    pub(crate) fn redact(&self, text: &mut String) {
        let token = self.secret();
        if !token.is_empty() && text.contains(token) {
            *text = text.replace(token, "<redacted>");
        }
    }

    /// [`Self::redact`] for every string in a JSON value.
    pub(crate) fn redact_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => self.redact(text),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }

    fn secret(&self) -> &str {
        let header = self.0.to_str().unwrap_or_default();
        header.strip_prefix("Bearer ").unwrap_or(header)
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_header_is_sensitive() {
        let token = ApiToken::new("s3cr3t-token").unwrap();
        assert_eq!(format!("{token:?}"), "ApiToken(<redacted>)");
        assert!(token.header().is_sensitive());
        assert_eq!(token.header(), "Bearer s3cr3t-token");
    }

    #[test]
    fn text_from_answers_loses_the_token() {
        let token = ApiToken::new("s3cr3t-token").unwrap();
        let mut text = "echo: Bearer s3cr3t-token, again s3cr3t-token".to_owned();
        token.redact(&mut text);
        assert_eq!(text, "echo: Bearer <redacted>, again <redacted>");
        let mut json = serde_json::json!({"headers": {"authorization": ["Bearer s3cr3t-token"]}});
        token.redact_json(&mut json);
        assert_eq!(json["headers"]["authorization"][0], "Bearer <redacted>");
    }

    #[test]
    fn bad_tokens_are_rejected_without_echoing_them() {
        for bad in ["", "   ", "line\nbreak-s3cr3t"] {
            let err = ApiToken::new(bad).unwrap_err().to_string();
            assert!(!err.contains("s3cr3t"), "{err}");
            assert!(matches!(ApiToken::new(bad), Err(Error::Config(_))));
        }
    }
}
