//! Which backends a run uses (`--backends`, `auto`) and how the `openai` backend reaches its
//! server (`--openai-*` flags and their environment variables).

use crate::cli::OpenAiArgs;
use anyhow::{bail, Result};
use evalrun_backends::openai::{Endpoint, OpenAiConfig, RetryPolicy};
use std::collections::HashMap;
use std::time::Duration;

/// Backends that run the model in another process and need no local model file.
pub fn is_server(backend: &str) -> bool {
    backend == "openai"
}

/// The backends named by `--backends`, `auto` replaced by its pick (which is announced on
/// stderr), each known to this build, without repeats.
pub fn parse(list: &str, openai: &OpenAiArgs) -> Result<Vec<String>> {
    let compiled = evalrun_backends::available();
    let mut out: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let name = if name == "auto" {
            let Some(choice) = evalrun_backends::auto::pick(openai.openai_base_url.is_some()) else {
                bail!(
                    "--backends auto found no usable backend in this build (compiled in: {})",
                    compiled.join(", ")
                );
            };
            eprintln!("backend auto: picked {} ({})", choice.backend, choice.reason);
            choice.backend.to_string()
        } else if compiled.contains(&name) {
            name.to_string()
        } else {
            bail!(
                "backend `{name}` in --backends is not in this build (compiled in: {}, or auto; \
                 see docs/BACKENDS.md for the cargo feature of each backend)",
                compiled.join(", ")
            );
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.is_empty() {
        bail!("--backends names no backend");
    }
    if out.iter().any(|b| is_server(b)) && openai.openai_base_url.is_none() {
        bail!(
            "the openai backend needs a server: pass --openai-base-url URL or set {}",
            evalrun_backends::openai::BASE_URL_ENV
        );
    }
    Ok(out)
}

/// The server's names for evalrun's model ids, from `--openai-model`.
pub struct ServerNames {
    by_id: HashMap<String, String>,
    all: Option<String>,
}

impl ServerNames {
    pub fn parse(args: &OpenAiArgs, model_ids: &[String]) -> Result<Self> {
        let (mut by_id, mut all) = (HashMap::new(), None);
        for item in &args.openai_model {
            match item.split_once('=') {
                Some((id, name)) if !id.is_empty() && !name.is_empty() => {
                    if !model_ids.iter().any(|m| m == id) {
                        bail!(
                            "--openai-model {item}: `{id}` is not one of the run's models ({})",
                            model_ids.join(", ")
                        );
                    }
                    by_id.insert(id.to_string(), name.to_string());
                }
                None if !item.is_empty() && model_ids.len() == 1 => all = Some(item.clone()),
                None => bail!("--openai-model {item}: with several models, map each as ID=NAME"),
                Some(_) => bail!("--openai-model {item}: expected ID=NAME"),
            }
        }
        Ok(ServerNames { by_id, all })
    }

    /// The server's name for `id`: mapped, or the id itself.
    pub fn get(&self, id: &str) -> String {
        self.by_id.get(id).or(self.all.as_ref()).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// The `openai` backend's settings for one model.
pub fn openai_config(args: &OpenAiArgs, server_model: String) -> Result<OpenAiConfig> {
    let Some(base_url) = &args.openai_base_url else {
        bail!("no server: pass --openai-base-url or set {}", evalrun_backends::openai::BASE_URL_ENV);
    };
    let Some(endpoint) = Endpoint::parse(&args.openai_endpoint) else {
        bail!("--openai-endpoint must be `chat` or `completions`, got `{}`", args.openai_endpoint);
    };
    if args.openai_concurrency == 0 {
        bail!("--openai-concurrency must be at least 1");
    }
    if !(args.openai_timeout.is_finite() && args.openai_timeout > 0.0) {
        bail!("--openai-timeout must be a positive number of seconds, got {}", args.openai_timeout);
    }
    let mut config = OpenAiConfig::new(base_url, &server_model);
    config.api_key = args.openai_api_key.clone();
    config.endpoint = endpoint;
    config.concurrency = args.openai_concurrency;
    config.retry = RetryPolicy { max_retries: args.openai_retries, ..RetryPolicy::default() };
    config.read_timeout = Duration::from_secs_f64(args.openai_timeout);
    Ok(config)
}
