//! What feedback bought: a model's test-writing figures after each feedback round (`--rounds K`),
//! from the `rounds.jsonl` of its run, as a table for the Markdown and HTML reports.
//!
//! Each round's figures are those of each sample's suite after that round. A sample whose loop
//! ended early (its coverage and mutation score stopped improving) carries its last figures into
//! the later rounds, so every round's means are over the same samples and a mean can only move
//! because some sample's suite changed.

use crate::markup;
use crate::run::read_journal;
use crate::test_writing::show;
use crate::ReportError;
use evalrun_core::summary::metric;
use evalrun_core::RoundRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The journal of rounds in a run directory.
pub const FILE: &str = "rounds.jsonl";

/// Figures whose rise makes a round an improvement, and the least rise that counts: the loop's
/// own rule for going on (`harness/src/testwriting/rounds.rs`).
const IMPROVING: [&str; 2] = [metric::LINE_COVERAGE, metric::MUTATION_SCORE];
const LEAST_RISE: f64 = 1e-9;

/// Columns of the table, after the round and the sample counts.
const COLUMNS: [&str; 4] =
    [metric::TESTS_KEPT, metric::LINE_COVERAGE, metric::BRANCH_COVERAGE, metric::MUTATION_SCORE];

/// A model's figures round by round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRounds {
    /// Samples with journaled rounds.
    pub samples: usize,
    /// From round 1 to the last round any sample ran.
    pub rounds: Vec<RoundFigures>,
    /// Why the samples' loops ended (their last round's `stopped` up to any `:` detail, so that
    /// `generation failed: ...` counts as one reason; `not recorded` when it has none, as when
    /// the run was interrupted), with how many samples each.
    pub stopped: BTreeMap<String, usize>,
}

/// One round's figures over a model's samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundFigures {
    /// 1-based; round 1 is the single-shot answer.
    pub round: u32,
    /// Samples that ran this round: still improving after the round before.
    pub running: usize,
    /// Of those, the samples whose line coverage or mutation score rose in this round;
    /// `None` for round 1, which has nothing to improve on.
    pub improved: Option<usize>,
    /// Means over the samples, each over those that have the figure: the fraction of valid
    /// suites, the tests kept, and the kept tests' coverage and mutation score.
    pub valid: Option<f64>,
    pub tests_kept: Option<f64>,
    pub line_coverage: Option<f64>,
    pub branch_coverage: Option<f64>,
    pub mutation_score: Option<f64>,
    /// The tests this round's answers lost against the module, by why (the rows' `failures`,
    /// summed over the samples that ran the round); empty in journals from before they were
    /// recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dropped: BTreeMap<String, u32>,
}

/// How many reasons a table cell names; the rest are summed as `other`.
const REASONS_SHOWN: usize = 3;

impl RoundFigures {
    /// `12 wrong expected value, 5 TypeError, 3 file: does not parse, 4 other`: the most common
    /// reasons first; `—` when none is recorded.
    fn dropped_cell(&self) -> String {
        let mut reasons: Vec<(&String, &u32)> = self.dropped.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut parts: Vec<String> =
            reasons.iter().take(REASONS_SHOWN).map(|(why, n)| format!("{n} {why}")).collect();
        let rest: u32 = reasons.iter().skip(REASONS_SHOWN).map(|(_, n)| **n).sum();
        if rest > 0 {
            parts.push(format!("{rest} other"));
        }
        if parts.is_empty() {
            "—".into()
        } else {
            parts.join(", ")
        }
    }

    fn figure(&self, name: &str) -> Option<f64> {
        match name {
            metric::VALID => self.valid,
            metric::TESTS_KEPT => self.tests_kept,
            metric::LINE_COVERAGE => self.line_coverage,
            metric::BRANCH_COVERAGE => self.branch_coverage,
            metric::MUTATION_SCORE => self.mutation_score,
            _ => None,
        }
    }
}

