//! Generates the progenitor client (`raw`) and the fluent builders (`calls`) from `noxitel.json`
//! (a link to `openapi/noxitel.json`, the JSON copy of `openapi/noxitel.yaml`).
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=noxitel.json");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let generated = noxitel_codegen::Spec::from_file("noxitel.json").and_then(|spec| {
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
