//! Fluent constructors for every generated struct: `new` with the required fields, then one
//! method per optional field taking `impl Into<T>` (no `Some(..)`, no `.to_string()`), plural
//! and singular methods for lists, an entry method for maps:
//!
//! ```ignore
//! SendSmsRequest::new()
//!     .sender("NOXITEL")
//!     .message("Hi #name#")
//!     .contact(Contact::new("919887111111").param("name", "Sam"))
//! ```
//!
//! Each is built from typify's own description of the struct, so a new optional field gets
//! its method and leaves `new` unchanged: adding one is not a breaking change.

use std::collections::BTreeSet;

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use typify::{TypeDetails, TypeId, TypeSpace};

use crate::Error;

/// How a field is set.
pub(crate) enum Field {
    /// Required: an argument of `new`.
    Required(TokenStream),
    /// A required list: an argument of `new` taking any items, and a method appending one.
    RequiredList(TokenStream),
    /// `Option<T>`: a method taking `impl Into<T>`.
    Optional(TokenStream),
    /// `Vec<T>` (empty by default): a method replacing the list, one appending an item.
    List(TokenStream),
    /// `HashMap<K, V>` (empty by default): a method replacing it, one adding an entry.
    Map(TokenStream, TokenStream),
    /// Another field with a default: a method taking `impl Into<T>`.
    Defaulted(TokenStream),
    /// The map of fields the document does not name (`extra`): left to the struct literal.
    Other,
}

/// One field of a generated struct, as its methods see it.
pub(crate) struct Property {
    /// The Rust field.
    pub(crate) field: proc_macro2::Ident,
    /// The first line of the field's description, or what its method does.
    pub(crate) doc: String,
    /// The method adding one item to a list or map, if its name is free.
    pub(crate) one: Option<proc_macro2::Ident>,
    pub(crate) kind: Field,
}

/// The fields of every struct of `space`, by struct name.
pub(crate) fn structs(space: &TypeSpace) -> Result<Vec<(String, Vec<Property>)>, Error> {
    let mut out = Vec::new();
    for ty in space.iter_types() {
        let TypeDetails::Struct(details) = ty.details() else {
            continue;
        };
        let names: BTreeSet<String> = details.properties().map(|(n, _)| n.to_owned()).collect();
        let mut properties = Vec::new();
        for prop in details.properties_info() {
            let doc = prop
                .description
                .map(|d| d.lines().next().unwrap_or_default().trim().to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| format!("Sets `{}`.", prop.name));
            properties.push(Property {
                field: format_ident!("{}", prop.name),
                doc,
                one: singular(prop.name, &names).map(|one| format_ident!("{one}")),
                kind: classify(space, &prop.type_id, prop.required, prop.name)?,
            });
        }
        out.push((ty.name(), properties));
    }
    Ok(out)
}

