//! Generic machinery for the OpenAPI conformance tests in `tests/tests/spec.rs`.
//!
//! Everything works on the document as a raw [`serde_json::Value`] (loaded from YAML), so that
//! nothing the typed `openapiv3` model would normalise away (e.g. `nullable: false`) is hidden:
//!
//! * JSON pointers and local `$ref` resolution;
//! * a schema-aware walker that visits every schema node (components and inline) without
//!   descending into example data;
//! * discovery of every example (media types, parameters, headers and schema-level `example`);
//! * conversion of OpenAPI 3.0 schemas to a draft 7 JSON Schema document (noxitel-codegen's
//!   conversion, the one the Rust types are generated with) and example validation;
//! * JSON equality where numbers compare by value (`0 == 0.0`), and subtree search.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Prefix of a reference to a named component schema.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// HTTP methods an OpenAPI path item may hold, in document order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The OpenAPI document as written (YAML).
pub fn spec_text() -> String {
    let path = crate::spec_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The OpenAPI document as a raw JSON value.
pub fn spec_value() -> Value {
    serde_norway::from_str(&spec_text()).expect("openapi/noxitel.yaml is valid YAML")
}

/// Escapes one JSON pointer token (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `pointer` extended by one (unescaped) token.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

/// The value a local reference (`#/...`) points to.
pub fn resolve_ref<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    reference.strip_prefix('#').and_then(|p| doc.pointer(p))
}

/// Follows `$ref` chains from the object at `pointer`; returns the final pointer and value.
/// `Err` names the first reference that does not resolve (or a cycle).
pub fn deref<'a>(doc: &'a Value, pointer: &str) -> Result<(String, &'a Value), String> {
    let mut current = pointer.to_owned();
    for _ in 0..32 {
        let value = doc
            .pointer(&current)
            .ok_or_else(|| format!("#{current} does not exist"))?;
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => match reference.strip_prefix('#') {
                Some(target) if doc.pointer(target).is_some() => current = target.to_owned(),
                _ => return Err(format!("#{current}: $ref {reference} does not resolve")),
            },
            None => return Ok((current, value)),
        }
    }
    Err(format!("#{pointer}: $ref chain too long (cycle?)"))
}

/// One operation: a path-item method, or an operation of a callback.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// Lower-case HTTP method.
    pub method: String,
    /// Path template, or callback expression for callback operations.
    pub path: String,
    /// The operation object.
    pub op: &'a Value,
    /// For a callback operation, the pointer of the operation that declares the callback.
    pub callback_of: Option<String>,
}

impl Operation<'_> {
    /// `operationId`, or `<none>`.
    pub fn id(&self) -> &str {
        self.op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("<none>")
    }

    /// `METHOD path (operationId)` for messages.
    pub fn label(&self) -> String {
        format!(
            "{} {} ({})",
            self.method.to_uppercase(),
            self.path,
            self.id()
        )
    }
}

fn push_path_item_ops<'a>(
    doc: &'a Value,
    item_pointer: &str,
    path: &str,
    callback_of: Option<&str>,
    out: &mut Vec<Operation<'a>>,
) {
    let Ok((item_pointer, item)) = deref(doc, item_pointer) else {
        return;
    };
    for method in METHODS {
        let Some(op) = item.get(method) else { continue };
        let pointer = join(&item_pointer, method);
        out.push(Operation {
            pointer: pointer.clone(),
            method: method.to_owned(),
            path: path.to_owned(),
            op,
            callback_of: callback_of.map(str::to_owned),
        });
        let Some(Value::Object(callbacks)) = op.get("callbacks") else {
            continue;
        };
        for (name, _) in callbacks {
            let Ok((cb_pointer, Value::Object(cb))) =
                deref(doc, &join(&join(&pointer, "callbacks"), name))
            else {
                continue;
            };
            for (expression, _) in cb {
                push_path_item_ops(
                    doc,
                    &join(&cb_pointer, expression),
                    expression,
                    Some(&pointer),
                    out,
                );
            }
        }
    }
}

/// Every operation of `paths`, each followed by its callback operations (recursively).
pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, _) in paths {
            push_path_item_ops(doc, &join("/paths", path), path, None, &mut out);
        }
    }
    out
}

