//! One fluent builder per operation, and the `noxitel_api::Client` method that starts it.
//!
//! ```ignore
//! client.send_sms().sender("NOXITEL").message("Hi #name#")
//!     .contact(Contact::new("919887111111").param("name", "Sam"))
//!     .send().await?;
//! ```
//!
//! A builder has a setter for each parameter or body field (the same methods as the body
//! type's constructor: `impl Into<T>`, no `Some`, a plural and a singular method for lists, an
//! entry method for maps), `body(..)` for a request already built, the per-call options
//! (`timeout`, `retry`, `header`) and `send()` / `with_response()`; it is also a future
//! (`IntoFuture`). A required field left unset is `Error::InvalidRequest` from `send()`, before
//! anything is sent. Built from typify's description of the body types, so a new optional field
//! gets its setter and leaves every existing call compiling.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::constructors::{
    Field, Property, append, insert, replace_list, replace_map, set_some, set_value, structs,
};
use crate::types::{Context, type_space};
use crate::{Error, Operation, ParamType, Spec, render};

/// An operation whose answer `noxitel-api` interprets by hand before the caller sees it.
pub struct Adapted {
    /// The operation.
    pub id: &'static str,
    /// What `send()` returns.
    pub answer: &'static str,
    /// `fn(&Request) -> Result<(), Error>`: checks the parameters before sending.
    pub check: &'static str,
    /// `fn(Result<Answer, Error>) -> Result<answer, Error>`: the interpretation.
    pub outcome: &'static str,
    /// Why.
    pub why: &'static str,
}

/// The operations whose answer is interpreted by hand in `noxitel-api`.
pub const ADAPTED_OPERATIONS: &[Adapted] = &[Adapted {
    id: "verifyOtp",
    answer: "crate::OtpVerification",
    check: "crate::otp::check",
    outcome: "crate::otp::verification",
    why: "a typed outcome whichever way the server reports a mismatch (a 200 or an error status \
          carrying `matched: \"no\"`)",
}];

/// Method names of every builder; no parameter or field may take one.
const BUILDER_METHODS: &[&str] = &[
    "new",
    "body",
    "timeout",
    "retry",
    "header",
    "send",
    "with_response",
    "into_future",
    "setup",
    "request",
    "exchange",
];

/// Rust source of the module `noxitel_api::calls`: one builder per operation, and
/// `impl crate::Client` with the method starting each.
pub fn calls_code(spec: &Spec) -> Result<String, Error> {
    let space = type_space(spec, Context::Api)?;
    let bodies = structs(&space)?;
    let mut builders = Vec::new();
    let mut starts = Vec::new();
    for op in spec.operations()? {
        let body = match &op.body {
            None => None,
            Some(name) => Some(
                bodies
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, props)| props)
                    .ok_or_else(|| {
                        Error::Unsupported(format!("{}: body {name} is not a struct", op.id))
                    })?,
            ),
        };
        let builder = Builder::new(&op, body)?;
        starts.push(builder.start());
        builders.push(builder.code());
    }
    render(quote! {
        #(#builders)*
        impl crate::Client {
            #(#starts)*
        }
    })
}

/// One input of an operation: a parameter or a body field.
struct Input {
    field: Ident,
    /// The type stored in the builder.
    stored: TokenStream,
    /// Its initial value.
    init: TokenStream,
    /// Required: unset is an error.
    required: bool,
    setters: Vec<TokenStream>,
    /// For examples: the setter call with a value, if required.
    example: Option<(String, String)>,
}

struct Builder<'a> {
    op: &'a Operation,
    name: Ident,
    answer: TokenStream,
    adapted: Option<&'static Adapted>,
    inputs: Vec<Input>,
    /// The body type, when the inputs are its fields.
    body: Option<(Ident, &'a [Property])>,
}

