//! Printing answers: the API's JSON, or a table made from it.

use std::fmt::Write as _;
use std::io::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::cli::Output;
use crate::exit::Failure;

/// Writes `text` and a newline to stdout. A closed stdout (`noxitel … | head -1`) is not a
/// crash: `println!` would panic; this reports `false` and the caller decides.
pub fn emit(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.trim_end_matches('\n'))
        .and_then(|()| std::io::Write::flush(&mut out))
        .is_ok()
}

/// Writes `text` and a newline to stderr, ignoring a closed stderr (`eprintln!` panics).
pub fn emit_err(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", text.trim_end_matches('\n'));
}

/// Prints an answer in the chosen format.
pub fn print<T: Serialize>(output: Output, answer: &T) -> Result<(), Failure> {
    let value = serde_json::to_value(answer)
        .map_err(|e| Failure::internal(format!("cannot print the answer: {e}")))?;
    match output {
        Output::Json => emit(&value.to_string()),
        Output::Table => emit(&table(&value)),
    };
    Ok(())
}

/// Prints an API answer from its body exactly as the API sent it (a builder's
/// `with_response()`): as is with `-o json`, as a table otherwise.
pub fn print_answer<T: Serialize>(
    output: Output,
    response: &noxitel_api::Response<T>,
) -> Result<(), Failure> {
    let raw = response.body();
    let answer = response.value();
    match output {
        Output::Json => {
            emit(String::from_utf8_lossy(raw).trim_end());
            Ok(())
        }
        // The table too shows every field the API sent, documented or not.
        Output::Table => match serde_json::from_slice::<Value>(raw) {
            Ok(value) => print(output, &value),
            Err(_) => print(output, answer),
        },
    }
}

/// A human-readable rendering of a JSON answer: objects as `key  value` lines (nested objects
/// with dotted keys), arrays of objects as tables.
pub fn table(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Array(items) => out.push_str(&grid(items)),
        Value::Object(_) => {
            let mut rows = Vec::new();
            let mut arrays = Vec::new();
            flatten("", value, &mut rows, &mut arrays);
            let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in &rows {
                let _ = writeln!(out, "{k:width$}  {v}");
            }
            for (k, items) in arrays {
                let _ = writeln!(out, "\n{k}:");
                out.push_str(&grid(items));
            }
        }
        other => {
            let _ = writeln!(out, "{}", scalar(other));
        }
    }
    out
}

fn flatten<'a>(
    prefix: &str,
    value: &'a Value,
    rows: &mut Vec<(String, String)>,
    arrays: &mut Vec<(String, &'a [Value])>,
) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, rows, arrays);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            arrays.push((prefix.to_owned(), items));
        }
        other => rows.push((prefix.to_owned(), scalar(other))),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Rows of objects as an aligned table; nested values flattened into dotted columns.
fn grid(items: &[Value]) -> String {
    if items.is_empty() {
        return "(none)\n".into();
    }
    let mut columns: Vec<String> = Vec::new();
    let rows: Vec<Vec<(String, String)>> = items
        .iter()
        .map(|item| {
            let mut cells = Vec::new();
            let mut nested = Vec::new();
            match item {
                Value::Object(_) => flatten("", item, &mut cells, &mut nested),
                other => cells.push(("value".into(), scalar(other))),
            }
            for (k, v) in nested {
                cells.push((k, format!("[{} items]", v.len())));
            }
            for (k, _) in &cells {
                if !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
            cells
        })
        .collect();
    // serde_json orders keys alphabetically (`CREDITS ROUTE`): what identifies a row first.
    columns.sort_by_key(|c| identifying_rank(c));
    let cell = |row: &Vec<(String, String)>, col: &str| {
        row.iter()
            .find(|(k, _)| k == col)
            .map_or_else(|| "-".to_owned(), |(_, v)| v.clone())
    };
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            rows.iter()
                .map(|r| cell(r, c).chars().count())
                .max()
                .unwrap_or(0)
                .max(c.len())
        })
        .collect();
    let mut out = String::new();
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                let pad = w.saturating_sub(c.chars().count());
                s.push_str(c);
                s.push_str(&" ".repeat(pad + 2));
            }
        }
        s.trim_end().to_owned()
    };
    let _ = writeln!(
        out,
        "{}",
        line(columns.iter().map(|c| c.to_uppercase()).collect())
    );
    for row in &rows {
        let _ = writeln!(
            out,
            "{}",
            line(columns.iter().map(|c| cell(row, c)).collect())
        );
    }
    out
}

/// Columns that say which row is which, in the order they come first; the rest follow in
/// their (alphabetical) order.
const IDENTIFYING: &[&str] = &[
    "id",
    "sms_shoot_id",
    "msg_id",
    "msgId",
    "sms_id",
    "callId",
    "batch_id",
    "reference",
    "agentId",
    "agent_id",
    "route",
    "country",
    "name",
    "mobile",
    "msisdn",
    "phone",
    "phoneNumber",
];

fn identifying_rank(column: &str) -> usize {
    IDENTIFYING
        .iter()
        .position(|&c| c == column)
        .unwrap_or(IDENTIFYING.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifying_columns_come_first() {
        let v = json!([{"dlr": "DELIVRD", "mobile": "9198", "sender_id": "NOXITEL",
            "sent": "2024-01-01", "sms_shoot_id": "s1"}]);
        let header = table(&v).lines().next().unwrap().to_owned();
        let order: Vec<&str> = header.split_whitespace().collect();
        assert_eq!(
            order,
            ["SMS_SHOOT_ID", "MOBILE", "DLR", "SENDER_ID", "SENT"]
        );
    }

    #[test]
    fn object_with_array_of_objects() {
        let v = json!({"status": "success", "wallet": {"amount": "120.00"},
            "credits": [{"route": "Standard", "credits": 3946684}]});
        let t = table(&v);
        assert!(t.contains("wallet.amount  120.00"), "{t}");
        assert!(t.contains("ROUTE     CREDITS"), "{t}");
        assert!(t.contains("Standard  3946684"), "{t}");
    }
}
