//! The prompt of a feedback round (`evalrun run --rounds K`, `evalrun gen-tests`): after a round
//! is scored, the model is shown what its tests did and asked for new or fixed tests. It sees
//! the code; the names of its tests that pass (not their source, which would double the prompt);
//! the tests that fail, with the assertion or exception; the module's lines that no kept test
//! runs (CoverUp's coverage-guided prompting); and a few mutants that no kept test catches, as
//! diffs (MutGen). TestForge feeds executions and coverage back the same way.
//!
//! Every part is bounded in count and characters: the feedback adds at most
//! [`MAX_FEEDBACK_CHARS`] to the code shown, so the answer's budget fits the context with it
//! ([`super::budget::TokenBudgets::for_round`]).
//!
//! ```text
//! let target = Target { module: "clamp", code: source, item: None };
//! let survivors: Vec<&Mutant> = task.mutants.iter().filter(|m| survived(m)).collect();
//! let feedback = Feedback {
//!     module_source: source,
//!     passing: &kept.kept,
//!     failures: &kept.failures,
//!     uncovered: &kept.uncovered_lines("clamp"),
//!     survivors: &survivors,
//! };
//! let request = round_request(&template, &target, &feedback, sampling);
//! ```

use super::kept::TestFailure;
use super::mutate::diff_line;
use super::prompt::Target;
use crate::prompt::{PromptStyle, PromptTemplate};
use evalrun_core::{ChatMessage, GenerationRequest, Mutant, Prompt, SamplingParams};

/// Name and version of the prompt text below; change it whenever the text changes.
pub const FEEDBACK_PROMPT_NAME: &str = "evalrun-testwriting-feedback-v1";

/// Failing tests shown; a model fixes a few at a time, and the others come back next round.
pub const MAX_FAILURES: usize = 5;
/// Uncovered lines shown (numbered source lines).
pub const MAX_UNCOVERED_LINES: usize = 30;
/// Surviving mutants shown, as one-line diffs.
pub const MAX_MUTANTS: usize = 3;
/// The most characters the feedback adds to the prompt beyond the code it shows (its sections
/// with their headings and the closing request); a test holds it to that.
pub const MAX_FEEDBACK_CHARS: usize = 5000;

/// Characters of a test's name, of a failure's reason, of a source line and of a mutant's diff.
const MAX_NAME_CHARS: usize = 80;
const MAX_REASON_CHARS: usize = 200;
const MAX_LINE_CHARS: usize = 80;
const MAX_DIFF_CHARS: usize = 180;
/// Characters of the passing tests' names together, and of the uncovered lines together.
const MAX_PASSING_CHARS: usize = 600;
const MAX_UNCOVERED_CHARS: usize = 1500;

/// The same openings as the first round's prompt (`prompt.rs`), so that
/// [`super::prompt::completion_from`] extracts a feedback round's answer as it does the first.
const RESPONSE_PREFIX: &str = "```python\nimport pytest\n";

fn completion_header(module: &str) -> String {
    format!("import pytest\nfrom {module} import *\n\n\n")
}

/// What a round's tests did, as the next round's prompt shows it. The caller chooses what to
/// show: for one item of a module (gen-tests), its own tests, and only the uncovered lines and
/// mutants within the item.
#[derive(Debug, Clone, Copy, Default)]
pub struct Feedback<'a> {
    /// The whole module's source: uncovered lines are numbered in it and mutants are diffed
    /// against it (the target may show only one item of it).
    pub module_source: &'a str,
    /// Names of the tests that pass and are kept so far (`test_x`, `TestA::test_x`).
    pub passing: &'a [String],
    /// Tests that failed or errored against the module, with pytest's reason (`*` for a file
    /// that did not run at all).
    pub failures: &'a [TestFailure],
    /// 1-based lines of the module that no kept test runs, ascending.
    pub uncovered: &'a [u32],
    /// Mutants of the module that no kept test kills.
    pub survivors: &'a [&'a Mutant],
}

