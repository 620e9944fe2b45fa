//! Progress of `run` and `score` (and, through [`resolve`] and [`Ticker`], of `gen-tests`:
//! src/gentests_progress.rs) on stderr, fed by the pipeline's events: bars redrawn in place
//! on a terminal (indicatif), or, where no terminal is attached (the logs of CI, Kubernetes and
//! Slurm jobs), a plain line at a steady interval, or nothing (`--progress`).
//!
//! A plain line reads
//! `progress 2m30s: generated 12/40, judged 10/40, passed 7 (70.0%), 35.2 tok/s, left ~4m10s`
//! (`generated` and `tok/s` only where the run generates; `left ?` until a rate is known), and
//! the last one, when the pipeline ends, starts with `done` and has no `left`.

use crate::cli::ProgressMode;
use anyhow::{bail, Result};
use crossbeam_channel::{RecvTimeoutError, Sender};
use evalrun_harness::pipeline::{Event, EventSink};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Counts of the run so far, which plain lines print.
struct Counts {
    started: Instant,
    /// Whether the run has said how much it has to do; no line is printed before.
    planned: bool,
    to_generate: u64,
    generated: u64,
    to_execute: u64,
    judged: u64,
    passed: u64,
    /// Tokens generated since the current model was loaded, for the aggregate rate.
    generated_tokens: u64,
    generating_since: Option<Instant>,
    /// Seconds spent generating by the models that are done, for the time left.
    generation_s: f64,
    /// The rate of the model generating now, or of the last one.
    tokens_per_s: Option<f64>,
    first_judged: Option<Instant>,
    /// The feedback round under way: its number, of how many, answers landed and asked. Its
    /// samples count as generated only when their last round ends.
    round: Option<(u32, u32, usize, usize)>,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            started: Instant::now(),
            planned: false,
            to_generate: 0,
            generated: 0,
            to_execute: 0,
            judged: 0,
            passed: 0,
            generated_tokens: 0,
            generating_since: None,
            generation_s: 0.0,
            tokens_per_s: None,
            first_judged: None,
            round: None,
        }
    }

    /// Seconds left: generation at its pace so far, and judging at its own; the two overlap
    /// (a server generates while samples are judged), so the longer one.
    fn seconds_left(&self) -> Option<f64> {
        let generating = self.generation_s + self.generating_since.map_or(0.0, |t| t.elapsed().as_secs_f64());
        let gen_left = match self.to_generate.saturating_sub(self.generated) {
            0 => Some(0.0),
            left if self.generated > 0 && generating > 0.0 => {
                Some(left as f64 * generating / self.generated as f64)
            }
            _ => None,
        };
        let judge_left = match self.to_execute.saturating_sub(self.judged) {
            0 => Some(0.0),
            // The first verdict starts the clock: the rate is of those after it.
            left => self.first_judged.and_then(|t| {
                let s = t.elapsed().as_secs_f64();
                (self.judged > 1 && s > 0.0).then(|| left as f64 * s / (self.judged - 1) as f64)
            }),
        };
        match (gen_left, judge_left) {
            (Some(g), Some(j)) => Some(g.max(j)),
            // Judging waits while a model generates on the CPU: generation bounds it then.
            (Some(g), None) if g > 0.0 => Some(g),
            _ => None,
        }
    }

    fn line(&self, done: bool) -> String {
        let mut fields = Vec::new();
        if self.to_generate > 0 {
            fields.push(format!("generated {}/{}", self.generated, self.to_generate));
        }
        if let Some((round, rounds, answered, asked)) = self.round {
            fields.push(format!("round {round}/{rounds} answered {answered}/{asked}"));
        }
        fields.push(format!("judged {}/{}", self.judged, self.to_execute));
        fields.push(match self.judged {
            0 => "passed 0".to_string(),
            n => format!("passed {} ({:.1}%)", self.passed, 100.0 * self.passed as f64 / n as f64),
        });
        if self.to_generate > 0 {
            fields.push(self.tokens_per_s.map_or_else(|| "- tok/s".into(), |r| format!("{r:.1} tok/s")));
        }
        if !done {
            fields.push(
                self.seconds_left().map_or_else(|| "left ?".into(), |s| format!("left ~{}", duration(s))),
            );
        }
        let elapsed = duration(self.started.elapsed().as_secs_f64());
        format!("{} {elapsed}: {}", if done { "done" } else { "progress" }, fields.join(", "))
    }
}

/// `mode`, or bars on a terminal and plain lines elsewhere, once `interval` (the seconds between
/// two plain lines) is checked.
pub fn resolve(mode: Option<ProgressMode>, interval: f64) -> Result<ProgressMode> {
    if !(interval > 0.0 && interval.is_finite()) {
        bail!("--progress-interval must be a positive number of seconds, got {interval}");
    }
    Ok(mode.unwrap_or(if std::io::stderr().is_terminal() { ProgressMode::Bars } else { ProgressMode::Plain }))
}

