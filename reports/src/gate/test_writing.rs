//! The gate's check of the test-writing figures of the kept tests: mean mutation score and line
//! coverage, paired by task and tested with the Wilcoxon signed-rank test (why: the doc comment
//! of [`crate::gate`]).

use super::{listed, p_value, GateOptions};
use crate::leaderboard::TaskOutcome;
use crate::pooled::Pooled;
use crate::stats::SignedRank;
use evalrun_core::summary::metric;
use std::fmt;

/// The test-writing figures of the kept tests that the gate checks, and how it names them.
const GATED_FIGURES: [(&str, &str); 2] =
    [(metric::MUTATION_SCORE, "mutation"), (metric::LINE_COVERAGE, "lines")];
/// Figures closer than this did not change.
const UNCHANGED: f64 = 1e-12;

/// A test-writing figure of the kept tests, paired by task.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureCheck {
    /// The metric (`mutation_score`, `line_coverage`) and its short name in the explanation.
    pub metric: &'static str,
    pub name: &'static str,
    /// Test-writing tasks with the figure on both sides.
    pub tasks: usize,
    /// Means over those tasks of each side's per-task mean.
    pub baseline: f64,
    pub candidate: f64,
    pub test: SignedRank,
    /// Tasks whose figure fell, and rose.
    pub worse: Vec<String>,
    pub better: Vec<String>,
    pub regressed: bool,
}

impl FigureCheck {
    /// How far the mean fell, in percentage points (negative: it rose).
    pub fn drop_points(&self) -> f64 {
        (self.baseline - self.candidate) * 100.0
    }
}

/// The checks of the figures, when both sides ran test-writing tasks.
pub(super) fn checks(
    b: &Pooled,
    c: &Pooled,
    options: GateOptions,
    notes: &mut Vec<String>,
) -> Vec<FigureCheck> {
    if !(b.has_test_writing() && c.has_test_writing()) {
        return Vec::new();
    }
    GATED_FIGURES.iter().filter_map(|&(figure, name)| check(b, c, figure, name, options, notes)).collect()
}

/// The check of one test-writing figure, or `None` when no task has it on both sides.
fn check(
    b: &Pooled,
    c: &Pooled,
    figure: &'static str,
    name: &'static str,
    options: GateOptions,
    notes: &mut Vec<String>,
) -> Option<FigureCheck> {
    let pairs = b.paired_test_writing(c, |t: &TaskOutcome| t.metrics.get(figure).copied());
    // Tasks that have the figure on one side only: a failed generation, or mutants added since.
    let one_sided = b.paired_test_writing(c, |t: &TaskOutcome| {
        Some(if t.metrics.contains_key(figure) { 1.0 } else { 0.0 })
    });
    let one_sided = one_sided.iter().filter(|(_, x, y)| x != y).count();
    if one_sided > 0 {
        notes.push(format!(
            "{one_sided} test-writing tasks have a {} on one side only and are left out of its check",
            metric::label(figure).to_lowercase()
        ));
    }
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let baseline = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let candidate = pairs.iter().map(|p| p.2).sum::<f64>() / n;
    let worse = pairs.iter().filter(|p| p.2 < p.1 - UNCHANGED).map(|p| p.0.clone()).collect();
    let better = pairs.iter().filter(|p| p.2 > p.1 + UNCHANGED).map(|p| p.0.clone()).collect();
    let test = SignedRank::from_pairs(pairs.iter().map(|p| (p.1, p.2)));
    let drop = (baseline - candidate) * 100.0;
    let regressed = drop > options.max_drop_points + 1e-9
        && test.p_value < options.alpha
        && test.rank_sum_worse > test.rank_sum_better;
    Some(FigureCheck {
        metric: figure,
        name,
        tasks: pairs.len(),
        baseline,
        candidate,
        test,
        worse,
        better,
        regressed,
    })
}