/// Calls `f(pointer, schema)` for `schema` and every subschema nested in it (`properties`,
/// `items`, `additionalProperties`, `not`, `allOf`/`anyOf`/`oneOf`). `$ref`s are not followed.
pub fn for_each_subschema<'a>(
    pointer: &str,
    schema: &'a Value,
    f: &mut dyn FnMut(&str, &'a Value),
) {
    f(pointer, schema);
    let Some(obj) = schema.as_object() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get("properties") {
        let base = join(pointer, "properties");
        for (name, sub) in props {
            for_each_subschema(&join(&base, name), sub, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub @ Value::Object(_)) = obj.get(key) {
            for_each_subschema(&join(pointer, key), sub, f);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = obj.get(key) {
            let base = join(pointer, key);
            for (i, sub) in subs.iter().enumerate() {
                for_each_subschema(&join(&base, &i.to_string()), sub, f);
            }
        }
    }
}

/// Pointers of every object holding a `schema` (media types, parameters, headers) outside
/// `components.schemas`. Example data and `x-*` extensions are not searched.
pub fn schema_holders(doc: &Value) -> Vec<String> {
    fn walk(pointer: &str, value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(obj) => {
                if obj.contains_key("schema") {
                    out.push(pointer.to_owned());
                }
                for (key, sub) in obj {
                    let skip = matches!(key.as_str(), "schema" | "example" | "examples")
                        || key.starts_with("x-")
                        || (pointer == "/components" && key == "schemas");
                    if !skip {
                        walk(&join(pointer, key), sub, out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, sub) in items.iter().enumerate() {
                    walk(&join(pointer, &i.to_string()), sub, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", doc, &mut out);
    out
}

/// Every schema node of the document with its pointer: each `components.schemas` entry and
/// each `schema` of a media type / parameter / header, with all their nested subschemas.
pub fn all_schemas(doc: &Value) -> Vec<(String, &Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    let mut push = |pointer: &str, schema| out.push((pointer.to_owned(), schema));
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, schema) in schemas {
            for_each_subschema(&join("/components/schemas", name), schema, &mut push);
        }
    }
    for holder in schema_holders(doc) {
        let pointer = join(&holder, "schema");
        if let Some(schema) = doc.pointer(&pointer) {
            for_each_subschema(&pointer, schema, &mut push);
        }
    }
    out
}

/// Pointers of every schema node reachable from the schemas at `roots`, following local `$ref`s
/// transitively. References that do not resolve are returned in the second set.
pub fn reachable_schemas(doc: &Value, roots: &[String]) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut visited = BTreeSet::new();
    let mut broken = BTreeSet::new();
    let mut expanded = BTreeSet::new();
    let mut work: Vec<String> = roots.to_vec();
    while let Some(root) = work.pop() {
        if !expanded.insert(root.clone()) {
            continue;
        }
        let Some(schema) = doc.pointer(&root) else {
            broken.insert(root);
            continue;
        };
        for_each_subschema(&root, schema, &mut |pointer, node| {
            visited.insert(pointer.to_owned());
            if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
                match reference.strip_prefix('#') {
                    Some(target) => work.push(target.to_owned()),
                    None => {
                        broken.insert(format!("{pointer}: {reference}"));
                    }
                }
            }
        });
    }
    (visited, broken)
}

/// `true` when the schema node is a string enum (`type: string`, or every value a string).
pub fn is_string_enum(schema: &Value) -> bool {
    match schema.get("enum") {
        Some(Value::Array(values)) => {
            schema.get("type").and_then(Value::as_str) == Some("string")
                || (!values.is_empty() && values.iter().all(Value::is_string))
        }
        _ => false,
    }
}

/// `true` when `schema[key]` is the boolean `true`.
pub fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key) == Some(&Value::Bool(true))
}

/// One example value of the document and the schema it illustrates.
#[derive(Debug, Clone)]
pub struct Example {
    /// JSON pointer of the example value.
    pub pointer: String,
    /// JSON pointer of the schema the example illustrates.
    pub schema_pointer: String,
    /// The example value.
    pub value: Value,
}

/// Every example of the document: `example` and `examples.*.value` of media types, parameters
/// and headers (examples given by `$ref` are resolved), and every schema-level `example`.
/// The second vector lists examples that cannot be checked (unresolvable `$ref`,
/// `externalValue`, no `value`, no schema).
pub fn collect_examples(doc: &Value) -> (Vec<Example>, Vec<String>) {
    let mut examples = Vec::new();
    let mut problems = Vec::new();
    for holder in schema_holders(doc) {
        let obj = doc.pointer(&holder).expect("holder exists");
        let schema_pointer = join(&holder, "schema");
        if let Some(value) = obj.get("example") {
            examples.push(Example {
                pointer: join(&holder, "example"),
                schema_pointer: schema_pointer.clone(),
                value: value.clone(),
            });
        }
        let Some(named) = obj.get("examples") else {
            continue;
        };
        let Some(named) = named.as_object() else {
            problems.push(format!("#{holder}/examples is not a map"));
            continue;
        };
        for (name, _) in named {
            let example_pointer = join(&join(&holder, "examples"), name);
            match deref(doc, &example_pointer) {
                Ok((target, example)) => match example.get("value") {
                    Some(value) => examples.push(Example {
                        pointer: join(&target, "value"),
                        schema_pointer: schema_pointer.clone(),
                        value: value.clone(),
                    }),
                    None => problems.push(format!(
                        "#{example_pointer}: no `value` (externalValue cannot be checked)"
                    )),
                },
                Err(e) => problems.push(e),
            }
        }
    }
    for (pointer, schema) in all_schemas(doc) {
        if let Some(value) = schema.get("example") {
            examples.push(Example {
                pointer: join(&pointer, "example"),
                schema_pointer: pointer.clone(),
                value: value.clone(),
            });
        }
    }
    (examples, problems)
}

/// Converts one OpenAPI 3.0 schema to JSON Schema (draft 7) the way the Rust types are
/// generated from it ([`noxitel_codegen::json_schema::from_openapi`]: `nullable`, boolean
/// exclusive bounds, `example`, and no bounds on integers), with `#/components/schemas/X`
/// references made `#/definitions/X`.
pub fn to_json_schema(schema: &Value) -> Value {
    fn local_refs(value: &mut Value) {
        match value {
            Value::Object(obj) => {
                for (key, sub) in obj.iter_mut() {
                    match key.as_str() {
                        "$ref" => {
                            if let Some(name) =
                                sub.as_str().and_then(|r| r.strip_prefix(SCHEMA_REF_PREFIX))
                            {
                                *sub = Value::String(format!("#/definitions/{name}"));
                            }
                        }
                        // Data, not schemas.
                        "enum" | "default" | "examples" => {}
                        _ => local_refs(sub),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(local_refs),
            _ => {}
        }
    }
    let mut converted = schema.clone();
    noxitel_codegen::json_schema::from_openapi(&mut converted);
    local_refs(&mut converted);
    converted
}

/// `components.schemas`, converted, as a JSON Schema `definitions` object.
pub fn definitions(doc: &Value) -> Value {
    let mut defs = Map::new();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, schema) in schemas {
            defs.insert(name.clone(), to_json_schema(schema));
        }
    }
    Value::Object(defs)
}

/// A standalone JSON Schema for the OpenAPI schema at `schema_pointer`, with every component
/// schema attached as `definitions`.
pub fn json_schema_at(doc: &Value, definitions: &Value, schema_pointer: &str) -> Option<Value> {
    let inner = match schema_pointer.strip_prefix("/components/schemas/") {
        Some(rest) => serde_json::json!({ "$ref": format!("#/definitions/{rest}") }),
        None => to_json_schema(doc.pointer(schema_pointer)?),
    };
    Some(serde_json::json!({ "allOf": [inner], "definitions": definitions }))
}

/// Builds a draft 7 validator (format validation on; unknown formats such as `int64` and
/// `double` are annotations).
pub fn validator(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// Validation errors of `instance` against `schema`, one line each.
pub fn validation_errors(schema: &Value, instance: &Value) -> Result<Vec<String>, String> {
    let validator = validator(schema)?;
    Ok(validator
        .iter_errors(instance)
        .map(|e| format!("at '{}': {e}", e.instance_path()))
        .collect())
}

/// Validates every example of `doc` against its schema. Returns how many examples were
/// checked and one message per failing (or uncheckable) example, naming its JSON pointer.
pub fn example_failures(doc: &Value) -> (usize, Vec<String>) {
    let (examples, mut failures) = collect_examples(doc);
    let defs = definitions(doc);
    for example in &examples {
        let Some(schema) = json_schema_at(doc, &defs, &example.schema_pointer) else {
            failures.push(format!(
                "#{}: schema #{} does not exist",
                example.pointer, example.schema_pointer
            ));
            continue;
        };
        match validation_errors(&schema, &example.value) {
            Ok(errors) if errors.is_empty() => {}
            Ok(errors) => failures.push(format!(
                "#{} (schema #{}):\n      {}",
                example.pointer,
                example.schema_pointer,
                errors.join("\n      ")
            )),
            Err(e) => failures.push(format!(
                "#{}: schema #{} does not compile: {e}",
                example.pointer, example.schema_pointer
            )),
        }
    }
    (examples.len(), failures)
}

/// JSON equality where numbers compare by numeric value (`0 == 0.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(i), Some(j)) = (x.as_i64(), y.as_i64()) {
                i == j
            } else if let (Some(i), Some(j)) = (x.as_u64(), y.as_u64()) {
                i == j
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// `true` when `needle` equals (by [`json_eq`]) `haystack` or any value nested in it.
pub fn contains_subtree(haystack: &Value, needle: &Value) -> bool {
    json_eq(haystack, needle)
        || match haystack {
            Value::Array(items) => items.iter().any(|h| contains_subtree(h, needle)),
            Value::Object(map) => map.values().any(|h| contains_subtree(h, needle)),
            _ => false,
        }
}