/// `impl <Struct> { pub fn new(..) .. }` for every struct of `space`.
pub(crate) fn constructors(space: &TypeSpace) -> Result<TokenStream, Error> {
    let mut impls = Vec::new();
    for (name, properties) in structs(space)? {
        let doc =
            format!("A `{name}` with its required fields; set the others with the methods below.");
        let name = format_ident!("{name}");
        let mut args = Vec::new();
        let mut inits = Vec::new();
        let mut methods = Vec::new();
        for Property {
            field,
            doc,
            one,
            kind,
        } in &properties
        {
            match kind {
                Field::Required(ty) => {
                    args.push(quote!(#field: impl Into<#ty>));
                    inits.push(quote!(#field: #field.into()));
                }
                Field::RequiredList(item) => {
                    args.push(quote!(#field: impl IntoIterator<Item = impl Into<#item>>));
                    inits.push(quote!(#field: #field.into_iter().map(Into::into).collect()));
                    if let Some(one) = one {
                        methods.push(append(field, one, item));
                    }
                }
                Field::Optional(ty) => {
                    inits.push(quote!(#field: None));
                    methods.push(set_some(field, doc, ty));
                }
                Field::List(item) => {
                    inits.push(quote!(#field: Vec::new()));
                    methods.push(replace_list(field, doc, item));
                    if let Some(one) = one {
                        methods.push(append(field, one, item));
                    }
                }
                Field::Map(key, value) => {
                    inits.push(quote!(#field: Default::default()));
                    methods.push(replace_map(field, doc, key, value));
                    if let Some(one) = one {
                        methods.push(insert(field, one, key, value));
                    }
                }
                Field::Defaulted(ty) => {
                    inits.push(quote!(#field: Default::default()));
                    methods.push(set_value(field, doc, ty));
                }
                Field::Other => inits.push(quote!(#field: Default::default())),
            }
        }
        impls.push(quote! {
            impl #name {
                #[doc = #doc]
                #[allow(clippy::new_without_default)]
                pub fn new(#(#args),*) -> Self {
                    Self { #(#inits),* }
                }
                #(#methods)*
            }
        });
    }
    Ok(quote!(#(#impls)*))
}

/// The method setting the `Option` `field` to a value.
pub(crate) fn set_some(field: &proc_macro2::Ident, doc: &str, ty: &TokenStream) -> TokenStream {
    quote! {
        #[doc = #doc]
        pub fn #field(mut self, value: impl Into<#ty>) -> Self {
            self.#field = Some(value.into());
            self
        }
    }
}

/// The method setting `field` (not an `Option`).
pub(crate) fn set_value(field: &proc_macro2::Ident, doc: &str, ty: &TokenStream) -> TokenStream {
    quote! {
        #[doc = #doc]
        pub fn #field(mut self, value: impl Into<#ty>) -> Self {
            self.#field = value.into();
            self
        }
    }
}

/// The method replacing the list `field`.
pub(crate) fn replace_list(
    field: &proc_macro2::Ident,
    doc: &str,
    item: &TokenStream,
) -> TokenStream {
    quote! {
        #[doc = #doc]
        pub fn #field(mut self, items: impl IntoIterator<Item = impl Into<#item>>) -> Self {
            self.#field = items.into_iter().map(Into::into).collect();
            self
        }
    }
}

/// The method replacing the map `field`.
pub(crate) fn replace_map(
    field: &proc_macro2::Ident,
    doc: &str,
    key: &TokenStream,
    value: &TokenStream,
) -> TokenStream {
    quote! {
        #[doc = #doc]
        pub fn #field(mut self, entries: impl IntoIterator<Item = (impl Into<#key>, impl Into<#value>)>) -> Self {
            self.#field = entries.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
            self
        }
    }
}

/// The method adding one entry to the map `field`.
pub(crate) fn insert(
    field: &proc_macro2::Ident,
    one: &proc_macro2::Ident,
    key: &TokenStream,
    value: &TokenStream,
) -> TokenStream {
    let doc = format!("Adds one entry to `{field}`.");
    quote! {
        #[doc = #doc]
        pub fn #one(mut self, key: impl Into<#key>, value: impl Into<#value>) -> Self {
            self.#field.insert(key.into(), value.into());
            self
        }
    }
}

/// The method appending one item to the list `field`.
pub(crate) fn append(
    field: &proc_macro2::Ident,
    one: &proc_macro2::Ident,
    item: &TokenStream,
) -> TokenStream {
    let doc = format!("Appends one item to `{field}`.");
    quote! {
        #[doc = #doc]
        pub fn #one(mut self, item: impl Into<#item>) -> Self {
            self.#field.push(item.into());
            self
        }
    }
}

fn classify(space: &TypeSpace, id: &TypeId, required: bool, name: &str) -> Result<Field, Error> {
    let ident = |id: &TypeId| -> Result<TokenStream, Error> {
        Ok(space
            .get_type(id)
            .map_err(|e| Error::Generate(e.to_string()))?
            .ident())
    };
    let ty = space
        .get_type(id)
        .map_err(|e| Error::Generate(e.to_string()))?;
    Ok(match ty.details() {
        TypeDetails::Option(inner) => Field::Optional(ident(&inner)?),
        TypeDetails::Map(..) if name == "extra" => Field::Other,
        TypeDetails::Vec(item) if required => Field::RequiredList(ident(&item)?),
        _ if required => Field::Required(ident(id)?),
        TypeDetails::Vec(item) => Field::List(ident(&item)?),
        TypeDetails::Map(key, value) => Field::Map(ident(&key)?, ident(&value)?),
        _ => Field::Defaulted(ident(id)?),
    })
}

/// The method that adds one item: `contacts` → `contact`, `parameters` → `param`; none if
/// the name is taken by a field.
fn singular(plural: &str, fields: &BTreeSet<String>) -> Option<String> {
    let one = match plural {
        "parameters" => "param".to_owned(),
        p if p.ends_with("ies") => format!("{}y", &p[..p.len() - 3]),
        p if p.ends_with('s') && !p.ends_with("ss") => p[..p.len() - 1].to_owned(),
        _ => return None,
    };
    let one = one.to_snake_case();
    (!fields.contains(&one)).then_some(one)
}
