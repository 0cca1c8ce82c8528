//! `cargo xtask diff BASE_REV`: breaking changes between the document at a git revision and
//! the working tree, reported by openapi-diff.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::tools::{NodeTools, run_status};
use crate::{SPEC, note, step};

/// What openapi-diff found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No breaking change (there may be others).
    Compatible,
    /// At least one breaking change.
    Breaking,
}

/// Compares `SPEC` at `base_rev` with the working tree and prints the report.
pub fn diff(root: &Path, base_rev: &str) -> Result<Verdict> {
    step(format!("git show {base_rev}:{SPEC}"));
    let base = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("{base_rev}:{SPEC}")])
        .output()
        .context("cannot run git")?;
    if !base.status.success() {
        bail!(
            "cannot read {SPEC} at {base_rev}: {}",
            String::from_utf8_lossy(&base.stderr).trim()
        );
    }
    let tmp = root.join(".tools/tmp");
    std::fs::create_dir_all(&tmp)?;
    let base_file = tmp.join("diff-base.yaml");
    std::fs::write(&base_file, &base.stdout)?;

    let node = NodeTools::ensure(root)?;
    step(format!("openapi-diff {base_rev}:{SPEC} → working tree"));
    // Into a file, not a pipe: node writes to pipes asynchronously and openapi-diff's
    // `process.exit` would cut a long report short.
    let report_file = tmp.join("diff-report.txt");
    let exited_ok = run_status(
        node.command("openapi-diff")
            .arg(&base_file)
            .arg(root.join(SPEC))
            .stdout(std::fs::File::create(&report_file)?)
            .current_dir(root),
    )?;
    let stdout = std::fs::read_to_string(&report_file)
        .with_context(|| format!("cannot read {}", report_file.display()))?;
    // openapi-diff prints one line ("No changes found ...", "Non breaking changes found ...:",
    // "Breaking changes found ...:") followed by the JSON outcome when there are differences;
    // it exits 1 on breaking changes and on errors alike, so the text decides.
    if stdout.trim_start().starts_with("No changes found") {
        println!("openapi-diff {base_rev}:{SPEC} → working tree: no changes");
        return Ok(Verdict::Compatible);
    }
    let report: Option<Value> = stdout
        .find('{')
        .and_then(|start| serde_json::from_str(stdout[start..].trim()).ok());
    let Some(report) = report else {
        print!("{stdout}");
        bail!(
            "openapi-diff failed{} and printed no report",
            if exited_ok { "" } else { " (non-zero exit)" }
        );
    };
    Ok(if print_report(base_rev, &report) {
        Verdict::Breaking
    } else {
        Verdict::Compatible
    })
}

/// Prints each group of differences; returns whether any is breaking.
fn print_report(base_rev: &str, report: &Value) -> bool {
    let groups = [
        ("breakingDifferences", "breaking"),
        ("unclassifiedDifferences", "unclassified"),
        ("nonBreakingDifferences", "non-breaking"),
    ];
    println!("openapi-diff {base_rev}:{SPEC} → working tree");
    for (key, label) in groups {
        let items = report[key].as_array().cloned().unwrap_or_default();
        println!("  {label}: {}", items.len());
        for item in &items {
            let code = item["code"].as_str().unwrap_or("?");
            let action = item["action"].as_str().unwrap_or("?");
            let entity = item["entity"].as_str().unwrap_or("?");
            let mut locations = Vec::new();
            for side in ["sourceSpecEntityDetails", "destinationSpecEntityDetails"] {
                for detail in item[side].as_array().into_iter().flatten() {
                    if let Some(location) = detail["location"].as_str()
                        && !locations.contains(&location)
                    {
                        locations.push(location);
                    }
                }
            }
            println!(
                "    - {code}: {action} {entity} at {}",
                locations.join(", ")
            );
        }
    }
    let breaking = report["breakingDifferencesFound"] == Value::Bool(true);
    note(if breaking {
        "breaking changes found"
    } else {
        "no breaking change"
    });
    breaking
}
