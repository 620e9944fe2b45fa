//! `evalrun gate`: does a candidate hold against a baseline, or did it regress?
//!
//! **Pass rate.** The two sides ran the same tasks, so their outcomes are paired by task, and
//! the test is the exact McNemar test on those pairs ([`crate::stats::McNemar`]): only tasks
//! whose outcome changed carry information, and under "no real difference" each is as likely to
//! have got worse as better. It was chosen over a paired bootstrap because it is exact for the
//! small numbers of changed tasks a benchmark of tens or hundreds of tasks produces (a bootstrap
//! interval of 3 flipped tasks out of 164 excludes zero and would fail the build on noise; the
//! exact test gives p = 0.25), needs no random resampling (the verdict is reproducible to the
//! bit), and is the standard test for two classifiers scored on one test set (Dietterich 1998).
//! A drop is a regression when it is larger than `--max-drop` points *and* the test rejects "no
//! difference" at `alpha` (two-sided, 0.05 by default) with more tasks worse than better.
//!
//! **Speed.** Generation tokens/s is measured once per sample, so each side has as many
//! measurements as samples (pooled over its runs when several are given): the gate compares the
//! medians, `median(candidate) / median(baseline)`, with a percentile bootstrap interval (each
//! side resampled on its own, fixed seed). A slowdown is a regression when it is larger than
//! `--max-slowdown` percent *and* the whole interval lies below "no change". Speed is only
//! gated when `--max-slowdown` is given, since timings depend on the machine; it is always shown.
//!
//! **Test-writing figures.** When both sides ran test-writing tasks, the mean mutation score and
//! the mean line coverage of the kept tests are gated too, each over the test-writing tasks that
//! have the figure on both sides (a task without mutants has no mutation score; a sample whose
//! generation failed has no figures, and its task is then paired on the others' samples or left
//! out, as a note says; the pass-rate test above still counts it as a failure). A task's figure
//! is the mean over its samples, so the tasks are paired as for the pass rate, but the figures
//! are fractions that move by a little or a lot, which the McNemar (sign) test would count alike:
//! a 60-point fall on one task would weigh no more than a 1-point rise on another. The test is
//! the Wilcoxon signed-rank test on the per-task differences ([`crate::stats::SignedRank`]),
//! which ranks the changes by size: exact (the distribution of its statistic over every
//! assignment of signs to the observed sizes, ties sharing their mean rank, unchanged tasks left
//! out) up to [`crate::stats::EXACT_UP_TO`] changed tasks, the normal approximation with tie and
//! continuity corrections beyond. Like the McNemar test it needs no resampling and gives the same
//! verdict every time; it assumes that without a real difference a task's change is as likely up
//! as down by the same amount, which holds when the two sides are interchangeable, and it tests a
//! shift of the per-task changes rather than the difference of the means. A figure regressed when
//! its mean fell by more than `--max-drop` points *and* the test rejects "no difference" at
//! `alpha` with the falls outranking the rises. Each check runs at `alpha`, so a gate that checks
//! pass@1 and two figures can fail a candidate that is no worse with a chance of up to three times
//! `alpha`; less in practice, since coverage and mutation score move together.

use crate::pooled::{pair, pool, PairingError, Pooled};
use crate::run::Run;
use crate::stats::{median_ratio, McNemar, MedianRatio};
use std::collections::HashSet;
use std::fmt;

mod test_writing;
pub use test_writing::FigureCheck;

/// Significance level of the pass-rate test when none is given.
pub const DEFAULT_ALPHA: f64 = 0.05;
/// Fewest speed measurements per side the gate accepts when speed is gated.
pub const MIN_SPEED_SAMPLES: usize = 3;
/// Task ids listed in the explanation before "and N more".
const LISTED: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateOptions {
    /// Largest pass@1 drop tolerated, in percentage points; also the largest drop of the kept
    /// tests' mean mutation score and line coverage of test-writing tasks.
    pub max_drop_points: f64,
    /// Largest generation slowdown tolerated, in percent; `None`: speed is not gated.
    pub max_slowdown_pct: Option<f64>,
    /// Significance level of the tests.
    pub alpha: f64,
}

impl Default for GateOptions {
    fn default() -> Self {
        GateOptions { max_drop_points: 0.0, max_slowdown_pct: None, alpha: DEFAULT_ALPHA }
    }
}

