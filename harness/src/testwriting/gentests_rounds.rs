//! The rounds of `evalrun gen-tests`, item by item. Round 1 asks for tests of every public
//! function and class; after each round, an item whose kept tests leave failures, uncovered
//! lines within the item, or surviving mutants on its lines is asked again, shown those
//! ([`super::feedback`]). Every request of a round goes to the backend in one stream, so it
//! decodes as many together as it has slots. An answer is merged with the item's kept tests
//! and the result is kept again ([`keep_passing`]); an item stops once a round improves neither
//! its line coverage nor its mutant kills, or after `--rounds` rounds.

use super::answer::{answer_tests, AnswerTests};
use super::feedback::{round_request, Feedback};
use super::gentests::DroppedTest;
use super::kept::{keep_passing, KeptSuite, TestFailure, WHOLE_FILE};
use super::parallel::map_on_workers;
use super::prompt::{target_request, Target};
use super::rounds::{STOP_COMPLETE, STOP_GENERATION_FAILED, STOP_NO_IMPROVEMENT, STOP_ROUNDS};
use super::score::Subject;
use super::testfile::{self, ApiItem};
use super::TestWritingError;
use crate::prompt::PromptTemplate;
use crate::repetition::GuardedSink;
use crate::sandbox::{Limits, PythonWorker};
use evalrun_core::{
    Backend, BackendError, CollectSink, FinishReason, Generation, GenerationRequest, GenerationSink, Mutant,
    SamplingParams,
};
use std::collections::BTreeSet;

/// What the rounds work on.
#[derive(Debug, Clone, Copy)]
pub struct RoundsInput<'a> {
    pub module: &'a str,
    pub source: &'a str,
    pub items: &'a [ApiItem],
    /// The module's mutants (none without `--mutate` or `--minimize`).
    pub mutants: &'a [Mutant],
    /// The module's statement lines that only tests run: those an import alone leaves unrun.
    pub testable_lines: &'a BTreeSet<u32>,
    /// Most rounds per item (at least 1).
    pub rounds: usize,
    pub sampling: &'a SamplingParams,
    pub limits: &'a Limits,
}

/// One round of one item, as measured after it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRound {
    pub round: usize,
    /// Tests in the round's answer.
    pub written: usize,
    /// The item's kept tests after the round.
    pub kept: usize,
    /// The item's testable lines its kept tests run, of `lines`.
    pub covered: usize,
    pub lines: usize,
    /// Mutants on the item's lines its kept tests kill, of `mutants`.
    pub killed: usize,
    pub mutants: usize,
    /// Coverage or kills went up (always false in round 1, which has nothing to improve on).
    pub improved: bool,
    pub generated_tokens: u32,
    pub generation_s: f64,
}

/// One item's tests as the rounds leave them.
#[derive(Debug, Clone)]
pub struct ItemTests {
    pub item: ApiItem,
    /// The kept tests, a test file of their own; empty when none is kept.
    pub source: String,
    pub kept: Vec<String>,
    /// Tests in the model's answers, over all rounds.
    pub written: usize,
    pub rounds: Vec<ItemRound>,
    /// Tests dropped on the way, and answers unusable as a whole (test `*`).
    pub dropped: Vec<DroppedTest>,
    /// Names whose definitions were removed from its tests because they shadowed the module.
    pub shadowing: Vec<String>,
    /// The model's answers, one per round.
    pub answers: Vec<String>,
    pub generation_s: f64,
    /// Why its rounds ended: [`STOP_ROUNDS`] after `--rounds` rounds, [`STOP_NO_IMPROVEMENT`],
    /// [`STOP_COMPLETE`] (every line run, every mutant killed, no test failing), or
    /// [`STOP_GENERATION_FAILED`] with the error.
    pub stopped: String,
    /// The item's testable lines, and those its kept tests do not run.
    pub lines: BTreeSet<u32>,
    pub uncovered: Vec<u32>,
    /// Indices (into the module's mutants) of the mutants on its lines, and of those its kept
    /// tests do not kill.
    pub mutants: Vec<usize>,
    pub survivors: Vec<usize>,
    /// The failures of its latest answer.
    pub failures: Vec<TestFailure>,
}

