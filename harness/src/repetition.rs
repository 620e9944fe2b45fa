//! Ending answers that have fallen into a loop. Small models writing tests often stop writing
//! tests and repeat: `key1 = value1` to `key125 = value125` in a fixture, forty copies of one
//! assertion with the numbers counting up, a literal of a thousand zeros (issue 12: 20 of the
//! 0.5B's 42 round-1 answers ran to their budget this way). Everything after the loop starts is
//! lost anyway (the answer is cut mid-test and only the complete tests before the cut count), so
//! generating it only costs time: a test-writing answer took up to 16 minutes of a 50-minute run.
//!
//! [`RepetitionGuard`] watches an answer as it streams and says when it loops, so the sink can
//! cancel it (its slot goes to the next request at once). It is deliberately conservative: it
//! looks at the *shape* of lines (digits masked, so counting up does not hide a loop) and asks
//! for long runs, far longer than the twelve `days_in_month` assertions a real suite may hold.

use evalrun_core::{BackendError, FinishReason, Generation, GenerationSink};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::ControlFlow;

/// A run of this many complete lines repeating with a period of up to [`MAX_PERIOD`] lines
/// (the same line shape again and again, or a block of lines again and again) is a loop.
pub const MIN_LOOP_LINES: usize = 32;

/// The longest block of lines whose repetition is detected, in lines.
pub const MAX_PERIOD: usize = 8;

/// A block must repeat at least this often: four copies of an eight-line test that differ only
/// in numbers are plausible, six are not.
const MIN_REPEATS: usize = 6;

/// One character repeated this many times in a row is a loop (`1000...0`, `======...`).
pub const MAX_CHAR_RUN: usize = 256;

/// Line shapes remembered: enough for the longest run looked for.
const HISTORY: usize = MAX_PERIOD * MIN_REPEATS + MIN_LOOP_LINES;

/// Watches one streamed answer.
#[derive(Debug, Clone, Default)]
pub struct RepetitionGuard {
    /// The line being written.
    line: String,
    /// Shapes of the last complete non-blank lines, oldest first.
    shapes: Vec<u64>,
    /// The last character and how many times in a row it came.
    run: Option<(char, usize)>,
    looped: bool,
}

impl RepetitionGuard {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed the next piece of the answer; true once the answer loops (and from then on).
    pub fn push(&mut self, piece: &str) -> bool {
        if self.looped {
            return true;
        }
        for c in piece.chars() {
            self.run = match self.run {
                Some((last, n)) if last == c => Some((c, n + 1)),
                _ => Some((c, 1)),
            };
            if self.run.is_some_and(|(c, n)| n >= MAX_CHAR_RUN && !c.is_whitespace()) {
                self.looped = true;
                return true;
            }
            if c == '\n' {
                let line = std::mem::take(&mut self.line);
                if !line.trim().is_empty() {
                    self.shapes.push(shape(&line));
                    if self.shapes.len() > HISTORY {
                        self.shapes.drain(..self.shapes.len() - HISTORY);
                    }
                    if periodic_tail(&self.shapes) {
                        self.looped = true;
                        return true;
                    }
                }
            } else {
                self.line.push(c);
            }
        }
        false
    }

    /// Whether the answer has looped.
    pub fn looped(&self) -> bool {
        self.looped
    }
}

/// A sink that cancels the guarded requests of a stream once they loop. Such a request ends
/// with the text it has and [`FinishReason::Repetition`]; its slot goes to the next request.
pub struct GuardedSink<'a> {
    inner: &'a mut dyn GenerationSink,
    guarded: &'a dyn Fn(usize) -> bool,
    guards: HashMap<usize, RepetitionGuard>,
}

impl<'a> GuardedSink<'a> {
    /// Requests whose index `guarded` accepts are watched; the others pass untouched.
    pub fn new(inner: &'a mut dyn GenerationSink, guarded: &'a dyn Fn(usize) -> bool) -> Self {
        GuardedSink { inner, guarded, guards: HashMap::new() }
    }
}

