// With the `split` feature, the app's wasm is linked with its relocations: the splitter
// (scripts/split.sh, run by Trunk's post_build hook) needs them to cut out the lazy chunks.
// A link argument of this package's binary only, so no dependency is rebuilt.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if split && wasm {
        println!("cargo:rustc-link-arg-bin=license-desk=--emit-relocs");
    }
}
