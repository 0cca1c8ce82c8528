//! OpenAPI 3.0 Schema Objects are almost JSON Schema; typify reads JSON Schema (schemars 0.8).
//! This converts the few keywords that differ.

use serde_json::{Map, Value, json};

/// Converts one OpenAPI 3.0 schema (as JSON) into the JSON Schema typify expects.
///
/// * `nullable: true` → `type: [T, "null"]` (or `oneOf` with `null` for type-less schemas);
/// * boolean `exclusiveMinimum`/`exclusiveMaximum` → the numeric form;
/// * `example` → `examples: [..]`; `discriminator`, `externalDocs` and `xml` are dropped;
/// * bounds of an `integer` are dropped: typify would make `minimum: 1` a `NonZeroU64`, whose
///   setters cannot take a plain number (`.validity(60)`), and one new bound would change a
///   field's type. The bound stays in the document (and its docs); the API enforces it.
///
/// `$ref`s need no rewriting: typify resolves them by their last path segment.
pub fn from_openapi(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(from_openapi),
        Value::Object(m) => {
            for (key, child) in m.iter_mut() {
                // These hold data, not schemas.
                if !matches!(key.as_str(), "enum" | "default" | "example" | "examples") {
                    from_openapi(child);
                }
            }
            convert_exclusive_bounds(m);
            if m.get("type") == Some(&Value::from("integer")) {
                for bound in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
                    m.remove(bound);
                }
            }
            if let Some(example) = m.remove("example") {
                m.insert("examples".into(), json!([example]));
            }
            for dropped in ["discriminator", "externalDocs", "xml"] {
                m.remove(dropped);
            }
            if m.remove("nullable") == Some(Value::Bool(true)) {
                make_nullable(m);
            }
        }
        _ => {}
    }
}

fn convert_exclusive_bounds(m: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = m.get(flag).cloned() {
            m.remove(flag);
            if exclusive && let Some(n) = m.remove(bound) {
                m.insert(flag.to_string(), n);
            }
        }
    }
}

fn make_nullable(m: &mut Map<String, Value>) {
    if let Some(Value::String(t)) = m.get("type").cloned() {
        m.insert("type".into(), json!([t, "null"]));
        return;
    }
    let mut outer = Map::new();
    let keep_outside = ["title", "description", "default", "deprecated", "examples"];
    let moved: Vec<String> = m
        .keys()
        .filter(|k| keep_outside.contains(&k.as_str()) || k.starts_with("x-"))
        .cloned()
        .collect();
    for key in moved {
        if let Some(value) = m.remove(&key) {
            outer.insert(key, value);
        }
    }
    let inner = Value::Object(std::mem::take(m));
    outer.insert("oneOf".into(), json!([{ "type": "null" }, inner]));
    *m = outer;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_nullable_example_and_bounds() {
        let mut v = json!({
            "type": "object",
            "properties": {
                "a": { "type": "string", "nullable": true, "example": "x" },
                "b": { "$ref": "#/components/schemas/B", "nullable": true, "description": "d" },
                "c": { "type": "number", "minimum": 0, "exclusiveMinimum": true },
                "d": { "type": "integer", "minimum": 1, "maximum": 10 }
            }
        });
        from_openapi(&mut v);
        assert_eq!(
            v["properties"]["a"],
            json!({ "type": ["string", "null"], "examples": ["x"] })
        );
        assert_eq!(
            v["properties"]["b"],
            json!({ "description": "d", "oneOf": [{ "type": "null" }, { "$ref": "#/components/schemas/B" }] })
        );
        assert_eq!(
            v["properties"]["c"],
            json!({ "type": "number", "exclusiveMinimum": 0 })
        );
        assert_eq!(v["properties"]["d"], json!({ "type": "integer" }));
    }
}
