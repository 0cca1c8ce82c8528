//! Helpers shared by the cross-crate tests in `tests/tests/`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::PathBuf;

/// The workspace root (one definition, xtask's).
pub use xtask::workspace_root;

/// Path of the OpenAPI document.
pub fn spec_path() -> PathBuf {
    workspace_root().join("openapi/noxitel.yaml")
}

pub mod fixtures;
pub mod spec_support;
