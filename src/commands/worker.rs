//! `evalrun __worker LANGUAGE`: a sandbox worker process.

pub fn main(language: &str, layers: Option<&str>) -> Result<(), String> {
    match language {
        "python" => evalrun_harness::sandbox::worker::main(layers),
        other => Err(format!("no sandbox worker for `{other}`")),
    }
}