impl Feedback<'_> {
    /// Whether there is nothing to ask for: no failing test, no uncovered line, no surviving
    /// mutant (another round could only repeat what is kept).
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty() && self.uncovered.is_empty() && self.survivors.is_empty()
    }

    /// The sections shown, each a heading and its lines, in the order of the prompt; `fenced`:
    /// source lines in a code fence (a chat message; a base model's comments need none).
    fn sections(&self, module: &str, fenced: bool) -> Vec<(String, Vec<String>)> {
        let mut sections = Vec::new();
        sections.push(match self.passing.len() {
            0 => ("None of your tests passes yet.".to_string(), Vec::new()),
            1 => (
                "This test passes and is kept; do not write it again:".to_string(),
                vec![passing_names(self.passing)],
            ),
            n => (
                format!("These {n} tests pass and are kept; do not write them again:"),
                vec![passing_names(self.passing)],
            ),
        });
        if !self.failures.is_empty() {
            let mut lines: Vec<String> = self
                .failures
                .iter()
                .take(MAX_FAILURES)
                .map(|f| {
                    let reason = one_line(&f.reason, MAX_REASON_CHARS);
                    if f.is_whole_file() {
                        format!("- the test file did not run: {reason}")
                    } else {
                        format!("- {}: {reason}", one_line(&f.test, MAX_NAME_CHARS))
                    }
                })
                .collect();
            more(&mut lines, self.failures.len(), MAX_FAILURES, "failing tests");
            sections.push((
                "Failing against the module as it is (the module is right: fix what each test \
                 expects to what the module does, or leave the test out):"
                    .to_string(),
                lines,
            ));
        }
        if !self.uncovered.is_empty() {
            let mut lines = numbered_lines(self.module_source, self.uncovered);
            if fenced {
                lines.insert(0, "```text".to_string());
                lines.push("```".into());
            }
            sections.push((
                format!("No kept test runs these lines of `{module}.py`; write tests that do:"),
                lines,
            ));
        }
        if !self.survivors.is_empty() {
            let mut lines: Vec<String> = self
                .survivors
                .iter()
                .take(MAX_MUTANTS)
                .map(|m| {
                    let diff = one_line(&diff_line(self.module_source, &m.source), MAX_DIFF_CHARS);
                    format!("- line {} ({}): {diff}", m.line, one_line(&m.operator, 20))
                })
                .collect();
            more(&mut lines, self.survivors.len(), MAX_MUTANTS, "such changes");
            sections.push((
                format!(
                    "The kept tests still pass if `{module}.py` is changed as below (- the line as it \
                     is, + the change); write tests that would fail on such a change:"
                ),
                lines,
            ));
        }
        sections
    }
}

/// The names of the passing tests, comma separated, cut at [`MAX_PASSING_CHARS`].
fn passing_names(names: &[String]) -> String {
    let mut text = String::new();
    for (shown, name) in names.iter().enumerate() {
        let name = one_line(name, MAX_NAME_CHARS);
        if !text.is_empty() && text.len() + name.len() + 2 > MAX_PASSING_CHARS {
            return format!("{text} (and {} more)", names.len() - shown);
        }
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(&name);
    }
    text
}

/// `lines` of `source` (1-based), numbered, at most [`MAX_UNCOVERED_LINES`] of them and
/// [`MAX_UNCOVERED_CHARS`] together; `...` marks a gap, blank lines are skipped.
fn numbered_lines(source: &str, lines: &[u32]) -> Vec<String> {
    let all: Vec<&str> = source.lines().collect();
    let mut shown = Vec::new();
    let (mut count, mut chars, mut previous) = (0usize, 0usize, None::<u32>);
    for &number in lines {
        let Some(text) = number.checked_sub(1).and_then(|i| all.get(i as usize)) else { continue };
        if text.trim().is_empty() {
            continue;
        }
        let line = format!("{number:>4} | {}", cut(text.trim_end(), MAX_LINE_CHARS));
        if count == MAX_UNCOVERED_LINES || chars + line.len() > MAX_UNCOVERED_CHARS {
            shown.push("     ... (more lines not run)".into());
            break;
        }
        if previous.is_some_and(|p| number > p + 1) {
            shown.push("     ...".into());
        }
        chars += line.len() + 1;
        count += 1;
        previous = Some(number);
        shown.push(line);
    }
    shown
}

