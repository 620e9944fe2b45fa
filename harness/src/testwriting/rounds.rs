//! Feedback rounds of test-writing samples (`evalrun run --rounds K`, K > 1).
//!
//! Round 1 asks every pending test-writing sample of a model its task's own prompt, in one
//! stream (the backend decodes as many together as it has slots). Each answer is scored in the
//! sandbox, spread over the run's workers, between rounds: generation holds the CPU, so the two
//! never overlap. Each round's figures go to `rounds.jsonl` ([`RoundRecord`]). A sample that
//! goes on is shown what its tests did ([`super::feedback`]); its answer (the complete tests
//! before the cut, when its budget cut it) is merged with the tests kept so far, so the suite
//! grows. It stops after K rounds, or earlier when neither line coverage nor mutation score
//! improved over its previous round, or when both are complete.
//!
//! The last round's suite then takes the path of every sample: `samples.jsonl`, the executor's
//! judgement, `results.jsonl`, so its verdict and metrics are computed exactly as with
//! `--rounds 1`, and equal the last round's figures. A sample's `raw` is its last answer and its
//! `generation` sums its rounds.
//!
//! Resuming: a sample whose suite is in `samples.jsonl` is done. An unfinished one continues from
//! its last journaled round: that round's suite is scored again (which gives back the kept tests
//! and the feedback) and the next round is asked; a round cut off before it was journaled is
//! asked again.

use super::answer::{answer_tests, suite_of_answer};
use super::budget;
use super::failure_class;
use super::feedback::{round_request, Feedback};
use super::kept::TestFailure;
use super::parallel::map_on_workers;
use super::prompt::{completion_from, Target};
use super::score::{score_suite, Subject};
use super::testfile;
use crate::journal::{Journal, JournalError};
use crate::pipeline::{sample_sampling, Event, EventSink, GeneratedSample, PipelineError, Plan};
use crate::prompt::PromptTemplate;
use crate::repetition::GuardedSink;
use crate::sandbox::{PythonWorker, SandboxError};
use evalrun_core::summary::metric;
use evalrun_core::{
    Backend, BackendError, CollectSink, FinishReason, Generation, GenerationRequest, GenerationSink,
    GenerationStats, Mutant, Prompt, RoundRecord, SampleKey, Task, TaskKind,
};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The journal of rounds in a run's directory.
pub const ROUNDS_FILE: &str = "rounds.jsonl";

/// Why a sample's rounds ended, as [`RoundRecord::stopped`] spells it.
pub const STOP_ROUNDS: &str = "rounds";
pub const STOP_NO_IMPROVEMENT: &str = "no improvement";
pub const STOP_COMPLETE: &str = "complete";
pub const STOP_GENERATION_FAILED: &str = "generation failed";

/// Improvements smaller than this are noise (coverage and scores are ratios of small counts).
const EPSILON: f64 = 1e-9;

/// Whether `task` goes through feedback rounds in `plan`: test-writing tasks, with `--rounds`
/// above 1.
pub fn takes_rounds(plan: &Plan, task: &Task) -> bool {
    plan.rounds > 1 && task.kind == TaskKind::TestWriting
}

/// `rounds.jsonl`, with the rounds journaled before (on `--resume`).
pub struct RoundsJournal {
    journal: Journal<RoundRecord>,
    /// Earlier rounds by sample, in round order.
    earlier: HashMap<SampleKey, Vec<RoundRecord>>,
}

impl RoundsJournal {
    /// Open `rounds.jsonl` in `out`; as every journal, one that holds rows is refused without
    /// `resume`.
    pub fn open(out: &Path, resume: bool) -> Result<Self, JournalError> {
        let (journal, rows) = Journal::<RoundRecord>::open(&out.join(ROUNDS_FILE), resume)?;
        let mut earlier: HashMap<SampleKey, Vec<RoundRecord>> = HashMap::new();
        for row in rows {
            earlier.entry(row.key()).or_default().push(row);
        }
        for rows in earlier.values_mut() {
            rows.sort_by_key(|r| r.round);
        }
        Ok(RoundsJournal { journal, earlier })
    }
}

