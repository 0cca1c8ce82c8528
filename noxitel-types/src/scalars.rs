//! Scalars whose JSON type the API does not keep consistent.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A value the reference documents as a string that some answers send as a JSON number
/// (`mobile` in SMS delivery reports, `agentId` in RCS webhooks, the error `status`).
///
/// The original representation is kept, so re-serialising gives back the same JSON.
/// Compare it with a string through `==` or [`StringOrNumber::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StringOrNumber {
    /// Sent as a JSON string.
    String(String),
    /// Sent as a JSON number.
    Number(serde_json::Number),
}

impl StringOrNumber {
    /// The value as text, whichever way it was sent.
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            StringOrNumber::String(s) => Cow::Borrowed(s),
            StringOrNumber::Number(n) => Cow::Owned(n.to_string()),
        }
    }

    /// The value as an integer, if it is one (either way it was sent).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            StringOrNumber::String(s) => s.trim().parse().ok(),
            StringOrNumber::Number(n) => n.as_i64(),
        }
    }
}

impl fmt::Display for StringOrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringOrNumber::String(s) => f.write_str(s),
            StringOrNumber::Number(n) => write!(f, "{n}"),
        }
    }
}

impl From<&str> for StringOrNumber {
    fn from(value: &str) -> Self {
        StringOrNumber::String(value.to_owned())
    }
}

impl From<String> for StringOrNumber {
    fn from(value: String) -> Self {
        StringOrNumber::String(value)
    }
}

impl From<i64> for StringOrNumber {
    fn from(value: i64) -> Self {
        StringOrNumber::Number(value.into())
    }
}

impl PartialEq<str> for StringOrNumber {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for StringOrNumber {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(feature = "json-schema")]
impl schemars::JsonSchema for StringOrNumber {
    fn schema_name() -> Cow<'static, str> {
        "StringOrNumber".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A string that some answers send as a JSON number.",
            "oneOf": [{ "type": "string" }, { "type": "integer" }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_representation_it_was_sent_in() {
        for json in ["918058111111", "\"918058111111\""] {
            let value: StringOrNumber = serde_json::from_str(json).unwrap();
            assert_eq!(value, "918058111111");
            assert_eq!(value.as_i64(), Some(918058111111));
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
        }
    }

    #[test]
    fn rejects_other_json_types() {
        assert!(serde_json::from_str::<StringOrNumber>("true").is_err());
        assert!(serde_json::from_str::<StringOrNumber>("{}").is_err());
    }
}
