// Links libual.so from UAL_LIB_DIR (the build tree's src/ or an install's lib/), with an rpath so the example runs
// without LD_LIBRARY_PATH. Without UAL_LIB_DIR the system's linker path is used (an installed libual).
fn main() {
    println!("cargo:rerun-if-env-changed=UAL_LIB_DIR");
    if let Ok(dir) = std::env::var("UAL_LIB_DIR") {
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    println!("cargo:rustc-link-lib=dylib=ual");
}