/// The pipeline's side of the loop, for one model.
pub struct RoundsContext<'a> {
    pub plan: &'a Plan,
    pub model: &'a str,
    pub backend: &'a str,
    pub template: &'a PromptTemplate,
    pub events: &'a EventSink,
    /// Holds execution (`true`) while the model generates, releases it (`false`) after.
    pub hold: &'a dyn Fn(bool),
}

/// Collects a round's answers and tells the run of each as it lands, so that progress lines
/// count a round's answers (its samples are generated only when their last round ends).
struct AnswerSink<'a> {
    answers: CollectSink,
    cx: &'a RoundsContext<'a>,
    round: u32,
    asked: usize,
    answered: usize,
}

impl GenerationSink for AnswerSink<'_> {
    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
        self.answered += 1;
        let tokens = result.as_ref().map_or(0, |g| u64::from(g.stats.generated_tokens));
        (self.cx.events)(Event::RoundAnswered {
            model: self.cx.model,
            round: self.round,
            answered: self.answered,
            asked: self.asked,
            tokens,
        });
        self.answers.finished(index, result);
    }
}

/// What a round's suite did, as the next round needs it.
struct Scored {
    suite: String,
    metrics: BTreeMap<String, f64>,
    /// The kept tests' source, which the next answer is merged with.
    kept_source: String,
    passing: Vec<String>,
    failures: Vec<TestFailure>,
    uncovered: Vec<u32>,
    survivors: Vec<String>,
    exec_s: f64,
}

/// One sample on its way through the rounds.
struct Sample<'p> {
    task: &'p Task,
    index: u32,
    /// Rounds scored (journaled) so far.
    round: u32,
    last: Option<Scored>,
    raw: Option<String>,
    finish: Option<FinishReason>,
    /// Each round's generation, for the sample's `generation` (earlier rounds, when resumed,
    /// only by their token count and time).
    stats: Vec<GenerationStats>,
    done: bool,
}

impl Sample<'_> {
    fn module_target(&self) -> Target<'_> {
        Target { module: &self.task.entry_point, code: &self.task.prompt, item: None }
    }
}