/// Adds "(and N more ...)" when `total` exceeds what was shown.
fn more(lines: &mut Vec<String>, total: usize, shown: usize, what: &str) {
    if total > shown {
        lines.push(format!("- (and {} more {what})", total - shown));
    }
}

/// `text` on one line (whitespace runs collapsed), cut to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    cut(&text.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// `text` cut to at most `max` characters, `...` marking the cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{kept}...")
}

/// The feedback as a prompt shows it after the code: for a chat message (`instruct`), or as the
/// notes a base model reads before the new test file.
fn feedback_text(feedback: &Feedback, target: &Target, instruct: bool) -> String {
    let mut text = String::new();
    for (heading, lines) in feedback.sections(target.module, instruct) {
        text.push_str(&heading);
        text.push('\n');
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        text.push('\n');
    }
    let import = match target.item {
        Some(item) => format!("Import it with `from {m} import {item}`", m = target.module),
        None => format!("Import what you test from `{}`", target.module),
    };
    text.push_str(&format!(
        "Write new tests for what is listed above{}. Do not repeat the passing tests: they are kept. \
         {import}, never a copy: do not define the module's functions or classes in the test file. \
         Every assertion must hold for the code as it is.{}\n",
        if feedback.failures.is_empty() { "" } else { ", and fixed versions of the failing tests" },
        if instruct {
            " Reply with the new tests, as one test file, in one ```python code block."
        } else {
            ""
        }
    ));
    text
}

fn instruction(target: &Target, feedback: &Feedback) -> String {
    let what = match target.item {
        Some(item) => format!(
            "You are writing pytest tests for `{item}` from the Python module `{m}` (file `{m}.py`), \
             shown below. Your tests so far were run against the module.",
            m = target.module
        ),
        None => format!(
            "You are writing a pytest test suite for the Python module `{m}` (file `{m}.py`) below. \
             Your tests so far were run against it.",
            m = target.module
        ),
    };
    format!(
        "{what}\n\n```python\n{}\n```\n\n{}",
        target.code.trim_end(),
        feedback_text(feedback, target, true)
    )
}