impl<'a> Builder<'a> {
    fn new(op: &'a Operation, body: Option<&'a Vec<Property>>) -> Result<Self, Error> {
        let answer = format_ident!("{}", op.response);
        let mut inputs = Vec::new();
        for p in &op.params {
            inputs.push(param_input(p));
        }
        let body = match (&op.body, body) {
            (Some(name), Some(props)) => {
                inputs.extend(props.iter().filter_map(field_input));
                Some((format_ident!("{name}"), props.as_slice()))
            }
            _ => None,
        };
        for input in &inputs {
            let name = input.field.to_string();
            if BUILDER_METHODS.contains(&name.as_str()) {
                return Err(Error::Unsupported(format!(
                    "{}: input `{name}` would hide the builder's own method",
                    op.id
                )));
            }
        }
        Ok(Self {
            op,
            name: format_ident!("{}", op.id.to_upper_camel_case()),
            answer: quote!(noxitel_types::#answer),
            adapted: ADAPTED_OPERATIONS.iter().find(|a| a.id == op.id),
            inputs,
            body,
        })
    }

    /// `pub fn send_sms(&self) -> calls::SendSms<'_>` on `Client`.
    fn start(&self) -> TokenStream {
        let method = format_ident!("{}", self.op.id.to_snake_case());
        let name = &self.name;
        let doc = [
            format!(" {}", self.op.summary),
            String::new(),
            format!(
                " `{} {}`: see [`calls::{name}`](crate::calls::{name}).",
                self.op.method, self.op.path
            ),
        ];
        quote! {
            #(#[doc = #doc])*
            pub fn #method(&self) -> crate::calls::#name<'_> {
                crate::calls::#name::new(self)
            }
        }
    }

    fn code(&self) -> TokenStream {
        let name = &self.name;
        let doc = doc_comment(self);
        let fields = self.inputs.iter().map(|i| {
            let (field, stored) = (&i.field, &i.stored);
            quote!(#field: #stored)
        });
        let inits = self.inputs.iter().map(|i| {
            let (field, init) = (&i.field, &i.init);
            quote!(#field: #init)
        });
        let setters = self.inputs.iter().flat_map(|i| i.setters.clone());
        let body_setter = self.body_setter();
        let (request_ty, request) = (self.request_type(), self.request());
        let exchange = self.exchange();
        let answer = &self.answer;
        let check = self.adapted.map(|a| {
            let check: TokenStream = a.check.parse().expect("a path");
            quote!(let request = request.and_then(|r| #check(&r).map(|()| r));)
        });
        let (outcome_ty, outcome) = match self.adapted {
            Some(a) => {
                let ty: TokenStream = a.answer.parse().expect("a path");
                let f: TokenStream = a.outcome.parse().expect("a path");
                (ty, quote!(#f(setup.send(request, Self::exchange).await)))
            }
            None => (
                answer.clone(),
                quote!(setup.send(request, Self::exchange).await),
            ),
        };
        quote! {
            #(#[doc = #doc])*
            #[must_use = "a call does nothing until it is sent (`.send().await` or `.await`)"]
            pub struct #name<'a> {
                setup: crate::call::Setup<'a>,
                #(#fields,)*
            }

            impl<'a> #name<'a> {
                pub(crate) fn new(client: &'a crate::Client) -> Self {
                    Self { setup: crate::call::Setup::new(client), #(#inits,)* }
                }

                #(#setters)*
                #body_setter

                /// Time allowed for this call — every attempt and every wait between them —
                /// instead of the client's [`crate::ClientBuilder::timeout`].
                pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                    self.setup.timeout(timeout);
                    self
                }

                /// Retry policy for this call instead of the client's. Sends stay safe whatever
                /// the policy: a `POST` is retried only when it cannot have been processed.
                pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                    self.setup.retry(policy);
                    self
                }

                /// An extra header on this call's request (e.g. for a proxy or a request id).
                /// It cannot replace `Authorization` or `User-Agent`; a name or value that is not
                /// valid in HTTP fails the call (nothing is sent).
                pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
                    self.setup.header(name.as_ref(), value.as_ref());
                    self
                }

                /// Checks the request and sends it: the typed answer. Nothing is sent when a
                /// required input is missing or a value is invalid (`Error::InvalidRequest`).
                pub async fn send(self) -> Result<#outcome_ty, crate::Error> {
                    let (setup, request) = self.request();
                    #check
                    #outcome
                }

                /// Like [`send`](Self::send), and the answer comes with its HTTP status,
                /// headers and body exactly as received (for logs and support tickets).
                pub async fn with_response(self) -> Result<crate::Response<#answer>, crate::Error> {
                    let (setup, request) = self.request();
                    #check
                    setup.with_response(request, Self::exchange).await
                }

                /// The request from the inputs, or what is missing.
                fn request(self) -> crate::call::Prepared<'a, #request_ty> {
                    #request
                }

                #exchange
            }

            impl<'a> std::future::IntoFuture for #name<'a> {
                type Output = Result<#outcome_ty, crate::Error>;
                type IntoFuture = crate::CallFuture<'a, #outcome_ty>;

                fn into_future(self) -> Self::IntoFuture {
                    Box::pin(self.send())
                }
            }

            impl std::fmt::Debug for #name<'_> {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    // Inputs are left out: they hold message text and numbers.
                    f.debug_struct(stringify!(#name)).field("setup", &self.setup).finish_non_exhaustive()
                }
            }
        }
    }