/// Run the rounds of `samples` (task index, sample index) with `backend`; each finished sample
/// goes to `deliver` (which journals it to `samples.jsonl` and queues it for judgement). Returns
/// the seconds spent generating.
pub fn run_rounds(
    cx: &RoundsContext,
    backend: &mut dyn Backend,
    samples: &[(usize, u32)],
    journal: &mut RoundsJournal,
    deliver: &mut dyn FnMut(GeneratedSample),
) -> Result<f64, PipelineError> {
    let plan = cx.plan;
    let mut states: Vec<Sample> = samples
        .iter()
        .filter_map(|&(t, s)| plan.tasks.get(t).map(|task| (task, s)))
        .map(|(task, index)| Sample {
            task,
            index,
            round: 0,
            last: None,
            raw: None,
            finish: None,
            stats: Vec::new(),
            done: false,
        })
        .collect();
    // Resumed samples: finished ones are delivered as journaled; unfinished ones are scored
    // again at their last round, to continue from it.
    let mut restore = Vec::new();
    for (i, state) in states.iter_mut().enumerate() {
        let key = (cx.model.to_string(), cx.backend.to_string(), state.task.id.clone(), state.index);
        let Some(rows) = journal.earlier.get(&key) else { continue };
        let Some(last) = rows.last() else { continue };
        state.round = last.round;
        state.raw = last.raw.clone();
        state.stats = rows
            .iter()
            .map(|r| GenerationStats {
                generated_tokens: r.generated_tokens,
                total_s: r.generation_s,
                ..GenerationStats::default()
            })
            .collect();
        if last.stopped.is_some() {
            deliver(final_sample(cx, state, &last.completion));
            state.done = true;
        } else {
            restore.push((i, last.completion.clone(), last.metrics.clone()));
        }
    }
    if states.iter().all(|s| s.done) {
        return Ok(0.0);
    }
    // Warm workers for every round: pytest imported and its session prepared once.
    let workers = plan.workers.clamp(1, states.len());
    let mut pool =
        (0..workers).map(|_| PythonWorker::spawn(plan.worker.clone())).collect::<Result<Vec<_>, _>>()?;
    if !restore.is_empty() {
        let items: Vec<(&Task, &str)> =
            restore.iter().map(|(i, suite, _)| (states[*i].task, suite.as_str())).collect();
        let scored = score_all(cx.plan, &mut pool, &items)?;
        for ((i, _, metrics), mut scored) in restore.into_iter().zip(scored) {
            // The journaled figures decide what counts as an improvement, as they would have.
            scored.metrics = metrics;
            states[i].last = Some(scored);
        }
    }

    let mut generation_s = 0.0;
    loop {
        let active: Vec<usize> = (0..states.len()).filter(|&i| !states[i].done).collect();
        if active.is_empty() {
            break;
        }
        let round = active.iter().map(|&i| states[i].round + 1).max().unwrap_or(1);
        (cx.events)(Event::Round { model: cx.model, round, rounds: plan.rounds, active: active.len() });

        let requests: Vec<GenerationRequest> = active.iter().map(|&i| request(cx, &states[i])).collect();
        let mut sink =
            AnswerSink { answers: CollectSink::default(), cx, round, asked: active.len(), answered: 0 };
        (cx.hold)(true);
        let started = std::time::Instant::now();
        backend.generate_stream(&mut requests.into_iter(), &mut GuardedSink::new(&mut sink, &|_| true));
        generation_s += started.elapsed().as_secs_f64();
        (cx.hold)(false);
        let sink = sink.answers;

        // Each answer joins the tests kept so far; a failed generation ends its sample.
        let mut to_score: Vec<(usize, String)> = Vec::new();
        let (mut rows, mut finished) = (Vec::new(), Vec::new());
        let mut results = sink.into_results();
        // A request the backend never finished counts as failed (the sample ends).
        results.resize_with(active.len(), || {
            Err(BackendError::Generate("the backend never finished this request".into()))
        });
        for (&i, result) in active.iter().zip(results) {
            let state = &mut states[i];
            match result {
                Ok(generation) => {
                    let module = &state.task.entry_point;
                    let answer = completion_from(cx.template, &generation.text, module);
                    let suite = match &state.last {
                        // A feedback answer cut by its budget still brings the complete tests
                        // before the cut. Round 1 is taken as a single-shot run takes it.
                        Some(last) => {
                            let usable = answer_tests(cx.template, &generation.text, module).code;
                            grow(&last.kept_source, if usable.is_empty() { &answer } else { &usable })
                        }
                        None => suite_of_answer(cx.template, &generation.text, module, generation.finish),
                    };
                    state.raw = Some(generation.text);
                    state.finish = Some(generation.finish);
                    state.stats.push(generation.stats);
                    to_score.push((i, suite));
                }
                Err(e) => {
                    state.done = true;
                    let Some(last) = &state.last else {
                        // Nothing was scored: the sample fails as a single-shot one would.
                        finished.push(GeneratedSample {
                            error: Some(e.to_string()),
                            ..final_sample(cx, state, "")
                        });
                        continue;
                    };
                    // The last suite stands; a row says why the rounds ended.
                    let row = RoundRecord {
                        round: state.round + 1,
                        completion: last.suite.clone(),
                        raw: None,
                        metrics: last.metrics.clone(),
                        stopped: Some(format!("{STOP_GENERATION_FAILED}: {e}")),
                        ..row_of(cx, state)
                    };
                    rows.push(row);
                    finished.push(final_sample(cx, state, &last.suite));
                }
            }
        }

        let items: Vec<(&Task, &str)> =
            to_score.iter().map(|(i, suite)| (states[*i].task, suite.as_str())).collect();
        let scored = score_all(plan, &mut pool, &items)?;
        let (mut continuing, mut line_sum, mut mutation) = (0, 0.0, Vec::new());
        let count = scored.len();
        for ((i, _), scored) in to_score.into_iter().zip(scored) {
            let state = &mut states[i];
            state.round += 1;
            let stopped = stop_reason(
                state.round,
                plan.rounds,
                state.last.as_ref().map(|l| &l.metrics),
                &scored.metrics,
            );
            line_sum += scored.metrics.get(metric::LINE_COVERAGE).copied().unwrap_or(0.0);
            mutation.extend(scored.metrics.get(metric::MUTATION_SCORE).copied());
            rows.push(RoundRecord {
                completion: scored.suite.clone(),
                raw: state.raw.clone(),
                metrics: scored.metrics.clone(),
                generated_tokens: state.stats.last().map_or(0, |g| g.generated_tokens),
                generation_s: state.stats.last().map_or(0.0, |g| g.total_s),
                exec_s: scored.exec_s,
                finish: state.finish,
                failures: failure_class::count(&scored.failures),
                stopped: stopped.map(str::to_string),
                ..row_of(cx, state)
            });
            if stopped.is_some() {
                state.done = true;
                finished.push(final_sample(cx, state, &scored.suite));
            } else {
                continuing += 1;
            }
            state.last = Some(scored);
        }
        // Rows go to disk before the samples they end and before the next round is asked: a run
        // killed meanwhile resumes from them.
        journal.journal.append_all(&rows)?;
        for sample in finished {
            deliver(sample);
        }
        if count > 0 {
            (cx.events)(Event::RoundScored {
                model: cx.model,
                round,
                scored: count,
                continuing,
                line_coverage: line_sum / count as f64,
                mutation_score: (!mutation.is_empty())
                    .then(|| mutation.iter().sum::<f64>() / mutation.len() as f64),
            });
        }
    }
    Ok(generation_s)
}

