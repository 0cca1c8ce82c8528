//! Loading the document and reading what the generators need from it.

use std::collections::BTreeSet;
use std::path::Path;

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use serde_json::Value;

use crate::{EXTENSIBLE, Error, HAND_WRITTEN};

/// The parsed OpenAPI document, typed (`openapiv3`) and raw (for vendor extensions).
#[derive(Debug, Clone)]
pub struct Spec {
    pub doc: OpenAPI,
    pub raw: Value,
}

/// One operation, as the wrapper generator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub params: Vec<Param>,
    /// Component schema name of the JSON request body, if any.
    pub body: Option<String>,
    /// Component schema name of the 2xx response.
    pub response: String,
}

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub in_path: bool,
    pub required: bool,
    pub ty: ParamType,
    pub description: String,
}

/// The Rust-facing type of a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    /// A component schema, by name.
    Named(String),
}

impl Spec {
    /// Reads and parses the document at `path`: JSON if its name ends in `.json`, else YAML
    /// (feature `yaml`).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })?;
        if path.extension().is_some_and(|e| e == "json") {
            return Self::from_json(&text);
        }
        #[cfg(feature = "yaml")]
        return Self::from_yaml(&text);
        #[cfg(not(feature = "yaml"))]
        Err(Error::Unsupported(format!(
            "{}: reading YAML needs noxitel-codegen's `yaml` feature (or read the JSON copy)",
            path.display()
        )))
    }

    /// Parses a JSON document (the committed `openapi/noxitel.json`, which `cargo xtask
    /// generate` writes from the YAML).
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let doc: OpenAPI = serde_json::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        let raw: Value = serde_json::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        Ok(Self { doc, raw })
    }

    /// Parses a YAML (or JSON) document.
    #[cfg(feature = "yaml")]
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        // Parsed twice: `openapiv3` keeps document order (generated code follows it), the raw
        // value gives the vendor extensions.
        let doc: OpenAPI = serde_norway::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        let raw: Value = serde_norway::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        Ok(Self { doc, raw })
    }

    /// Names of the component schemas implemented by hand in `noxitel-types`
    /// (open enums and shapes OpenAPI 3.0 cannot express).
    pub fn hand_written_schemas(&self) -> BTreeSet<String> {
        self.raw["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, s)| {
                s[EXTENSIBLE] == Value::Bool(true) || s[HAND_WRITTEN] == Value::Bool(true)
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Component schemas a client sends: every request body and parameter schema and
    /// every schema they refer to, directly or not.
    pub fn request_schemas(&self) -> Result<BTreeSet<String>, Error> {
        let mut found = BTreeSet::new();
        for (path, item) in self.raw["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if !op.is_object() {
                    continue;
                }
                for part in ["requestBody", "parameters"] {
                    self.collect_refs(&op[part], &mut found)
                        .map_err(|reference| {
                            Error::Unsupported(format!("{method} {path}: unresolvable {reference}"))
                        })?;
                }
            }
        }
        Ok(found)
    }

    /// Adds to `found` every component schema that `value` refers to, and those they refer
    /// to; the first reference that names no schema is the error.
    pub fn collect_refs(&self, value: &Value, found: &mut BTreeSet<String>) -> Result<(), String> {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match (key.as_str(), item.as_str()) {
                        ("$ref", Some(reference)) => {
                            let name = reference
                                .strip_prefix("#/components/schemas/")
                                .ok_or_else(|| reference.to_owned())?;
                            let schema = &self.raw["components"]["schemas"][name];
                            if schema.is_null() {
                                return Err(reference.to_owned());
                            }
                            if found.insert(name.to_owned()) {
                                self.collect_refs(schema, found)?;
                            }
                        }
                        _ => self.collect_refs(item, found)?,
                    }
                }
                Ok(())
            }
            Value::Array(items) => items
                .iter()
                .try_for_each(|item| self.collect_refs(item, found)),
            _ => Ok(()),
        }
    }

    /// Names of every component schema.
    pub fn schema_names(&self) -> Vec<String> {
        self.doc
            .components
            .iter()
            .flat_map(|c| c.schemas.keys().cloned())
            .collect()
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> Result<Vec<Operation>, Error> {
        let mut out = Vec::new();
        for (path, item) in self.doc.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                return Err(Error::Unsupported(format!("$ref path item at {path}")));
            };
            for (method, op) in item.iter() {
                let id = op.operation_id.clone().ok_or_else(|| {
                    Error::Unsupported(format!("{method} {path} has no operationId"))
                })?;
                let params = op
                    .parameters
                    .iter()
                    .map(|p| param(&id, p))
                    .collect::<Result<Vec<_>, _>>()?;
                let body = match &op.request_body {
                    None => None,
                    Some(ReferenceOr::Item(body)) => Some(json_schema_name(&id, &body.content)?),
                    Some(ReferenceOr::Reference { .. }) => {
                        return Err(Error::Unsupported(format!("{id}: $ref request body")));
                    }
                };
                out.push(Operation {
                    response: self.success_schema(&id, op)?,
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: op.summary.clone().unwrap_or_default(),
                    description: op.description.clone().unwrap_or_default(),
                    params,
                    body,
                });
            }
        }
        Ok(out)
    }

    fn success_schema(&self, id: &str, op: &openapiv3::Operation) -> Result<String, Error> {
        let mut names = BTreeSet::new();
        for (code, response) in &op.responses.responses {
            if !code.to_string().starts_with('2') {
                continue;
            }
            let response = match response {
                ReferenceOr::Item(r) => r,
                ReferenceOr::Reference { reference } => {
                    let name = reference.rsplit('/').next().unwrap_or_default();
                    match self
                        .doc
                        .components
                        .as_ref()
                        .and_then(|c| c.responses.get(name))
                    {
                        Some(ReferenceOr::Item(r)) => r,
                        _ => {
                            return Err(Error::Unsupported(format!(
                                "{id}: unresolvable {reference}"
                            )));
                        }
                    }
                }
            };
            names.insert(json_schema_name(id, &response.content)?);
        }
        let mut names = names.into_iter();
        match (names.next(), names.next()) {
            (Some(name), None) => Ok(name),
            _ => Err(Error::Unsupported(format!(
                "{id}: needs exactly one 2xx response schema"
            ))),
        }
    }
}

