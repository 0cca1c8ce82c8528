//! Constructors the generated RCS types cannot have: suggestion chips by kind, and adding one
//! chip to a message or card (`suggestions` is an optional named list, which the generated
//! constructors set whole).
//!
//! ```
//! use noxitel_types::{RcsCard, RcsCardMedia, RcsSuggestion, RcsTextContent};
//!
//! let text = RcsTextContent::new("Your order has shipped")
//!     .suggestion(RcsSuggestion::reply("Track it"))
//!     .suggestion(RcsSuggestion::url("Open", "https://example.com/track"));
//! let card = RcsCard::new()
//!     .title("Summer sale")
//!     .media(RcsCardMedia::new("https://example.com/sale.png"))
//!     .suggestion(RcsSuggestion::dial("Call us", "+919887111111"));
//! assert_eq!(text.suggestions.as_ref().map(|s| s.len()), Some(2));
//! assert_eq!(card.suggestions.as_ref().map(|s| s.len()), Some(1));
//! ```

use crate::{RcsCard, RcsSuggestion, RcsSuggestionList, RcsTextContent};

impl RcsSuggestion {
    /// A reply chip: tapping it sends `text` back (postback action `REPLY`).
    pub fn reply(text: impl Into<String>) -> Self {
        RcsSuggestion::Reply { text: text.into() }
    }

    /// A chip that opens `url` (postback action `CLICK`).
    pub fn url(text: impl Into<String>, url: impl Into<String>) -> Self {
        RcsSuggestion::Url {
            text: text.into(),
            url: url.into(),
        }
    }

    /// A chip that dials `phone` (postback action `DIAL`).
    pub fn dial(text: impl Into<String>, phone: impl Into<String>) -> Self {
        RcsSuggestion::Dial {
            text: text.into(),
            phone: phone.into(),
        }
    }
}

/// Appends `suggestion` to an optional list of chips.
fn push(list: &mut Option<RcsSuggestionList>, suggestion: RcsSuggestion) {
    let mut chips: Vec<RcsSuggestion> = list.take().map(Into::into).unwrap_or_default();
    chips.push(suggestion);
    *list = Some(chips.into());
}

impl RcsTextContent {
    /// Appends one suggestion chip.
    pub fn suggestion(mut self, suggestion: RcsSuggestion) -> Self {
        push(&mut self.suggestions, suggestion);
        self
    }
}

impl RcsCard {
    /// Appends one suggestion chip.
    pub fn suggestion(mut self, suggestion: RcsSuggestion) -> Self {
        push(&mut self.suggestions, suggestion);
        self
    }
}
