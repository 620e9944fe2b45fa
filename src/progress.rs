//! Progress bars for long runs (indicatif), fed by the pipeline's events.

use evalrun_harness::pipeline::{Event, EventSink};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::{Arc, Mutex};

struct Bars {
    multi: MultiProgress,
    generate: Option<ProgressBar>,
    execute: Option<ProgressBar>,
    passed: u64,
    executed: u64,
    /// Tokens generated since the current model was loaded, for the aggregate rate.
    generated_tokens: u64,
    generating_since: Option<std::time::Instant>,
}

impl Bars {
    /// A line above the bars; on stderr as it is when the bars are hidden (not a terminal), so
    /// logs of unattended runs keep what happened.
    fn say(&self, line: String) {
        if self.multi.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// An event sink that draws two bars (generation, execution) on stderr; hidden when stderr is
/// not a terminal, where it prints a line per model instead.
pub fn sink() -> EventSink {
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let bars = Arc::new(Mutex::new(Bars {
        multi,
        generate: None,
        execute: None,
        passed: 0,
        executed: 0,
        generated_tokens: 0,
        generating_since: None,
    }));
    Arc::new(move |event: Event| {
        let Ok(mut b) = bars.lock() else { return };
        match event {
            Event::Planned { to_generate, to_execute, already_done } => {
                if already_done > 0 {
                    b.say(format!("resuming: {already_done} samples already judged"));
                }
                if to_generate > 0 {
                    let bar = b.multi.add(ProgressBar::new(to_generate as u64));
                    bar.set_style(style(
                        "generate {bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed_precise}<{eta_precise}]",
                    ));
                    b.generate = Some(bar);
                }
                let bar = b.multi.add(ProgressBar::new(to_execute as u64));
                bar.set_style(style("execute  {bar:30.green/blue} {pos}/{len} {msg}"));
                b.execute = Some(bar);
            }
            Event::ModelLoading { model } => {
                b.say(format!("loading {model} ..."));
            }
            Event::ModelLoaded { model, seconds } => {
                b.say(format!("loaded {model} in {seconds:.1} s"));
                b.generated_tokens = 0;
                b.generating_since = Some(std::time::Instant::now());
            }
            Event::ModelFailed { model, error } => {
                b.say(format!("model {model} failed: {error}"));
            }
            Event::Generated { sample } => {
                b.generated_tokens += sample.generation.as_ref().map_or(0, |g| u64::from(g.generated_tokens));
                let elapsed = b.generating_since.map_or(0.0, |t| t.elapsed().as_secs_f64());
                if let Some(bar) = &b.generate {
                    bar.inc(1);
                    if elapsed > 0.0 {
                        // With several slots a sample's own rate is a fraction of the total.
                        bar.set_message(format!(
                            "{} {:.1} tok/s",
                            sample.model,
                            b.generated_tokens as f64 / elapsed
                        ));
                    }
                }
            }
            Event::ModelGenerated { model, samples, tokens, seconds, slots } => {
                let rate = if seconds > 0.0 { tokens as f64 / seconds } else { 0.0 };
                b.say(format!(
                    "generated {samples} samples with {model}: {tokens} tokens in {seconds:.1} s, {rate:.1} tok/s over {slots} slot{}",
                    if slots == 1 { "" } else { "s" }
                ));
            }
            Event::Round { model, round, rounds, active } => {
                b.say(format!(
                    "round {round} of {rounds} with {model}: {active} test-writing sample{} asked",
                    if active == 1 { "" } else { "s" }
                ));
                if let Some(bar) = &b.generate {
                    bar.set_message(format!("{model} round {round}/{rounds}"));
                }
            }
            Event::RoundScored { model, round, scored, continuing, line_coverage, mutation_score } => {
                let mutation = mutation_score
                    .map_or_else(String::new, |m| format!(", mutation score {:.1}%", m * 100.0));
                b.say(format!(
                    "round {round} with {model}: {scored} suite{} scored, line coverage {:.1}%{mutation} (means of \
                     the kept tests); {continuing} go{} on",
                    if scored == 1 { "" } else { "s" },
                    line_coverage * 100.0,
                    if continuing == 1 { "es" } else { "" }
                ));
            }
            Event::Executed { record } => {
                b.executed += 1;
                b.passed += u64::from(record.passed);
                let msg =
                    format!("{} passed ({:.1}%)", b.passed, 100.0 * b.passed as f64 / b.executed as f64);
                if let Some(bar) = &b.execute {
                    bar.inc(1);
                    bar.set_message(msg);
                }
            }
        }
    })
}