/// A thread that prints the line `line` gives (when it gives one) on stderr every `interval`
/// seconds, until [`Ticker::stop`].
pub struct Ticker {
    stop: Sender<()>,
    thread: JoinHandle<()>,
}

impl Ticker {
    pub fn start(interval: f64, line: impl Fn() -> Option<String> + Send + 'static) -> Ticker {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(1);
        let every = Duration::from_secs_f64(interval);
        let thread = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                if let Some(line) = line() {
                    eprintln!("{line}");
                }
            }
        });
        Ticker { stop, thread }
    }

    /// Stops it; no line is printed after this returns.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// `75` → `1m15s`; `3725` → `1h02m05s`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

/// The bars of `--progress bars`.
struct Bars {
    multi: MultiProgress,
    generate: Option<ProgressBar>,
    execute: Option<ProgressBar>,
}

struct State {
    counts: Counts,
    bars: Option<Bars>,
}

impl State {
    /// A line above the bars; on stderr as it is without bars (plain, or bars hidden off a
    /// terminal), so logs keep what happened.
    fn say(&self, line: String) {
        match &self.bars {
            Some(bars) if !bars.multi.is_hidden() => {
                let _ = bars.multi.println(line);
            }
            _ => eprintln!("{line}"),
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Progress of one pipeline run; [`Progress::finish`] once it has ended.
pub struct Progress {
    sink: EventSink,
    state: Option<Arc<Mutex<State>>>,
    /// The thread printing plain lines.
    ticker: Option<Ticker>,
}

impl Progress {
    /// `mode`, or bars on a terminal and plain lines elsewhere; plain lines every `interval`
    /// seconds.
    pub fn start(mode: Option<ProgressMode>, interval: f64) -> Result<Progress> {
        let mode = resolve(mode, interval)?;
        if mode == ProgressMode::None {
            return Ok(Progress { sink: Arc::new(|_: Event| {}), state: None, ticker: None });
        }
        let bars = (mode == ProgressMode::Bars).then(|| Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            generate: None,
            execute: None,
        });
        let state = Arc::new(Mutex::new(State { counts: Counts::new(), bars }));
        let ticker = (mode == ProgressMode::Plain).then(|| {
            let state = Arc::clone(&state);
            Ticker::start(interval, move || {
                let s = state.lock().ok()?;
                s.counts.planned.then(|| s.counts.line(false))
            })
        });
        let sink_state = Arc::clone(&state);
        let sink: EventSink = Arc::new(move |event: Event| {
            if let Ok(mut s) = sink_state.lock() {
                on_event(&mut s, event);
            }
        });
        Ok(Progress { sink, state: Some(state), ticker })
    }

    pub fn sink(&self) -> EventSink {
        Arc::clone(&self.sink)
    }

    /// Stops the plain lines with a last one (`done ...`), or leaves the bars as they stand.
    pub fn finish(self) {
        if let Some(ticker) = self.ticker {
            ticker.stop();
            if let Some(Ok(s)) = self.state.as_ref().map(|s| s.lock()) {
                if s.counts.planned {
                    eprintln!("{}", s.counts.line(true));
                }
            }
        }
    }
}

fn on_event(s: &mut State, event: Event) {
    match event {
        Event::Planned { to_generate, to_execute, already_done } => {
            if already_done > 0 {
                s.say(format!("resuming: {already_done} samples already judged"));
            }
            s.counts.planned = true;
            s.counts.to_generate = to_generate as u64;
            s.counts.to_execute = to_execute as u64;
            if let Some(bars) = &mut s.bars {
                if to_generate > 0 {
                    let bar = bars.multi.add(ProgressBar::new(to_generate as u64));
                    bar.set_style(style(
                        "generate {bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed_precise}<{eta_precise}]",
                    ));
                    bars.generate = Some(bar);
                }
                let bar = bars.multi.add(ProgressBar::new(to_execute as u64));
                bar.set_style(style("execute  {bar:30.green/blue} {pos}/{len} {msg}"));
                bars.execute = Some(bar);
            }
        }
        Event::ModelLoading { model } => s.say(format!("loading {model} ...")),
        Event::ModelLoaded { model, seconds } => {
            s.say(format!("loaded {model} in {seconds:.1} s"));
            s.counts.generated_tokens = 0;
            s.counts.generating_since = Some(Instant::now());
        }
        Event::ModelFailed { model, error } => s.say(format!("model {model} failed: {error}")),
        Event::Generated { sample } => {
            let c = &mut s.counts;
            c.generated += 1;
            c.generated_tokens += sample.generation.as_ref().map_or(0, |g| u64::from(g.generated_tokens));
            let elapsed = c.generating_since.map_or(0.0, |t| t.elapsed().as_secs_f64());
            if elapsed > 0.0 {
                // With several slots a sample's own rate is a fraction of the total.
                c.tokens_per_s = Some(c.generated_tokens as f64 / elapsed);
            }
            if let Some(bar) = s.bars.as_ref().and_then(|b| b.generate.as_ref()) {
                bar.inc(1);
                if let Some(rate) = s.counts.tokens_per_s {
                    bar.set_message(format!("{} {rate:.1} tok/s", sample.model));
                }
            }
        }
        Event::ModelGenerated { model, samples, tokens, seconds, slots } => {
            let c = &mut s.counts;
            c.round = None;
            if let Some(since) = c.generating_since.take() {
                c.generation_s += since.elapsed().as_secs_f64();
            }
            let rate = if seconds > 0.0 { tokens as f64 / seconds } else { 0.0 };
            s.say(format!(
                "generated {samples} samples with {model}: {tokens} tokens in {seconds:.1} s, {rate:.1} tok/s over {slots} slot{}",
                if slots == 1 { "" } else { "s" }
            ));
        }
        Event::Round { model, round, rounds, active } => {
            s.counts.round = Some((round, rounds, 0, active));
            s.say(format!(
                "round {round} of {rounds} with {model}: {active} test-writing sample{} asked",
                if active == 1 { "" } else { "s" }
            ));
            if let Some(bar) = s.bars.as_ref().and_then(|b| b.generate.as_ref()) {
                bar.set_message(format!("{model} round {round}/{rounds}"));
            }
        }
        Event::RoundAnswered { model, round, answered, asked, tokens } => {
            let c = &mut s.counts;
            if let Some(r) = &mut c.round {
                (r.2, r.3) = (answered, asked);
            }
            c.generated_tokens += tokens;
            let elapsed = c.generating_since.map_or(0.0, |t| t.elapsed().as_secs_f64());
            if elapsed > 0.0 {
                c.tokens_per_s = Some(c.generated_tokens as f64 / elapsed);
            }
            if let (Some(bar), Some(rate)) =
                (s.bars.as_ref().and_then(|b| b.generate.as_ref()), c.tokens_per_s)
            {
                bar.set_message(format!(
                    "{model} round {round}: {answered}/{asked} answered, {rate:.1} tok/s"
                ));
            }
        }
        Event::RoundScored { model, round, scored, continuing, line_coverage, mutation_score } => {
            let mutation =
                mutation_score.map_or_else(String::new, |m| format!(", mutation score {:.1}%", m * 100.0));
            s.say(format!(
                "round {round} with {model}: {scored} suite{} scored, line coverage {:.1}%{mutation} (means of \
                 the kept tests); {continuing} go{} on",
                if scored == 1 { "" } else { "s" },
                line_coverage * 100.0,
                if continuing == 1 { "es" } else { "" }
            ));
        }
        Event::Executed { record } => {
            let c = &mut s.counts;
            c.first_judged.get_or_insert_with(Instant::now);
            c.judged += 1;
            c.passed += u64::from(record.passed);
            let msg = format!("{} passed ({:.1}%)", c.passed, 100.0 * c.passed as f64 / c.judged as f64);
            if let Some(bar) = s.bars.as_ref().and_then(|b| b.execute.as_ref()) {
                bar.inc(1);
                bar.set_message(msg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_clock_parts() {
        assert_eq!(duration(0.2), "0s");
        assert_eq!(duration(59.6), "1m00s");
        assert_eq!(duration(75.0), "1m15s");
        assert_eq!(duration(3725.0), "1h02m05s");
    }

    #[test]
    fn lines_count_a_rounds_answers() {
        let mut c = Counts::new();
        (c.to_generate, c.to_execute) = (42, 42);
        c.round = Some((2, 3, 5, 30));
        let line = c.line(false);
        assert!(line.contains("generated 0/42, round 2/3 answered 5/30, judged 0/42"), "{line}");
    }

    #[test]
    fn lines_name_what_the_run_does() {
        let mut c = Counts::new();
        c.to_execute = 40;
        c.judged = 10;
        c.passed = 7;
        let line = c.line(false);
        assert!(
            line.starts_with("progress ") && line.contains(": judged 10/40, passed 7 (70.0%), left "),
            "{line}"
        );
        assert!(!line.contains("generated") && !line.contains("tok/s"), "{line}");
        c.to_generate = 40;
        c.generated = 12;
        c.tokens_per_s = Some(35.24);
        let line = c.line(false);
        assert!(
            line.contains("generated 12/40, judged 10/40, passed 7 (70.0%), 35.2 tok/s, left "),
            "{line}"
        );
        let done = c.line(true);
        assert!(done.starts_with("done ") && !done.contains("left"), "{done}");
    }
}
