//! Progress of `gen-tests` on stderr, as `run` and `score` show theirs (src/progress.rs): the
//! steps the rounds report (`gen-tests: ...` lines), and, without a terminal, a plain line at a
//! steady interval; bars on a terminal; nothing with `--progress none`.
//!
//! A plain line reads
//! `progress 1m30s: round 1/3, answered 5/12, scored 0/12, kept 0 tests, 35.2 tok/s, left ~2m10s + scoring in round 1`:
//! items asked for tests so far (over all rounds), answered by the model and scored in the
//! sandbox, the tests the items keep, the aggregate generation rate, and the time the current
//! round still needs (how many items a later round asks again depends on this one's outcome,
//! so no figure covers them). The time is `~T in round R` once a round has been scored, which
//! gives the scoring pace; `~T + scoring in round R` before (only the answers' part is known);
//! `left ?` until an answer has come. The last line, once the file is written, starts with `done`.
//!
//! The counts come from the backend itself, wrapped ([`CountingBackend`]: requests asked,
//! answers, tokens, when each round's generation ends) and from the rounds' step per scored item
//! (`round R kind `name`: W tests written, K kept; ...`, harness/src/testwriting/gentests_rounds.rs).

use crate::cli::ProgressMode;
use crate::progress::{duration, resolve, Ticker};
use anyhow::Result;
use evalrun_core::{Backend, BackendError, Generation, GenerationRequest, GenerationSink};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The counts of a gen-tests run so far.
struct Counts {
    started: Instant,
    /// Most rounds per item (`--rounds`).
    rounds: usize,
    /// The round asking now (0 before the first).
    round: usize,
    asked: u64,
    answered: u64,
    scored: u64,
    round_asked: u64,
    round_answered: u64,
    round_scored: u64,
    /// Each item's kept tests after its latest round.
    kept: BTreeMap<String, u64>,
    tokens: u64,
    /// Seconds the finished rounds generated, and when the current round began to.
    generation_s: f64,
    generating_since: Option<Instant>,
    /// When the current round's answers were all in (its scoring began).
    scoring_since: Option<Instant>,
    /// Seconds finished rounds spent scoring, and the items they scored: the scoring pace.
    scoring_s: f64,
    scored_timed: u64,
    /// The tests in the written file, once known.
    in_file: Option<usize>,
}

impl Counts {
    fn new(rounds: usize) -> Counts {
        Counts {
            started: Instant::now(),
            rounds,
            round: 0,
            asked: 0,
            answered: 0,
            scored: 0,
            round_asked: 0,
            round_answered: 0,
            round_scored: 0,
            kept: BTreeMap::new(),
            tokens: 0,
            generation_s: 0.0,
            generating_since: None,
            scoring_since: None,
            scoring_s: 0.0,
            scored_timed: 0,
            in_file: None,
        }
    }

    fn round_started(&mut self, asked: u64) {
        self.close_scoring();
        self.round += 1;
        self.asked += asked;
        self.round_asked = asked;
        self.round_answered = 0;
        self.round_scored = 0;
        self.generating_since = Some(Instant::now());
    }

    /// A request was pulled beyond the count announced when the round began.
    fn asked_one_more(&mut self) {
        self.asked += 1;
        self.round_asked += 1;
    }

    fn answered(&mut self, tokens: u64) {
        self.answered += 1;
        self.round_answered += 1;
        self.tokens += tokens;
    }

    fn generation_ended(&mut self) {
        if let Some(since) = self.generating_since.take() {
            self.generation_s += since.elapsed().as_secs_f64();
        }
        self.scoring_since = Some(Instant::now());
    }

    fn scored(&mut self, item: String, kept: u64) {
        self.scored += 1;
        self.round_scored += 1;
        self.kept.insert(item, kept);
        if self.round_scored >= self.round_asked {
            self.close_scoring();
        }
    }

    /// The current round's scoring is over: its time joins the pace.
    fn close_scoring(&mut self) {
        if let Some(since) = self.scoring_since.take() {
            self.scoring_s += since.elapsed().as_secs_f64();
            self.scored_timed += self.round_scored;
        }
    }