/// The request of a sample's next round: its task's own prompt first, then the feedback prompt,
/// its answer's budget fitted to the context with it.
fn request(cx: &RoundsContext, state: &Sample) -> GenerationRequest {
    let plan = cx.plan;
    // As in single-shot runs: the sample's own seed, the task's own budget.
    let sampling = sample_sampling(plan, state.task, state.index);
    let Some(last) = &state.last else {
        return cx.template.request(state.task, sampling);
    };
    let survivors: Vec<&Mutant> =
        state.task.mutants.iter().filter(|m| last.survivors.contains(&m.id)).collect();
    let feedback = Feedback {
        module_source: &state.task.reference,
        passing: &last.passing,
        failures: &last.failures,
        uncovered: &last.uncovered,
        survivors: &survivors,
    };
    let mut request = round_request(cx.template, &state.module_target(), &feedback, sampling);
    let prompt_tokens =
        budget::estimate_tokens(&prompt_text(&request.prompt)).saturating_add(budget::PROMPT_OVERHEAD);
    if let Some(tokens) = plan.budgets.for_round(&state.task.id, prompt_tokens) {
        request.sampling.max_tokens = tokens;
    }
    request
}

fn prompt_text(prompt: &Prompt) -> String {
    match prompt {
        Prompt::Chat { messages, assistant_prefix } => {
            messages.iter().map(|m| m.content.as_str()).chain([assistant_prefix.as_str()]).collect()
        }
        Prompt::Completion(text) => text.clone(),
    }
}

/// The tests kept so far and a new answer, as one file: repeated tests renamed, repeated
/// helpers kept once ([`testfile::merge`]). An answer that does not parse is left out (the
/// kept tests stand alone).
fn grow(kept: &str, answer: &str) -> String {
    if kept.trim().is_empty() {
        return answer.to_string();
    }
    match testfile::merge(&[kept.to_string(), answer.to_string()]) {
        Ok(merged) => merged.source,
        Err(e) => {
            tracing::warn!("cannot merge a round's answer with the kept tests: {e}");
            kept.to_string()
        }
    }
}

