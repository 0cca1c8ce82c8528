//! `cargo xtask export`: a client for another language generated from `openapi/noxitel.json`,
//! then checked with the usage files in `xtask/export/`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::artifacts::OPENAPI_JSON;
use crate::tools::{NodeTools, PythonTools, run};
use crate::{note, step};

/// Marks a folder written by `export`, which may be overwritten by the next export.
const MARKER: &str = ".xtask-export";

/// A language `export` generates a client for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// openapi-python-client: an attrs + httpx package; checked by importing it and
    /// round-tripping the reference's example `POST /sms` body and answer.
    Python,
    /// openapi-typescript: types of every path and schema; checked with `tsc --noEmit --strict`
    /// against a usage file.
    Typescript,
}

/// Generates the client for `lang` into `out` and checks it.
pub fn export(root: &Path, lang: Lang, out: &Path) -> Result<PathBuf> {
    let out = prepare_out(out)?;
    let json = root.join(OPENAPI_JSON);
    if !json.exists() {
        bail!("{} is missing: run `cargo xtask generate`", json.display());
    }
    match lang {
        Lang::Python => python(root, &json, &out)?,
        Lang::Typescript => typescript(root, &json, &out)?,
    }
    std::fs::write(
        out.join(MARKER),
        "written by `cargo xtask export`; may be overwritten\n",
    )?;
    Ok(out)
}

/// Makes `out` absolute and refuses to overwrite a non-empty folder `export` did not write.
fn prepare_out(out: &Path) -> Result<PathBuf> {
    let out = std::path::absolute(out).with_context(|| format!("bad path {}", out.display()))?;
    if out.exists() {
        let empty = std::fs::read_dir(&out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).exists() {
            bail!(
                "{} is not empty and was not written by `cargo xtask export`; choose another --out",
                out.display()
            );
        }
    }
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    Ok(out)
}

fn python(root: &Path, json: &Path, out: &Path) -> Result<()> {
    let py = PythonTools::ensure(root)?;
    step(format!(
        "openapi-python-client generate → {}",
        out.display()
    ));
    // The generator's post hooks run `ruff` from PATH: put the venv first.
    let path = std::env::join_paths(
        std::iter::once(py.bin("python").parent().unwrap().to_path_buf()).chain(
            std::env::var_os("PATH")
                .iter()
                .flat_map(std::env::split_paths),
        ),
    )?;
    run(std::process::Command::new(py.bin("openapi-python-client"))
        .arg("generate")
        .arg("--path")
        .arg(json)
        .arg("--config")
        .arg(root.join("xtask/export/python-config.yaml"))
        .arg("--output-path")
        .arg(out)
        .args(["--overwrite", "--fail-on-warning"])
        .env("PATH", path)
        .current_dir(root))?;
    step("python smoke test (xtask/export/python_smoke.py)");
    run(std::process::Command::new(py.bin("python"))
        .arg(root.join("xtask/export/python_smoke.py"))
        .arg(out)
        .arg(json)
        .current_dir(root))?;
    note(format!("python client: {}", out.display()));
    Ok(())
}

fn typescript(root: &Path, json: &Path, out: &Path) -> Result<()> {
    let node = NodeTools::ensure(root)?;
    let types = out.join("noxitel-api.ts");
    step(format!("openapi-typescript → {}", types.display()));
    run(node
        .command("openapi-typescript")
        .arg(json)
        .arg("--output")
        .arg(&types)
        .current_dir(root))?;
    let usage = out.join("usage.ts");
    std::fs::copy(root.join("xtask/export/usage.ts"), &usage)
        .context("cannot copy xtask/export/usage.ts")?;
    step("tsc --noEmit --strict usage.ts (xtask/export/usage.ts)");
    run(node
        .command("tsc")
        .args([
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
        ])
        .arg(&usage)
        .current_dir(out))?;
    note(format!("typescript types: {}", types.display()));
    Ok(())
}