    fn tokens_per_s(&self) -> Option<f64> {
        let s = self.generation_s + self.generating_since.map_or(0.0, |t| t.elapsed().as_secs_f64());
        (self.tokens > 0 && s > 0.0).then(|| self.tokens as f64 / s)
    }

    /// Seconds the current round still needs to answer, and to score (None: no pace yet).
    fn round_left(&self) -> (Option<f64>, Option<f64>) {
        let answers_left = self.round_asked.saturating_sub(self.round_answered);
        // The answers of earlier rounds, and the seconds they took: the pace before this
        // round's first answer.
        let answered_before = self.answered - self.round_answered;
        let answering = match (answers_left, self.generating_since) {
            (0, _) | (_, None) => Some(0.0),
            (left, Some(since)) if self.round_answered > 0 => {
                Some(left as f64 * since.elapsed().as_secs_f64() / self.round_answered as f64)
            }
            (left, Some(since)) if answered_before > 0 => Some(
                (left as f64 * self.generation_s / answered_before as f64 - since.elapsed().as_secs_f64())
                    .max(0.0),
            ),
            _ => None,
        };
        let to_score = self.round_asked.saturating_sub(self.round_scored);
        let scoring = match to_score {
            0 => Some(0.0),
            _ if self.scored_timed > 0 => {
                let all = to_score as f64 * self.scoring_s / self.scored_timed as f64;
                // Scoring under way already spent some of it.
                let spent = self.scoring_since.map_or(0.0, |t| t.elapsed().as_secs_f64());
                Some((all - spent).max(0.0))
            }
            _ => None,
        };
        (answering, scoring)
    }

    fn kept_tests(&self) -> u64 {
        self.kept.values().sum()
    }

    fn line(&self, done: bool) -> String {
        let mut fields = vec![
            format!("round {}/{}", self.round, self.rounds),
            format!("answered {}/{}", self.answered, self.asked),
            format!("scored {}/{}", self.scored, self.asked),
            match self.kept_tests() {
                1 => "kept 1 test".to_string(),
                n => format!("kept {n} tests"),
            },
        ];
        if let (true, Some(n)) = (done, self.in_file) {
            fields.push(format!("{n} in the file"));
        }
        fields.push(self.tokens_per_s().map_or_else(|| "- tok/s".into(), |r| format!("{r:.1} tok/s")));
        if !done {
            let round = self.round;
            fields.push(match self.round_left() {
                (Some(a), Some(s)) => format!("left ~{} in round {round}", duration(a + s)),
                (Some(a), None) if self.answered > 0 => {
                    format!("left ~{} + scoring in round {round}", duration(a))
                }
                _ => "left ?".into(),
            });
        }
        let elapsed = duration(self.started.elapsed().as_secs_f64());
        format!("{} {elapsed}: {}", if done { "done" } else { "progress" }, fields.join(", "))
    }
}

/// `round 2 function `clamp`: 3 tests written, 2 kept; ...` → (`function `clamp``, 2): the
/// step the rounds report for each item they scored.
fn scored_step(step: &str) -> Option<(String, u64)> {
    let rest = step.strip_prefix("round ")?;
    let (round, rest) = rest.split_once(' ')?;
    round.parse::<usize>().ok()?;
    let (item, rest) = rest.split_once("`: ")?;
    let (_, rest) = rest.split_once(" tests written, ")?;
    let (kept, _) = rest.split_once(" kept;")?;
    Some((format!("{item}`"), kept.parse().ok()?))
}

struct Shared {
    counts: Counts,
    bar: Option<ProgressBar>,
}

impl Shared {
    fn update_bar(&self) {
        if let Some(bar) = &self.bar {
            let c = &self.counts;
            bar.set_length(c.asked);
            bar.set_position(c.answered);
            let rate = c.tokens_per_s().map_or_else(String::new, |r| format!(", {r:.1} tok/s"));
            bar.set_message(format!(
                "round {}/{}, scored {}, kept {} tests{rate}",
                c.round,
                c.rounds,
                c.scored,
                c.kept_tests()
            ));
        }
    }
}