/// The request of a feedback round for `target` under `template`'s style: the instruct prompt
/// shows the code, then the feedback, and opens the answer as the first round does; a base
/// model continues a file whose comments hold the feedback. Extract the answer with
/// [`super::prompt::completion_from`], as the first round's.
pub fn round_request(
    template: &PromptTemplate,
    target: &Target,
    feedback: &Feedback,
    sampling: SamplingParams,
) -> GenerationRequest {
    match &template.style {
        PromptStyle::Instruct { .. } => GenerationRequest {
            prompt: Prompt::Chat {
                messages: vec![ChatMessage::new("user", instruction(target, feedback))],
                assistant_prefix: RESPONSE_PREFIX.to_string(),
            },
            stop: vec!["\n```".into()],
            sampling,
        },
        PromptStyle::Completion => {
            let notes: String = feedback_text(feedback, target, false)
                .lines()
                .map(|l| if l.is_empty() { "#\n".to_string() } else { format!("# {l}\n") })
                .collect();
            GenerationRequest {
                prompt: Prompt::Completion(format!(
                    "# {m}.py\n{}\n\n\n# Notes on the tests of {m}.py written so far:\n{notes}\n\
                     # test_{m}_more.py: the new pytest tests the notes ask for.\n{}",
                    target.code.trim_end(),
                    completion_header(target.module),
                    m = target.module
                )),
                stop: vec!["\n```".into(), "\nif __name__".into()],
                sampling,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testwriting::prompt::{completion_from, target_request};

    const MODULE: &str =
        "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n\n    if x > hi:\n        \
                          return hi\n    return x\n";

    fn failure(test: &str, reason: &str) -> TestFailure {
        TestFailure { test: test.into(), reason: reason.into() }
    }

    fn mutant(line: u32, from: &str, to: &str) -> Mutant {
        Mutant {
            id: format!("m{line}"),
            operator: "comparison".into(),
            line,
            source: MODULE.replacen(from, to, 1),
        }
    }

    fn chat_text(request: &GenerationRequest) -> (String, String) {
        let Prompt::Chat { messages, assistant_prefix } = &request.prompt else {
            panic!("not a chat prompt")
        };
        (messages[0].content.clone(), assistant_prefix.clone())
    }

    #[test]
    fn the_prompt_shows_what_the_tests_did() {
        let passing = vec!["test_low".to_string(), "TestClamp::test_mid".to_string()];
        let failures = [failure("test_high", "AssertionError: assert 5 == 4\n +  where 5 = clamp(9, 0, 5)")];
        let m = mutant(5, "x > hi", "x >= hi");
        let survivors = [&m];
        let feedback = Feedback {
            module_source: MODULE,
            passing: &passing,
            failures: &failures,
            uncovered: &[5, 6],
            survivors: &survivors,
        };
        let target = Target { module: "clamp", code: MODULE, item: None };
        let request =
            round_request(&PromptTemplate::instruct_v1(), &target, &feedback, SamplingParams::default());
        let (text, prefix) = chat_text(&request);
        assert!(text.contains(&format!("```python\n{}```", MODULE)), "{text}");
        assert!(text.contains("test_low, TestClamp::test_mid"), "{text}");
        // The passing tests' names, not their source.
        assert!(!text.contains("def test_low"), "{text}");
        assert!(
            text.contains("- test_high: AssertionError: assert 5 == 4 + where 5 = clamp(9, 0, 5)"),
            "{text}"
        );
        assert!(text.contains("   5 |     if x > hi:\n   6 |         return hi\n"), "{text}");
        assert!(text.contains("- line 5 (comparison): -if x > hi: / +if x >= hi:"), "{text}");
        assert!(text.contains("fixed versions of the failing tests"), "{text}");
        assert!(text.contains("Import what you test from `clamp`"), "{text}");
        // The answer opens and is extracted as in the first round.
        let first = target_request(&PromptTemplate::instruct_v1(), &target, SamplingParams::default());
        assert_eq!(prefix, chat_text(&first).1);
        assert_eq!(request.stop, first.stop);
        let file = completion_from(
            &PromptTemplate::instruct_v1(),
            "from clamp import clamp\n\ndef test_x():\n    assert clamp(1, 0, 2) == 1\n```",
            "clamp",
        );
        assert!(file.starts_with("import pytest\nfrom clamp import clamp\n"), "{file}");
    }

    #[test]
    fn empty_sections_are_left_out() {
        let feedback = Feedback { module_source: MODULE, ..Feedback::default() };
        assert!(feedback.is_empty());
        let target = Target { module: "clamp", code: MODULE, item: Some("clamp") };
        let (text, _) = chat_text(&round_request(
            &PromptTemplate::instruct_v1(),
            &target,
            &feedback,
            SamplingParams::default(),
        ));
        assert!(text.contains("None of your tests passes yet."), "{text}");
        assert!(text.contains("`clamp` from the Python module `clamp`"), "{text}");
        assert!(text.contains("from clamp import clamp"), "{text}");
        for absent in ["Failing against", "No kept test runs", "changed as below", "fixed versions"] {
            assert!(!text.contains(absent), "{absent} in {text}");
        }
    }

    #[test]
    fn gaps_between_uncovered_lines_are_marked_and_blank_lines_skipped() {
        let lines = numbered_lines(MODULE, &[2, 3, 4, 6, 99, 0]);
        assert_eq!(
            lines,
            ["   2 |     if x < lo:", "   3 |         return lo", "     ...", "   6 |         return hi"]
        );
    }

    #[test]
    fn the_feedback_is_bounded_however_much_there_is() {
        let long_module: String =
            (1..=400).map(|i| format!("x{i} = {}  # {}\n", i, "y".repeat(150))).collect();
        let passing: Vec<String> = (0..500).map(|i| format!("test_number_{i}_{}", "n".repeat(100))).collect();
        let failures: Vec<TestFailure> =
            (0..100).map(|i| failure(&format!("test_{i}"), &"AssertionError ".repeat(500))).collect();
        let uncovered: Vec<u32> = (1..=400).collect();
        let mutants: Vec<Mutant> = (0..50)
            .map(|i| Mutant {
                id: format!("m{i}"),
                operator: "constant".into(),
                line: 1,
                source: long_module.replacen("x1 = 1", &format!("x1 = {}", "9".repeat(1000)), 1),
            })
            .collect();
        let survivors: Vec<&Mutant> = mutants.iter().collect();
        let feedback = Feedback {
            module_source: &long_module,
            passing: &passing,
            failures: &failures,
            uncovered: &uncovered,
            survivors: &survivors,
        };
        let target = Target { module: "big", code: &long_module, item: None };
        let text = feedback_text(&feedback, &target, true);
        assert!(text.len() <= MAX_FEEDBACK_CHARS, "{} characters:\n{text}", text.len());
        assert!(text.contains("(and 95 more failing tests)"), "{text}");
        assert!(text.contains("(and 47 more such changes)"), "{text}");
        assert!(text.contains("... (more lines not run)"), "{text}");
        assert!(text.contains(" more)"), "{text}");
        // The whole prompt: the code, the feedback, a few hundred characters of instruction.
        for template in [PromptTemplate::instruct_v1(), PromptTemplate::completion_v1()] {
            let request = round_request(&template, &target, &feedback, SamplingParams::default());
            let len = match &request.prompt {
                Prompt::Chat { messages, .. } => messages[0].content.len(),
                Prompt::Completion(text) => text.len(),
            };
            assert!(len <= long_module.len() + MAX_FEEDBACK_CHARS + 800, "{}: {len}", template.name);
        }
    }

    #[test]
    fn a_base_model_continues_a_file_whose_comments_hold_the_feedback() {
        let failures = [failure("*", "ImportError: cannot import name 'clip' from 'clamp'")];
        let feedback =
            Feedback { module_source: MODULE, failures: &failures, uncovered: &[2], ..Feedback::default() };
        let target = Target { module: "clamp", code: MODULE, item: None };
        let request =
            round_request(&PromptTemplate::completion_v1(), &target, &feedback, SamplingParams::default());
        let Prompt::Completion(text) = &request.prompt else { panic!("not a completion prompt") };
        assert!(text.starts_with("# clamp.py\ndef clamp(x, lo, hi):"), "{text}");
        assert!(
            text.contains("# - the test file did not run: ImportError: cannot import name 'clip'"),
            "{text}"
        );
        assert!(text.contains("#    2 |     if x < lo:"), "{text}");
        assert!(text.ends_with("import pytest\nfrom clamp import *\n\n\n"), "{text}");
        assert!(!text.contains("Reply with") && !text.contains("```text"), "{text}");
        let file = completion_from(
            &PromptTemplate::completion_v1(),
            "def test_lo():\n    assert clamp(-1, 0, 2) == 0\n",
            "clamp",
        );
        assert!(file.contains("from clamp import *\n\n\ndef test_lo():"), "{file}");
    }
}
