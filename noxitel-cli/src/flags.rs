//! The flags of every operation, generated from the document at build time
//! (`noxitel_codegen::flags_code`; golden copy `golden/noxitel-cli-flags.rs`): one struct per
//! operation, named as its builder (`flags::SendSms` for `client.send_sms()`), with a flag per
//! parameter and per body field a flag can hold, named as in the document (`routeId` →
//! `--route-id`).
//!
//! Flatten a struct last into a command's hand-made arguments. A hand-made flag with a
//! field's name (`message`, with `-m`) replaces the generated one, value and all: the command
//! sends it. Below: the helpers the generated code calls.

use std::sync::LazyLock;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::parser::MatchesError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

#[allow(missing_docs, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/flags.rs"));
}
pub use generated::*;

/// A body field the document requires, and the flag that sets it (`None`: only in the JSON
/// file, or through a hand-made flag such as `--to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Required {
    /// The field's name in the document.
    pub field: &'static str,
    /// The long flag, without `--`.
    pub flag: Option<&'static str>,
}

/// The flags of an operation with a body (implemented by each generated struct).
pub trait BodyFlags {
    /// The body fields the document requires, with the flag that sets each (if any).
    const REQUIRED: &'static [Required];

    /// Puts the body fields given as flags into `body` (replacing what it had).
    fn merge(&self, body: &mut Map<String, Value>);
}

/// The long names of the global options (and clap's own): a document field with one of these
/// names gets no flag of its own (it stays settable through the JSON file).
static RESERVED: LazyLock<Vec<String>> = LazyLock::new(|| {
    let global = <crate::cli::Global as clap::Args>::augment_args(clap::Command::new("global"));
    global
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_owned))
        .chain(["help", "version"].map(str::to_owned))
        .collect()
});

/// `command` with `arg`, unless the command already has an argument of that id or long name.
pub(crate) fn add(command: clap::Command, arg: clap::Arg) -> clap::Command {
    let long = arg.get_long().unwrap_or_default();
    let taken = RESERVED.iter().any(|r| r == long)
        || command.get_arguments().any(|a| {
            a.get_id() == arg.get_id()
                || a.get_long() == Some(long)
                || a.get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&long))
        });
    match taken {
        true => command,
        false => command.arg(arg),
    }
}

/// The value given for `id`, if any.
pub(crate) fn one<T: Clone + Send + Sync + 'static>(
    matches: &clap::ArgMatches,
    id: &str,
) -> Option<T> {
    all(matches, id).pop()
}

/// Every value given for `id`.
pub(crate) fn all<T: Clone + Send + Sync + 'static>(
    matches: &clap::ArgMatches,
    id: &str,
) -> Vec<T> {
    readable(matches.try_get_many::<T>(id), id)
        .flatten()
        .map(|values| values.cloned().collect())
        .unwrap_or_default()
}

/// `None` for an argument the command does not have (a reserved name) or whose value a
/// hand-made flag of the same id took; a type mismatch is a mistake in this crate.
fn readable<V>(read: Result<V, MatchesError>, id: &str) -> Option<V> {
    match read {
        Ok(value) => Some(value),
        Err(MatchesError::UnknownArgument { .. }) => None,
        Err(e) => {
            debug_assert!(false, "flag `{id}`: {e}");
            None
        }
    }
}

/// One of the document's `values`, as the type holding them.
pub(crate) fn choice<T>(values: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(values.iter().copied())
        .try_map(|value| serde_json::from_value::<T>(Value::String(value)))
}

/// Sets `body[field]` when a value was given (a generated or hand-made flag).
pub(crate) fn put<T: Serialize>(body: &mut Map<String, Value>, field: &str, value: &Option<T>) {
    if let Some(value) = value {
        body.insert(field.to_owned(), serde_json::json!(value));
    }
}

/// Sets `body[field]` when the flag was given at least once.
pub(crate) fn put_list<T: Serialize>(body: &mut Map<String, Value>, field: &str, values: &[T]) {
    if !values.is_empty() {
        body.insert(field.to_owned(), serde_json::json!(values));
    }
}
