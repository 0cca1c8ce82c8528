//! `noxitel-api`: the progenitor client over the `noxitel-types` types.

use openapiv3::{OpenAPI, ReferenceOr, StatusCode};
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

use crate::{Error, Spec};

/// Rust source of the progenitor client (Builder interface, one merged `Client`).
///
/// Every component schema is replaced by `noxitel_types::<Name>`, so users see one set of
/// types. The client carries `crate::transport::Transport` as its inner state and expects
/// `noxitel-api` to implement `progenitor_client::ClientHooks` for it: that is where auth,
/// retries and tracing live.
pub fn raw_code(spec: &Spec) -> Result<String, Error> {
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
        .generate_tokens(&any_success_status(&spec.doc))
        .map_err(|e| Error::Generate(e.to_string()))?;
    crate::render(tokens)
}

/// The document with each operation's one documented success status (`200`) widened to `2XX`
/// for progenitor: a server that answers `201` or `202` with the success body has accepted the
/// request, and turning that into an error would invite a caller to send it again. The
/// document itself keeps the reference's `200`.
fn any_success_status(doc: &OpenAPI) -> OpenAPI {
    let mut doc = doc.clone();
    for item in doc.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            let mut success = responses.keys().filter(|code| is_success(code));
            if let (Some(StatusCode::Code(only)), None) = (success.next(), success.next()) {
                let only = *only;
                *responses = std::mem::take(responses)
                    .into_iter()
                    .map(|(code, response)| match code {
                        StatusCode::Code(c) if c == only => (StatusCode::Range(2), response),
                        other => (other, response),
                    })
                    .collect();
            }
        }
    }
    doc
}

fn is_success(code: &StatusCode) -> bool {
    matches!(code, StatusCode::Code(200..=299) | StatusCode::Range(2))
}
