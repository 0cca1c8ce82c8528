//! Generates the progenitor client (`raw`) and the fluent builders (`calls`) from `noxitel.yaml`
//! (a link to `openapi/noxitel.yaml`).
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=noxitel.yaml");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let generated = noxitel_codegen::Spec::from_file("noxitel.yaml").and_then(|spec| {
        Ok([
            ("raw.rs", noxitel_codegen::raw_code(&spec)?),
            ("calls.rs", noxitel_codegen::calls_code(&spec)?),
        ])
    });
    match generated {
        Ok(files) => {
            for (name, code) in files {
                std::fs::write(Path::new(&out_dir).join(name), code).expect("OUT_DIR is writable");
            }
        }
        Err(e) => println!("cargo::error=noxitel-api: {e}"),
    }
}