/// Why the gate cannot decide: bad input (the command exits 2).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Pairing(#[from] PairingError),
    #[error("{0}")]
    Input(String),
}

/// The gate's decision and everything behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub options: GateOptions,
    pub pairs: Vec<PairVerdict>,
    /// What the reader should know: unpaired models, ignored tasks, different machines, backends
    /// or compute features.
    pub notes: Vec<String>,
}

/// One baseline model against its candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct PairVerdict {
    pub baseline: String,
    pub baseline_runs: Vec<String>,
    pub candidate: String,
    pub candidate_runs: Vec<String>,
    /// Tasks both sides ran (all of the baseline's).
    pub tasks: usize,
    /// Every task on both sides has one sample, so a change is a flip between pass and fail.
    pub single_samples: bool,
    pub pass: PassCheck,
    /// The kept tests' mutation score and line coverage, when both sides ran test-writing tasks.
    pub test_writing: Vec<FigureCheck>,
    pub speed: SpeedCheck,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PassCheck {
    /// pass@1 of each side over the common tasks.
    pub baseline: f64,
    pub candidate: f64,
    pub test: McNemar,
    /// Tasks whose pass rate fell (newly failing with one sample per task), and rose.
    pub worse: Vec<String>,
    pub better: Vec<String>,
    pub regressed: bool,
}