/// Score each (task, suite) as the executor's judge does ([`super::judge`]), on the pool.
fn score_all(
    plan: &Plan,
    pool: &mut [PythonWorker],
    items: &[(&Task, &str)],
) -> Result<Vec<Scored>, SandboxError> {
    map_on_workers(pool, items, |worker, &(task, suite)| {
        let subject = Subject { module: &task.entry_point, source: &task.reference, mutants: &task.mutants };
        let score = score_suite(worker, &subject, suite, &plan.limits.with_overrides(&task.limits));
        Scored {
            suite: suite.to_string(),
            metrics: score.metrics(),
            uncovered: score.kept.uncovered_lines(&task.entry_point),
            kept_source: score.kept.source,
            passing: score.kept.kept,
            failures: score.kept.failures,
            survivors: score.survivors,
            exec_s: score.exec_s,
        }
    })
}

/// Why a sample stops after round `round` of `rounds` with figures `now` (`previous`: those of
/// its round before); `None` when it goes on.
fn stop_reason(
    round: u32,
    rounds: u32,
    previous: Option<&BTreeMap<String, f64>>,
    now: &BTreeMap<String, f64>,
) -> Option<&'static str> {
    let line = |m: &BTreeMap<String, f64>| m.get(metric::LINE_COVERAGE).copied().unwrap_or(0.0);
    let mutation = |m: &BTreeMap<String, f64>| m.get(metric::MUTATION_SCORE).copied();
    if line(now) >= 1.0 - EPSILON && mutation(now).is_none_or(|s| s >= 1.0 - EPSILON) {
        return Some(STOP_COMPLETE);
    }
    if round >= rounds {
        return Some(STOP_ROUNDS);
    }
    let improved = |p: &BTreeMap<String, f64>| {
        line(now) > line(p) + EPSILON || mutation(now).unwrap_or(0.0) > mutation(p).unwrap_or(0.0) + EPSILON
    };
    match previous {
        Some(p) if !improved(p) => Some(STOP_NO_IMPROVEMENT),
        _ => None,
    }
}

/// A round row of `state` with its identity filled in.
fn row_of(cx: &RoundsContext, state: &Sample) -> RoundRecord {
    RoundRecord {
        task_id: state.task.id.clone(),
        model: cx.model.to_string(),
        backend: cx.backend.to_string(),
        sample: state.index,
        round: state.round,
        ..RoundRecord::default()
    }
}

/// The sample that goes down the normal path: the last round's suite, the last answer, the
/// generation of every round together.
fn final_sample(cx: &RoundsContext, state: &Sample, suite: &str) -> GeneratedSample {
    GeneratedSample {
        task_id: state.task.id.clone(),
        completion: suite.to_string(),
        model: cx.model.to_string(),
        backend: cx.backend.to_string(),
        sample: state.index,
        raw: state.raw.clone(),
        finish: state.finish,
        generation: combined(&state.stats),
        error: None,
    }
}

