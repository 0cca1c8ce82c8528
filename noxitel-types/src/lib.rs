#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod dlr;
mod envelope;
#[macro_use]
mod open_enum;
pub mod personalization;
mod rcs_ext;
mod scalars;
pub mod segments;
mod unions;
mod validate;
pub mod webhooks;

/// Types generated from the component schemas of `openapi/noxitel.yaml`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/types.rs"));
}

pub use dlr::DeliveryStatus;
pub use envelope::Envelope;
pub use generated::*;
pub use open_enum::{
    OtpMatched, PostbackAction, RcsDeliveryStatus, RcsEventType, RcsFeature, RcsInboundMessageType,
    ResponseStatus, VoiceCallStatus,
};
pub use scalars::StringOrNumber;
pub use unions::{RcsMessageContent, WhatsappReport};
pub use validate::{Validate, ValidationError};
pub use webhooks::SmsDeliveryReceipt;