impl PassCheck {
    /// How far pass@1 fell, in percentage points (negative: it rose).
    pub fn drop_points(&self) -> f64 {
        (self.baseline - self.candidate) * 100.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SpeedCheck {
    /// A side has no generation measurements (replayed samples).
    Unmeasured { side: &'static str },
    Measured {
        /// Generation tokens/s, candidate over baseline.
        ratio: MedianRatio,
        baseline_samples: usize,
        candidate_samples: usize,
        /// `--max-slowdown` was given.
        gated: bool,
        regressed: bool,
    },
}

impl Gate {
    /// Did any pair regress?
    pub fn regressed(&self) -> bool {
        self.pairs.iter().any(|p| {
            p.pass.regressed
                || p.test_writing.iter().any(|f| f.regressed)
                || matches!(p.speed, SpeedCheck::Measured { regressed: true, .. })
        })
    }
}

/// Judges the candidate runs against the baseline runs (several runs of a side are pooled).
pub fn evaluate(
    baseline: &[Run],
    candidate: &[Run],
    model: Option<&str>,
    options: GateOptions,
) -> Result<Gate, GateError> {
    if !(options.max_drop_points >= 0.0 && options.max_drop_points.is_finite()) {
        return Err(GateError::Input(format!(
            "--max-drop must be 0 or more points, got {}",
            options.max_drop_points
        )));
    }
    if let Some(pct) = options.max_slowdown_pct {
        if !(0.0..100.0).contains(&pct) {
            return Err(GateError::Input(format!(
                "--max-slowdown must be a percentage in [0, 100), got {pct}"
            )));
        }
    }
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(GateError::Input(format!("--alpha must be between 0 and 1, got {}", options.alpha)));
    }
    let (pairs, unpaired) = pair(pool(baseline), pool(candidate), model)?;
    let mut notes: Vec<String> = unpaired.into_iter().map(|u| format!("not gated: {u}")).collect();
    notes.extend(corpus_note(baseline, candidate));
    let mut verdicts = Vec::new();
    for (b, c) in &pairs {
        verdicts.push(judge(b, c, options, &mut notes)?);
    }
    if options.max_slowdown_pct.is_some() {
        notes.extend(machine_note(baseline, candidate));
    }
    // Whatever the speed, kernels that round differently change greedy outputs, and so pass@1.
    notes.extend(crate::provenance::notes(baseline, candidate, ["baseline", "candidate"]));
    Ok(Gate { options, pairs: verdicts, notes })
}

fn judge(
    b: &Pooled,
    c: &Pooled,
    options: GateOptions,
    notes: &mut Vec<String>,
) -> Result<PairVerdict, GateError> {
    let missing: Vec<&str> =
        b.tasks.iter().map(|t| t.task_id.as_str()).filter(|id| c.task(id).is_none()).collect();
    if !missing.is_empty() {
        return Err(GateError::Input(format!(
            "the candidate {} has no results for {} of the baseline's {} tasks ({}): it did not run them or did \
             not finish; gate runs over the same tasks",
            c.name(),
            missing.len(),
            b.tasks.len(),
            listed(&missing.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        )));
    }
    let baseline_ids: HashSet<&str> = b.tasks.iter().map(|t| t.task_id.as_str()).collect();
    let extra = c.tasks.iter().filter(|t| !baseline_ids.contains(t.task_id.as_str())).count();
    if extra > 0 {
        notes.push(format!("ignored {extra} tasks that only the candidate {} ran", c.name()));
    }

    let mut worse = Vec::new();
    let mut better = Vec::new();
    let mut outcome_pairs = Vec::new();
    for t in &b.tasks {
        let after = c.task(&t.task_id).map_or(0.0, |x| x.rate());
        let before = t.rate();
        outcome_pairs.push((before, after));
        if after < before {
            worse.push(t.task_id.clone());
        } else if after > before {
            better.push(t.task_id.clone());
        }
    }
    let test = McNemar::from_pairs(outcome_pairs);
    let ids = || b.tasks.iter().map(|t| t.task_id.as_str());
    let (baseline_pass, candidate_pass) = (b.pass_at_1_over(ids()), c.pass_at_1_over(ids()));
    let drop = (baseline_pass - candidate_pass) * 100.0;
    let regressed =
        drop > options.max_drop_points + 1e-9 && test.p_value < options.alpha && test.worse > test.better;
    let pass =
        PassCheck { baseline: baseline_pass, candidate: candidate_pass, test, worse, better, regressed };

    let speed = match (b.gen_tokens_per_s.is_empty(), c.gen_tokens_per_s.is_empty()) {
        (true, _) => SpeedCheck::Unmeasured { side: "baseline" },
        (_, true) => SpeedCheck::Unmeasured { side: "candidate" },
        _ => {
            let confidence = 1.0 - options.alpha;
            match median_ratio(&b.gen_tokens_per_s, &c.gen_tokens_per_s, confidence) {
                Some(ratio) => {
                    let slowdown = (1.0 - ratio.ratio) * 100.0;
                    let regressed =
                        options.max_slowdown_pct.is_some_and(|max| slowdown > max && ratio.high < 1.0);
                    SpeedCheck::Measured {
                        ratio,
                        baseline_samples: b.gen_tokens_per_s.len(),
                        candidate_samples: c.gen_tokens_per_s.len(),
                        gated: options.max_slowdown_pct.is_some(),
                        regressed,
                    }
                }
                None => SpeedCheck::Unmeasured { side: "baseline" },
            }
        }
    };
    if options.max_slowdown_pct.is_some() {
        match &speed {
            SpeedCheck::Unmeasured { side } => {
                return Err(GateError::Input(format!(
                    "--max-slowdown was given but the {side} has no generation measurements (replayed samples \
                     are not timed)"
                )))
            }
            SpeedCheck::Measured { baseline_samples, candidate_samples, .. }
                if (*baseline_samples).min(*candidate_samples) < MIN_SPEED_SAMPLES =>
            {
                return Err(GateError::Input(format!(
                    "--max-slowdown needs at least {MIN_SPEED_SAMPLES} timed samples a side to measure a spread; \
                     the baseline has {baseline_samples} and the candidate {candidate_samples}"
                )))
            }
            SpeedCheck::Measured { .. } => {}
        }
    }
    let test_writing = test_writing::checks(b, c, options, notes);
    let single_samples = b.tasks.iter().chain(&c.tasks).all(|t| t.samples == 1);
    Ok(PairVerdict {
        baseline: b.name(),
        baseline_runs: b.runs.clone(),
        candidate: c.name(),
        candidate_runs: c.runs.clone(),
        tasks: b.tasks.len(),
        single_samples,
        pass,
        test_writing,
        speed,
    })
}

/// A note when the two sides ran different corpus versions (the tasks may have changed).
fn corpus_note(baseline: &[Run], candidate: &[Run]) -> Option<String> {
    let versions = |runs: &[Run]| -> Vec<String> {
        let mut v: Vec<String> =
            runs.iter().filter_map(|r| r.manifest.as_ref().map(|m| m.corpus_version.clone())).collect();
        v.sort();
        v.dedup();
        v
    };
    let (b, c) = (versions(baseline), versions(candidate));
    (!b.is_empty() && !c.is_empty() && b != c).then(|| {
        format!("corpus versions differ ({} vs {}): tasks may have changed", b.join(", "), c.join(", "))
    })
}

/// A note when the sides ran on different CPUs (speed then measures the machines too).
fn machine_note(baseline: &[Run], candidate: &[Run]) -> Option<String> {
    let cpus = |runs: &[Run]| -> Vec<String> {
        let mut v: Vec<String> =
            runs.iter().filter_map(|r| r.manifest.as_ref().map(|m| m.machine.cpu_model.clone())).collect();
        v.sort();
        v.dedup();
        v
    };
    let (b, c) = (cpus(baseline), cpus(candidate));
    (!b.is_empty() && !c.is_empty() && b != c).then(|| {
        format!(
            "speed compared across machines ({} vs {}): it measures the machines too",
            b.join(", "),
            c.join(", ")
        )
    })
}

/// `a, b, c and 5 more`.
fn listed(ids: &[String]) -> String {
    let shown = ids.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    match ids.len().saturating_sub(LISTED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

fn p_value(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

fn signed_percent(v: f64) -> String {
    format!("{}{:.1}%", if v >= 0.0 { "+" } else { "" }, v)
}

impl fmt::Display for Gate {
    /// The explanation the command prints: one screen.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(f, "evalrun gate: {}", if self.regressed() { "REGRESSED" } else { "HOLDS" })?;
        for p in &self.pairs {
            writeln!(f)?;
            writeln!(f, "  baseline   {}  [{}]", p.baseline, p.baseline_runs.join(", "))?;
            writeln!(f, "  candidate  {}  [{}]", p.candidate, p.candidate_runs.join(", "))?;
            let pass = &p.pass;
            let drop = pass.drop_points();
            writeln!(
                f,
                "  pass@1     {:.1}% -> {:.1}%  ({}{:.1} points; allowed drop {:.1})",
                pass.baseline * 100.0,
                pass.candidate * 100.0,
                if drop > 0.0 { "-" } else { "+" },
                drop.abs(),
                o.max_drop_points
            )?;
            let (worse, better) =
                if p.single_samples { ("newly failing", "newly passing") } else { ("worse", "better") };
            writeln!(
                f,
                "             {} common tasks: {} {worse}, {} {better}, {} unchanged",
                p.tasks,
                pass.worse.len(),
                pass.better.len(),
                p.tasks - pass.worse.len() - pass.better.len()
            )?;
            let p_text = p_value(pass.test.p_value);
            let verdict = if pass.regressed {
                format!("p = {p_text} < {}: the drop is real => REGRESSED", o.alpha)
            } else if drop <= o.max_drop_points + 1e-9 {
                format!("p = {p_text}; no drop beyond the allowed {:.1} points => holds", o.max_drop_points)
            } else {
                format!("p = {p_text} >= {}: the drop is within noise => holds", o.alpha)
            };
            writeln!(f, "             exact McNemar test: {verdict}")?;
            if !pass.worse.is_empty() {
                writeln!(f, "             {worse}: {}", listed(&pass.worse))?;
            }
            if !pass.better.is_empty() {
                writeln!(f, "             {better}: {}", listed(&pass.better))?;
            }
            if !p.test_writing.is_empty() {
                writeln!(f, "  test-writing: the kept tests' figures, paired by task")?;
            }
            for check in &p.test_writing {
                test_writing::explain(f, check, o)?;
            }
            match &p.speed {
                SpeedCheck::Unmeasured { side } => {
                    writeln!(f, "  speed      not measured: the {side} has no timed generations")?
                }
                SpeedCheck::Measured { ratio, baseline_samples, candidate_samples, gated, regressed } => {
                    writeln!(
                        f,
                        "  speed      {:.1} -> {:.1} generation tok/s (medians; {} change, {:.0}% interval {} .. {})",
                        ratio.before_median,
                        ratio.after_median,
                        signed_percent((ratio.ratio - 1.0) * 100.0),
                        (1.0 - o.alpha) * 100.0,
                        signed_percent((ratio.low - 1.0) * 100.0),
                        signed_percent((ratio.high - 1.0) * 100.0)
                    )?;
                    let verdict = match (gated, o.max_slowdown_pct) {
                        (true, Some(max)) if *regressed => {
                            format!("slower by more than {max}% and beyond noise => REGRESSED")
                        }
                        (true, Some(max)) => format!("allowed slowdown {max}% => holds"),
                        _ => "not gated (pass --max-slowdown PCT to gate speed)".to_string(),
                    };
                    writeln!(
                        f,
                        "             {baseline_samples} vs {candidate_samples} timed samples; {verdict}"
                    )?;
                }
            }
        }
        if !self.notes.is_empty() {
            writeln!(f)?;
            for note in &self.notes {
                writeln!(f, "  note: {note}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{generated, record, write_run};
    use evalrun_core::{SampleRecord, Status};
    use std::path::Path;

    /// A run of `n` tasks; task `i` passes unless `failing(i)`; generation speed `speed(i)`.
    fn run(
        dir: &Path,
        name: &str,
        n: usize,
        failing: impl Fn(usize) -> bool,
        speed: Option<&dyn Fn(usize) -> f64>,
    ) -> Run {
        let rows: Vec<SampleRecord> = (0..n)
            .map(|i| {
                let r =
                    record("m", &format!("T{i}"), if failing(i) { Status::Failed } else { Status::Passed });
                match speed {
                    Some(speed) => generated(r, speed(i), 2.0),
                    None => r,
                }
            })
            .collect();
        Run::load(&write_run(dir, name, &rows)).unwrap()
    }

    fn gate(b: &Run, c: &Run, options: GateOptions) -> Gate {
        evaluate(std::slice::from_ref(b), std::slice::from_ref(c), None, options).unwrap()
    }

    #[test]
    fn identical_runs_hold() {
        let tmp = tempfile::tempdir().unwrap();
        let speed = |i: usize| 40.0 + (i % 7) as f64;
        let b = run(tmp.path(), "b", 30, |i| i % 3 == 0, Some(&speed));
        let g = gate(&b, &b, GateOptions { max_slowdown_pct: Some(5.0), ..GateOptions::default() });
        assert!(!g.regressed(), "{g}");
        let p = &g.pairs[0];
        assert_eq!((p.pass.test.worse, p.pass.test.better, p.pass.test.p_value), (0, 0, 1.0));
        assert!(matches!(p.speed, SpeedCheck::Measured { regressed: false, gated: true, .. }), "{g}");
        assert!(g.to_string().starts_with("evalrun gate: HOLDS\n"), "{g}");
        // No test-writing task, no test-writing check.
        assert!(p.test_writing.is_empty() && !g.to_string().contains("test-writing"), "{g}");
    }

    #[test]
    fn a_clearly_worse_candidate_regresses() {
        let tmp = tempfile::tempdir().unwrap();
        let b = run(tmp.path(), "b", 20, |_| false, None);
        let c = run(tmp.path(), "c", 20, |i| i % 2 == 0, None);
        let g = gate(&b, &c, GateOptions::default());
        assert!(g.regressed(), "{g}");
        let p = &g.pairs[0].pass;
        assert_eq!((p.test.worse, p.test.better), (10, 0));
        assert_eq!(p.test.p_value, 2.0 / 1024.0);
        assert!((p.drop_points() - 50.0).abs() < 1e-9);
        let text = g.to_string();
        assert!(text.starts_with("evalrun gate: REGRESSED\n"), "{text}");
        assert!(text.contains("pass@1     100.0% -> 50.0%  (-50.0 points; allowed drop 0.0)"), "{text}");
        assert!(text.contains("20 common tasks: 10 newly failing, 0 newly passing, 10 unchanged"), "{text}");
        assert!(text.contains("p = 0.002 < 0.05: the drop is real => REGRESSED"), "{text}");
        assert!(text.contains("newly failing: T0, T2, T4, T6, T8, T10, T12, T14 and 2 more"), "{text}");
        assert!(text.contains("speed      not measured"), "{text}");
        // Allowing a 50-point drop lets it through.
        assert!(!gate(&b, &c, GateOptions { max_drop_points: 50.0, ..GateOptions::default() }).regressed());
    }

    #[test]
    fn noise_holds() {
        let tmp = tempfile::tempdir().unwrap();
        // 3 tasks flip to failing and 1 to passing out of 40: pass@1 falls 5 points, p = 0.625.
        let b = run(tmp.path(), "b", 40, |i| i >= 30, None);
        let c = run(tmp.path(), "c", 40, |i| (i >= 30 && i != 35) || i < 3, None);
        let g = gate(&b, &c, GateOptions::default());
        assert!(!g.regressed(), "{g}");
        let p = &g.pairs[0].pass;
        assert_eq!((p.test.worse, p.test.better), (3, 1));
        assert!((p.drop_points() - 5.0).abs() < 1e-9);
        assert!(g.to_string().contains("p = 0.625 >= 0.05: the drop is within noise => holds"), "{g}");
    }

    #[test]
    fn speed_regression_needs_size_and_certainty() {
        let tmp = tempfile::tempdir().unwrap();
        let base = |i: usize| 40.0 * (1.0 + 0.03 * ((i * 7919 % 13) as f64 - 6.0) / 6.0);
        let b = run(tmp.path(), "b", 40, |_| false, Some(&base));
        let slower = |i: usize| base(i) * 0.7;
        let c = run(tmp.path(), "c", 40, |_| false, Some(&slower));
        let gated = GateOptions { max_slowdown_pct: Some(10.0), ..GateOptions::default() };
        let g = gate(&b, &c, gated);
        assert!(g.regressed(), "{g}");
        assert!(g.to_string().contains("slower by more than 10% and beyond noise => REGRESSED"), "{g}");
        // Not gated without --max-slowdown, and held when 40% is allowed.
        assert!(!gate(&b, &c, GateOptions::default()).regressed());
        assert!(!gate(&b, &c, GateOptions { max_slowdown_pct: Some(40.0), ..gated }).regressed());
        // A 12% slowdown seen in 3 noisy samples a side is not beyond noise.
        let noisy = |i: usize| [30.0, 45.0, 60.0][i % 3];
        let noisy_slow = |i: usize| [26.0, 40.0, 53.0][i % 3];
        let b = run(tmp.path(), "nb", 3, |_| false, Some(&noisy));
        let c = run(tmp.path(), "nc", 3, |_| false, Some(&noisy_slow));
        let g = gate(&b, &c, gated);
        assert!(!g.regressed(), "{g}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let b = run(tmp.path(), "b", 10, |_| false, None);
        let short = run(tmp.path(), "c", 6, |_| false, None);
        let err = evaluate(&[b.clone()], &[short], None, GateOptions::default()).unwrap_err().to_string();
        assert!(err.contains("no results for 4 of the baseline's 10 tasks (T6, T7, T8, T9)"), "{err}");
        // Speed gated without measurements.
        let err = evaluate(
            &[b.clone()],
            &[b.clone()],
            None,
            GateOptions { max_slowdown_pct: Some(5.0), ..Default::default() },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no generation measurements"), "{err}");
        for options in [
            GateOptions { max_drop_points: -1.0, ..Default::default() },
            GateOptions { alpha: 0.0, ..Default::default() },
            GateOptions { max_slowdown_pct: Some(100.0), ..Default::default() },
        ] {
            assert!(matches!(evaluate(&[b.clone()], &[b.clone()], None, options), Err(GateError::Input(_))));
        }
    }

    #[test]
    fn several_baseline_runs_are_pooled() {
        let tmp = tempfile::tempdir().unwrap();
        let speed = |i: usize| 40.0 + (i % 5) as f64;
        let b1 = run(tmp.path(), "b1", 20, |i| i == 0, Some(&speed));
        let b2 = run(tmp.path(), "b2", 20, |i| i == 1, Some(&speed));
        let c = run(tmp.path(), "c", 20, |i| i < 2, Some(&speed));
        let g = evaluate(&[b1, b2], &[c], None, GateOptions::default()).unwrap();
        let p = &g.pairs[0];
        assert_eq!(p.baseline_runs, ["b1", "b2"]);
        assert!(!p.single_samples);
        // T0 and T1 passed once in two baseline runs and never in the candidate.
        assert_eq!(p.pass.worse, ["T0", "T1"]);
        assert!(matches!(p.speed, SpeedCheck::Measured { baseline_samples: 40, candidate_samples: 20, .. }));
        assert!(!g.regressed(), "{g}");
    }
}
