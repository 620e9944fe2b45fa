// The sandbox worker embeds libpython; let test binaries find it without LD_LIBRARY_PATH.
fn main() {
    #[cfg(feature = "python")]
    if let Some(dir) = &pyo3_build_config::get().lib_dir {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
