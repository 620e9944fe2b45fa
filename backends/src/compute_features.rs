//! What decides a backend's arithmetic on this machine: the SIMD and accelerator features its
//! kernels were built for and picked at run time, for the run manifest.
//!
//! The same model file and prompt can give different greedy completions on two machines because
//! a kernel that uses AVX-512 sums in a different order, and so rounds differently, from one that
//! uses AVX2. Recording these features lets `compare` and `gate` say why two runs disagree.
//!
//! Every backend reports a `KEY = VALUE | KEY = VALUE` list (llama.cpp's own format, which
//! groups the features of each of its devices under `DEVICE : `), so one parser reads them all.

/// The compute features of the backend called `backend`, or `None` when they are unknown (the
/// `openai` backend computes on the server's machine) or the backend is not compiled in.
pub fn compute_features(backend: &str) -> Option<String> {
    match backend {
        #[cfg(feature = "llamacpp")]
        "llamacpp" => llamacpp(),
        #[cfg(feature = "candle")]
        "candle" => Some(candle()),
        #[cfg(feature = "mlx")]
        "mlx" => Some(mlx()),
        _ => None,
    }
}

/// llama.cpp's system info: for every ggml device registered (CPU, CUDA, Metal...), the
/// features it reports, e.g. `CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | ... |`. The CPU backend
/// lists only the features it found, so a feature missing from the list is absent.
#[cfg(feature = "llamacpp")]
fn llamacpp() -> Option<String> {
    // llama-cpp-2 does not wrap `llama_print_system_info`; the function is in the static
    // libllama that llama-cpp-sys-2 already links, so declaring it here is enough.
    extern "C" {
        fn llama_print_system_info() -> *const std::ffi::c_char;
    }
    // llama.cpp fills one static string in place on every call: serialize the calls and copy
    // the text out before the lock is released.
    static CALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // Initialises llama.cpp's backend (the device registry the list is read from).
    let _ = crate::llamacpp::gpu_devices();
    let _guard = CALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: `llama_print_system_info(void)` takes no arguments and returns a pointer to the
    // contents of a static std::string, NUL-terminated, valid until the next call; the lock
    // above keeps other calls out until `to_string_lossy` has copied it.
    let text = unsafe {
        let ptr = llama_print_system_info();
        if ptr.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(ptr).to_string_lossy().into_owned()
    };
    let text = text.trim().trim_end_matches('|').trim_end();
    (!text.is_empty()).then(|| text.to_string())
}

/// The SIMD paths candle-core was compiled with (its kernels pick them at compile time, from
/// `target-cpu`/`target-feature`) and the accelerators it was built for.
#[cfg(feature = "candle")]
fn candle() -> String {
    use candle_core::utils;
    let flag = |on: bool| if on { "1" } else { "0" };
    [
        ("AVX", utils::with_avx()),
        ("F16C", utils::with_f16c()),
        ("NEON", utils::with_neon()),
        ("SIMD128", utils::with_simd128()),
        ("MKL", utils::has_mkl()),
        ("ACCELERATE", utils::has_accelerate()),
        ("CUDA", utils::cuda_is_available()),
        ("METAL", utils::metal_is_available()),
    ]
    .iter()
    .map(|(name, on)| format!("{name} = {}", flag(*on)))
    .collect::<Vec<_>>()
    .join(" | ")
}

/// MLX's default device (`Device(gpu, 0)` on Apple GPUs, `Device(cpu, 0)` elsewhere); its CPU
/// kernels come prebuilt with the MLX library, which reports nothing finer.
/// Built only through scripts/build-mlx.sh off Apple targets.
#[cfg(feature = "mlx")]
fn mlx() -> String {
    let device = mlx_rs::Device::try_default().map_or_else(|e| format!("unknown ({e})"), |d| d.to_string());
    format!("DEVICE = {device}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_backend_has_none() {
        assert_eq!(compute_features("openai"), None);
        assert_eq!(compute_features("no-such-backend"), None);
    }

    #[cfg(all(feature = "llamacpp", target_arch = "x86_64"))]
    #[test]
    fn llamacpp_lists_its_cpu_features() {
        let features = compute_features("llamacpp").expect("llama.cpp reports its features");
        assert!(features.contains("CPU"), "{features}");
        assert!(features.contains("SSE3 = 1") || features.contains("AVX"), "{features}");
        // A second call gives the same text (llama.cpp rebuilds it in place).
        assert_eq!(compute_features("llamacpp").as_deref(), Some(features.as_str()));
    }

    #[cfg(feature = "candle")]
    #[test]
    fn candle_lists_every_flag() {
        let features = compute_features("candle").expect("candle reports its features");
        for name in ["AVX", "F16C", "NEON", "SIMD128", "MKL", "ACCELERATE", "CUDA", "METAL"] {
            assert!(features.contains(&format!("{name} = ")), "{features}");
        }
    }
}
