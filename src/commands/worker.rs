//! `evalrun __worker LANGUAGE`: a sandbox worker process.

pub fn main(language: &str, layers: Option<&str>) -> Result<(), String> {
    match language {
        #[cfg(feature = "python")]
        "python" => evalrun_harness::sandbox::worker::main(layers),
        #[cfg(not(feature = "python"))]
        "python" => {
            let _ = layers;
            Err(evalrun_harness::sandbox::NO_PYTHON.to_string())
        }
        other => Err(format!("no sandbox worker for `{other}`")),
    }
}
