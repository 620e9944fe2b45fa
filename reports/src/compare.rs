//! `evalrun compare RUN_A RUN_B`: per task, what changed from A to B (newly passing, newly
//! failing), the test-writing figures side by side when both runs wrote tests, and the speed and
//! memory deltas, for each model the two runs share.

use crate::leaderboard::TaskOutcome;
use crate::pooled::{pair, pool, PairingError, Pooled};
use crate::run::Run;
use crate::stats::{median, sorted_finite};
use evalrun_core::summary::metric;
use std::fmt;

/// The comparison of one model of run A with its counterpart in run B.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelComparison {
    pub a: String,
    pub b: String,
    /// Tasks both ran.
    pub common: usize,
    pub pass_at_1_a: f64,
    pub pass_at_1_b: f64,
    /// No sample of A passed, some of B did (with one sample each: failed, then passed).
    pub newly_passing: Vec<String>,
    /// Some sample of A passed, none of B did; with B's first failure status and detail.
    pub newly_failing: Vec<(String, String)>,
    /// The pass rate changed otherwise (several samples per task): `(task, rate A, rate B)`.
    pub rate_changed: Vec<(String, f64, f64)>,
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    /// The test-writing figures of both runs, when both ran test-writing tasks.
    pub test_writing: Vec<FigureChange>,
    pub deltas: Vec<Delta>,
}

/// A test-writing figure of both runs ([`metric`]): means over the test-writing tasks both ran
/// that have it of each task's mean, so both sides are averaged over the same tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureChange {
    pub metric: &'static str,
    pub tasks: usize,
    pub a: f64,
    pub b: f64,
}

/// The figures of [`FigureChange`] for the test-writing tasks of `a` and `b`, in the order of
/// [`metric::TEST_WRITING`]; the valid rate is the tasks' pass rate (a test-writing sample passes
/// when its whole suite does).
fn test_writing_figures(a: &Pooled, b: &Pooled) -> Vec<FigureChange> {
    if !(a.has_test_writing() && b.has_test_writing()) {
        return Vec::new();
    }
    metric::TEST_WRITING
        .iter()
        .filter_map(|&name| {
            let value = |t: &TaskOutcome| {
                if name == metric::VALID {
                    Some(t.rate())
                } else {
                    t.metrics.get(name).copied()
                }
            };
            let pairs = a.paired_test_writing(b, value);
            let n = pairs.len();
            (n > 0).then(|| FigureChange {
                metric: name,
                tasks: n,
                a: pairs.iter().map(|p| p.1).sum::<f64>() / n as f64,
                b: pairs.iter().map(|p| p.2).sum::<f64>() / n as f64,
            })
        })
        .collect()
}

/// A speed or memory figure of both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    pub name: &'static str,
    pub unit: &'static str,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