impl ItemTests {
    fn new(item: &ApiItem, input: &RoundsInput) -> ItemTests {
        let within = |line: u32| (item.line..=item.end_line).contains(&line);
        let lines: BTreeSet<u32> = input.testable_lines.iter().copied().filter(|&l| within(l)).collect();
        let mutants: Vec<usize> =
            (0..input.mutants.len()).filter(|&m| within(input.mutants[m].line)).collect();
        ItemTests {
            item: item.clone(),
            source: String::new(),
            kept: Vec::new(),
            written: 0,
            rounds: Vec::new(),
            dropped: Vec::new(),
            shadowing: Vec::new(),
            answers: Vec::new(),
            generation_s: 0.0,
            stopped: String::new(),
            uncovered: lines.iter().copied().collect(),
            survivors: mutants.clone(),
            lines,
            mutants,
            failures: Vec::new(),
        }
    }

    fn killed(&self) -> usize {
        self.mutants.len() - self.survivors.len()
    }

    /// Nothing a further round could add: every line run, every mutant killed, no test failing.
    fn complete(&self) -> bool {
        self.uncovered.is_empty() && self.survivors.is_empty() && self.failures.is_empty()
    }

    fn drop_test(&mut self, round: usize, test: &str, reason: &str) {
        self.dropped.push(DroppedTest {
            item: self.item.name.clone(),
            test: test.to_string(),
            reason: reason.to_string(),
            when: format!("round {round}"),
        });
    }
}

/// The request of `round` for `state`'s item: round 1 asks for its tests, later rounds show
/// what the kept tests leave.
fn request(
    template: &PromptTemplate,
    input: &RoundsInput,
    state: &ItemTests,
    round: usize,
) -> GenerationRequest {
    let target = Target { module: input.module, code: &state.item.source, item: Some(&state.item.name) };
    if round == 1 {
        return target_request(template, &target, input.sampling.clone());
    }
    let survivors: Vec<&Mutant> = state.survivors.iter().filter_map(|&m| input.mutants.get(m)).collect();
    let feedback = Feedback {
        module_source: input.source,
        passing: &state.kept,
        failures: &state.failures,
        uncovered: &state.uncovered,
        survivors: &survivors,
    };
    round_request(template, &target, &feedback, input.sampling.clone())
}

/// Collects a round's answers and says which item each was for as it lands.
struct RoundSink<'a, 'p> {
    round: usize,
    items: Vec<&'a ApiItem>,
    results: CollectSink,
    progress: &'p mut dyn FnMut(&str),
}

impl GenerationSink for RoundSink<'_, '_> {
    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
        if let Some(item) = self.items.get(index) {
            let how = match &result {
                Ok(g) if g.finish == FinishReason::Repetition => format!(
                    "{} tokens, {:.1} s, cut where it began to repeat itself",
                    g.stats.generated_tokens, g.stats.total_s
                ),
                Ok(g) => format!("{} tokens, {:.1} s", g.stats.generated_tokens, g.stats.total_s),
                Err(e) => format!("failed: {e}"),
            };
            (self.progress)(&format!(
                "round {}: answer for {} `{}` ({how})",
                self.round, item.kind, item.name
            ));
        }
        self.results.finished(index, result);
    }
}

