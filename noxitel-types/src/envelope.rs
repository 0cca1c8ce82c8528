//! The `status` envelope most answers carry.

use crate::ResponseStatus;

/// A response that may carry the API's `status`/`message` envelope.
///
/// The reference does not say which HTTP status goes with its `{"status": "error", ...}`
/// examples, so a 2xx answer can still be an error: [`Envelope::is_error`] tells.
/// Implemented for every operation's response type (generated from the document).
pub trait Envelope {
    /// The envelope's `status`, if the answer has one.
    fn status(&self) -> Option<&ResponseStatus>;
    /// The envelope's `message`, if the answer has one.
    fn message(&self) -> Option<&str>;
    /// Whether the answer says `"status": "error"`.
    fn is_error(&self) -> bool {
        self.status() == Some(&ResponseStatus::Error)
    }
}
