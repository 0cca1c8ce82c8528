//! Enums the API may extend: an unknown value becomes `Unknown(String)` instead of failing
//! the whole response, and is written back unchanged.

/// Declares an open string enum: serde, `Display`, `FromStr`, `as_str()` (and `JsonSchema` with
/// the `json-schema` feature).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] $variant, )+
            /// A value this version of the crate does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value documented by the API.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value the API documents.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match $name::from(value.as_str()) {
                    $name::Unknown(_) => $name::Unknown(value),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok($name::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from(value.into_owned()))
            }
        }

        #[cfg(feature = "json-schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "description": concat!(
                        "Open enum: known values are ",
                        $( "`", $wire, "` ", )+
                        "; the API may send others."
                    ),
                    "examples": [$($wire),+],
                    "x-noxitel-extensible": true,
                })
            }
        }
    };
}

open_enum! {
    /// Outcome envelope of most answers.
    ResponseStatus { Success = "success", Error = "error" }
}

open_enum! {
    /// An RCS feature a device supports.
    RcsFeature {
        RichcardStandalone = "RICHCARD_STANDALONE",
        RichcardCarousel = "RICHCARD_CAROUSEL",
        ActionOpenUrl = "ACTION_OPEN_URL",
    }
}

open_enum! {
    /// RCS delivery state.
    RcsDeliveryStatus {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
        Delivered = "delivered",
        Read = "read",
        Incompatible = "incompatible",
    }
}

open_enum! {
    /// RCS webhook event name.
    RcsEventType {
        MessageSent = "message.sent",
        MessageDelivered = "message.delivered",
        MessageRead = "message.read",
        MessageFailed = "message.failed",
        MessageReceived = "message.received",
    }
}

open_enum! {
    /// Kind of an inbound RCS message.
    RcsInboundMessageType { Text = "text", Suggestion = "suggestion" }
}

open_enum! {
    /// Voice call status (preview API).
    VoiceCallStatus {
        Ringing = "ringing",
        Answered = "answered",
        Completed = "completed",
        Failed = "failed",
    }
}

open_enum! {
    /// OTP verification result: the strings `yes` / `no`, not a boolean.
    OtpMatched { Yes = "yes", No = "no" }
}

open_enum! {
    /// The ACTION part of an RCS `postbackData` string.
    PostbackAction {
        /// Reply chip tapped; payload: the chip's display text.
        Reply = "REPLY",
        /// URL action opened; payload: the URL.
        Click = "CLICK",
        /// Phone dial tapped; payload: the E.164 number.
        Dial = "DIAL",
        /// Map viewed; payload: `"lat,lon"`.
        ViewLoc = "VIEW_LOC",
        /// Calendar event created; payload: the event title.
        Calendar = "CALENDAR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_parse_and_unknown_values_round_trip() {
        let known: RcsDeliveryStatus = serde_json::from_str("\"read\"").unwrap();
        assert_eq!(known, RcsDeliveryStatus::Read);
        let unknown: RcsDeliveryStatus = serde_json::from_str("\"expired\"").unwrap();
        assert_eq!(unknown, RcsDeliveryStatus::Unknown("expired".into()));
        assert!(!unknown.is_known());
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"expired\"");
        assert_eq!(unknown.to_string(), "expired");
    }

    #[test]
    fn every_known_value_round_trips_through_its_wire_name() {
        for value in RcsEventType::KNOWN {
            assert_eq!(&RcsEventType::from(value.as_str()), value);
        }
    }

    #[test]
    fn a_non_string_is_still_an_error() {
        assert!(serde_json::from_str::<OtpMatched>("true").is_err());
    }
}
