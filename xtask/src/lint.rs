//! `cargo xtask lint`: Redocly CLI and Spectral on the document.

use std::path::Path;

use anyhow::{Result, bail};

use crate::tools::{NodeTools, run_status};
use crate::{SPEC, step};

/// Spectral ruleset at the workspace root (`extends: ["spectral:oas"]`).
const SPECTRAL_RULESET: &str = ".spectral.yaml";

/// Runs both linters (both always run); fails if either reports a problem.
pub fn lint(root: &Path) -> Result<()> {
    let node = NodeTools::ensure(root)?;
    let mut failed = Vec::new();

    step(format!("redocly lint {SPEC}"));
    let ok = run_status(
        node.command("redocly")
            .args(["lint", SPEC, "--format=stylish"])
            .current_dir(root),
    )?;
    if !ok {
        failed.push("redocly");
    }

    step(format!(
        "spectral lint {SPEC} (ruleset {SPECTRAL_RULESET}, fail severity: hint)"
    ));
    let ok = run_status(
        node.command("spectral")
            .args([
                "lint",
                SPEC,
                "--ruleset",
                SPECTRAL_RULESET,
                "--fail-severity=hint",
            ])
            .current_dir(root),
    )?;
    if !ok {
        failed.push("spectral");
    }

    if !failed.is_empty() {
        bail!(
            "{SPEC} has lint problems (reported by {})",
            failed.join(" and ")
        );
    }
    step("lint: no problems");
    Ok(())
}