impl GenerationSink for GuardedSink<'_> {
    fn text(&mut self, index: usize, piece: &str) -> ControlFlow<()> {
        if (self.guarded)(index) && self.guards.entry(index).or_default().push(piece) {
            return ControlFlow::Break(());
        }
        self.inner.text(index, piece)
    }

    fn finished(&mut self, index: usize, mut result: Result<Generation, BackendError>) {
        if let (Some(guard), Ok(generation)) = (self.guards.remove(&index), result.as_mut()) {
            if guard.looped() {
                generation.finish = FinishReason::Repetition;
            }
        }
        self.inner.finished(index, result);
    }
}

/// A line with every run of digits replaced by one `0` and surrounding blanks trimmed, hashed.
fn shape(line: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut in_digits = false;
    for c in line.trim().chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                '0'.hash(&mut hasher);
            }
            in_digits = true;
        } else {
            in_digits = false;
            c.hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// Whether the newest lines repeat with some period `p` in 1..=MAX_PERIOD, over at least
/// max(MIN_LOOP_LINES, MIN_REPEATS * p) lines.
fn periodic_tail(shapes: &[u64]) -> bool {
    (1..=MAX_PERIOD).any(|p| {
        let span = MIN_LOOP_LINES.max(MIN_REPEATS * p);
        shapes.len() >= span && {
            let tail = &shapes[shapes.len() - span..];
            (p..tail.len()).all(|i| tail[i] == tail[i - p])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn looped(text: &str) -> bool {
        let mut guard = RepetitionGuard::new();
        // Streamed in small uneven pieces, as tokens come.
        let chars: Vec<char> = text.chars().collect();
        chars.chunks(3).any(|c| guard.push(&c.iter().collect::<String>()))
    }

    #[test]
    fn counting_lines_are_a_loop() {
        let text: String = (1..=125).map(|i| format!("    key{i} = value{i}\n")).collect();
        assert!(looped(&format!("def test_parse():\n    text = \"\"\"\n{text}")));
        // Caught as soon as the run is long enough, not at the end.
        let mut guard = RepetitionGuard::new();
        let at = (1..=125).position(|i| guard.push(&format!("    key{i} = value{i}\n")));
        assert_eq!(at, Some(MIN_LOOP_LINES - 1));
    }

    #[test]
    fn repeated_blocks_are_a_loop() {
        let block = |i: usize| format!("def test_add_{i}():\n    assert add({i}, 1) == {}\n\n", i + 1);
        let text: String = (0..20).map(block).collect();
        assert!(looped(&text));
        // Five copies of a two-line test: not yet.
        let text: String = (0..5).map(block).collect();
        assert!(!looped(&text));
    }

    #[test]
    fn a_long_run_of_one_character_is_a_loop() {
        assert!(looped(&format!("    assert f(1{}", "0".repeat(300))));
        assert!(!looped(&format!("    assert f(1{})", "0".repeat(100))));
        // Indentation and blank lines are not.
        assert!(!looped(&" ".repeat(400)));
    }

    #[test]
    fn a_real_suite_is_not_a_loop() {
        // Twelve assertions of one shape, then others: what a careful suite looks like.
        let months: String =
            (1..=12).map(|m| format!("    assert days_in_month(2023, {m}) == 30\n")).collect();
        let suite = format!(
            "import pytest\nfrom date_utils import days_in_month, is_leap_year\n\n\
             def test_days_in_month():\n{months}\n\
             def test_leap():\n    assert is_leap_year(2000)\n    assert not is_leap_year(1900)\n\n\
             @pytest.mark.parametrize('y', [2001, 2002, 2003])\ndef test_not_leap(y):\n    assert not is_leap_year(y)\n"
        );
        assert!(!looped(&suite));
        // Blank lines between repeated lines do not break a loop, nor hide one.
        let spaced: String = (0..40).map(|i| format!("x{i} = {i}\n\n")).collect();
        assert!(looped(&spaced));
    }
}
