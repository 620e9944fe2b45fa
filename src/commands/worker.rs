//! `evalrun __worker LANGUAGE`: a sandbox worker process.

pub fn main(language: &str) -> Result<(), String> {
    match language {
        "python" => evalrun_harness::sandbox::worker::main(),
        other => Err(format!("no sandbox worker for `{other}`")),
    }
}
