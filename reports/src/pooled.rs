//! A model's results pooled over one or more runs (its per-task tallies and every per-sample
//! measurement), and the pairing of the models of two sides, for `compare` and `gate`.

use crate::leaderboard::{task_outcomes, TaskOutcome};
use crate::run::Run;
use evalrun_core::{SampleRecord, TaskKind};

/// One `(model, backend)` over the runs of one side.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooled {
    pub model: String,
    pub backend: String,
    /// Labels of the runs that hold this model.
    pub runs: Vec<String>,
    /// Per task, the samples of every run added up, in order of first appearance.
    pub tasks: Vec<TaskOutcome>,
    /// Per-sample measurements, from every run (empty for replayed samples).
    pub gen_tokens_per_s: Vec<f64>,
    pub prompt_tokens_per_s: Vec<f64>,
    pub ttft_s: Vec<f64>,
    pub latency_s: Vec<f64>,
    pub peak_rss_bytes: Option<u64>,
    pub exec_s: Vec<f64>,
}

impl Pooled {
    /// `model (backend)`.
    pub fn name(&self) -> String {
        format!("{} ({})", self.model, self.backend)
    }

    pub fn task(&self, task_id: &str) -> Option<&TaskOutcome> {
        self.tasks.iter().find(|t| t.task_id == task_id)
    }

    /// Whether this side ran any test-writing task.
    pub fn has_test_writing(&self) -> bool {
        self.tasks.iter().any(|t| t.kind == TaskKind::TestWriting.as_str())
    }

    /// The test-writing tasks of this side that `other` ran too, where `value` gives a figure on
    /// both: `(task, this side's, other's)`, in this side's task order.
    pub fn paired_test_writing(
        &self,
        other: &Pooled,
        value: impl Fn(&TaskOutcome) -> Option<f64>,
    ) -> Vec<(String, f64, f64)> {
        self.tasks
            .iter()
            .filter(|t| t.kind == TaskKind::TestWriting.as_str())
            .filter_map(|t| {
                let theirs = value(other.task(&t.task_id)?)?;
                Some((t.task_id.clone(), value(t)?, theirs))
            })
            .filter(|(_, a, b)| a.is_finite() && b.is_finite())
            .collect()
    }

    /// Mean over `task_ids` of the tasks' pass rates (tasks this side lacks count as 0).
    pub fn pass_at_1_over<'a>(&self, task_ids: impl IntoIterator<Item = &'a str>) -> f64 {
        let (mut sum, mut n) = (0.0, 0usize);
        for id in task_ids {
            sum += self.task(id).map_or(0.0, TaskOutcome::rate);
            n += 1;
        }
        sum / n.max(1) as f64
    }
}

/// Pools the records of `runs` by `(model, backend)`, in order of first appearance.
pub fn pool(runs: &[Run]) -> Vec<Pooled> {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in runs.iter().flat_map(|run| &run.records) {
        if !keys.contains(&(r.model.as_str(), r.backend.as_str())) {
            keys.push((&r.model, &r.backend));
        }
    }
    keys.into_iter()
        .map(|(model, backend)| {
            let records: Vec<&SampleRecord> = runs
                .iter()
                .flat_map(|run| &run.records)
                .filter(|r| r.model == model && r.backend == backend)
                .collect();
            let generations: Vec<_> = records.iter().filter_map(|r| r.generation.as_ref()).collect();
            Pooled {
                model: model.to_string(),
                backend: backend.to_string(),
                runs: runs
                    .iter()
                    .filter(|run| run.records.iter().any(|r| r.model == model && r.backend == backend))
                    .map(|run| run.label.clone())
                    .collect(),
                tasks: task_outcomes(&records),
                gen_tokens_per_s: generations.iter().map(|g| g.gen_tokens_per_s).collect(),
                // 0: not measured by this backend (see `harness::score::summarize`).
                prompt_tokens_per_s: generations
                    .iter()
                    .map(|g| g.prompt_tokens_per_s)
                    .filter(|&v| v > 0.0)
                    .collect(),
                ttft_s: generations.iter().map(|g| g.ttft_s).collect(),
                latency_s: generations.iter().map(|g| g.total_s).collect(),
                peak_rss_bytes: generations.iter().map(|g| g.peak_rss_bytes).filter(|&b| b > 0).max(),
                exec_s: records.iter().map(|r| r.verdict.exec_s).collect(),
            }
        })
        .collect()
}