fn json_schema_name(id: &str, content: &openapiv3::Content) -> Result<String, Error> {
    let media = content
        .get("application/json")
        .filter(|_| content.len() == 1)
        .ok_or_else(|| Error::Unsupported(format!("{id}: body must be application/json only")))?;
    match &media.schema {
        Some(ReferenceOr::Reference { reference }) => Ok(component_name(reference)),
        _ => Err(Error::Unsupported(format!(
            "{id}: body schema must be a $ref"
        ))),
    }
}

fn component_name(reference: &str) -> String {
    reference.rsplit('/').next().unwrap_or_default().to_string()
}

fn param(id: &str, p: &ReferenceOr<Parameter>) -> Result<Param, Error> {
    let ReferenceOr::Item(p) = p else {
        return Err(Error::Unsupported(format!("{id}: $ref parameter")));
    };
    let (data, in_path) = match p {
        Parameter::Query { parameter_data, .. } => (parameter_data, false),
        Parameter::Path { parameter_data, .. } => (parameter_data, true),
        _ => {
            return Err(Error::Unsupported(format!(
                "{id}: only path and query parameters are supported"
            )));
        }
    };
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return Err(Error::Unsupported(format!(
            "{id}.{}: content parameter",
            data.name
        )));
    };
    let ty = match schema {
        ReferenceOr::Reference { reference } => ParamType::Named(component_name(reference)),
        ReferenceOr::Item(s) => match &s.schema_kind {
            SchemaKind::Type(Type::String(_)) => ParamType::String,
            SchemaKind::Type(Type::Integer(_)) => ParamType::Integer,
            other => {
                return Err(Error::Unsupported(format!(
                    "{id}.{}: parameter schema {other:?}",
                    data.name
                )));
            }
        },
    };
    Ok(Param {
        name: data.name.clone(),
        in_path,
        required: data.required,
        ty,
        description: data.description.clone().unwrap_or_default(),
    })
}
