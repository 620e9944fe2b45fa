// The sandbox worker embeds libpython; let test binaries find it without LD_LIBRARY_PATH.
fn main() {
    let config = pyo3_build_config::get();
    if let Some(dir) = &config.lib_dir {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