/// The explanation of one test-writing figure's check.
pub(super) fn explain(f: &mut fmt::Formatter<'_>, check: &FigureCheck, o: &GateOptions) -> fmt::Result {
    let drop = check.drop_points();
    writeln!(
        f,
        "  {:<10} {:.1}% -> {:.1}%  ({}{:.1} points; allowed drop {:.1})",
        check.name,
        check.baseline * 100.0,
        check.candidate * 100.0,
        if drop > 0.0 { "-" } else { "+" },
        drop.abs(),
        o.max_drop_points
    )?;
    writeln!(
        f,
        "             {} common tasks: {} worse, {} better, {} unchanged",
        check.tasks,
        check.worse.len(),
        check.better.len(),
        check.tasks - check.worse.len() - check.better.len()
    )?;
    let p_text = p_value(check.test.p_value);
    let verdict = if check.regressed {
        format!("p = {p_text} < {}: the drop is real => REGRESSED", o.alpha)
    } else if drop <= o.max_drop_points + 1e-9 {
        format!("p = {p_text}; no drop beyond the allowed {:.1} points => holds", o.max_drop_points)
    } else if check.test.p_value < o.alpha {
        format!("p = {p_text}, but the rises outrank the falls => holds")
    } else {
        format!("p = {p_text} >= {}: the drop is within noise => holds", o.alpha)
    };
    let test = if check.test.exact {
        "exact Wilcoxon signed-rank test"
    } else {
        "Wilcoxon signed-rank test (normal approximation)"
    };
    writeln!(f, "             {test}: {verdict}")?;
    if !check.worse.is_empty() {
        writeln!(f, "             worse: {}", listed(&check.worse))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::gate::{evaluate, Gate, GateOptions};
    use crate::run::Run;
    use crate::test_support::write_run;
    use evalrun_core::SampleRecord;
    use std::path::Path;

    fn gate(b: &Run, c: &Run, options: GateOptions) -> Gate {
        evaluate(std::slice::from_ref(b), std::slice::from_ref(c), None, options).unwrap()
    }

    /// A run of `n` test-writing tasks, every suite valid with 3 kept tests and line coverage
    /// `line(i)`, and mutation score `mutation(i)`.
    fn tw_run(
        dir: &Path,
        name: &str,
        n: usize,
        line: impl Fn(usize) -> f64,
        mutation: impl Fn(usize) -> f64,
    ) -> Run {
        let rows: Vec<SampleRecord> = (0..n)
            .map(|i| {
                crate::test_support::test_writing("m", &format!("tw/{i}"), 3.0, line(i), Some(mutation(i)))
            })
            .collect();
        Run::load(&write_run(dir, name, &rows)).unwrap()
    }

    #[test]
    fn a_mutation_score_that_falls_on_many_tasks_regresses() {
        let tmp = tempfile::tempdir().unwrap();
        let b = tw_run(tmp.path(), "b", 20, |_| 0.7, |_| 0.6);
        let c = tw_run(tmp.path(), "c", 20, |_| 0.7, |i| if i < 15 { 0.3 } else { 0.6 });
        let g = gate(&b, &c, GateOptions::default());
        assert!(g.regressed(), "{g}");
        let p = &g.pairs[0];
        assert!(!p.pass.regressed, "every suite is still valid");
        let [mutation, lines] = &p.test_writing[..] else { panic!("{g}") };
        assert_eq!(
            (mutation.metric, mutation.tasks, mutation.worse.len(), mutation.better.len()),
            ("mutation_score", 20, 15, 0)
        );
        assert_eq!(mutation.test.p_value, 2.0 / 32768.0);
        assert!(mutation.regressed && !lines.regressed);
        assert!((mutation.drop_points() - 22.5).abs() < 1e-9);
        let text = g.to_string();
        assert!(text.starts_with("evalrun gate: REGRESSED\n"), "{text}");
        assert!(text.contains("  test-writing: the kept tests' figures, paired by task\n"), "{text}");
        assert!(text.contains("  mutation   60.0% -> 37.5%  (-22.5 points; allowed drop 0.0)\n"), "{text}");
        assert!(text.contains("20 common tasks: 15 worse, 0 better, 5 unchanged"), "{text}");
        assert!(
            text.contains(
                "exact Wilcoxon signed-rank test: p = 6.1e-5 < 0.05: the drop is real => REGRESSED"
            ),
            "{text}"
        );
        assert!(text.contains("  lines      70.0% -> 70.0%  (+0.0 points; allowed drop 0.0)\n"), "{text}");
        // Allowing a 25-point drop lets it through.
        assert!(!gate(&b, &c, GateOptions { max_drop_points: 25.0, ..GateOptions::default() }).regressed());
    }

    #[test]
    fn a_figure_that_moves_on_one_task_holds() {
        let tmp = tempfile::tempdir().unwrap();
        let b = tw_run(tmp.path(), "b", 20, |i| 0.5 + i as f64 / 100.0, |_| 0.6);
        // One task loses its whole mutation score and another 30 points of coverage: the means
        // fall 3 and 1.5 points, and one task each cannot tell that from noise.
        let c = tw_run(
            tmp.path(),
            "c",
            20,
            |i| if i == 7 { 0.27 } else { 0.5 + i as f64 / 100.0 },
            |i| if i == 3 { 0.0 } else { 0.6 },
        );
        let g = gate(&b, &c, GateOptions::default());
        assert!(!g.regressed(), "{g}");
        let checks = &g.pairs[0].test_writing;
        assert_eq!(
            checks.iter().map(|c| (c.worse.len(), c.test.p_value)).collect::<Vec<_>>(),
            [(1, 1.0), (1, 1.0)]
        );
        assert!((checks[0].drop_points() - 3.0).abs() < 1e-9 && (checks[1].drop_points() - 1.5).abs() < 1e-9);
        let text = g.to_string();
        assert!(text.contains("p = 1.000 >= 0.05: the drop is within noise => holds"), "{text}");
        assert!(text.contains("             worse: tw/3\n"), "{text}");
    }

    #[test]
    fn big_falls_outweigh_small_rises() {
        let tmp = tempfile::tempdir().unwrap();
        // 12 tasks lose 40 points of mutation score, 8 gain 1: the sign test would see 12 against
        // 8 (p = 0.5); the ranks see the falls are all larger.
        let b = tw_run(tmp.path(), "b", 20, |_| 0.7, |_| 0.5);
        let c = tw_run(tmp.path(), "c", 20, |_| 0.7, |i| if i < 12 { 0.1 } else { 0.51 });
        let g = gate(&b, &c, GateOptions::default());
        let mutation = &g.pairs[0].test_writing[0];
        assert_eq!((mutation.test.worse, mutation.test.better), (12, 8));
        assert!((crate::stats::exact_p_value(12, 8) - 0.503_445).abs() < 1e-6);
        assert!(mutation.test.p_value < 0.01 && mutation.regressed, "{g}");
    }
}
