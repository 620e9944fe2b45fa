// The dynamic-backends build links libllama.so and libggml*.so, which llama-cpp-sys-2 puts in
// target/<profile>/deps beside the test binaries.
fn main() {
    if std::env::var_os("CARGO_FEATURE_LLAMACPP_DYNAMIC").is_some() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN");
    }
}
