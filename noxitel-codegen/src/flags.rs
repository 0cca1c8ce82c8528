//! The `noxitel` command's flags: one `clap::Args` struct per operation, with a flag for each
//! parameter and for each body field a shell can hold (a string, a number, a boolean, one of
//! the document's values, or a list of those), named as in the document (`routeId` →
//! `--route-id`).
//!
//! ```ignore
//! #[derive(clap::Args)]
//! struct SmsSend {
//!     #[arg(long, short)]            // a hand-made flag replaces the generated one of the
//!     message: Option<String>,       //   same name (`--message`); the command sends it
//!     #[command(flatten)]            // last: every other field of `sendSms`
//!     flags: noxitel_cli::flags::SendSms,
//! }
//! ```
//!
//! A struct adds its flags when flattened into a command, leaving out any name the command
//! already has (hand-made flags such as `--to` or `--csv` come first) or that the CLI reserves
//! for its global options; `apply` sets the given parameters on the operation's builder and
//! `BodyFlags::merge` the given body fields into a JSON body (so a `--json FILE` body and flags combine).
//! Objects and lists of objects (`contacts`, `content`, `media`) are left to hand-made flags
//! and the JSON file. Built from the document alone, so a new field gets its flag with no hand
//! edit.

use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::{Error, Operation, Spec, render};

/// Rust source of the module `noxitel_cli::flags` (its generated part).
pub fn flags_code(spec: &Spec) -> Result<String, Error> {
    let mut structs = Vec::new();
    for op in spec.operations()? {
        structs.push(Command::new(spec, &op)?.code());
    }
    render(quote!(#(#structs)*))
}

/// What a flag takes.
enum Kind {
    Text,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Number,
    Boolean,
    /// One of the document's values; `typed`: the component type holding them.
    Choice {
        values: Vec<String>,
        typed: Option<String>,
    },
}

/// Where a flag's value goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A path or query parameter: a setter of the operation's builder.
    Param,
    /// A field of the JSON body.
    Body,
}

struct Flag {
    /// The name in the document.
    wire: String,
    /// The Rust field, and the clap argument id.
    field: Ident,
    help: String,
    required: bool,
    list: bool,
    kind: Kind,
    place: Place,
}

struct Command<'a> {
    op: &'a Operation,
    name: Ident,
    flags: Vec<Flag>,
    /// Required body fields no flag can hold (objects, lists of objects).
    unflagged: Vec<String>,
}

impl<'a> Command<'a> {
    fn new(spec: &Spec, op: &'a Operation) -> Result<Self, Error> {
        let mut flags = Vec::new();
        let mut unflagged = Vec::new();
        let raw_op = &spec.raw["paths"][&op.path][op.method.to_lowercase()];
        for p in raw_op["parameters"].as_array().into_iter().flatten() {
            let wire = p["name"].as_str().unwrap_or_default();
            let (kind, list) = kind(spec, &p["schema"]).ok_or_else(|| {
                Error::Unsupported(format!(
                    "{}.{wire}: a parameter the command line cannot hold",
                    op.id
                ))
            })?;
            let help = description(wire, &p["description"], resolve(spec, &p["schema"]));
            let required = p["required"] == Value::Bool(true);
            flags.push(Flag::new(wire, help, required, list, kind, Place::Param));
        }
        if let Some(body) = &op.body {
            let schema = &spec.raw["components"]["schemas"][body];
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for wire in property_names(spec, body) {
                let property = &schema["properties"][&wire];
                let is_required = required.contains(&wire.as_str());
                let Some((kind, list)) = kind(spec, property) else {
                    if is_required {
                        unflagged.push(wire);
                    }
                    continue;
                };
                let help = description(&wire, &property["description"], resolve(spec, property));
                flags.push(Flag::new(&wire, help, is_required, list, kind, Place::Body));
            }
        }
        Ok(Self {
            op,
            name: format_ident!("{}", op.id.to_upper_camel_case()),
            flags,
            unflagged,
        })
    }