/// The generation of several rounds as one: tokens and times summed, the first round's time to
/// first token, rates over the time each phase took, the highest memory; `None` without rounds.
fn combined(rounds: &[GenerationStats]) -> Option<GenerationStats> {
    // Rounds journaled before a resume know only their tokens and time: the first measured
    // time to first token stands for the sample's.
    if rounds.is_empty() {
        return None;
    }
    let ttft_s = rounds.iter().map(|g| g.ttft_s).find(|t| *t > 0.0).unwrap_or(0.0);
    let (mut prompt_s, mut prompt_measured, mut decode_s, mut decoded) = (0.0, 0u64, 0.0, 0u64);
    let mut all = GenerationStats { ttft_s, ..GenerationStats::default() };
    for g in rounds {
        all.prompt_tokens = all.prompt_tokens.saturating_add(g.prompt_tokens);
        all.generated_tokens = all.generated_tokens.saturating_add(g.generated_tokens);
        all.total_s += g.total_s;
        all.peak_rss_bytes = all.peak_rss_bytes.max(g.peak_rss_bytes);
        if g.prompt_tokens_per_s > 0.0 {
            prompt_s += f64::from(g.prompt_tokens) / g.prompt_tokens_per_s;
            prompt_measured += u64::from(g.prompt_tokens);
        }
        // The generation rate is measured after the first token.
        if g.gen_tokens_per_s > 0.0 && g.generated_tokens > 1 {
            decode_s += f64::from(g.generated_tokens - 1) / g.gen_tokens_per_s;
            decoded += u64::from(g.generated_tokens - 1);
        }
    }
    if prompt_s > 0.0 {
        all.prompt_tokens_per_s = prompt_measured as f64 / prompt_s;
    }
    if decode_s > 0.0 {
        all.gen_tokens_per_s = decoded as f64 / decode_s;
    }
    Some(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(line: f64, mutation: Option<f64>) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::from([(metric::LINE_COVERAGE.to_string(), line)]);
        if let Some(s) = mutation {
            m.insert(metric::MUTATION_SCORE.to_string(), s);
        }
        m
    }

    #[test]
    fn a_sample_goes_on_while_coverage_or_mutation_score_improves() {
        let (a, b) = (figures(0.4, Some(0.2)), figures(0.5, Some(0.2)));
        assert_eq!(stop_reason(1, 3, None, &a), None);
        assert_eq!(stop_reason(2, 3, Some(&a), &b), None);
        assert_eq!(stop_reason(2, 3, Some(&a), &figures(0.4, Some(0.3))), None);
        assert_eq!(stop_reason(3, 3, Some(&a), &b), Some(STOP_ROUNDS));
        assert_eq!(stop_reason(2, 3, Some(&a), &a), Some(STOP_NO_IMPROVEMENT));
        assert_eq!(stop_reason(2, 3, Some(&b), &a), Some(STOP_NO_IMPROVEMENT));
        assert_eq!(stop_reason(1, 3, None, &figures(1.0, Some(1.0))), Some(STOP_COMPLETE));
        assert_eq!(stop_reason(1, 3, None, &figures(1.0, None)), Some(STOP_COMPLETE));
        assert_eq!(stop_reason(1, 3, None, &figures(1.0, Some(0.9))), None);
    }

    #[test]
    fn rounds_generation_adds_up() {
        let round = |prompt, generated, ttft, pps, gps, total, rss| GenerationStats {
            prompt_tokens: prompt,
            generated_tokens: generated,
            ttft_s: ttft,
            prompt_tokens_per_s: pps,
            gen_tokens_per_s: gps,
            total_s: total,
            peak_rss_bytes: rss,
        };
        let all = combined(&[
            round(1000, 101, 2.0, 500.0, 50.0, 4.0, 10),
            round(2000, 201, 3.0, 1000.0, 100.0, 5.0, 20),
        ])
        .unwrap_or_default();
        assert_eq!((all.prompt_tokens, all.generated_tokens, all.peak_rss_bytes), (3000, 302, 20));
        assert_eq!((all.ttft_s, all.total_s), (2.0, 9.0));
        // 3000 prompt tokens in 2 + 2 s; 300 decoded in 2 + 2 s.
        assert!((all.prompt_tokens_per_s - 750.0).abs() < 1e-9, "{all:?}");
        assert!((all.gen_tokens_per_s - 75.0).abs() < 1e-9, "{all:?}");
        assert_eq!(combined(&[]), None);
    }

    #[test]
    fn an_answer_joins_the_kept_tests() {
        let kept = "import pytest\nfrom m import f\n\n\ndef test_a():\n    assert f(1) == 1\n";
        let grown = grow(kept, "from m import f\n\ndef test_b():\n    assert f(2) == 2\n");
        assert!(grown.contains("def test_a():") && grown.contains("def test_b():"), "{grown}");
        assert_eq!(grown.matches("from m import f").count(), 1, "{grown}");
        // An answer cut mid-statement is left out; the kept tests stand.
        let cut = grow(kept, "def test_c():\n    assert f(3) == (");
        assert!(cut.contains("def test_a():") && !cut.contains("test_c"), "{cut}");
        assert_eq!(grow("", "def test_d():\n    pass\n"), "def test_d():\n    pass\n");
    }
}