/// The progress of one `gen-tests` run; [`GenTestsProgress::finish`] at its end.
pub struct GenTestsProgress {
    mode: ProgressMode,
    shared: Arc<Mutex<Shared>>,
    ticker: Option<Ticker>,
}

impl GenTestsProgress {
    /// `mode` (default: bars on a terminal, plain lines elsewhere), plain lines every
    /// `interval` seconds; `rounds` is `--rounds`.
    pub fn start(mode: Option<ProgressMode>, interval: f64, rounds: usize) -> Result<GenTestsProgress> {
        let mode = resolve(mode, interval)?;
        let bar = (mode == ProgressMode::Bars).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "answered {bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed_precise}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        let shared = Arc::new(Mutex::new(Shared { counts: Counts::new(rounds), bar }));
        let ticker = (mode == ProgressMode::Plain).then(|| {
            let shared = Arc::clone(&shared);
            Ticker::start(interval, move || {
                let s = shared.lock().ok()?;
                (s.counts.round > 0).then(|| s.counts.line(false))
            })
        });
        Ok(GenTestsProgress { mode, shared, ticker })
    }

    /// A line of what happens (above the bars, or in the log); nothing with `--progress none`.
    pub fn say(&self, line: &str) {
        let Ok(s) = self.shared.lock() else { return };
        match (&s.bar, self.mode) {
            (_, ProgressMode::None) => {}
            (Some(bar), _) if !bar.is_hidden() => bar.println(line),
            _ => eprintln!("{line}"),
        }
    }

    /// A step the rounds report: said, and counted when it is an item's score.
    pub fn step(&self, step: &str) {
        if let Some((item, kept)) = scored_step(step) {
            if let Ok(mut s) = self.shared.lock() {
                s.counts.scored(item, kept);
                s.update_bar();
            }
        }
        self.say(&format!("gen-tests: {step}"));
    }

    /// `backend`, counted as it generates.
    pub fn counting<'b>(&self, backend: &'b mut dyn Backend) -> CountingBackend<'b> {
        CountingBackend { inner: backend, shared: Arc::clone(&self.shared) }
    }

    /// Stops the plain lines with a last one (`done ...`, with the tests in the file when one
    /// was written), or clears the bar.
    pub fn finish(self, in_file: Option<usize>) {
        if let Some(ticker) = self.ticker {
            ticker.stop();
        }
        let Ok(mut s) = self.shared.lock() else { return };
        s.counts.in_file = in_file;
        if let Some(bar) = &s.bar {
            bar.finish_and_clear();
        }
        if self.mode != ProgressMode::None && s.counts.round > 0 {
            eprintln!("{}", s.counts.line(true));
        }
    }
}

/// A backend whose requests, answers and tokens are counted for the progress lines.
pub struct CountingBackend<'b> {
    inner: &'b mut dyn Backend,
    shared: Arc<Mutex<Shared>>,
}

impl CountingBackend<'_> {
    fn with(&self, f: impl FnOnce(&mut Counts)) {
        if let Ok(mut s) = self.shared.lock() {
            f(&mut s.counts);
            s.update_bar();
        }
    }
}

/// The sink of a counted stream: every answer counted, then passed on.
struct CountingSink<'a> {
    inner: &'a mut dyn GenerationSink,
    shared: &'a Mutex<Shared>,
}

impl GenerationSink for CountingSink<'_> {
    fn text(&mut self, index: usize, piece: &str) -> ControlFlow<()> {
        self.inner.text(index, piece)
    }

    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
        if let Ok(mut s) = self.shared.lock() {
            s.counts.answered(result.as_ref().map_or(0, |g| u64::from(g.stats.generated_tokens)));
            s.update_bar();
        }
        self.inner.finished(index, result);
    }
}

