// The sandbox worker embeds libpython; let test binaries find it without LD_LIBRARY_PATH.
fn main() {
    // The dynamic-backends build links libllama.so and libggml*.so, which cargo puts beside the
    // binary (and in deps/ for the tests), as scripts/package-dynamic.sh does.
    if std::env::var_os("CARGO_FEATURE_DYNAMIC_BACKENDS").is_some() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN");
    }
    #[cfg(feature = "python")]
    if let Some(dir) = &pyo3_build_config::get().lib_dir {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
