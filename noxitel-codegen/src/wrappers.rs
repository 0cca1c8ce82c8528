//! One typed `async fn` per operation on `noxitel_api::Client`.
//!
//! Each wrapper returns a `noxitel_api::Call`: awaited, it validates the request body
//! (`noxitel_types::Validate`), sends it through the progenitor builder with the call's
//! options and maps every failure into `noxitel_api::Error`.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::{Error, Operation, ParamType, Spec, render};

/// Operations whose `Client` method is written by hand in `noxitel-api` (with the reason).
pub const HAND_WRITTEN_OPERATIONS: &[(&str, &str)] = &[(
    "verifyOtp",
    "returns a typed outcome whichever way the server reports a mismatch",
)];

/// Rust source of `impl crate::Client { ... }` with one method per operation.
pub fn wrappers_code(spec: &Spec) -> Result<String, Error> {
    let methods = spec
        .operations()?
        .iter()
        .filter(|op| !HAND_WRITTEN_OPERATIONS.iter().any(|(id, _)| *id == op.id))
        .map(method)
        .collect::<Vec<_>>();
    render(quote! {
        impl crate::Client {
            #(#methods)*
        }
    })
}

fn method(op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.id.to_snake_case());
    let response = format_ident!("{}", op.response);
    let doc = doc_comment(op);

    let mut args = Vec::new();
    // `&str` arguments become owned before the call is awaited.
    let mut owned = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let arg = format_ident!("{}", p.name.to_snake_case());
        let (ty, to_owned) = match &p.ty {
            ParamType::String => (quote!(&str), quote!(str::to_owned)),
            ParamType::Integer => (quote!(i64), quote!(std::convert::identity)),
            ParamType::Named(n) => {
                let n = format_ident!("{n}");
                (quote!(noxitel_types::#n), quote!(std::convert::identity))
            }
        };
        if p.required {
            args.push(quote!(#arg: #ty));
            owned.push(quote!(let #arg = #to_owned(#arg);));
            setters.push(quote!(let request = request.#arg(#arg);));
        } else {
            args.push(quote!(#arg: Option<#ty>));
            owned.push(quote!(let #arg = #arg.map(#to_owned);));
            setters.push(quote! {
                let request = match #arg {
                    Some(value) => request.#arg(value),
                    None => request,
                };
            });
        }
    }
    let mut validate = quote!();
    if let Some(body) = &op.body {
        let body_ty = format_ident!("{body}");
        args.push(quote!(body: noxitel_types::#body_ty));
        validate = quote!(noxitel_types::Validate::validate(&body).map_err(crate::Error::from)?;);
        setters.push(quote!(let request = request.body(body);));
    }

    quote! {
        #(#[doc = #doc])*
        pub fn #name(&self, #(#args),*) -> crate::Call<'_, noxitel_types::#response> {
            #(#owned)*
            crate::Call::new(self, move |generated| async move {
                #validate
                let request = generated.#name();
                #(#setters)*
                let result = request.send().await;
                crate::Client::answer(&generated, result).await
            })
        }
    }
}

fn doc_comment(op: &Operation) -> Vec<String> {
    let mut lines = vec![format!(" {}", op.summary), String::new()];
    lines.push(format!(
        " `{} {}` (operation `{}`).",
        op.method, op.path, op.id
    ));
    if !op.description.is_empty() {
        lines.push(String::new());
        lines.extend(op.description.trim_end().lines().map(|l| format!(" {l}")));
    }
    let params: Vec<_> = op
        .params
        .iter()
        .filter(|p| !p.description.is_empty())
        .map(|p| format!(" * `{}` — {}", p.name.to_snake_case(), p.description))
        .collect();
    if !params.is_empty() {
        lines.push(String::new());
        lines.push(" # Parameters".into());
        lines.extend(params);
    }
    lines.push(String::new());
    lines.extend(example(op));
    lines
}

/// A short compiled (not run) example of the call.
fn example(op: &Operation) -> Vec<String> {
    let name = op.id.to_snake_case();
    let mut inputs = vec!["client: noxitel_api::Client".to_owned()];
    // The arguments of the second call, and of the first (which clones what the second moves).
    let mut args = Vec::new();
    let mut cloned = Vec::new();
    let mut push = |value: String, clone: String, required: bool| match required {
        true => {
            args.push(value);
            cloned.push(clone);
        }
        false => {
            args.push(format!("Some({value})"));
            cloned.push(format!("Some({clone})"));
        }
    };
    for p in &op.params {
        let arg = p.name.to_snake_case();
        match &p.ty {
            ParamType::String => {
                let value = format!("\"{}\"", p.name);
                push(value.clone(), value, p.required);
            }
            ParamType::Integer => push("42".into(), "42".into(), p.required),
            ParamType::Named(n) => {
                inputs.push(format!("{arg}: noxitel_api::types::{n}"));
                push(arg.clone(), format!("{arg}.clone()"), p.required);
            }
        }
    }
    if let Some(body) = &op.body {
        inputs.push(format!("body: noxitel_api::types::{body}"));
        push("body".into(), "body.clone()".into(), true);
    }
    [
        " # Example".to_owned(),
        String::new(),
        " ```no_run".to_owned(),
        format!(
            " # async fn run({}) -> Result<(), noxitel_api::Error> {{",
            inputs.join(", ")
        ),
        format!(" let answer = client.{name}({}).await?;", cloned.join(", ")),
        " // Or with per-call options, and the status, headers and bytes of the answer:".to_owned(),
        format!(" let response = client.{name}({})", args.join(", ")),
        "     .timeout(std::time::Duration::from_secs(10))".to_owned(),
        "     .with_response()".to_owned(),
        "     .await?;".to_owned(),
        " # let _ = (answer, response);".to_owned(),
        " # Ok(())".to_owned(),
        " # }".to_owned(),
        " ```".to_owned(),
    ]
    .into()
}