    fn code(&self) -> TokenStream {
        let name = &self.name;
        let op = self.op;
        let doc = format!(
            " The flags of `{}` (`{} {}`): {}.",
            op.id,
            op.method,
            op.path,
            match self.flags.is_empty() {
                true => "none yet",
                false => "one per parameter and per body field a flag can hold",
            }
        );
        let fields = self.flags.iter().map(|f| {
            let (field, ty) = (&f.field, f.stored());
            let name = format!("`{}`", f.wire);
            let doc = match f.help == name {
                true => format!(" {name}"),
                false => format!(" {name}: {}", f.help),
            };
            quote!(#[doc = #doc] pub #field: #ty)
        });
        let reads = self.flags.iter().map(|f| {
            let (field, id, ty) = (&f.field, f.field.to_string(), f.value_type());
            match f.list {
                true => quote!(self.#field = crate::flags::all::<#ty>(matches, #id);),
                false => quote!(self.#field = crate::flags::one::<#ty>(matches, #id);),
            }
        });
        let args = self.flags.iter().map(Flag::arg);
        let apply = self.apply();
        let merge = self.merge();
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Default)]
            pub struct #name {
                #(#fields,)*
            }

            impl clap::FromArgMatches for #name {
                fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
                    let mut flags = Self::default();
                    flags.update_from_arg_matches(matches)?;
                    Ok(flags)
                }

