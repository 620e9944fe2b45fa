//! Stop-sequence detection over streamed text.

use std::ops::ControlFlow;

/// Finds the earliest stop sequence in a growing text, and tells how much of the text is safe
/// to stream (cannot be the start of a stop sequence).
#[derive(Debug, Clone)]
pub struct StopMatcher {
    stops: Vec<String>,
}

impl StopMatcher {
    pub fn new(stops: &[String]) -> Self {
        StopMatcher { stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect() }
    }

    /// Byte offset where the first stop sequence starts, if any.
    pub fn find(&self, text: &str) -> Option<usize> {
        self.find_from(text, 0)
    }

    /// Like [`find`](Self::find), for a text whose first `checked` bytes are known to hold no
    /// stop sequence: only a stop that ends after them is looked for, so a growing text is
    /// searched once, not once per piece.
    pub fn find_from(&self, text: &str, checked: usize) -> Option<usize> {
        let longest = self.stops.iter().map(String::len).max()?;
        let mut start = checked.min(text.len()).saturating_sub(longest - 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        self.stops.iter().filter_map(|s| text[start..].find(s.as_str())).min().map(|at| start + at)
    }

    /// Length of the prefix of `text` that no stop sequence can still begin in.
    pub fn safe_prefix(&self, text: &str) -> usize {
        let mut safe = text.len();
        for stop in &self.stops {
            // The longest suffix of `text` that is a proper prefix of `stop` must be held back.
            for len in (1..stop.len()).rev() {
                if len <= text.len() && text.is_char_boundary(text.len() - len) && stop.is_char_boundary(len)
                {
                    if text.ends_with(&stop[..len]) {
                        safe = safe.min(text.len() - len);
                        break;
                    }
                }
            }
        }
        safe
    }
}

/// Why [`StopStream::advance`] says to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// A stop sequence was generated; the text now ends before it.
    StopSequence,
    /// The caller's `on_text` returned `Break`.
    Cancelled,
}

/// Generated text handed to a caller as it grows, held back while a stop sequence may still be
/// starting, and cut at the first stop sequence. Shared by every streaming backend.
#[derive(Debug, Clone)]
pub struct StopStream {
    stops: StopMatcher,
    streamed: usize,
    /// Bytes of the text already searched for stop sequences (none there).
    searched: usize,
}

impl StopStream {
    pub fn new(stops: &[String]) -> Self {
        StopStream { stops: StopMatcher::new(stops), streamed: 0, searched: 0 }
    }

    /// After `text` grew (only ever appended to): cut it at a stop sequence, or hand out what is
    /// safe to `on_text`.
    pub fn advance(
        &mut self,
        text: &mut String,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Option<Halt> {
        if let Some(at) = self.stops.find_from(text, self.searched) {
            text.truncate(at);
            return Some(Halt::StopSequence);
        }
        self.searched = text.len();
        let safe = self.stops.safe_prefix(text);
        if safe > self.streamed {
            let flow = on_text(&text[self.streamed..safe]);
            self.streamed = safe;
            if flow.is_break() {
                return Some(Halt::Cancelled);
            }
        }
        None
    }

    /// At the end: hand out whatever of `text` was held back.
    pub fn finish(&mut self, text: &str, on_text: &mut dyn FnMut(&str) -> ControlFlow<()>) {
        if text.len() > self.streamed {
            let _ = on_text(&text[self.streamed..]);
            self.streamed = text.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_hands_out_safe_text_and_cuts_at_the_stop() {
        let mut stream = StopStream::new(&["\n```".to_string()]);
        let (mut text, mut out) = (String::new(), Vec::new());
        let mut collect = |t: &str| {
            out.push(t.to_string());
            ControlFlow::Continue(())
        };
        for piece in ["x = 1", "\n`", "`", "`\nmore"] {
            text.push_str(piece);
            if stream.advance(&mut text, &mut collect).is_some() {
                break;
            }
        }
        assert_eq!(text, "x = 1");
        stream.finish(&text, &mut collect);
        assert_eq!(out, vec!["x = 1"]);
        let mut cancel = StopStream::new(&[]);
        let mut text = "abc".to_string();
        assert_eq!(cancel.advance(&mut text, &mut |_| ControlFlow::Break(())), Some(Halt::Cancelled));
    }

    fn m() -> StopMatcher {
        StopMatcher::new(&["\n```".to_string(), "<|end|>".to_string()])
    }

    #[test]
    fn finds_earliest_stop() {
        assert_eq!(m().find("x = 1\n```\nmore <|end|>"), Some(5));
        assert_eq!(m().find("a<|end|>b\n```"), Some(1));
        assert_eq!(m().find("no stop"), None);
    }

    #[test]
    fn holds_back_partial_stop() {
        assert_eq!(m().safe_prefix("return x\n`"), "return x".len());
        assert_eq!(m().safe_prefix("return x\n``"), "return x".len());
        assert_eq!(m().safe_prefix("return x<|e"), "return x".len());
        assert_eq!(m().safe_prefix("return x"), "return x".len());
    }

    #[test]
    fn searching_from_a_checked_prefix_finds_what_a_full_search_finds() {
        let m = StopMatcher::new(&["\n```".to_string(), "é!".to_string(), "x".to_string()]);
        let texts = ["ab\n``", "ab\n```", "caf\u{e9}", "caf\u{e9}!", "\u{e9}\u{e9}x", "no stop here", ""];
        for text in texts {
            for checked in 0..=text.len() + 2 {
                // Only prefixes that really hold no stop may be called checked.
                if m.find(&text[..text.floor_char_boundary(checked.min(text.len()))]).is_some() {
                    continue;
                }
                assert_eq!(m.find_from(text, checked), m.find(text), "{text:?} checked to {checked}");
            }
        }
        assert_eq!(StopMatcher::new(&[]).find_from("abc", 1), None);
    }

    #[test]
    fn a_stop_split_across_pieces_is_found_once_the_rest_arrives() {
        let mut stream = StopStream::new(&["\nif __name__".to_string()]);
        let mut text = String::new();
        let mut ignore = |_: &str| ControlFlow::Continue(());
        for piece in ["x = 1", "\nif", " __na", "me__"] {
            text.push_str(piece);
            if stream.advance(&mut text, &mut ignore).is_some() {
                break;
            }
        }
        assert_eq!(text, "x = 1");
    }

    #[test]
    fn unicode_is_safe() {
        assert_eq!(StopMatcher::new(&["é!".to_string()]).safe_prefix("caf\u{e9}"), 3);
    }
}