/// The rounds journaled in the run directory `dir`; none when it has no `rounds.jsonl` (a run
/// without feedback rounds). A torn last line is skipped with a warning, as in `results.jsonl`;
/// any other bad line is an error naming the file and the line.
pub(crate) fn load(dir: &Path, warnings: &mut Vec<String>) -> Result<Vec<RoundRecord>, ReportError> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ReportError::input(&path, e.to_string())),
    };
    let rows: Vec<(usize, RoundRecord)> = read_journal(&path, &text, "round row", warnings)?;
    rows.into_iter()
        .map(|(line, row)| {
            if row.round == 0 {
                Err(ReportError::input(&path, format!("line {line}: round 0 (rounds count from 1)")))
            } else {
                Ok(row)
            }
        })
        .collect()
}

impl FeedbackRounds {
    /// The figures of one model's rounds; `None` when there is none.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a RoundRecord>) -> Option<FeedbackRounds> {
        // Per sample, its rounds by number; a round journaled twice (a resumed run) counts once,
        // by its later row.
        let mut samples: BTreeMap<(&str, u32), BTreeMap<u32, &RoundRecord>> = BTreeMap::new();
        for r in records.into_iter().filter(|r| r.round > 0) {
            samples.entry((r.task_id.as_str(), r.sample)).or_default().insert(r.round, r);
        }
        let last = samples.values().filter_map(|rounds| rounds.keys().next_back()).max().copied()?;
        let rounds = (1..=last)
            .map(|round| {
                let (mut running, mut improved) = (0, 0);
                let mut dropped = BTreeMap::new();
                let mut sums: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
                for by_round in samples.values() {
                    let Some((_, now)) = by_round.range(..=round).next_back() else {
                        continue; // no round this early (a journal missing its first rows)
                    };
                    if let Some(this) = by_round.get(&round) {
                        running += 1;
                        for (why, n) in &this.failures {
                            *dropped.entry(why.clone()).or_insert(0) += n;
                        }
                        let before = by_round.range(..round).next_back().map(|(_, r)| *r);
                        improved += usize::from(before.is_some_and(|before| rose(before, now)));
                    }
                    for (name, value) in &now.metrics {
                        if value.is_finite() {
                            let sum = sums.entry(name.as_str()).or_insert((0.0, 0));
                            sum.0 += value;
                            sum.1 += 1;
                        }
                    }
                }
                let mean = |name: &str| sums.get(name).map(|&(sum, n)| sum / n as f64);
                RoundFigures {
                    round,
                    running,
                    improved: (round > 1).then_some(improved),
                    valid: mean(metric::VALID),
                    tests_kept: mean(metric::TESTS_KEPT),
                    line_coverage: mean(metric::LINE_COVERAGE),
                    branch_coverage: mean(metric::BRANCH_COVERAGE),
                    mutation_score: mean(metric::MUTATION_SCORE),
                    dropped,
                }
            })
            .collect();
        let mut stopped = BTreeMap::new();
        for by_round in samples.values() {
            let why = by_round.values().next_back().and_then(|r| r.stopped.as_deref());
            let why = why.map_or("not recorded", |w| w.split(':').next().unwrap_or(w).trim());
            *stopped.entry(why.to_string()).or_insert(0) += 1;
        }
        Some(FeedbackRounds { samples: samples.len(), rounds, stopped })
    }

    /// `28 no improvement, 14 rounds`: how the loops ended, the most common first.
    fn endings(&self) -> String {
        let mut endings: Vec<(&String, &usize)> = self.stopped.iter().collect();
        endings.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        endings.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(", ")
    }

    /// The explanation above the table.
    fn caption(&self) -> String {
        format!(
            "{} sample{}; each round shows the suite after it, a sample that stopped early carrying its \
             last figures. Loops ended: {}.",
            self.samples,
            if self.samples == 1 { "" } else { "s" },
            self.endings()
        )
    }

    /// The table in Markdown, headed by `title` (the model).
    pub fn markdown(&self, title: &str) -> String {
        let mut out =
            format!("\n**What feedback bought: {}**: {}\n\n", crate::markdown::escape(title), self.caption());
        out.push_str("| Round | Running | Improved |");
        for name in COLUMNS {
            let _ = write!(out, " {} |", metric::label(name));
        }
        out.push_str(" Tests dropped, by why |\n| ---: | ---: | ---: |");
        out.push_str(&" ---: |".repeat(COLUMNS.len()));
        out.push_str(" --- |\n");
        for r in &self.rounds {
            let improved = r.improved.map_or_else(|| "—".to_string(), |n| n.to_string());
            let _ = write!(out, "| {} | {} | {improved} |", r.round, r.running);
            for name in COLUMNS {
                let _ = write!(out, " {} |", show(name, r.figure(name)));
            }
            let _ = writeln!(out, " {} |", crate::markdown::escape(&r.dropped_cell()));
        }
        out
    }

    /// The table as an HTML fragment, headed by `title` (the model).
    pub(crate) fn html(&self, title: &str) -> String {
        let mut out = format!(
            "<h3>{}</h3>\n<p class=\"note\">{}</p>\n<div class=\"scroll\"><table>\n<thead><tr>\
             <th class=\"num\" title=\"Feedback round; 1 is the single-shot answer\">Round</th>\
             <th class=\"num\" title=\"Samples that ran this round\">Running</th>\
             <th class=\"num\" title=\"Samples whose line coverage or mutation score rose in this round\">Improved</th>",
            markup::escape(title),
            markup::escape(&self.caption())
        );
        for name in COLUMNS {
            let _ = write!(out, "<th class=\"num\">{}</th>", markup::escape(metric::label(name)));
        }
        out.push_str(
            "<th title=\"The tests this round's answers lost against the module, by why\">Tests dropped, by why</th>\
             </tr></thead>\n<tbody>\n",
        );
        for r in &self.rounds {
            let improved = r.improved.map_or_else(|| "—".to_string(), |n| n.to_string());
            let _ = write!(
                out,
                "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{improved}</td>",
                r.round, r.running
            );
            for name in COLUMNS {
                let _ = write!(out, "<td class=\"num\">{}</td>", show(name, r.figure(name)));
            }
            let _ = writeln!(out, "<td>{}</td></tr>", markup::escape(&r.dropped_cell()));
        }
        out.push_str("</tbody></table></div>\n");
        out
    }
}