                #[allow(unused_variables)]
                fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
                    #(#reads)*
                    Ok(())
                }
            }

            impl clap::Args for #name {
                fn augment_args(command: clap::Command) -> clap::Command {
                    #(let command = crate::flags::add(command, #args);)*
                    command
                }

                fn augment_args_for_update(command: clap::Command) -> clap::Command {
                    Self::augment_args(command)
                }
            }

            impl #name {
                #apply
            }

            #merge
        }
    }

    /// `apply(call)`: the given parameters on the operation's builder.
    fn apply(&self) -> TokenStream {
        let builder = &self.name;
        let sets = self
            .flags
            .iter()
            .filter(|f| f.place == Place::Param)
            .map(|f| {
                let field = &f.field;
                quote! {
                    if let Some(value) = &self.#field {
                        call = call.#field(value.clone());
                    }
                }
            });
        let doc = format!(
            "Sets the parameters given as flags on a `{}` call.",
            self.op.id
        );
        quote! {
            #[doc = #doc]
            #[allow(unused_mut)]
            pub fn apply<'a>(&self, mut call: noxitel_api::calls::#builder<'a>) -> noxitel_api::calls::#builder<'a> {
                #(#sets)*
                call
            }
        }
    }

    /// `impl BodyFlags` (`merge(body)` and `REQUIRED`), for an operation with a body.
    fn merge(&self) -> TokenStream {
        if self.op.body.is_none() {
            return quote!();
        }
        let puts = self
            .flags
            .iter()
            .filter(|f| f.place == Place::Body)
            .map(|f| {
                let (field, wire) = (&f.field, &f.wire);
                match f.list {
                    true => quote!(crate::flags::put_list(body, #wire, &self.#field);),
                    false => quote!(crate::flags::put(body, #wire, &self.#field);),
                }
            });
        let flagged = self
            .flags
            .iter()
            .filter(|f| f.place == Place::Body && f.required)
            .map(|f| {
                let (wire, long) = (&f.wire, f.long());
                quote!(crate::flags::Required { field: #wire, flag: Some(#long) })
            });
        let unflagged = self
            .unflagged
            .iter()
            .map(|wire| quote!(crate::flags::Required { field: #wire, flag: None }));
        let required = flagged.chain(unflagged);
        let name = &self.name;
        quote! {
            impl crate::flags::BodyFlags for #name {
                const REQUIRED: &'static [crate::flags::Required] = &[#(#required),*];

                #[allow(unused_variables)]
                fn merge(&self, body: &mut serde_json::Map<String, serde_json::Value>) {
                    #(#puts)*
                }
            }
        }
    }
}

impl Flag {
    fn new(wire: &str, help: String, required: bool, list: bool, kind: Kind, place: Place) -> Self {
        let mut snake = wire.to_snake_case();
        if KEYWORDS.contains(&snake.as_str()) {
            snake.push('_');
        }
        Self {
            wire: wire.to_owned(),
            field: format_ident!("{snake}"),
            help,
            required,
            list,
            kind,
            place,
        }
    }

    fn long(&self) -> String {
        self.wire.to_kebab_case()
    }

    /// The type of one value.
    fn value_type(&self) -> TokenStream {
        match &self.kind {
            Kind::Text => quote!(String),
            Kind::Integer { .. } => quote!(i64),
            Kind::Number => quote!(f64),
            Kind::Boolean => quote!(bool),
            Kind::Choice { typed: Some(t), .. } => {
                let t = format_ident!("{t}");
                quote!(noxitel_types::#t)
            }
            Kind::Choice { typed: None, .. } => quote!(String),
        }
    }

    /// The field's type: `Option<T>`, or `Vec<T>` for a list.
    fn stored(&self) -> TokenStream {
        let ty = self.value_type();
        match self.list {
            true => quote!(Vec<#ty>),
            false => quote!(Option<#ty>),
        }
    }

    /// The `clap::Arg`.
    fn arg(&self) -> TokenStream {
        let id = self.field.to_string();
        let long = self.long();
        let value_name = self.wire.to_shouty_snake_case();
        let help = match (self.required, self.place) {
            (true, Place::Body) => format!("{} (required; or in the --json file)", self.help),
            _ => self.help.clone(),
        };
        let parser = match &self.kind {
            Kind::Text => quote!(clap::value_parser!(String)),
            Kind::Integer { min, max } => match (min, max) {
                (Some(min), Some(max)) => quote!(clap::value_parser!(i64).range(#min..=#max)),
                (Some(min), None) => quote!(clap::value_parser!(i64).range(#min..)),
                (None, Some(max)) => quote!(clap::value_parser!(i64).range(..=#max)),
                (None, None) => quote!(clap::value_parser!(i64)),
            },
            Kind::Number => quote!(clap::value_parser!(f64)),
            Kind::Boolean => quote!(clap::value_parser!(bool)),
            Kind::Choice {
                values,
                typed: Some(_),
            } => {
                let ty = self.value_type();
                quote!(crate::flags::choice::<#ty>(&[#(#values),*]))
            }
            Kind::Choice {
                values,
                typed: None,
            } => quote!(clap::builder::PossibleValuesParser::new([#(#values),*])),
        };
        let action = match self.list {
            true => quote!(.action(clap::ArgAction::Append).value_delimiter(',')),
            false => quote!(.action(clap::ArgAction::Set)),
        };
        // Only parameters are required by clap: a body field may come from the --json file
        // or from a hand-made flag (`--to` fills `contacts`).
        let required =
            (self.required && self.place == Place::Param).then(|| quote!(.required(true)));
        quote! {
            clap::Arg::new(#id)
                .long(#long)
                .value_name(#value_name)
                .help(#help)
                .value_parser(#parser)
                #action
                #required
        }
    }
}

/// Rust keywords a field name may be (`type` → `type_`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "yield",
];

/// The properties of a component schema, in document order (the help lists them so).
fn property_names(spec: &Spec, name: &str) -> Vec<String> {
    let schema = spec
        .doc
        .components
        .as_ref()
        .and_then(|c| c.schemas.get(name));
    match schema {
        Some(openapiv3::ReferenceOr::Item(openapiv3::Schema {
            schema_kind: openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)),
            ..
        })) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The schema `$ref` points to, or the schema itself.
fn resolve<'s>(spec: &'s Spec, schema: &'s Value) -> &'s Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &spec.raw["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// What a flag of this schema takes, and whether it is a list; `None` if no flag can hold it.
fn kind(spec: &Spec, schema: &Value) -> Option<(Kind, bool)> {
    let resolved = resolve(spec, schema);
    match resolved["type"].as_str() {
        Some("array") => Some((scalar(spec, &resolved["items"])?, true)),
        _ => Some((scalar(spec, schema)?, false)),
    }
}

fn scalar(spec: &Spec, schema: &Value) -> Option<Kind> {
    let resolved = resolve(spec, schema);
    if let Some(values) = resolved["enum"].as_array() {
        let values = values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()?;
        let typed = schema["$ref"]
            .as_str()
            .map(|r| r.rsplit('/').next().unwrap_or_default().to_owned());
        return Some(Kind::Choice { values, typed });
    }
    match resolved["type"].as_str()? {
        "string" => Some(Kind::Text),
        "integer" => Some(Kind::Integer {
            min: resolved["minimum"].as_i64(),
            max: resolved["maximum"].as_i64(),
        }),
        "number" => Some(Kind::Number),
        "boolean" => Some(Kind::Boolean),
        _ => None,
    }
}

/// The first line of the description here or on the referenced schema; the field's name
/// when neither has one (clap still lists an enum's values).
fn description(wire: &str, here: &Value, resolved: &Value) -> String {
    [here, &resolved["description"]]
        .into_iter()
        .filter_map(Value::as_str)
        .find_map(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|line| line.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| format!("`{wire}`"))
}
