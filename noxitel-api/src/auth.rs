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
    fn bad_tokens_are_rejected_without_echoing_them() {
        for bad in ["", "   ", "line\nbreak-s3cr3t"] {
            let err = ApiToken::new(bad).unwrap_err().to_string();
            assert!(!err.contains("s3cr3t"), "{err}");
            assert!(matches!(ApiToken::new(bad), Err(Error::Config(_))));
        }
    }
}
