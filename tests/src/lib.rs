//! Helpers shared by the cross-crate tests in `tests/tests/`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace root")
        .to_path_buf()
}

/// Path of the OpenAPI document.
pub fn spec_path() -> PathBuf {
    workspace_root().join("openapi/noxitel.yaml")
}

pub mod spec_support;