impl Delta {
    /// Relative change from A to B, percent.
    pub fn change_pct(&self) -> Option<f64> {
        match (self.a, self.b) {
            (Some(a), Some(b)) if a != 0.0 => Some((b / a - 1.0) * 100.0),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub models: Vec<ModelComparison>,
    pub unpaired: Vec<String>,
    /// Where the runs differ in what decides their arithmetic ([`crate::provenance`]).
    pub notes: Vec<String>,
}

/// Compares run `a` with run `b` (`model` picks one model when the runs hold several).
pub fn compare(a: &Run, b: &Run, model: Option<&str>) -> Result<Comparison, PairingError> {
    let (pairs, unpaired) = pair(pool(std::slice::from_ref(a)), pool(std::slice::from_ref(b)), model)?;
    Ok(Comparison {
        a: a.dir.display().to_string(),
        b: b.dir.display().to_string(),
        models: pairs.iter().map(|(x, y)| compare_models(x, y)).collect(),
        unpaired,
        notes: crate::provenance::notes(std::slice::from_ref(a), std::slice::from_ref(b), ["A", "B"]),
    })
}

fn compare_models(a: &Pooled, b: &Pooled) -> ModelComparison {
    let mut newly_passing = Vec::new();
    let mut newly_failing = Vec::new();
    let mut rate_changed = Vec::new();
    let mut only_in_a = Vec::new();
    for ta in &a.tasks {
        let Some(tb) = b.task(&ta.task_id) else {
            only_in_a.push(ta.task_id.clone());
            continue;
        };
        if ta.passed == 0 && tb.passed > 0 {
            newly_passing.push(ta.task_id.clone());
        } else if ta.passed > 0 && tb.passed == 0 {
            let why = if tb.detail.is_empty() {
                tb.status.clone()
            } else {
                format!("{}: {}", tb.status, tb.detail)
            };
            newly_failing.push((ta.task_id.clone(), why));
        } else if ta.rate() != tb.rate() {
            rate_changed.push((ta.task_id.clone(), ta.rate(), tb.rate()));
        }
    }
    let only_in_b: Vec<String> =
        b.tasks.iter().filter(|t| a.task(&t.task_id).is_none()).map(|t| t.task_id.clone()).collect();
    let common: Vec<&str> =
        a.tasks.iter().map(|t| t.task_id.as_str()).filter(|id| b.task(id).is_some()).collect();
    let med = |v: &[f64]| median(&sorted_finite(v.iter().copied()));
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let mib = |p: &Pooled| p.peak_rss_bytes.map(|b| b as f64 / (1024.0 * 1024.0));
    ModelComparison {
        a: a.name(),
        b: b.name(),
        common: common.len(),
        pass_at_1_a: a.pass_at_1_over(common.iter().copied()),
        pass_at_1_b: b.pass_at_1_over(common.iter().copied()),
        newly_passing,
        newly_failing,
        rate_changed,
        only_in_a,
        only_in_b,
        test_writing: test_writing_figures(a, b),
        deltas: vec![
            Delta {
                name: "generation tok/s (median)",
                unit: "",
                a: med(&a.gen_tokens_per_s),
                b: med(&b.gen_tokens_per_s),
            },
            Delta {
                name: "prompt tok/s (median)",
                unit: "",
                a: med(&a.prompt_tokens_per_s),
                b: med(&b.prompt_tokens_per_s),
            },
            Delta { name: "time to first token (median)", unit: "s", a: med(&a.ttft_s), b: med(&b.ttft_s) },
            Delta { name: "latency (median)", unit: "s", a: med(&a.latency_s), b: med(&b.latency_s) },
            Delta { name: "peak RSS", unit: "MiB", a: mib(a), b: mib(b) },
            Delta { name: "execution time (mean)", unit: "s", a: mean(&a.exec_s), b: mean(&b.exec_s) },
        ],
    }
}

fn figure(value: Option<f64>, unit: &str) -> String {
    match value {
        None => "—".to_string(),
        Some(v) if unit == "s" && v < 1.0 => format!("{:.0} ms", v * 1000.0),
        Some(v) if unit.is_empty() => format!("{v:.1}"),
        Some(v) => format!("{v:.2} {unit}"),
    }
}

/// The test-writing figures side by side: fractions in percent with their change in points,
/// counts (means per sample) as numbers.
fn write_test_writing(f: &mut fmt::Formatter<'_>, figures: &[FigureChange]) -> fmt::Result {
    let Some(most) = figures.iter().map(|c| c.tasks).max() else {
        return Ok(());
    };
    let title = format!("test-writing ({most} tasks)");
    writeln!(f, "  {title:<30} {:>12} {:>12} {:>12}", "A", "B", "change")?;
    for c in figures {
        let mut name = metric::label(c.metric).to_lowercase();
        if c.tasks != most {
            name.push_str(&format!(" ({} tasks)", c.tasks));
        }
        let (a, b, change) = if metric::is_count(c.metric) {
            (format!("{:.1}", c.a), format!("{:.1}", c.b), format!("{:+.1}", c.b - c.a))
        } else {
            (
                format!("{:.1}%", c.a * 100.0),
                format!("{:.1}%", c.b * 100.0),
                format!("{:+.1} pts", (c.b - c.a) * 100.0),
            )
        };
        writeln!(f, "  {name:<30} {a:>12} {b:>12} {change:>12}")?;
    }
    Ok(())
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "A: {}\nB: {}", self.a, self.b)?;
        for m in &self.models {
            writeln!(f)?;
            let title = if m.a == m.b { m.a.clone() } else { format!("{} -> {}", m.a, m.b) };
            let change = (m.pass_at_1_b - m.pass_at_1_a) * 100.0;
            writeln!(
                f,
                "{title}: pass@1 {:.1}% -> {:.1}% ({}{:.1} points) on {} common tasks",
                m.pass_at_1_a * 100.0,
                m.pass_at_1_b * 100.0,
                if change >= 0.0 { "+" } else { "-" },
                change.abs(),
                m.common
            )?;
            writeln!(f, "  newly passing ({}):", m.newly_passing.len())?;
            for id in &m.newly_passing {
                writeln!(f, "    + {id}")?;
            }
            writeln!(f, "  newly failing ({}):", m.newly_failing.len())?;
            for (id, why) in &m.newly_failing {
                let why: String = why.lines().next().unwrap_or("").chars().take(100).collect();
                writeln!(f, "    - {id}  ({why})")?;
            }
            if !m.rate_changed.is_empty() {
                writeln!(f, "  pass rate changed ({}):", m.rate_changed.len())?;
                for (id, ra, rb) in &m.rate_changed {
                    writeln!(f, "    ~ {id}  {:.0}% -> {:.0}%", ra * 100.0, rb * 100.0)?;
                }
            }
            let unchanged = m.common - m.newly_passing.len() - m.newly_failing.len() - m.rate_changed.len();
            writeln!(f, "  unchanged: {unchanged}")?;
            if !m.only_in_a.is_empty() {
                writeln!(f, "  only in A ({}): {}", m.only_in_a.len(), m.only_in_a.join(", "))?;
            }
            if !m.only_in_b.is_empty() {
                writeln!(f, "  only in B ({}): {}", m.only_in_b.len(), m.only_in_b.join(", "))?;
            }
            write_test_writing(f, &m.test_writing)?;
            writeln!(f, "  {:<30} {:>12} {:>12} {:>9}", "speed and memory", "A", "B", "change")?;
            for d in &m.deltas {
                let change = d.change_pct().map_or("—".to_string(), |c| format!("{c:+.1}%"));
                writeln!(
                    f,
                    "  {:<30} {:>12} {:>12} {:>9}",
                    d.name,
                    figure(d.a, d.unit),
                    figure(d.b, d.unit),
                    change
                )?;
            }
        }
        for u in &self.unpaired {
            writeln!(f, "\nnot compared: {u}")?;
        }
        if !self.notes.is_empty() {
            writeln!(f)?;
            for note in &self.notes {
                writeln!(f, "note: {note}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{generated, record, write_run};
    use evalrun_core::Status;

    #[test]
    fn per_task_changes_and_deltas() {
        let tmp = tempfile::tempdir().unwrap();
        let a = write_run(
            tmp.path(),
            "a",
            &[
                generated(record("m", "T1", Status::Passed), 40.0, 2.0),
                generated(record("m", "T2", Status::Failed), 40.0, 2.0),
                generated(record("m", "T3", Status::Passed), 40.0, 2.0),
                generated(record("m", "T4", Status::Passed), 40.0, 2.0),
            ],
        );
        let b = write_run(
            tmp.path(),
            "b",
            &[
                generated(record("m", "T1", Status::TimedOut), 30.0, 3.0),
                generated(record("m", "T2", Status::Passed), 30.0, 3.0),
                generated(record("m", "T3", Status::Passed), 30.0, 3.0),
                generated(record("m", "T5", Status::Passed), 30.0, 3.0),
            ],
        );
        let c = compare(&Run::load(&a).unwrap(), &Run::load(&b).unwrap(), None).unwrap();
        let m = &c.models[0];
        assert_eq!(m.common, 3);
        assert_eq!(m.newly_passing, ["T2"]);
        assert_eq!(m.newly_failing, [("T1".to_string(), "timed_out: timed_out here".to_string())]);
        assert_eq!(
            (m.only_in_a.as_slice(), m.only_in_b.as_slice()),
            (&["T4".to_string()][..], &["T5".to_string()][..])
        );
        assert_eq!((m.pass_at_1_a, m.pass_at_1_b), (2.0 / 3.0, 2.0 / 3.0));
        assert_eq!(m.deltas[0].change_pct(), Some(-25.0));
        assert_eq!(m.deltas[3].change_pct(), Some(50.0));
        let text = c.to_string();
        assert!(
            text.contains("m (llamacpp): pass@1 66.7% -> 66.7% (+0.0 points) on 3 common tasks"),
            "{text}"
        );
        assert!(text.contains("  newly passing (1):\n    + T2\n"), "{text}");
        assert!(text.contains("    - T1  (timed_out: timed_out here)"), "{text}");
        assert!(text.contains("  unchanged: 1\n"), "{text}");
        assert!(
            text.contains("generation tok/s (median)              40.0         30.0    -25.0%"),
            "{text}"
        );
        assert!(m.test_writing.is_empty() && !text.contains("test-writing"), "{text}");
    }

    #[test]
    fn test_writing_figures_side_by_side() {
        use crate::test_support::test_writing;
        let tmp = tempfile::tempdir().unwrap();
        let a = write_run(
            tmp.path(),
            "a",
            &[
                test_writing("m", "tw/1", 2.0, 0.4, Some(0.2)),
                test_writing("m", "tw/2", 0.0, 0.0, Some(0.0)),
                test_writing("m", "tw/3", 4.0, 0.8, None),
                record("m", "HumanEval/0", Status::Passed),
            ],
        );
        let b = write_run(
            tmp.path(),
            "b",
            &[
                test_writing("m", "tw/1", 3.0, 0.6, Some(0.5)),
                test_writing("m", "tw/2", 2.0, 0.5, Some(0.3)),
                test_writing("m", "tw/3", 5.0, 0.9, None),
                record("m", "HumanEval/0", Status::Passed),
            ],
        );
        let c = compare(&Run::load(&a).unwrap(), &Run::load(&b).unwrap(), None).unwrap();
        let figures: Vec<(&str, usize)> =
            c.models[0].test_writing.iter().map(|f| (f.metric, f.tasks)).collect();
        assert_eq!(
            figures,
            [
                ("valid", 3),
                ("tests_written", 3),
                ("tests_kept", 3),
                ("line_coverage", 3),
                ("branch_coverage", 3),
                ("mutation_score", 2)
            ]
        );
        let kept = &c.models[0].test_writing[2];
        assert_eq!((kept.a, kept.b), (2.0, 10.0 / 3.0));
        let text = c.to_string();
        assert!(
            text.contains("  test-writing (3 tasks)                    A            B       change\n"),
            "{text}"
        );
        assert!(
            text.contains("  valid suites                          66.7%       100.0%    +33.3 pts\n"),
            "{text}"
        );
        assert!(
            text.contains("  tests kept                              2.0          3.3         +1.3\n"),
            "{text}"
        );
        assert!(
            text.contains("  line coverage                         40.0%        66.7%    +26.7 pts\n"),
            "{text}"
        );
        assert!(
            text.contains("  mutation score (2 tasks)              10.0%        40.0%    +30.0 pts\n"),
            "{text}"
        );
    }
}