    /// `body(request)`: every field from a request built beforehand.
    fn body_setter(&self) -> TokenStream {
        let Some((ty, props)) = &self.body else {
            return quote!();
        };
        let fields: Vec<_> = props.iter().map(|p| &p.field).collect();
        let assigns = props.iter().map(|p| {
            let field = &p.field;
            match p.kind {
                Field::Required(_) | Field::RequiredList(_) => quote!(self.#field = Some(#field);),
                _ => quote!(self.#field = #field;),
            }
        });
        let doc = format!(
            "Every field from a [`{ty}`](noxitel_types::{ty}) built beforehand (replacing what \
             was set); the setters may still change fields afterwards."
        );
        quote! {
            #[doc = #doc]
            pub fn body(mut self, body: noxitel_types::#ty) -> Self {
                #[allow(clippy::unneeded_field_pattern)]
                let noxitel_types::#ty { #(#fields,)* .. } = body;
                #(#assigns)*
                self
            }
        }
    }

    /// The type of the checked request and the body of `fn request`.
    /// The type of the checked request: the body type, or the tuple of the parameters.
    fn request_type(&self) -> TokenStream {
        match &self.body {
            Some((ty, _)) => quote!(noxitel_types::#ty),
            None => {
                let types = self.inputs.iter().map(|i| match i.required {
                    true => unwrap_option(&i.stored),
                    false => i.stored.clone(),
                });
                quote!((#(#types,)*))
            }
        }
    }

    /// The body of `fn request`: the checked request from the inputs, or what is missing.
    fn request(&self) -> TokenStream {
        let required: Vec<_> = self.inputs.iter().filter(|i| i.required).collect();
        let names: Vec<_> = self.inputs.iter().map(|i| &i.field).collect();
        let unpack = quote!(let Self { setup, #(#names,)* } = self;);
        let id = &self.op.id;
        let build = match &self.body {
            Some((ty, props)) => {
                let args = props.iter().filter_map(|p| match p.kind {
                    Field::Required(_) | Field::RequiredList(_) => Some(&p.field),
                    _ => None,
                });
                let rest = props.iter().filter_map(|p| match p.kind {
                    Field::Required(_) | Field::RequiredList(_) => None,
                    _ => {
                        let field = &p.field;
                        Some(quote!(body.#field = #field;))
                    }
                });
                quote! {
                    #[allow(unused_mut)]
                    let mut body = noxitel_types::#ty::new(#(#args),*);
                    #(#rest)*
                    noxitel_types::Validate::validate(&body)
                        .map(|()| body)
                        .map_err(crate::Error::from)
                }
            }
            None => quote!(Ok((#(#names,)*))),
        };
        let present: Vec<_> = required.iter().map(|i| &i.field).collect();
        let missing = present.iter().map(|field| {
            let name = field.to_string();
            quote!((#name, #field.is_none()))
        });
        let body = if required.is_empty() {
            quote!(let request = { #build };)
        } else {
            // The second arm rebinds the required inputs by name, to say which are missing.
            quote! {
                let request = match (#(#present,)*) {
                    (#(Some(#present),)*) => { #build }
                    (#(#present,)*) => Err(crate::Error::missing(#id, &[#(#missing),*])),
                };
            }
        };
        let body = quote!(#body (setup, request));
        quote!(#unpack #body)
    }

    /// `async fn exchange`: the request through the progenitor builder.
    fn exchange(&self) -> TokenStream {
        let method = format_ident!("{}", self.op.id.to_snake_case());
        let answer = &self.answer;
        let ty = self.request_type();
        let (unpack, sets) = match &self.body {
            Some(_) => (
                quote!(let body = request;),
                vec![quote!(let call = call.body(body);)],
            ),
            None => {
                let names: Vec<_> = self.inputs.iter().map(|i| &i.field).collect();
                let sets = self
                    .inputs
                    .iter()
                    .map(|i| {
                        let field = &i.field;
                        match i.required {
                            true => quote!(let call = call.#field(#field);),
                            false => quote! {
                                let call = match #field {
                                    Some(value) => call.#field(value),
                                    None => call,
                                };
                            },
                        }
                    })
                    .collect();
                (quote!(let (#(#names,)*) = request;), sets)
            }
        };
        quote! {
            async fn exchange(
                generated: crate::raw::Client,
                request: #ty,
            ) -> Result<progenitor_client::ResponseValue<#answer>, crate::Error> {
                #unpack
                let call = generated.#method();
                #(#sets)*
                let result = call.send().await;
                crate::Client::answer(&generated, result).await
            }
        }
    }
}

/// `set_x(Option<T>)`: sets or clears an optional input.
fn set_or_clear(field: &Ident, ty: &TokenStream) -> TokenStream {
    let set = format_ident!("set_{field}");
    let doc = format!("Sets or clears `{field}`.");
    quote! {
        #[doc = #doc]
        pub fn #set(mut self, value: Option<#ty>) -> Self {
            self.#field = value;
            self
        }
    }
}

/// `T` from `Option<T>`.
fn unwrap_option(stored: &TokenStream) -> TokenStream {
    let ty: syn::Type = syn::parse2(stored.clone()).expect("a type");
    if let syn::Type::Path(path) = &ty
        && let Some(last) = path.path.segments.last()
        && last.ident == "Option"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        return quote!(#inner);
    }
    stored.clone()
}

fn param_input(p: &crate::Param) -> Input {
    let field = format_ident!("{}", p.name.to_snake_case());
    let (ty, example) = match &p.ty {
        ParamType::String => (quote!(String), format!("\"{}\"", p.name)),
        ParamType::Integer => (quote!(i64), "42".to_owned()),
        ParamType::Named(n) => {
            let n = format_ident!("{n}");
            (quote!(noxitel_types::#n), field.to_string())
        }
    };
    let doc = match p.description.is_empty() {
        true => format!("Sets `{}`.", p.name),
        false => p.description.lines().next().unwrap_or_default().to_owned(),
    };
    let doc = match p.required {
        true => format!("{doc} (required)"),
        false => doc,
    };
    let mut setters = vec![set_some(&field, &doc, &ty)];
    if !p.required {
        setters.push(set_or_clear(&field, &ty));
    }
    let example = p.required.then(|| {
        let input = match &p.ty {
            ParamType::Named(n) => format!("{field}: noxitel_api::types::{n}"),
            _ => String::new(),
        };
        (format!(".{field}({example})"), input)
    });
    Input {
        field,
        stored: quote!(Option<#ty>),
        init: quote!(None),
        required: p.required,
        setters,
        example,
    }
}

fn field_input(p: &Property) -> Option<Input> {
    let Property {
        field,
        doc,
        one,
        kind,
    } = p;
    let doc_required = format!("{doc} (required)");
    let (stored, init, required, setters) = match kind {
        Field::Required(ty) => (
            quote!(Option<#ty>),
            quote!(None),
            true,
            vec![set_some(field, &doc_required, ty)],
        ),
        Field::RequiredList(item) => {
            let mut setters = vec![quote! {
                #[doc = #doc_required]
                pub fn #field(mut self, items: impl IntoIterator<Item = impl Into<#item>>) -> Self {
                    self.#field = Some(items.into_iter().map(Into::into).collect());
                    self
                }
            }];
            if let Some(one) = one {
                let doc = format!("Appends one item to `{field}`.");
                setters.push(quote! {
                    #[doc = #doc]
                    pub fn #one(mut self, item: impl Into<#item>) -> Self {
                        self.#field.get_or_insert_with(Vec::new).push(item.into());
                        self
                    }
                });
            }
            (quote!(Option<Vec<#item>>), quote!(None), true, setters)
        }
        Field::Optional(ty) => (
            quote!(Option<#ty>),
            quote!(None),
            false,
            vec![set_some(field, doc, ty), set_or_clear(field, ty)],
        ),
        Field::List(item) => {
            let mut setters = vec![replace_list(field, doc, item)];
            if let Some(one) = one {
                setters.push(append(field, one, item));
            }
            (quote!(Vec<#item>), quote!(Vec::new()), false, setters)
        }
        Field::Map(key, value) => {
            let mut setters = vec![replace_map(field, doc, key, value)];
            if let Some(one) = one {
                setters.push(insert(field, one, key, value));
            }
            (
                quote!(std::collections::HashMap<#key, #value>),
                quote!(Default::default()),
                false,
                setters,
            )
        }
        Field::Defaulted(ty) => (
            ty.clone(),
            quote!(Default::default()),
            false,
            vec![set_value(field, doc, ty)],
        ),
        // Fields the document does not name come only with `body(..)`.
        Field::Other => return None,
    };
    let example = required.then(|| {
        let ty = match kind {
            Field::RequiredList(item) => format!("Vec<{}>", type_name(item)),
            Field::Required(ty) => type_name(ty),
            _ => String::new(),
        };
        if ty == "String" {
            (format!(".{field}(\"{field}\")"), String::new())
        } else {
            (format!(".{field}({field})"), format!("{field}: {ty}"))
        }
    });
    Some(Input {
        field: field.clone(),
        stored,
        init,
        required,
        setters,
        example,
    })
}

/// A type as a reader writes it: `noxitel_api::types::Contact`, `String`.
fn type_name(ty: &TokenStream) -> String {
    ty.to_string()
        .replace(' ', "")
        .replace("::std::string::", "")
        .replace("::std::vec::", "")
        .replace("noxitel_types::", "noxitel_api::types::")
}

fn doc_comment(builder: &Builder) -> Vec<String> {
    let op = builder.op;
    let method = op.id.to_snake_case();
    let mut lines = vec![format!(" {}", op.summary), String::new()];
    lines.push(format!(
        " `{} {}` (operation `{}`), started by [`Client::{method}`](crate::Client::{method}).",
        op.method, op.path, op.id
    ));
    if !op.description.is_empty() {
        lines.push(String::new());
        lines.extend(op.description.trim_end().lines().map(|l| format!(" {l}")));
    }
    lines.push(String::new());
    lines.extend(example(builder));
    lines
}

/// A short compiled (not run) example of the call.
fn example(builder: &Builder) -> Vec<String> {
    let op = builder.op;
    let name = op.id.to_snake_case();
    let mut inputs = vec!["client: noxitel_api::Client".to_owned()];
    // The first call clones what the second moves.
    let mut setters = String::new();
    let mut cloned = String::new();
    for (call, input) in builder.inputs.iter().filter_map(|i| i.example.as_ref()) {
        setters.push_str(call);
        if input.is_empty() {
            cloned.push_str(call);
        } else {
            inputs.push(input.clone());
            cloned.push_str(&call.replace(')', ".clone())"));
        }
    }
    let mut lines = vec![
        " # Example".to_owned(),
        String::new(),
        " ```no_run".to_owned(),
        format!(
            " # async fn run({}) -> Result<(), noxitel_api::Error> {{",
            inputs.join(", ")
        ),
        format!(" let answer = client.{name}(){cloned}.send().await?;"),
        " // With per-call options, and the status, headers and bytes of the answer:".to_owned(),
        format!(" let response = client.{name}(){setters}"),
        "     .timeout(std::time::Duration::from_secs(10))".to_owned(),
        "     .with_response()".to_owned(),
        "     .await?;".to_owned(),
        " # let _ = (answer, response);".to_owned(),
        " # Ok(())".to_owned(),
        " # }".to_owned(),
        " ```".to_owned(),
    ];
    if let Some((ty, _)) = &builder.body {
        let at = lines.len() - 4;
        lines.insert(
            at,
            format!(" # let body: noxitel_api::types::{ty} = todo!();"),
        );
        lines.insert(at + 1, " // Or a request built beforehand:".to_owned());
        lines.insert(
            at + 2,
            format!(" let answer = client.{name}().body(body).await?;"),
        );
        lines.insert(at + 3, " # let _ = answer;".to_owned());
    }
    lines
}
