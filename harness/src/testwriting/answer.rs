//! The tests in one gen-tests answer: the test file the model wrote, or, when the token limit
//! cut it off, the complete tests before the break.

use super::prompt::completion_from;
use super::testfile;
use crate::prompt::PromptTemplate;
use evalrun_core::FinishReason;

/// What an answer yields.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerTests {
    /// The test file (the usable part of it); empty when nothing is usable.
    pub code: String,
    /// The tests it defines, as [`testfile::test_names`] spells them.
    pub tests: Vec<String>,
    /// Why all or part of the answer was left out, when it was.
    pub problem: Option<String>,
}

/// The tests of the model's answer `generated` (under `template`, for `module`).
pub fn answer_tests(template: &PromptTemplate, generated: &str, module: &str) -> AnswerTests {
    let code = completion_from(template, generated, module);
    match testfile::test_names(&code) {
        Ok(tests) if tests.is_empty() => {
            AnswerTests { code: String::new(), tests, problem: Some("no tests in the answer".into()) }
        }
        Ok(tests) => AnswerTests { code, tests, problem: None },
        Err(e) => match complete_prefix(&code) {
            // An answer cut by the token limit: the tests before the cut still count.
            Some((prefix, tests, line)) => AnswerTests {
                code: prefix,
                tests,
                problem: Some(format!(
                    "does not parse ({e}): kept the tests before line {line}, where the answer breaks off"
                )),
            },
            None => AnswerTests {
                code: String::new(),
                tests: Vec::new(),
                problem: Some(format!("does not parse: {e}")),
            },
        },
    }
}

/// The test file a single answer gives, as the benchmark scores it: the answer's code, or, when
/// it was cut (by its budget, `Length`, or where it began to loop, `Repetition`) and no longer
/// parses, the complete tests before the cut. An answer that ended on its own is taken as it is:
/// a syntax error it made is its own.
pub fn suite_of_answer(
    template: &PromptTemplate,
    generated: &str,
    module: &str,
    finish: FinishReason,
) -> String {
    let code = completion_from(template, generated, module);
    if !matches!(finish, FinishReason::Length | FinishReason::Repetition)
        || testfile::test_names(&code).is_ok()
    {
        return code;
    }
    complete_prefix(&code).map_or(code, |(prefix, _, _)| prefix)
}

/// The longest prefix of `code` that ends before a definition (top-level, or a method of a test
/// class), parses, and holds tests:
/// `(prefix, its tests, the 1-based line where it stops)`. Tries the last cut points first.
fn complete_prefix(code: &str) -> Option<(String, Vec<String>, usize)> {
    let starts: Vec<(usize, usize)> = code
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line))
        })
        .enumerate()
        // A definition at the top level, or a method of a test class (an answer written as
        // `class TestX:` is cut inside the class, and its earlier methods still count).
        .filter(|(_, (_, line))| {
            let code = line.trim_start();
            ["def ", "async def ", "class ", "@"].iter().any(|p| code.starts_with(p))
        })
        .map(|(n, (at, _))| (at, n + 1))
        .collect();
    // Each try is a parse in the embedded interpreter: a few, from the end, are enough.
    starts.into_iter().rev().filter(|&(at, _)| at > 0).take(8).find_map(|(at, line)| {
        let prefix = &code[..at];
        let names = testfile::test_names(prefix).ok().filter(|n| !n.is_empty())?;
        Some((prefix.to_string(), names, line))
    })
}

#[cfg(test)]
mod tests {
    use super::complete_prefix;

    #[test]
    fn an_answer_cut_in_its_third_test_keeps_the_first_two() {
        let answer = "import pytest\nfrom m import f\n\ndef test_one():\n    assert f(1) == 1\n\n\
                      def test_two():\n    assert f(2) == 2\n\ndef test_three():\n    assert f(3) == (";
        let (prefix, names, line) = complete_prefix(answer).expect("a usable prefix");
        assert_eq!(names, ["test_one", "test_two"]);
        assert_eq!(line, 10);
        assert!(prefix.ends_with("assert f(2) == 2\n\n"), "{prefix}");
    }

    #[test]
    fn a_cut_answer_keeps_its_complete_tests_and_a_finished_one_stays_as_written() {
        use super::suite_of_answer;
        use crate::prompt::PromptTemplate;
        use evalrun_core::FinishReason;
        let t = PromptTemplate::instruct_v1();
        let cut = "def test_one():\n    assert f(1) == 1\n\ndef test_two():\n    assert f(2) == (";
        for finish in [FinishReason::Length, FinishReason::Repetition] {
            let suite = suite_of_answer(&t, cut, "m", finish);
            assert!(suite.contains("def test_one") && !suite.contains("test_two"), "{finish:?}: {suite}");
        }
        // The model ended it so: its syntax error is part of what it wrote.
        let suite = suite_of_answer(&t, cut, "m", FinishReason::EndOfText);
        assert!(suite.contains("test_two"), "{suite}");
    }

    #[test]
    fn an_answer_cut_inside_a_test_class_keeps_its_complete_methods() {
        let answer = "import pytest\nfrom m import f\n\nclass TestF:\n    def test_one(self):\n        assert f(1) == 1\n\n\
                      \x20   @pytest.mark.parametrize('x', [1])\n    def test_two(self, x):\n        assert f(x) == x\n\n\
                      \x20   def test_three(self):\n        assert f('a) == 3\n";
        let (prefix, names, line) = complete_prefix(answer).expect("a usable prefix");
        assert_eq!(names, ["TestF::test_one", "TestF::test_two"]);
        assert_eq!(line, 12);
        assert!(prefix.ends_with("assert f(x) == x\n\n"), "{prefix}");
    }

    #[test]
    fn nothing_usable_is_none() {
        assert_eq!(complete_prefix("def test_one():\n    assert f(1) == (\n"), None);
    }
}
