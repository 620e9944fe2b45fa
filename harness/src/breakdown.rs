//! The per-language breakdown of a run: each model's scores per suite, language and kind, so
//! that a run over `evalrun-core` (six languages) or several suites shows where a model stands
//! in each.

use crate::score::pass_at_k;
use evalrun_core::{GroupSummary, Language, SampleRecord, TaskKind};
use std::collections::{BTreeMap, HashMap};

type Key = (String, String, String, Language, TaskKind);

/// Running totals of one group.
#[derive(Default)]
struct Totals {
    /// `(samples, passed)` per task.
    tasks: Vec<(u32, u32)>,
    task_index: HashMap<String, usize>,
    samples: usize,
    passed: usize,
    /// Sum and count of each metric.
    metrics: BTreeMap<String, (f64, usize)>,
}

/// One [`GroupSummary`] per `(model, backend, suite, language, kind)`, in order of first
/// appearance in `records`. pass@k is computed as for a whole model ([`crate::score::summarize`]):
/// for every k up to the group's smallest per-task sample count, the mean over its tasks.
pub fn breakdown(records: &[SampleRecord]) -> Vec<GroupSummary> {
    let mut totals = Breakdown::default();
    records.iter().for_each(|r| totals.add(r));
    totals.finish()
}

/// [`breakdown`] one record at a time.
#[derive(Default)]
pub struct Breakdown {
    order: Vec<Key>,
    groups: HashMap<Key, Totals>,
}

impl Breakdown {
    pub fn add(&mut self, r: &SampleRecord) {
        let key = (r.model.clone(), r.backend.clone(), r.suite.clone(), r.language, r.kind);
        let order = &mut self.order;
        let totals = self.groups.entry(key).or_insert_with_key(|key| {
            order.push(key.clone());
            Totals::default()
        });
        let tasks = &mut totals.tasks;
        let i = *totals.task_index.entry(r.task_id.clone()).or_insert_with(|| {
            tasks.push((0, 0));
            tasks.len() - 1
        });
        totals.tasks[i].0 += 1;
        totals.samples += 1;
        if r.passed {
            totals.tasks[i].1 += 1;
            totals.passed += 1;
        }
        for (name, value) in &r.metrics {
            let m = totals.metrics.entry(name.clone()).or_insert((0.0, 0));
            m.0 += value;
            m.1 += 1;
        }
    }

    pub fn finish(mut self) -> Vec<GroupSummary> {
        let groups = &mut self.groups;
        self.order
            .into_iter()
            .filter_map(|key| {
                let t = groups.remove(&key)?;
                let n_min = t.tasks.iter().map(|&(n, _)| n).min().unwrap_or(0);
                let pass_at = (1..=n_min)
                    .map(|k| {
                        let sum: f64 = t.tasks.iter().filter_map(|&(n, c)| pass_at_k(n, c, k)).sum();
                        (format!("pass@{k}"), sum / t.tasks.len() as f64)
                    })
                    .collect();
                let (model, backend, suite, language, kind) = key;
                Some(GroupSummary {
                    model,
                    backend,
                    suite,
                    language,
                    kind,
                    tasks: t.tasks.len(),
                    samples: t.samples,
                    passed: t.passed,
                    pass_at_k: pass_at,
                    metrics: t.metrics.into_iter().map(|(name, (sum, n))| (name, sum / n as f64)).collect(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evalrun_core::{Status, Verdict};

    fn record(task: &str, suite: &str, language: Language, sample: u32, passed: bool) -> SampleRecord {
        let status = if passed { Status::Passed } else { Status::Failed };
        SampleRecord {
            task_id: task.into(),
            suite: suite.into(),
            language,
            model: "m".into(),
            backend: "b".into(),
            sample,
            passed,
            status,
            verdict: Verdict { status, ..Verdict::default() },
            ..SampleRecord::default()
        }
    }

    #[test]
    fn groups_by_suite_language_and_kind_with_their_own_pass_at_k() {
        let mut tw = record("tw/0", "tw", Language::Python, 0, true);
        tw.kind = TaskKind::TestWriting;
        tw.metrics = [("mutation_score".to_string(), 0.5)].into();
        let mut tw2 = record("tw/1", "tw", Language::Python, 0, false);
        tw2.kind = TaskKind::TestWriting;
        tw2.metrics = [("mutation_score".to_string(), 0.25), ("line_coverage".to_string(), 1.0)].into();
        let records = vec![
            record("core/py/a", "core", Language::Python, 0, true),
            record("core/cpp/a", "core", Language::Cpp, 0, false),
            record("core/py/a", "core", Language::Python, 1, false),
            record("core/py/b", "core", Language::Python, 0, false),
            record("core/py/b", "core", Language::Python, 1, false),
            record("core/cpp/b", "core", Language::Cpp, 0, true),
            tw,
            tw2,
        ];
        let groups = breakdown(&records);
        assert_eq!(groups.len(), 3);
        let py = &groups[0];
        assert_eq!((py.suite.as_str(), py.language, py.kind), ("core", Language::Python, TaskKind::Code));
        assert_eq!((py.tasks, py.samples, py.passed), (2, 4, 1));
        // pass@1: mean(1/2, 0/2); pass@2: mean(1, 0).
        assert_eq!(py.pass_at_k["pass@1"], 0.25);
        assert_eq!(py.pass_at_k["pass@2"], 0.5);
        let cpp = &groups[1];
        assert_eq!((cpp.language, cpp.tasks, cpp.passed), (Language::Cpp, 2, 1));
        assert_eq!(cpp.pass_at_k.keys().collect::<Vec<_>>(), ["pass@1"]);
        assert_eq!(cpp.pass_at_k["pass@1"], 0.5);
        let tw = &groups[2];
        assert_eq!(tw.kind, TaskKind::TestWriting);
        assert_eq!(tw.metrics["mutation_score"], 0.375);
        assert_eq!(tw.metrics["line_coverage"], 1.0);
        assert!(py.metrics.is_empty());
    }
}