/// Why two sides' models could not be paired.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PairingError {
    #[error("no model `{model}` in the {side} (it has {available})")]
    MissingModel { model: String, side: &'static str, available: String },
    #[error(
        "the baseline has {baseline} and the candidate has {candidate}: no model is in both; pass --model ID \
         to choose one, or compare runs of one model each"
    )]
    NothingInCommon { baseline: String, candidate: String },
}

fn names(side: &[Pooled]) -> String {
    side.iter().map(Pooled::name).collect::<Vec<_>>().join(", ")
}

/// Pairs the models of two sides: the one model `--model` names on each side; else, when each
/// side has a single model, those two (whatever their names: a new quantization against the
/// old one); else every model present on both sides under the same id and backend.
/// Returns the pairs and the models left unpaired.
pub fn pair(
    baseline: Vec<Pooled>,
    candidate: Vec<Pooled>,
    model: Option<&str>,
) -> Result<(Vec<(Pooled, Pooled)>, Vec<String>), PairingError> {
    if let Some(model) = model {
        let take = |side: &[Pooled], name: &'static str| {
            side.iter().find(|p| p.model == model).cloned().ok_or_else(|| PairingError::MissingModel {
                model: model.to_string(),
                side: name,
                available: names(side),
            })
        };
        return Ok((vec![(take(&baseline, "baseline")?, take(&candidate, "candidate")?)], Vec::new()));
    }
    if baseline.len() == 1 && candidate.len() == 1 {
        return Ok((baseline.into_iter().zip(candidate).collect(), Vec::new()));
    }
    let mut pairs = Vec::new();
    let mut unpaired = Vec::new();
    let mut candidate = candidate;
    for b in &baseline {
        match candidate.iter().position(|c| c.model == b.model && c.backend == b.backend) {
            Some(i) => pairs.push((b.clone(), candidate.remove(i))),
            None => unpaired.push(format!("{} (baseline only)", b.name())),
        }
    }
    unpaired.extend(candidate.iter().map(|c| format!("{} (candidate only)", c.name())));
    if pairs.is_empty() {
        return Err(PairingError::NothingInCommon {
            baseline: names(&baseline),
            candidate: unpaired
                .iter()
                .filter(|u| u.ends_with("(candidate only)"))
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok((pairs, unpaired))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{generated, record, write_run};
    use evalrun_core::Status;

    #[test]
    fn pools_runs_of_one_model() {
        let tmp = tempfile::tempdir().unwrap();
        let a = write_run(
            tmp.path(),
            "a",
            &[generated(record("m", "T1", Status::Passed), 10.0, 1.0), record("other", "T1", Status::Failed)],
        );
        let b = write_run(
            tmp.path(),
            "b",
            &[
                generated(record("m", "T1", Status::Failed), 12.0, 2.0),
                generated(record("m", "T2", Status::Passed), 14.0, 3.0),
            ],
        );
        let pooled = pool(&Run::load_all(&[a, b]).unwrap());
        assert_eq!(pooled.len(), 2);
        let m = &pooled[0];
        assert_eq!(m.runs, ["a", "b"]);
        assert_eq!((m.task("T1").unwrap().samples, m.task("T1").unwrap().passed), (2, 1));
        assert_eq!(m.gen_tokens_per_s, [10.0, 12.0, 14.0]);
        assert_eq!(m.latency_s, [1.0, 2.0, 3.0]);
        assert_eq!(m.pass_at_1_over(["T1", "T2"]), 0.75);
        assert_eq!(m.pass_at_1_over(["T1", "T3"]), 0.25);
        assert_eq!(pooled[1].runs, ["a"]);
        assert!(pooled[1].gen_tokens_per_s.is_empty());
        assert!(!m.has_test_writing());
    }

    #[test]
    fn pairs_test_writing_figures_by_task() {
        use crate::test_support::test_writing;
        let tmp = tempfile::tempdir().unwrap();
        let a = write_run(
            tmp.path(),
            "a",
            &[
                test_writing("m", "tw/1", 2.0, 0.5, Some(0.25)),
                test_writing("m", "tw/1", 4.0, 0.75, Some(0.75)),
                test_writing("m", "tw/2", 1.0, 0.5, None),
                test_writing("m", "tw/3", 1.0, 0.5, Some(0.5)),
                record("m", "HumanEval/0", Status::Passed),
            ],
        );
        let b = write_run(
            tmp.path(),
            "b",
            &[
                test_writing("m", "tw/2", 3.0, 0.25, Some(0.1)),
                test_writing("m", "tw/1", 0.0, 0.0, Some(0.0)),
            ],
        );
        let pooled: Vec<Pooled> = [a, b].iter().map(|d| pool(&[Run::load(d).unwrap()]).remove(0)).collect();
        assert!(pooled[0].has_test_writing() && pooled[1].has_test_writing());
        let mutation = |t: &TaskOutcome| t.metrics.get("mutation_score").copied();
        // tw/1: the mean of the two samples; tw/2 has no mutants in A; tw/3 is not in B.
        assert_eq!(pooled[0].paired_test_writing(&pooled[1], mutation), [("tw/1".to_string(), 0.5, 0.0)]);
        let kept = |t: &TaskOutcome| t.metrics.get("tests_kept").copied();
        assert_eq!(
            pooled[1].paired_test_writing(&pooled[0], kept),
            [("tw/1".to_string(), 0.0, 3.0), ("tw/2".to_string(), 3.0, 1.0)]
        );
    }

    fn side(models: &[&str]) -> Vec<Pooled> {
        models
            .iter()
            .map(|m| Pooled {
                model: m.to_string(),
                backend: "llamacpp".into(),
                runs: vec![],
                tasks: vec![],
                gen_tokens_per_s: vec![],
                prompt_tokens_per_s: vec![],
                ttft_s: vec![],
                latency_s: vec![],
                peak_rss_bytes: None,
                exec_s: vec![],
            })
            .collect()
    }

    #[test]
    fn pairs_by_rule() {
        let model_pairs = |pairs: Vec<(Pooled, Pooled)>| -> Vec<(String, String)> {
            pairs.into_iter().map(|(a, b)| (a.model, b.model)).collect()
        };
        // One model each: paired whatever the names.
        let (pairs, unpaired) = pair(side(&["m-q8_0"]), side(&["m-q4_k_m"]), None).unwrap();
        assert_eq!(model_pairs(pairs), [("m-q8_0".to_string(), "m-q4_k_m".to_string())]);
        assert!(unpaired.is_empty());
        // Several: by id; the rest reported.
        let (pairs, unpaired) = pair(side(&["a", "b"]), side(&["b", "c"]), None).unwrap();
        assert_eq!(model_pairs(pairs), [("b".to_string(), "b".to_string())]);
        assert_eq!(unpaired, ["a (llamacpp) (baseline only)", "c (llamacpp) (candidate only)"]);
        // --model picks one.
        let (pairs, _) = pair(side(&["a", "b"]), side(&["b", "a"]), Some("a")).unwrap();
        assert_eq!(model_pairs(pairs), [("a".to_string(), "a".to_string())]);
        let err = pair(side(&["a"]), side(&["b"]), Some("a")).unwrap_err().to_string();
        assert!(err.contains("no model `a` in the candidate (it has b (llamacpp))"), "{err}");
        let err = pair(side(&["a", "b"]), side(&["c", "d"]), None).unwrap_err().to_string();
        assert!(err.contains("no model is in both") && err.contains("--model"), "{err}");
    }
}