impl Backend for CountingBackend<'_> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn version(&self) -> String {
        self.inner.version()
    }

    fn chat_template(&self) -> Option<String> {
        self.inner.chat_template()
    }

    fn render_prompt(&self, request: &GenerationRequest) -> Result<String, BackendError> {
        self.inner.render_prompt(request)
    }

    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, BackendError> {
        // Not how the rounds ask (they stream), but counted alike, within the current round.
        self.with(Counts::asked_one_more);
        let result = self.inner.generate(request, on_text);
        self.with(|c| c.answered(result.as_ref().map_or(0, |g| u64::from(g.stats.generated_tokens))));
        result
    }

    fn is_chat(&self) -> bool {
        self.inner.is_chat()
    }

    fn supports_assistant_prefix(&self) -> bool {
        self.inner.supports_assistant_prefix()
    }

    fn max_concurrency(&self) -> usize {
        self.inner.max_concurrency()
    }

    /// One call is one round: every request of a round goes to the backend in one stream.
    fn generate_stream(
        &mut self,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        sink: &mut dyn GenerationSink,
    ) {
        let announced = requests.size_hint().0 as u64;
        self.with(|c| c.round_started(announced));
        let shared = Arc::clone(&self.shared);
        let mut pulled = 0u64;
        let mut counted = requests.inspect(|_| {
            pulled += 1;
            if pulled > announced {
                if let Ok(mut s) = shared.lock() {
                    s.counts.asked_one_more();
                }
            }
        });
        let mut sink = CountingSink { inner: sink, shared: &self.shared };
        self.inner.generate_stream(&mut counted, &mut sink);
        self.with(Counts::generation_ended);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_items_score_is_read_from_its_step() {
        assert_eq!(
            scored_step("round 2 function `clamp`: 3 tests written, 2 kept; 5/6 lines covered: improved"),
            Some(("function `clamp`".into(), 2))
        );
        assert_eq!(
            scored_step(
                "round 1 class `Shape`: 10 tests written, 7 kept; 4/4 lines covered, 3/5 mutants killed: goes on"
            ),
            Some(("class `Shape`".into(), 7))
        );
        assert_eq!(scored_step("round 1: answer for function `clamp` (120 tokens, 3.0 s)"), None);
        assert_eq!(scored_step("round 1 of 3: asking for tests for 4 items, 4 at a time"), None);
    }

    #[test]
    fn lines_count_items_and_estimate_the_round() {
        let mut c = Counts::new(3);
        c.round_started(4);
        assert!(c
            .line(false)
            .ends_with(": round 1/3, answered 0/4, scored 0/4, kept 0 tests, - tok/s, left ?"));
        c.answered(100);
        c.answered(50);
        let line = c.line(false);
        assert!(line.contains("answered 2/4, scored 0/4, kept 0 tests, "), "{line}");
        assert!(line.contains(" + scoring in round 1"), "{line}");
        c.answered(10);
        c.answered(10);
        c.generation_ended();
        for (i, kept) in [3, 0, 2, 1].into_iter().enumerate() {
            c.scored(format!("function `f{i}`"), kept);
        }
        c.round_started(2);
        // Before its first answer, round 2 is estimated at round 1's pace.
        let line = c.line(false);
        assert!(
            line.contains("answered 4/6, scored 4/6, kept 6 tests, ") && line.contains(" in round 2"),
            "{line}"
        );
        c.answered(30);
        let line = c.line(false);
        // The scoring pace of round 1 is known now.
        assert!(
            line.contains("answered 5/6, scored 4/6, kept 6 tests, ") && line.contains(" in round 2"),
            "{line}"
        );
        assert!(!line.contains("scoring"), "{line}");
        c.answered(30);
        c.generation_ended();
        c.scored("function `f0`".into(), 5);
        let line = c.line(false);
        assert!(line.contains("round 2/3, answered 6/6, scored 5/6, kept 8 tests, "), "{line}");
        assert!(line.contains(" in round 2"), "{line}");
        c.in_file = Some(7);
        let done = c.line(true);
        assert!(done.starts_with("done ") && done.contains("kept 8 tests, 7 in the file, "), "{done}");
        assert!(!done.contains("left"), "{done}");
    }
}
