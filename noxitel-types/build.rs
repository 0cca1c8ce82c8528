//! Generates every component schema of `noxitel.json` (a link to `openapi/noxitel.json`, the
//! JSON copy of `openapi/noxitel.yaml` that `cargo xtask generate` writes and `cargo xtask
//! check` keeps equal to it: reading JSON spares every dependent a YAML parser's build).
fn main() {
    println!("cargo::rerun-if-changed=noxitel.json");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("types.rs");
    let code = noxitel_codegen::Spec::from_file("noxitel.json")
        .and_then(|spec| noxitel_codegen::types_code(&spec));
    match code {
        Ok(code) => std::fs::write(&out, code).expect("OUT_DIR is writable"),
        Err(e) => {
            println!("cargo::error=noxitel-types: {e}");
        }
    }
}