/// Run the rounds; the items' tests in the order of `input.items`.
pub fn run_rounds(
    backend: &mut dyn Backend,
    template: &PromptTemplate,
    workers: &mut [PythonWorker],
    input: &RoundsInput,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<ItemTests>, TestWritingError> {
    let subject = Subject { module: input.module, source: input.source, mutants: &[] };
    let mut states: Vec<ItemTests> = input.items.iter().map(|item| ItemTests::new(item, input)).collect();
    let mut going: Vec<usize> = (0..states.len()).collect();
    let rounds = input.rounds.max(1);
    for round in 1..=rounds {
        if going.is_empty() {
            break;
        }
        let requests: Vec<GenerationRequest> =
            going.iter().map(|&i| request(template, input, &states[i], round)).collect();
        progress(&format!(
            "round {round} of {rounds}: {} for {} item{}, {} at a time",
            if round == 1 { "asking for tests" } else { "feedback" },
            going.len(),
            if going.len() == 1 { "" } else { "s" },
            backend.max_concurrency().clamp(1, going.len())
        ));
        let mut generations = {
            let mut sink = RoundSink {
                round,
                items: going.iter().map(|&i| &states[i].item).collect(),
                results: CollectSink::default(),
                progress: &mut *progress,
            };
            backend.generate_stream(&mut requests.into_iter(), &mut GuardedSink::new(&mut sink, &|_| true));
            sink.results.into_results()
        };
        generations
            .resize_with(going.len(), || Err(BackendError::Generate("the backend never answered".into())));
        // A backend that answers nothing in round 1 is broken, not one item's problem.
        if round == 1 && generations.iter().all(Result::is_err) {
            if let Some(Err(e)) = generations.first() {
                return Err(TestWritingError::Generation(e.to_string()));
            }
        }

        // Each usable answer, merged with the item's kept tests, is kept again.
        let mut answers: Vec<(usize, Option<AnswerTests>, Option<Generation>)> = Vec::new();
        let mut jobs: Vec<(usize, String)> = Vec::new();
        for (&i, generation) in going.iter().zip(generations) {
            let state = &mut states[i];
            let generation = match generation {
                Ok(g) => g,
                Err(e) => {
                    let reason = format!("{STOP_GENERATION_FAILED}: {e}");
                    state.drop_test(round, WHOLE_FILE, &reason);
                    state.failures = vec![TestFailure { test: WHOLE_FILE.into(), reason: reason.clone() }];
                    state.stopped = reason;
                    answers.push((i, None, None));
                    continue;
                }
            };
            state.answers.push(generation.text.clone());
            state.generation_s += generation.stats.total_s;
            let answer = answer_tests(template, &generation.text, input.module);
            if let Some(problem) = &answer.problem {
                state.drop_test(round, WHOLE_FILE, problem);
            }
            if !answer.tests.is_empty() {
                let suite = if state.source.is_empty() {
                    answer.code.clone()
                } else {
                    testfile::merge(&[state.source.clone(), answer.code.clone()])?.source
                };
                jobs.push((i, suite));
            }
            answers.push((i, Some(answer), Some(generation)));
        }
        let kept: Vec<KeptSuite> = map_on_workers(workers, &jobs, |worker, (_, suite)| {
            keep_passing(worker, &subject, suite, input.limits)
        })?;
        // The kept tests of each job against the mutants on its item's lines.
        let kill_jobs: Vec<(usize, usize)> = jobs
            .iter()
            .zip(&kept)
            .enumerate()
            .filter(|(_, (_, k))| k.any_kept())
            .flat_map(|(j, ((i, _), _))| states[*i].mutants.iter().map(move |&m| (j, m)))
            .collect();
        let killed: Vec<bool> = map_on_workers(workers, &kill_jobs, |worker, &(j, m)| {
            let run =
                worker.run_pytest(&subject.request(&input.mutants[m].source, &kept[j].source), input.limits);
            !run.passed()
        })?;

        let mut next = Vec::new();
        for (i, answer, generation) in answers {
            let Some(answer) = answer else { continue };
            let job = jobs.iter().position(|(j, _)| *j == i);
            let kills: BTreeSet<usize> = kill_jobs
                .iter()
                .zip(&killed)
                .filter(|((j, _), k)| Some(*j) == job && **k)
                .map(|((_, m), _)| *m)
                .collect();
            let state = &mut states[i];
            let improved = absorb(
                state,
                input.module,
                round,
                &answer,
                job.map(|j| &kept[j]),
                &kills,
                generation.as_ref(),
            );
            let status = if round > 1 && !improved {
                state.stopped = STOP_NO_IMPROVEMENT.into();
                "no improvement, stops"
            } else if state.complete() {
                state.stopped = STOP_COMPLETE.into();
                "complete"
            } else if round == rounds {
                state.stopped = STOP_ROUNDS.into();
                "last round"
            } else {
                next.push(i);
                if improved {
                    "improved"
                } else {
                    "goes on"
                }
            };
            let r = state.rounds.last().cloned();
            if let Some(r) = r {
                let mutants = if r.mutants > 0 {
                    format!(", {}/{} mutants killed", r.killed, r.mutants)
                } else {
                    String::new()
                };
                progress(&format!(
                    "round {round} {} `{}`: {} tests written, {} kept; {}/{} lines covered{mutants}: {status}",
                    state.item.kind, state.item.name, r.written, r.kept, r.covered, r.lines
                ));
            }
        }
        going = next;
    }
    Ok(states)
}

/// Take a round's outcome into the item's state: round 1 always; a later round when it covers
/// more lines or kills more mutants and is worse in neither (otherwise it is undone). Returns whether
/// coverage or kills went up.
fn absorb(
    state: &mut ItemTests,
    module: &str,
    round: usize,
    answer: &AnswerTests,
    kept: Option<&KeptSuite>,
    kills: &BTreeSet<usize>,
    generation: Option<&Generation>,
) -> bool {
    state.written += answer.tests.len();
    let (uncovered, survivors, failures) = match kept {
        Some(k) => {
            for name in &k.shadowing {
                if !state.shadowing.contains(name) {
                    state.shadowing.push(name.clone());
                }
            }
            let uncovered: Vec<u32> = if k.any_kept() {
                let missing: BTreeSet<u32> = k.uncovered_lines(module).into_iter().collect();
                state.lines.intersection(&missing).copied().collect()
            } else {
                state.lines.iter().copied().collect()
            };
            let survivors: Vec<usize> =
                state.mutants.iter().copied().filter(|m| !kills.contains(m)).collect();
            (uncovered, survivors, k.failures.clone())
        }
        // No test to run: the answer's problem is the feedback.
        None => (
            state.lines.iter().copied().collect(),
            state.mutants.clone(),
            vec![TestFailure {
                test: WHOLE_FILE.into(),
                reason: answer.problem.clone().unwrap_or_else(|| "no tests in the answer".into()),
            }],
        ),
    };
    let better = uncovered.len() < state.uncovered.len() || survivors.len() < state.survivors.len();
    let worse = uncovered.len() > state.uncovered.len() || survivors.len() > state.survivors.len();
    // A later round's tests join the file only when they add a line or a kill: tests that add
    // neither are repeats (a model shown its own tests often writes them again).
    let adopt = round == 1 || (better && !worse);
    if let (true, Some(k)) = (adopt, kept) {
        for f in &k.failures {
            state.drop_test(round, &f.test, &f.reason);
        }
        state.source = k.source.clone();
        state.kept = k.kept.clone();
        state.uncovered = uncovered;
        state.survivors = survivors;
    } else if let Some(k) = kept {
        let reason = if worse {
            let first = k.whole_file_failure().or(k.failures.first()).map_or("", |f| f.headline());
            format!("the answer, merged with the kept tests, covers less or kills fewer mutants: undone ({first})")
        } else {
            // Say why, when it is because its own tests fail: that is what the user can act on.
            let failing = k.failures.first().map_or(String::new(), |f| {
                format!(" ({} of its tests fail; first: {}: {})", k.failures.len(), f.test, f.headline())
            });
            format!("the answer adds no line and kills no mutant the kept tests miss: not added{failing}")
        };
        state.drop_test(round, WHOLE_FILE, &reason);
    }
    state.failures = failures;
    let improved = round > 1 && better && !worse;
    state.rounds.push(ItemRound {
        round,
        written: answer.tests.len(),
        kept: state.kept.len(),
        covered: state.lines.len() - state.uncovered.len(),
        lines: state.lines.len(),
        killed: state.killed(),
        mutants: state.mutants.len(),
        improved,
        generated_tokens: generation.map_or(0, |g| g.stats.generated_tokens),
        generation_s: generation.map_or(0.0, |g| g.stats.total_s),
    });
    improved
}
