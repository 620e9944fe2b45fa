//! `evalrun bench backends`: generation and prompt speed of several backends on one model file,
//! side by side in one process: same prompts (HumanEval tasks in the model's prompt template),
//! same token limit, greedy, rounds interleaved so that a busy machine slows every backend alike.

use crate::cli::BenchBackendsArgs;
use anyhow::{bail, Context, Result};
use evalrun_backends::models::ModelStore;
use evalrun_backends::{memory, LoadOptions};
use evalrun_core::{Backend, GenerationStats, SamplingParams};
use evalrun_harness::prompt::PromptTemplate;
use serde::Serialize;
use std::ops::ControlFlow;
use std::time::Instant;

/// One backend's measurements.
#[derive(Serialize)]
struct BackendBench {
    backend: String,
    version: String,
    load_s: f64,
    /// Resident memory the load added to the process (the model as this backend holds it).
    load_rss_bytes: u64,
    runs: Vec<GenerationStats>,
    /// The text of each prompt's first run, to compare greedy outputs across backends.
    #[serde(skip)]
    first_texts: Vec<String>,
}

#[derive(Serialize)]
struct Summary {
    median: f64,
    min: f64,
    max: f64,
}

impl Summary {
    fn of(mut values: Vec<f64>) -> Summary {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => 0.0,
            n if n % 2 == 1 => values[n / 2],
            n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Summary {
            median,
            min: values.first().copied().unwrap_or(0.0),
            max: values.last().copied().unwrap_or(0.0),
        }
    }

    fn cell(&self) -> String {
        format!("{:.1} ({:.1}–{:.1})", self.median, self.min, self.max)
    }
}

/// `/proc/loadavg`'s one-minute load, to tell a quiet machine from a busy one.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

pub fn main(args: BenchBackendsArgs) -> Result<()> {
    if args.prompts == 0 || args.repeats == 0 || args.max_tokens == 0 {
        bail!("--prompts, --repeats and --max-tokens must be at least 1");
    }
    let names: Vec<String> =
        args.backends.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if names.is_empty() {
        bail!("--backends names no backend (compiled in: {})", evalrun_backends::available().join(", "));
    }
    let store = ModelStore::from_env()?;
    let entry = store.catalog()?.get(&args.model)?.clone();
    let path = store.verify(&entry)?;
    let tasks = evalrun_tasks::Corpus::builtin()?.suite("humaneval")?.tasks.clone();
    let tasks = &tasks[..args.prompts.min(tasks.len())];
    let opts = LoadOptions {
        threads: args.threads,
        n_ctx: args.ctx,
        openai: None,
        slots: 1,
        ..LoadOptions::default()
    };
    let sampling =
        SamplingParams { temperature: 0.0, max_tokens: args.max_tokens, ..SamplingParams::default() };
    let load_before = load_average();

    let mut loaded: Vec<(Box<dyn Backend>, BackendBench)> = Vec::new();
    for name in &names {
        let rss_before = memory::current_rss_bytes();
        let start = Instant::now();
        let backend = evalrun_backends::load(name, &path, &opts)
            .with_context(|| format!("loading {} with {name}", path.display()))?;
        let bench = BackendBench {
            backend: name.clone(),
            version: backend.version(),
            load_s: start.elapsed().as_secs_f64(),
            load_rss_bytes: memory::current_rss_bytes().saturating_sub(rss_before),
            runs: Vec::new(),
            first_texts: Vec::new(),
        };
        loaded.push((backend, bench));
    }
    // The same requests for every backend; no stop sequences, so each run generates until the
    // model ends its answer or the token limit.
    let template = PromptTemplate::for_model(loaded[0].0.chat_template().is_some());
    let requests: Vec<_> = tasks
        .iter()
        .map(|task| {
            let mut request = template.request(task, sampling.clone());
            request.stop.clear();
            request
        })
        .collect();
    // One unrecorded generation per backend: first-call allocations and page faults.
    for (backend, _) in &mut loaded {
        backend.generate(&requests[0], &mut |_| ControlFlow::Continue(()))?;
    }
    let total = args.repeats * requests.len() * loaded.len();
    let mut done = 0;
    for round in 0..args.repeats {
        for request in &requests {
            for (backend, bench) in &mut loaded {
                let generation = backend.generate(request, &mut |_| ControlFlow::Continue(()))?;
                if round == 0 {
                    bench.first_texts.push(generation.text);
                }
                bench.runs.push(generation.stats);
                done += 1;
                eprint!("\rbench: {done}/{total} generations");
            }
        }
    }
    eprintln!();
    let benches: Vec<BackendBench> = loaded.into_iter().map(|(_, bench)| bench).collect();
    print_report(&args, &path.display().to_string(), &benches, &load_before);
    if let Some(json) = &args.json {
        let value = serde_json::json!({
            "model": args.model,
            "file": path.display().to_string(),
            "prompts": requests.len(),
            "repeats": args.repeats,
            "max_tokens": args.max_tokens,
            "load_average_before": load_before,
            "load_average_after": load_average(),
            "backends": benches,
        });
        std::fs::write(json, serde_json::to_string_pretty(&value)? + "\n")
            .with_context(|| format!("writing {}", json.display()))?;
    }
    Ok(())
}

fn print_report(args: &BenchBackendsArgs, file: &str, benches: &[BackendBench], load_before: &str) {
    let stat = |b: &BackendBench, f: fn(&GenerationStats) -> f64| Summary::of(b.runs.iter().map(f).collect());
    let reference = &benches[0];
    let gen_ref = stat(reference, |s| s.gen_tokens_per_s).median;
    let prompt_ref = stat(reference, |s| s.prompt_tokens_per_s).median;
    println!(
        "{} on {file}: {} prompts x {} rounds, greedy, at most {} tokens; load average {load_before} before, {} after\n",
        args.model,
        benches[0].first_texts.len(),
        args.repeats,
        args.max_tokens,
        load_average()
    );
    println!("| backend | generation tok/s, median (min–max) | prompt tok/s | TTFT s | tokens/run | load s | model RSS MiB | gen ratio | prompt ratio |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for b in benches {
        let gen = stat(b, |s| s.gen_tokens_per_s);
        let prompt = stat(b, |s| s.prompt_tokens_per_s);
        let ttft = stat(b, |s| s.ttft_s);
        let tokens = stat(b, |s| f64::from(s.generated_tokens));
        println!(
            "| {} `{}` | {} | {} | {:.3} | {:.0} | {:.2} | {} | {:.2} | {:.2} |",
            b.backend,
            b.version,
            gen.cell(),
            prompt.cell(),
            ttft.median,
            tokens.median,
            b.load_s,
            b.load_rss_bytes >> 20,
            if gen_ref > 0.0 { gen.median / gen_ref } else { 0.0 },
            if prompt_ref > 0.0 { prompt.median / prompt_ref } else { 0.0 },
        );
    }
    for b in &benches[1..] {
        let same = b.first_texts.iter().zip(&reference.first_texts).filter(|(a, r)| a == r).count();
        println!(
            "\n{} and {} wrote the same greedy text for {same} of {} prompts.",
            b.backend,
            reference.backend,
            reference.first_texts.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_takes_the_middle_and_the_extremes() {
        let s = Summary::of(vec![3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(Summary::of(vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
        assert_eq!(Summary::of(vec![]).median, 0.0);
    }
}
