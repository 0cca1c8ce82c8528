//! Generates every component schema of `noxitel.yaml` (a link to `openapi/noxitel.yaml`).
fn main() {
    println!("cargo::rerun-if-changed=noxitel.yaml");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("types.rs");
    let code = noxitel_codegen::Spec::from_file("noxitel.yaml")
        .and_then(|spec| noxitel_codegen::types_code(&spec));
    match code {
        Ok(code) => std::fs::write(&out, code).expect("OUT_DIR is writable"),
        Err(e) => {
            println!("cargo::error=noxitel-types: {e}");
        }
    }
}
