//! `score`'s path: the completions of a samples file, judged as `run` judges generated ones, and
//! read from the file as the sandbox workers take them, so that memory stays flat however many
//! samples the file holds (docs/RELIABILITY.md, "Load").

use crate::pipeline::{Event, EventSink, Executor, Outcome, PipelineError, Plan};
use crate::samples_file::{open_samples, SamplesFileError, SamplesIndex, REPLAY_BACKEND};
use std::collections::HashSet;
use std::path::Path;

/// Samples waiting for a sandbox worker, per worker: enough that no worker waits for the reader.
const QUEUE_PER_WORKER: usize = 16;

/// Judge the samples file at `path` (indexed beforehand by
/// [`crate::samples_file::index_samples`]) as `model`'s samples. A task of the file that the plan
/// lacks is an error before anything runs, unless `skip_other_tasks` (the selection was narrowed
/// by `--limit` or `--task-ids`): its samples are then left out.
#[allow(clippy::too_many_arguments)]
pub fn score(
    plan: &Plan,
    out: &Path,
    path: &Path,
    model: &str,
    index: &SamplesIndex,
    skip_other_tasks: bool,
    resume: bool,
    events: EventSink,
) -> Result<Outcome, PipelineError> {
    let known: HashSet<&str> = plan.tasks.iter().map(|t| t.id.as_str()).collect();
    if !skip_other_tasks {
        if let Some(task_id) = index.counts.keys().find(|t| !known.contains(t.as_str())) {
            return Err(PipelineError::UnknownTask { task_id: task_id.clone() });
        }
    }
    let queue = plan.workers.max(1) * QUEUE_PER_WORKER;
    let executor = Executor::start(plan, out, resume, events.clone(), Some(queue))?;
    let wanted = |task_id: &str, sample: u32| {
        known.contains(task_id)
            && plan.owns(model, REPLAY_BACKEND, task_id, sample)
            && !executor.is_done(&(
                model.to_string(),
                REPLAY_BACKEND.to_string(),
                task_id.to_string(),
                sample,
            ))
    };
    let to_execute = index.counts.iter().map(|(t, &n)| (0..n).filter(|&s| wanted(t, s)).count()).sum();
    events(Event::Planned { to_generate: 0, to_execute, already_done: executor.done_count() });
    let submitted = (|| -> Result<(), PipelineError> {
        let mut reader = open_samples(path, model)?;
        while let Some(sample) = reader.next() {
            let sample = sample?;
            // The index is what the manifest promises `merge`; a file changed since is refused.
            if index.counts.get(&sample.task_id).is_none_or(|&n| sample.sample >= n) {
                let (file, line) = (path.display().to_string(), reader.line());
                return Err(SamplesFileError::Changed { file, line }.into());
            }
            if wanted(&sample.task_id, sample.sample) {
                executor.submit(sample)?;
            }
        }
        Ok(())
    })();
    // What was judged is journaled whatever stopped the reading.
    let summary = executor.finish();
    submitted?;
    Ok(Outcome { summary: summary?, failed_models: Vec::new() })
}
