//! `--backend auto`: the best backend compiled into this build for this machine. MLX on Apple
//! silicon; else llama.cpp, whose build (CUDA, Metal or CPU) decides where it runs; else any
//! other local backend; else a configured OpenAI-compatible server.

/// What `auto` picked, and why, to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoChoice {
    pub backend: &'static str,
    pub reason: String,
}

/// Choose among `compiled` (the names [`crate::available`] returns) on this machine.
/// `llamacpp_devices` describes the GPUs llama.cpp sees (empty for a CPU build);
/// `openai_configured` says whether a server URL was given.
pub fn choose(
    compiled: &[&'static str],
    apple_silicon: bool,
    llamacpp_devices: &[String],
    openai_configured: bool,
) -> Option<AutoChoice> {
    let has = |name: &str| compiled.contains(&name);
    if apple_silicon && has("mlx") {
        return Some(AutoChoice { backend: "mlx", reason: "Apple silicon, MLX backend compiled in".into() });
    }
    if has("llamacpp") {
        let reason = if llamacpp_devices.is_empty() {
            if apple_silicon {
                "llama.cpp CPU build (MLX is not compiled in; build with --features metal or mlx for the GPU)"
                    .into()
            } else {
                "llama.cpp CPU build: no GPU build or no GPU present".into()
            }
        } else {
            format!("llama.cpp GPU build on {}", llamacpp_devices.join(", "))
        };
        return Some(AutoChoice { backend: "llamacpp", reason });
    }
    if let Some(local) = compiled.iter().find(|&&n| n != "openai") {
        return Some(AutoChoice { backend: local, reason: "the only local backend compiled in".into() });
    }
    if openai_configured && has("openai") {
        return Some(AutoChoice {
            backend: "openai",
            reason: "no local backend compiled in; a server is configured".into(),
        });
    }
    None
}

/// [`choose`] for this build and machine.
pub fn pick(openai_configured: bool) -> Option<AutoChoice> {
    let apple_silicon = cfg!(all(target_os = "macos", target_arch = "aarch64"));
    #[cfg(feature = "llamacpp")]
    let devices = crate::llamacpp::gpu_devices();
    #[cfg(not(feature = "llamacpp"))]
    let devices: Vec<String> = Vec::new();
    choose(&crate::available(), apple_silicon, &devices, openai_configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_mlx_on_apple_silicon_then_llamacpp_then_others() {
        let all = ["llamacpp", "mlx", "candle", "openai"];
        assert_eq!(choose(&all, true, &[], false).unwrap().backend, "mlx");
        let linux = choose(&all, false, &[], false).unwrap();
        assert_eq!(linux.backend, "llamacpp");
        assert!(linux.reason.contains("CPU"), "{}", linux.reason);
        let gpu = choose(&["llamacpp", "openai"], false, &["CUDA0 (NVIDIA H100)".into()], false).unwrap();
        assert_eq!(gpu.backend, "llamacpp");
        assert!(gpu.reason.contains("GPU build on CUDA0 (NVIDIA H100)"), "{}", gpu.reason);
        let mac_without_mlx = choose(&["llamacpp"], true, &["Metal (Apple M2)".into()], false).unwrap();
        assert!(mac_without_mlx.reason.contains("Metal"), "{}", mac_without_mlx.reason);
        assert_eq!(choose(&["candle", "openai"], false, &[], true).unwrap().backend, "candle");
        assert_eq!(choose(&["openai"], false, &[], true).unwrap().backend, "openai");
        assert_eq!(choose(&["openai"], false, &[], false), None);
    }
}