/// Did the line coverage or the mutation score rise from `before` to `now` (a missing figure
/// counting as 0, as the loop counts it)?
fn rose(before: &RoundRecord, now: &RoundRecord) -> bool {
    let figure = |r: &RoundRecord, name: &str| r.metrics.get(name).copied().unwrap_or(0.0);
    IMPROVING.iter().any(|&name| figure(now, name) > figure(before, name) + LEAST_RISE)
}

/// The figures of every model of a run's rounds, in order of first appearance:
/// `(model, backend, figures)`.
pub fn by_model(records: &[RoundRecord]) -> Vec<(String, String, FeedbackRounds)> {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in records {
        if !keys.contains(&(r.model.as_str(), r.backend.as_str())) {
            keys.push((&r.model, &r.backend));
        }
    }
    keys.into_iter()
        .filter_map(|(model, backend)| {
            let figures =
                FeedbackRounds::of(records.iter().filter(|r| r.model == model && r.backend == backend))?;
            Some((model.to_string(), backend.to_string(), figures))
        })
        .collect()
}

/// The Markdown tables of the rounds journaled in the run directory `dir`, for `summary.md`:
/// empty when it has none, a note when `rounds.jsonl` cannot be read (the rest of the summary
/// still stands).
pub(crate) fn markdown_of_dir(dir: &Path) -> String {
    match load(dir, &mut Vec::new()) {
        Ok(records) => by_model(&records)
            .iter()
            .map(|(model, backend, figures)| figures.markdown(&format!("{model} ({backend})")))
            .collect(),
        Err(e) => {
            format!("\nWhat feedback bought is not shown: {}\n", crate::markdown::escape(&e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::round;

    /// Three samples: A improves twice; B stops after round 1; C improves once, then not.
    fn journal() -> Vec<RoundRecord> {
        let mut rows = vec![
            round("A", 1, 1.0, 0.2, 0.1),
            round("B", 1, 4.0, 0.6, 0.5),
            round("C", 1, 0.0, 0.0, 0.0),
            round("A", 2, 3.0, 0.5, 0.3),
            round("C", 2, 2.0, 0.4, 0.2),
            round("A", 3, 5.0, 0.8, 0.6),
            round("C", 3, 2.0, 0.4, 0.2),
        ];
        rows[1].stopped = Some("no improvement".into());
        rows[5].stopped = Some("rounds".into());
        rows[6].stopped = Some("no improvement".into());
        rows
    }

    #[test]
    fn stopped_samples_carry_their_last_figures() {
        let f = FeedbackRounds::of(&journal()).unwrap();
        assert_eq!(f.samples, 3);
        assert_eq!(f.rounds.len(), 3);
        let r: Vec<(u32, usize, Option<usize>)> =
            f.rounds.iter().map(|r| (r.round, r.running, r.improved)).collect();
        assert_eq!(r, [(1, 3, None), (2, 2, Some(2)), (3, 2, Some(1))]);
        // Round 1: (1 + 4 + 0) / 3 kept; round 2: A 3, B carried 4, C 2; round 3: A 5, B 4, C 2.
        let kept: Vec<f64> = f.rounds.iter().map(|r| r.tests_kept.unwrap()).collect();
        assert_eq!(kept, [5.0 / 3.0, 3.0, 11.0 / 3.0]);
        let line = f.rounds[2].line_coverage.unwrap();
        assert!((line - (0.8 + 0.6 + 0.4) / 3.0).abs() < 1e-12, "{line}");
        let mutation = f.rounds[1].mutation_score.unwrap();
        assert!((mutation - (0.3 + 0.5 + 0.2) / 3.0).abs() < 1e-12, "{mutation}");
        assert_eq!(f.rounds[0].branch_coverage, None);
        assert_eq!(f.stopped, [("no improvement".to_string(), 2), ("rounds".to_string(), 1)].into());
    }

    #[test]
    fn a_round_journaled_twice_counts_once() {
        let mut rows = journal();
        // The run resumed and scored A's round 2 again, better.
        rows.push(round("A", 2, 4.0, 0.7, 0.3));
        // Another model's rounds are not this one's.
        let mut other = round("A", 4, 9.0, 1.0, 1.0);
        other.model = "other".into();
        let f = FeedbackRounds::of(rows.iter().chain([&other]).filter(|r| r.model == "m")).unwrap();
        assert_eq!(f.rounds.len(), 3);
        assert_eq!(f.rounds[1].tests_kept, Some((4.0 + 4.0 + 2.0) / 3.0));
        // A run interrupted before A and C finished: their last rounds record no ending.
        let mut unfinished = journal();
        unfinished.truncate(5);
        let f = FeedbackRounds::of(&unfinished).unwrap();
        assert_eq!(f.stopped["not recorded"], 2, "{:?}", f.stopped);
        // Failed generations count as one reason, whatever their errors; a rise in branch
        // coverage alone is no improvement (the loop does not go on for it).
        let mut failed = journal();
        failed[5].stopped = Some("generation failed: server closed the connection".into());
        failed[6].stopped = Some("generation failed: timed out".into());
        failed[4].metrics.insert("branch_coverage".into(), 0.5);
        failed[6].metrics.insert("branch_coverage".into(), 0.9);
        let f = FeedbackRounds::of(&failed).unwrap();
        assert_eq!(
            f.stopped,
            [("generation failed".to_string(), 2), ("no improvement".to_string(), 1)].into()
        );
        assert_eq!(f.rounds[2].improved, Some(1));
        assert!(FeedbackRounds::of(&Vec::<RoundRecord>::new()).is_none());
    }

    #[test]
    fn markdown_and_html_tables() {
        let f = FeedbackRounds::of(&journal()).unwrap();
        let md = f.markdown("m (llamacpp)");
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[1],
            "**What feedback bought: m (llamacpp)**: 3 samples; each round shows the suite after it, a sample \
             that stopped early carrying its last figures. Loops ended: 2 no improvement, 1 rounds."
        );
        assert_eq!(
            lines[3],
            "| Round | Running | Improved | Tests kept | Line coverage | Branch coverage | Mutation score | \
             Tests dropped, by why |"
        );
        assert_eq!(lines[5], "| 1 | 3 | — | 1.7 | 26.7% | — | 20.0% | — |");
        assert_eq!(lines[7], "| 3 | 2 | 1 | 3.7 | 60.0% | — | 43.3% | — |");
        let html = f.html("m <b>");
        assert!(html.starts_with("<h3>m &lt;b&gt;</h3>"), "{html}");
        assert_eq!(html.matches("<tr>").count(), 4);
        assert!(html.contains("<tr><td class=\"num\">2</td><td class=\"num\">2</td><td class=\"num\">2</td><td class=\"num\">3.0</td><td class=\"num\">50.0%</td>"), "{html}");
    }

    #[test]
    fn each_round_counts_the_tests_its_answers_lost_by_why() {
        let mut rows = journal();
        rows[0].failures = [("wrong expected value".to_string(), 3), ("TypeError".to_string(), 1)].into();
        rows[2].failures =
            [("wrong expected value".to_string(), 2), ("file: does not parse".to_string(), 1)].into();
        rows[3].failures = [
            ("a".to_string(), 1),
            ("b".to_string(), 1),
            ("c".to_string(), 1),
            ("d".to_string(), 1),
            ("e".to_string(), 2),
        ]
        .into();
        let f = FeedbackRounds::of(&rows).unwrap();
        assert_eq!(f.rounds[0].dropped["wrong expected value"], 5);
        assert_eq!(f.rounds[0].dropped_cell(), "5 wrong expected value, 1 TypeError, 1 file: does not parse");
        // Round 2: only A's answer lost tests; beyond three reasons the rest are summed.
        assert_eq!(f.rounds[1].dropped_cell(), "2 e, 1 a, 1 b, 2 other");
        // Round 3: C's and A's rows record none (a journal from before they were recorded).
        assert_eq!(f.rounds[2].dropped_cell(), "—");
        assert!(f.markdown("m").contains("| 5 wrong expected value, 1 TypeError, 1 file: does not parse |"));
        assert!(f.html("m").contains("<td>2 e, 1 a, 1 b, 2 other</td>"));
    }

    #[test]
    fn loads_the_journal_of_a_run_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let mut warnings = Vec::new();
        assert!(load(tmp.path(), &mut warnings).unwrap().is_empty());
        let text: String = journal().iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
        std::fs::write(tmp.path().join(FILE), format!("{text}{{\"task_id\": \"A\", \"rou")).unwrap();
        let rows = load(tmp.path(), &mut warnings).unwrap();
        assert_eq!(rows.len(), 7);
        assert!(warnings.iter().any(|w| w.contains("rounds.jsonl:8: skipped")), "{warnings:?}");
        assert!(markdown_of_dir(tmp.path()).contains("| 2 | 2 | 2 | 3.0 | 50.0% | — | 33.3% |"));
        // A bad line in the middle names the file and the line.
        std::fs::write(tmp.path().join(FILE), format!("{{\"task_id\": 3}}\n{text}")).unwrap();
        let err = load(tmp.path(), &mut warnings).unwrap_err().to_string();
        assert!(err.contains("rounds.jsonl") && err.contains("line 1: not a round row"), "{err}");
        assert!(markdown_of_dir(tmp.path()).contains("What feedback bought is not shown"));
        let mut zero = journal();
        zero[2].round = 0;
        let text: String = zero.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
        std::fs::write(tmp.path().join(FILE), text).unwrap();
        let err = load(tmp.path(), &mut warnings).unwrap_err().to_string();
        assert!(err.contains("line 3: round 0"), "{err}");
    }
}
