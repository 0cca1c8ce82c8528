//! The committed artifacts derived from `openapi/noxitel.yaml`: rendering them in memory,
//! writing them (`cargo xtask generate`) and comparing them (`cargo xtask check`).
//!
//! Every artifact is a pure function of the document (and, for the JSON Schema, of the
//! `noxitel-types` crate compiled from it): the same input gives the same bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use noxitel_codegen::{GENERATED_HEADER, Spec};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::SPEC;

/// The document `noxitel-types` (and so this binary) was compiled from. The JSON Schema comes
/// from those compiled types, so it can only be rendered for this exact document.
pub const COMPILED_SPEC: &str = include_str!("../../openapi/noxitel.yaml");

/// `openapi/noxitel.json`: the document as pretty JSON, keys in document order.
pub const OPENAPI_JSON: &str = "openapi/noxitel.json";
/// `schema/noxitel-types.schema.json`: a JSON Schema with a definition per component schema.
pub const TYPES_SCHEMA: &str = "schema/noxitel-types.schema.json";
/// Golden copy of `noxitel_codegen::types_code`.
pub const GOLDEN_TYPES: &str = "golden/noxitel-types.rs";
/// Golden copy of `noxitel_codegen::raw_code`.
pub const GOLDEN_RAW: &str = "golden/noxitel-api-raw.rs";
/// Golden copy of `noxitel_codegen::calls_code`.
pub const GOLDEN_CALLS: &str = "golden/noxitel-api-calls.rs";
/// Golden copy of `noxitel_codegen::flags_code`.
pub const GOLDEN_FLAGS: &str = "golden/noxitel-cli-flags.rs";

/// A `noxitel_codegen` generator.
pub type Generator = fn(&Spec) -> Result<String, noxitel_codegen::Error>;

/// Each generator of Rust code and its golden copy.
pub const GENERATED: [(&str, Generator); 4] = [
    (GOLDEN_TYPES, noxitel_codegen::types_code),
    (GOLDEN_RAW, noxitel_codegen::raw_code),
    (GOLDEN_CALLS, noxitel_codegen::calls_code),
    (GOLDEN_FLAGS, noxitel_codegen::flags_code),
];

/// Every artifact, in the order they are rendered and reported.
pub const ALL: &[&str] = &[
    OPENAPI_JSON,
    TYPES_SCHEMA,
    GOLDEN_TYPES,
    GOLDEN_RAW,
    GOLDEN_CALLS,
    GOLDEN_FLAGS,
];

/// Second line of the golden Rust copies (the first is noxitel-codegen's own header).
const GOLDEN_NOTE: &str = "// golden copy of the code the crates generate at build time: written by `cargo xtask generate`,\n\
// compared by `cargo xtask check`, so reviews show every change to the generated code\n";

/// Draft of the published JSON Schema.
const JSON_SCHEMA_DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One artifact rendered in memory.
#[derive(Debug)]
pub struct Artifact {
    /// Path relative to the workspace root.
    pub path: &'static str,
    /// The bytes the file must hold, or why they could not be rendered.
    pub contents: Result<String, String>,
}

/// Renders every artifact from the document under `root`.
///
/// Fails only when the document cannot be read or parsed; an artifact that cannot be rendered
/// carries its own error.
pub fn render(root: &Path) -> Result<Vec<Artifact>> {
    let spec_path = root.join(SPEC);
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("cannot read {}", spec_path.display()))?;
    let spec = Spec::from_yaml(&text).with_context(|| format!("cannot parse {SPEC}"))?;
    let err = |e: anyhow::Error| format!("{e:#}");
    let mut artifacts = vec![
        Artifact {
            path: OPENAPI_JSON,
            contents: openapi_json(&text).map_err(err),
        },
        Artifact {
            path: TYPES_SCHEMA,
            contents: types_schema(&spec, &text).map_err(err),
        },
    ];
    artifacts.extend(GENERATED.iter().map(|&(path, generate)| Artifact {
        path,
        contents: generate(&spec).map(golden_copy).map_err(|e| e.to_string()),
    }));
    Ok(artifacts)
}

/// What `generate` did to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file did not exist.
    Created,
    /// The file had other bytes.
    Updated,
    /// The file already had these bytes; not written.
    Unchanged,
}

/// Renders every artifact and writes those whose bytes changed. Writes nothing unless every
/// artifact could be rendered.
pub fn generate(root: &Path) -> Result<Vec<(&'static str, Written)>> {
    let artifacts = render(root)?;
    let mut rendered = Vec::new();
    let mut failures = Vec::new();
    for artifact in artifacts {
        match artifact.contents {
            Ok(contents) => rendered.push((artifact.path, contents)),
            Err(e) => failures.push(format!("{}: {e}", artifact.path)),
        }
    }
    if !failures.is_empty() {
        bail!(
            "nothing written, cannot render:\n  {}",
            failures.join("\n  ")
        );
    }
    let mut out = Vec::new();
    for (path, contents) in rendered {
        let file = root.join(path);
        let status = match std::fs::read(&file) {
            Ok(old) if old == contents.as_bytes() => Written::Unchanged,
            Ok(_) => Written::Updated,
            Err(_) => Written::Created,
        };
        if status != Written::Unchanged {
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(&file, &contents)
                .with_context(|| format!("cannot write {}", file.display()))?;
        }
        out.push((path, status));
    }
    Ok(out)
}

/// How one committed artifact compares with what the document renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Byte-identical.
    Fresh,
    /// Differs; the unified diff goes from the committed file to the rendered one.
    Stale {
        /// The unified diff.
        diff: String,
    },
    /// Not committed (or unreadable).
    Missing,
    /// Could not be rendered.
    Failed(String),
}

