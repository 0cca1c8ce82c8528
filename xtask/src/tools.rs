//! The external tools `lint`, `export` and `diff` run, installed on first use into the
//! gitignored `.tools/` folder at the pinned versions committed under `xtask/tools/`:
//!
//! * `.tools/node` — `npm ci` of `xtask/tools/package.json` + `package-lock.json`
//!   (Redocly CLI, Spectral, openapi-typescript, TypeScript, openapi-diff; openapi-fetch for
//!   `scripts/client-e2e-ts.sh`);
//! * `.tools/python` — a venv with `xtask/tools/requirements.txt` (openapi-python-client and
//!   every dependency, pinned).
//!
//! An installation is reused while its stamp matches the committed lock/requirements file.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result, bail};

use crate::{note, step};

const NPM_MANIFEST: &str = "xtask/tools/package.json";
const NPM_LOCK: &str = "xtask/tools/package-lock.json";
const PY_REQUIREMENTS: &str = "xtask/tools/requirements.txt";
const STAMP: &str = ".xtask-stamp";

/// The npm tools in `.tools/node`.
#[derive(Debug, Clone)]
pub struct NodeTools {
    dir: PathBuf,
}

impl NodeTools {
    /// Installs the pinned npm tools unless `.tools/node` already holds them.
    pub fn ensure(root: &Path) -> Result<Self> {
        let manifest = read(&root.join(NPM_MANIFEST))?;
        let lock = read(&root.join(NPM_LOCK))?;
        let wanted = format!("{manifest}\n{lock}");
        let installed = |dir: &Path| dir.join("node_modules/.bin").is_dir();
        let dir = installation(root, ("node", "npm tools"), &wanted, installed, |dir| {
            step(format!(
                "installing the pinned npm tools into {} (npm ci)",
                dir.display()
            ));
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let _ = std::fs::remove_file(dir.join(STAMP));
            std::fs::write(dir.join("package.json"), &manifest)?;
            std::fs::write(dir.join("package-lock.json"), &lock)?;
            run(Command::new(npm())
                .args([
                    "ci",
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                    "--loglevel=error",
                ])
                .current_dir(dir))
            .context(
                "npm ci failed (is Node.js >= 20 with npm installed, and the npm registry reachable?)",
            )
        })?;
        Ok(Self { dir })
    }

    /// A command running the npm package binary `name`.
    pub fn command(&self, name: &str) -> Command {
        let mut bin = self.dir.join("node_modules/.bin").join(name);
        if cfg!(windows) {
            bin.set_extension("cmd");
        }
        let mut cmd = Command::new(bin);
        // No telemetry, update checks or colour codes in the output we relay.
        cmd.env("REDOCLY_TELEMETRY", "off")
            .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
            .env("NO_UPDATE_NOTIFIER", "1")
            .env("SCARF_ANALYTICS", "false");
        cmd
    }
}

/// The Python venv in `.tools/python`.
#[derive(Debug, Clone)]
pub struct PythonTools {
    dir: PathBuf,
}

impl PythonTools {
    /// Creates the venv with the pinned requirements unless `.tools/python` already holds it.
    pub fn ensure(root: &Path) -> Result<Self> {
        let requirements = read(&root.join(PY_REQUIREMENTS))?;
        let installed = |dir: &Path| venv_bin(dir, "python").exists();
        let dir = installation(
            root,
            ("python", "python tools"),
            &requirements,
            installed,
            |dir| {
                step(format!(
                    "creating the Python venv {} with {PY_REQUIREMENTS}",
                    dir.display()
                ));
                if dir.exists() {
                    std::fs::remove_dir_all(dir)
                        .with_context(|| format!("cannot remove {}", dir.display()))?;
                }
                let python = std::env::var_os("XTASK_PYTHON").unwrap_or_else(|| "python3".into());
                run(Command::new(&python).arg("-m").arg("venv").arg(dir)).with_context(|| {
                    format!(
                        "cannot create a venv with {} (set XTASK_PYTHON to a Python >= 3.9)",
                        python.to_string_lossy()
                    )
                })?;
                run(Command::new(venv_bin(dir, "python"))
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "--no-input",
                        "-r",
                    ])
                    .arg(root.join(PY_REQUIREMENTS)))
                .context("pip install failed (is PyPI reachable?)")
            },
        )?;
        Ok(Self { dir })
    }

    /// Path of a program installed in the venv.
    pub fn bin(&self, name: &str) -> PathBuf {
        venv_bin(&self.dir, name)
    }
}

/// Path of a program installed in the venv `dir`.
fn venv_bin(dir: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        dir.join("Scripts").join(format!("{name}.exe"))
    } else {
        dir.join("bin").join(name)
    }
}

/// `.tools/<name>` (holding the `what`): reused while its stamp matches `wanted` and
/// `installed` finds the tools in it; otherwise `install` (re)creates it and, once that
/// succeeded, it is stamped.
fn installation(
    root: &Path,
    (name, what): (&str, &str),
    wanted: &str,
    installed: impl FnOnce(&Path) -> bool,
    install: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let dir = root.join(".tools").join(name);
    let stamp_matches = std::fs::read_to_string(dir.join(STAMP)).is_ok_and(|stamp| stamp == wanted);
    if stamp_matches && installed(&dir) {
        note(format!("{what}: {} (up to date)", dir.display()));
        return Ok(dir);
    }
    install(&dir)?;
    std::fs::write(dir.join(STAMP), wanted)?;
    Ok(dir)
}

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Shows a command the way a shell would read it.
pub fn display(cmd: &Command) -> String {
    let quote = |s: &OsStr| {
        let s = s.to_string_lossy();
        if s.is_empty() || s.contains(|c: char| c.is_whitespace() || "\"'$`\\".contains(c)) {
            format!("'{}'", s.replace('\'', r"'\''"))
        } else {
            s.into_owned()
        }
    };
    std::iter::once(quote(cmd.get_program()))
        .chain(cmd.get_args().map(quote))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cmd` with inherited output; fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = exit_status(cmd)?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

/// Runs `cmd` with inherited output and returns whether it succeeded.
pub fn run_status(cmd: &mut Command) -> Result<bool> {
    Ok(exit_status(cmd)?.success())
}

/// Shows `cmd`, runs it with inherited output (no stdin) and waits for it.
fn exit_status(cmd: &mut Command) -> Result<ExitStatus> {
    note(format!("$ {}", display(cmd)));
    cmd.stdin(Stdio::null())
        .status()
        .with_context(|| format!("cannot start {}", cmd.get_program().to_string_lossy()))
}
