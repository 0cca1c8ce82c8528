//! Generates the command's flags of every operation (`noxitel_cli::flags`) from `noxitel.json`
//! (a link to `openapi/noxitel.json`, the JSON copy of `openapi/noxitel.yaml`).
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=noxitel.json");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    match noxitel_codegen::Spec::from_file("noxitel.json")
        .and_then(|spec| noxitel_codegen::flags_code(&spec))
    {
        Ok(code) => {
            std::fs::write(Path::new(&out_dir).join("flags.rs"), code).expect("OUT_DIR is writable")
        }
        Err(e) => println!("cargo::error=noxitel-cli: {e}"),
    }
}
