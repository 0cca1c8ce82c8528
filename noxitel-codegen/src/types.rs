//! `noxitel-types`: every component schema as a Rust type.

use quote::{format_ident, quote};
use serde_json::Value;
use typify::{TypeSpace, TypeSpacePatch, TypeSpaceSettings};

use crate::{Error, Spec, json_schema, render};

/// Derives added to every generated type, on top of typify's serde/Debug/Clone.
const DERIVES: &[&str] = &["PartialEq"];

/// `JsonSchema` for every generated type, with `noxitel-types`' `json-schema` feature (xtask
/// publishes the schema; a program that only sends messages need not build the derive).
const JSON_SCHEMA_DERIVE: &str =
    r#"#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]"#;

/// Where the code that names the types is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Inside `noxitel-types`: the types are `crate::<Name>`.
    Types,
    /// Inside `noxitel-api`: the types are `noxitel_types::<Name>`.
    Api,
}

/// typify's view of every component schema: the types `noxitel-types` defines.
///
/// The structs a client sends (the request bodies and everything in them) are
/// `#[non_exhaustive]`:
/// users build it with its constructor and methods, so a new optional field in the document
/// breaks nobody's code.
pub(crate) fn type_space(spec: &Spec, context: Context) -> Result<TypeSpace, Error> {
    let module = match context {
        Context::Types => "crate",
        Context::Api => "noxitel_types",
    };
    let mut settings = TypeSpaceSettings::default();
    settings.with_struct_builder(true);
    if context == Context::Api {
        settings.with_type_mod(module);
    }
    for derive in DERIVES {
        settings.with_derive(derive.to_string());
    }
    settings.with_attr(JSON_SCHEMA_DERIVE.to_owned());
    for name in spec.hand_written_schemas() {
        settings.with_replacement(&name, format!("{module}::{name}"), std::iter::empty());
    }
    let mut non_exhaustive = TypeSpacePatch::default();
    non_exhaustive.with_attr("#[non_exhaustive]");
    for name in spec.request_schemas()? {
        // Structs only: a new enum value is a different matter (the open enums handle it).
        if spec.raw["components"]["schemas"][&name]["properties"].is_object() {
            settings.with_patch(&name, &non_exhaustive);
        }
    }
    let mut space = TypeSpace::new(&settings);
    let mut defs = Vec::new();
    for name in spec.schema_names() {
        let mut schema = spec.raw["components"]["schemas"][&name].clone();
        json_schema::from_openapi(&mut schema);
        let schema: schemars08::schema::Schema = serde_json::from_value(schema)
            .map_err(|e| Error::Unsupported(format!("schema {name}: {e}")))?;
        defs.push((name, schema));
    }
    space
        .add_ref_types(defs)
        .map_err(|e| Error::Generate(e.to_string()))?;
    Ok(space)
}

/// Rust source of every component schema.
///
/// Schemas marked `x-noxitel-extensible` or `x-noxitel-hand-written` are not generated: the
/// generated code refers to `crate::<Name>`, which `noxitel-types` implements by hand.
/// Every response type whose schema has the `status` envelope also implements
/// `crate::Envelope`, so callers can tell a `"status": "error"` answer from a success.
pub fn types_code(spec: &Spec) -> Result<String, Error> {
    let space = type_space(spec, Context::Types)?;
    let types = space.to_stream();
    let constructors = crate::constructors::constructors(&space)?;
    let envelopes = envelope_impls(spec)?;
    let registry = schema_registry(spec);
    render(quote! {
        #types
        #constructors
        #envelopes
        #registry
    })
}

/// `COMPONENT_SCHEMA_NAMES` and `component_json_schemas`: every component schema of the
/// document (hand-written replacements included) with its `schemars` definition, so the
/// published JSON Schema is derived from the document rather than from a hand-kept list.
fn schema_registry(spec: &Spec) -> proc_macro2::TokenStream {
    let names = spec.schema_names();
    let types = names.iter().map(|name| format_ident!("{name}"));
    let entries = names
        .iter()
        .zip(types)
        .map(|(name, ty)| quote!((#name, generator.subschema_for::<crate::#ty>())));
    quote! {
        /// Name of every component schema of `openapi/noxitel.yaml`, in document order.
        pub const COMPONENT_SCHEMA_NAMES: &[&str] = &[#(#names),*];

        #[cfg(feature = "json-schema")]
        /// Adds the JSON Schema of every component schema type (generated and hand-written) to
        /// `generator`'s definitions and returns, in document order, each component name with
        /// the schema that refers to its definition.
        pub fn component_json_schemas(
            generator: &mut schemars::SchemaGenerator,
        ) -> Vec<(&'static str, schemars::Schema)> {
            Vec::from([#(#entries),*])
        }
    }
}

/// `impl crate::Envelope` for every 2xx response schema. Schemas with a
/// `status: ResponseStatus` property expose it; the others (top-level arrays, reports without
/// the envelope) report none.
fn envelope_impls(spec: &Spec) -> Result<proc_macro2::TokenStream, Error> {
    let responses: std::collections::BTreeSet<String> = spec
        .operations()?
        .into_iter()
        .map(|op| op.response)
        .collect();
    let impls = responses.iter().map(|name| {
        let schema = &spec.raw["components"]["schemas"][name];
        let props = &schema["properties"];
        let required = |field: &str| {
            schema["required"]
                .as_array()
                .is_some_and(|r| r.contains(&Value::from(field)))
        };
        let ty = format_ident!("{name}");
        let has_envelope = props["status"]["$ref"] == "#/components/schemas/ResponseStatus";
        let status = match (has_envelope, required("status")) {
            (false, _) => quote!(None),
            (true, true) => quote!(Some(&self.status)),
            (true, false) => quote!(self.status.as_ref()),
        };
        let message = match (
            has_envelope && props.get("message").is_some(),
            required("message"),
        ) {
            (false, _) => quote!(None),
            (true, true) => quote!(Some(self.message.as_str())),
            (true, false) => quote!(self.message.as_deref()),
        };
        quote! {
            impl crate::Envelope for crate::#ty {
                fn status(&self) -> Option<&crate::ResponseStatus> { #status }
                fn message(&self) -> Option<&str> { #message }
            }
        }
    });
    Ok(quote!(#(#impls)*))
}