/// Compares every committed artifact under `root` with what its document renders.
pub fn check(root: &Path) -> Result<Vec<(&'static str, Status)>> {
    let mut out = Vec::new();
    for artifact in render(root)? {
        let status = match (
            &artifact.contents,
            std::fs::read_to_string(root.join(artifact.path)),
        ) {
            (Err(e), _) => Status::Failed(e.clone()),
            (Ok(_), Err(_)) => Status::Missing,
            (Ok(new), Ok(old)) if *new == old => Status::Fresh,
            (Ok(new), Ok(old)) => Status::Stale {
                diff: unified_diff(artifact.path, &old, new),
            },
        };
        out.push((artifact.path, status));
    }
    Ok(out)
}

/// A unified diff (3 lines of context) from `old` to `new`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{path} (committed)"),
            &format!("b/{path} (generated)"),
        )
        .to_string()
}

/// The document as pretty JSON with its keys in document order.
///
/// Parsed into `serde_norway::Value`, whose mappings keep insertion order whatever
/// serde_json's features, so the output does not depend on feature unification.
pub fn openapi_json(yaml: &str) -> Result<String> {
    let value: serde_norway::Value =
        serde_norway::from_str(yaml).context("the document is not valid YAML")?;
    let mut json =
        serde_json::to_string_pretty(&value).context("the document is not JSON-compatible")?;
    json.push('\n');
    Ok(json)
}

/// The JSON Schema document of every component schema type of `noxitel-types`.
///
/// The list of types comes from the document: noxitel-codegen generates
/// `noxitel_types::component_json_schemas`, which asks schemars for every component schema by
/// name, hand-written replacements included.
pub fn types_schema(spec: &Spec, yaml: &str) -> Result<String> {
    if yaml != COMPILED_SPEC {
        bail!(
            "xtask was compiled from a different {SPEC}: the JSON Schema comes from the compiled \
             noxitel-types, so run `cargo xtask` again (cargo rebuilds it from the current document)"
        );
    }
    let names = spec.schema_names();
    if names != noxitel_types::COMPONENT_SCHEMA_NAMES {
        bail!("noxitel-types was generated from a different list of component schemas");
    }

    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let components = noxitel_types::component_json_schemas(&mut generator);
    let mut defs: BTreeMap<String, Value> = generator.take_definitions(true).into_iter().collect();
    for (name, schema) in &components {
        let schema = schema.as_value();
        let own_ref = format!("#/$defs/{name}");
        if schema.get("$ref").and_then(Value::as_str) == Some(own_ref.as_str()) {
            if !defs.contains_key(*name) {
                bail!("schemars referred to {own_ref} without defining it");
            }
            continue;
        }
        // Inlined, or named differently by schemars: still give the component its own name.
        if defs.contains_key(*name) {
            bail!("component {name}: its definition name is taken by another type");
        }
        defs.insert(name.to_string(), schema.clone());
    }

    let info = &spec.doc.info;
    let document = SchemaDocument {
        schema: JSON_SCHEMA_DRAFT,
        comment: "Generated by `cargo xtask generate` from openapi/noxitel.yaml (through the noxitel-types crate); do not edit.",
        title: format!("{} {} payload types", info.title, info.version),
        description: format!(
            "JSON Schema (draft 2020-12) of the request, response and webhook payloads of the {title} \
             {version}, as the noxitel-types Rust crate reads them. Each of the document's {count} \
             component schemas has a definition of the same name under `$defs` (the other \
             definitions are types they use); validate a payload against one of them, e.g. \
             `noxitel-types.schema.json#/$defs/SendSmsRequest`. The root schema itself accepts \
             any value. Open enums (`x-noxitel-extensible`) accept values not listed.",
            title = info.title,
            version = info.version,
            count = names.len(),
        ),
        components: names,
        defs,
    };
    let mut json = serde_json::to_string_pretty(&document)?;
    json.push('\n');
    Ok(json)
}

/// The root of the JSON Schema document, with its keys in this order.
#[derive(serde::Serialize)]
struct SchemaDocument {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "$comment")]
    comment: &'static str,
    title: String,
    description: String,
    /// Component schema names, in document order.
    #[serde(rename = "x-noxitel-components")]
    components: Vec<String>,
    #[serde(rename = "$defs", serialize_with = "sorted_map")]
    defs: BTreeMap<String, Value>,
}

fn sorted_map<S: Serializer>(map: &BTreeMap<String, Value>, s: S) -> Result<S::Ok, S::Error> {
    let mut out = s.serialize_map(Some(map.len()))?;
    for (key, value) in map {
        out.serialize_entry(key, &Sorted(value))?;
    }
    out.end()
}

/// Serializes a JSON value with every object's keys sorted, whether or not serde_json's
/// `preserve_order` feature is enabled somewhere in the build.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = s.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &Sorted(value))?;
                }
                out.end()
            }
            Value::Array(items) => s.collect_seq(items.iter().map(Sorted)),
            other => other.serialize(s),
        }
    }
}

fn golden_copy(code: String) -> String {
    match code.strip_prefix(GENERATED_HEADER) {
        Some(rest) => format!("{GENERATED_HEADER}{GOLDEN_NOTE}{rest}"),
        None => format!("{GENERATED_HEADER}{GOLDEN_NOTE}{code}"),
    }
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Written::Created => "created",
            Written::Updated => "updated",
            Written::Unchanged => "unchanged",
        })
    }
}
