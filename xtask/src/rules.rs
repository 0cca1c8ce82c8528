//! Rules the document must follow for the generators, checked without network.
//!
//! * the document parses as OpenAPI 3.0;
//! * the generators accept every operation (`noxitel_codegen::Spec::operations`: each has an
//!   `operationId`, a `$ref` JSON request body and exactly one `$ref` 2xx response schema,
//!   path/query parameters only);
//! * operation ids are unique;
//! * every JSON body of every response (errors included) and request is a `$ref` to a component
//!   schema, so every payload has a named type;
//! * every `$ref` is local and resolves;
//! * the crates' `noxitel.json` links resolve to the document's JSON copy.

use std::collections::BTreeMap;
use std::path::Path;

use noxitel_codegen::Spec;
use openapiv3::{Content, ReferenceOr, Response};
use serde_json::Value;

use crate::SPEC;

/// The crates whose build script reads `<crate>/noxitel.json`, a link to the document's JSON
/// copy (`cargo xtask check` keeps that copy equal to the document).
const SPEC_LINKS: &[&str] = &["noxitel-types/noxitel.json", "noxitel-api/noxitel.json"];

/// Every rule the document under `root` breaks, as readable sentences (empty when none).
pub fn check(root: &Path) -> Vec<String> {
    let path = root.join(SPEC);
    let spec = match Spec::from_file(&path) {
        Ok(spec) => spec,
        Err(e) => return vec![format!("{SPEC}: {e}")],
    };
    let mut problems = Vec::new();
    if let Err(e) = spec.operations() {
        problems.push(e.to_string());
    }
    operation_ids(&spec, &mut problems);
    bodies_are_refs(&spec, &mut problems);
    problems.extend(ref_problems(&spec.raw).1);
    spec_links(root, &mut problems);
    problems
}

fn operation_ids(spec: &Spec, problems: &mut Vec<String>) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, method, op) in spec.doc.operations() {
        let here = format!("{} {path}", method.to_uppercase());
        match op.operation_id.as_deref() {
            None => problems.push(format!("{here}: no operationId")),
            Some(id) => {
                if let Some(first) = seen.insert(id, here.clone()) {
                    problems.push(format!(
                        "{here}: operationId `{id}` is also used by {first}"
                    ));
                }
            }
        }
    }
}

fn bodies_are_refs(spec: &Spec, problems: &mut Vec<String>) {
    for (path, method, op) in spec.doc.operations() {
        let here = format!("{} {path}", method.to_uppercase());
        match &op.request_body {
            Some(ReferenceOr::Item(body)) => {
                content_is_ref(&format!("{here} request body"), &body.content, problems)
            }
            Some(ReferenceOr::Reference { reference }) => problems.push(format!(
                "{here} request body: is a $ref ({reference}); inline it"
            )),
            None => {}
        }
        let codes = op
            .responses
            .default
            .iter()
            .map(|r| ("default".to_string(), r))
            .chain(
                op.responses
                    .responses
                    .iter()
                    .map(|(code, r)| (code.to_string(), r)),
            );
        for (code, response) in codes {
            if let ReferenceOr::Item(response) = response {
                response_is_ref(&format!("{here} response {code}"), response, problems);
            }
        }
    }
    if let Some(components) = &spec.doc.components {
        for (name, response) in &components.responses {
            if let ReferenceOr::Item(response) = response {
                response_is_ref(&format!("components.responses.{name}"), response, problems);
            }
        }
    }
}

fn response_is_ref(here: &str, response: &Response, problems: &mut Vec<String>) {
    content_is_ref(here, &response.content, problems);
}

fn content_is_ref(here: &str, content: &Content, problems: &mut Vec<String>) {
    for (media, body) in content {
        match &body.schema {
            Some(ReferenceOr::Reference { reference })
                if reference.starts_with("#/components/schemas/") => {}
            Some(ReferenceOr::Reference { reference }) => problems.push(format!(
                "{here} ({media}): $ref {reference} is not a component schema"
            )),
            Some(ReferenceOr::Item(_)) => problems.push(format!(
                "{here} ({media}): inline schema; move it to components/schemas and use a $ref"
            )),
            None => problems.push(format!("{here} ({media}): no schema")),
        }
    }
}

/// Every `$ref` of `doc` outside example data (`example`, `examples`, `default`, `enum`): how
/// many there are, and one sentence for each that is not a string, not local to the document,
/// or does not resolve.
pub fn ref_problems(doc: &Value) -> (usize, Vec<String>) {
    fn walk(doc: &Value, at: &str, value: &Value, count: &mut usize, problems: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if key == "$ref" {
                        *count += 1;
                        match child.as_str() {
                            Some(target) => match target.strip_prefix('#') {
                                Some(pointer) if doc.pointer(pointer).is_some() => {}
                                Some(_) => {
                                    problems.push(format!("{at}: $ref {target} does not resolve"))
                                }
                                None => problems.push(format!(
                                    "{at}: $ref {target} is not local to the document"
                                )),
                            },
                            None => problems.push(format!("{at}: $ref is not a string")),
                        }
                    } else if !matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
                        let escaped = key.replace('~', "~0").replace('/', "~1");
                        walk(doc, &format!("{at}/{escaped}"), child, count, problems);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(doc, &format!("{at}/{i}"), child, count, problems);
                }
            }
            _ => {}
        }
    }
    let (mut count, mut problems) = (0, Vec::new());
    walk(doc, "#", doc, &mut count, &mut problems);
    (count, problems)
}

fn spec_links(root: &Path, problems: &mut Vec<String>) {
    let Ok(document) = std::fs::read(root.join(crate::artifacts::OPENAPI_JSON)) else {
        return;
    };
    for link in SPEC_LINKS {
        let path = root.join(link);
        // Only where the crate exists (a bare copy of the document has none).
        if !path.parent().is_some_and(Path::exists) {
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) if bytes == document => {}
            Ok(_) => problems.push(format!(
                "{link}: differs from {} (it must be a link to it)",
                crate::artifacts::OPENAPI_JSON
            )),
            Err(e) => problems.push(format!(
                "{link}: {e} (it must be a link to {})",
                crate::artifacts::OPENAPI_JSON
            )),
        }
    }
}
