//! Workspace automation for the Noxitel API workspace, run as `cargo xtask <command>`.
//!
//! `openapi/noxitel.yaml` is the single source of truth. [`artifacts`] renders everything
//! committed that derives from it (`generate` writes it, `check` compares it); [`rules`] holds
//! the network-free rules the document must follow; [`tools`] installs the pinned npm and
//! Python tools that `lint`, `export` and `diff` run.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod artifacts;
pub mod diff;
pub mod export;
pub mod lint;
pub mod rules;
pub mod tools;

use std::path::{Path, PathBuf};

/// The document, relative to the workspace root.
pub const SPEC: &str = "openapi/noxitel.yaml";

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// Prints a progress step to stderr.
pub fn step(message: impl std::fmt::Display) {
    eprintln!("==> {message}");
}

/// Prints a detail line to stderr.
pub fn note(message: impl std::fmt::Display) {
    eprintln!("    {message}");
}
