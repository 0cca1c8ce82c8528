//! `cargo xtask`: see `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use xtask::artifacts::{self, Status};
use xtask::export::Lang;
use xtask::{diff, export, lint, note, rules, step, workspace_root};

/// Automation for the Noxitel API workspace. `openapi/noxitel.yaml` is the single source of
/// truth; everything below derives from it.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
#[command(
    after_help = "External tools (lint, export, diff) are installed on first use into the \
gitignored .tools/ folder, at the versions pinned in xtask/tools/."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Rewrite every committed artifact derived from openapi/noxitel.yaml: openapi/noxitel.json,
    /// schema/noxitel-types.schema.json and the golden golden/*.rs copies.
    Generate,
    /// Fail (with a unified diff) if a committed artifact is stale, or if the document breaks a
    /// spec rule (operationIds, $ref bodies, resolvable $refs, ...). Needs no network.
    Check,
    /// Lint openapi/noxitel.yaml with Redocly CLI and Spectral (.spectral.yaml, fail severity:
    /// hint).
    Lint,
    /// Generate a client from openapi/noxitel.json and check that it works (Python: imports and
    /// round-trips the example SendSmsRequest; TypeScript: `tsc --noEmit --strict` on a usage
    /// file).
    Export {
        /// Client language.
        #[arg(long, value_enum)]
        lang: Lang,
        /// Output folder (default: target/export/<lang>). Overwritten if an earlier export wrote
        /// it; any other non-empty folder is refused.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Report the breaking changes between openapi/noxitel.yaml at BASE_REV and the working tree
    /// (openapi-diff); fails if there is any.
    Diff {
        /// Git revision to compare against (e.g. HEAD~1, main, a tag).
        #[arg(value_name = "BASE_REV")]
        base_rev: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let started = Instant::now();
    let result = run(cli.command);
    let elapsed = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => {
            note(format!("done in {elapsed:.1}s"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            eprintln!("    failed after {elapsed:.1}s");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command.
fn run(command: Cmd) -> Result<()> {
    let root = workspace_root();
    match command {
        Cmd::Generate => {
            step("generating the artifacts derived from openapi/noxitel.yaml");
            for (path, written) in artifacts::generate(&root)? {
                note(format!("{written:>9}  {path}"));
            }
            Ok(())
        }
        Cmd::Check => check(&root),
        Cmd::Lint => lint::lint(&root),
        Cmd::Export { lang, out } => {
            let name = match lang {
                Lang::Python => "python",
                Lang::Typescript => "typescript",
            };
            let out = out.unwrap_or_else(|| root.join("target/export").join(name));
            let out = export::export(&root, lang, &out)?;
            step(format!("export {name}: ok ({})", out.display()));
            Ok(())
        }
        Cmd::Diff { base_rev } => match diff::diff(&root, &base_rev)? {
            diff::Verdict::Compatible => Ok(()),
            diff::Verdict::Breaking => {
                bail!(
                    "breaking changes between {base_rev}:openapi/noxitel.yaml and the working tree"
                )
            }
        },
    }
}

fn check(root: &std::path::Path) -> Result<()> {
    let mut problems = 0;
    step("spec rules");
    let broken = rules::check(root);
    for problem in &broken {
        eprintln!("    error: {problem}");
    }
    problems += broken.len();
    if broken.is_empty() {
        note("ok");
    }

    step("committed artifacts (regenerated in memory)");
    for (path, status) in artifacts::check(root)? {
        match status {
            Status::Fresh => note(format!("fresh  {path}")),
            Status::Missing => {
                problems += 1;
                eprintln!("    error: {path} is missing");
            }
            Status::Failed(e) => {
                problems += 1;
                eprintln!("    error: {path} cannot be generated: {e}");
            }
            Status::Stale { diff } => {
                problems += 1;
                eprintln!("    error: {path} is stale:");
                print!("{diff}");
            }
        }
    }
    if problems > 0 {
        bail!(
            "check found {problems} problem(s); `cargo xtask generate` refreshes stale artifacts"
        );
    }
    step("check: everything up to date");
    Ok(())
}
