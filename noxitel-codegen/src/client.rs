//! `noxitel-api`: the progenitor client over the `noxitel-types` types.

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

use crate::{Error, Spec};

/// Rust source of the progenitor client (Builder interface, one merged `Client`).
///
/// Every component schema is replaced by `noxitel_types::<Name>`, so users see one set of
/// types. The client carries `crate::transport::Transport` as its inner state and expects
/// `noxitel-api` to implement `progenitor_client::ClientHooks` for it: that is where auth,
/// retries and tracing live.
pub fn client_code(spec: &Spec) -> Result<String, Error> {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::transport::Transport))
        .with_hooks(HooksMode::Expected);
    for name in spec.schema_names() {
        settings.with_replacement(&name, format!("noxitel_types::{name}"), std::iter::empty());
    }
    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec.doc)
        .map_err(|e| Error::Generate(e.to_string()))?;
    crate::render(tokens)
}
