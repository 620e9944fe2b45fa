//! Generated token bytes to streamed text, the same for every local backend: UTF-8 characters
//! split across tokens are reassembled, and the text goes through a [`StopStream`] (stop
//! sequences end it; what could still become one is held back from the stream).

use crate::StopStream;
use evalrun_core::FinishReason;
use std::ops::ControlFlow;

/// The consumer (`on_text`) is passed to each call rather than kept, so that a scheduler holding
/// many streams can hand each the same sink.
///
/// Every piece costs the same however long the text already is: a scheduler pushes one piece
/// per sequence per step (the text was rebuilt and searched whole each time before: quadratic,
/// 9 ms for a 2,048-token answer; `cargo bench -p evalrun-backends --bench text_stream`).
pub struct TextStream {
    stops: StopStream,
    /// The longest valid UTF-8 prefix of the bytes so far, cut at a stop sequence once one is
    /// found.
    text: String,
    /// The bytes after `text`: a character still incomplete (at most 3 bytes), or, once the
    /// bytes stopped being UTF-8, everything from there on (the text then grows no more).
    rest: Vec<u8>,
    broken: bool,
}

impl TextStream {
    pub fn new(stop: &[String]) -> Self {
        TextStream { stops: StopStream::new(stop), text: String::new(), rest: Vec::new(), broken: false }
    }

    /// Append the bytes of one token. `Some(FinishReason::Stop)` when a stop sequence appeared
    /// or the consumer asked to stop.
    pub fn push(
        &mut self,
        piece: &[u8],
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Option<FinishReason> {
        self.rest.extend_from_slice(piece);
        if self.broken {
            return None;
        }
        // Tokens may split a UTF-8 character: only whole characters become text.
        let valid = match std::str::from_utf8(&self.rest) {
            Ok(s) => s.len(),
            Err(e) => {
                self.broken = e.error_len().is_some();
                e.valid_up_to()
            }
        };
        if valid == 0 {
            return None;
        }
        self.text.push_str(std::str::from_utf8(&self.rest[..valid]).unwrap_or_default());
        self.rest.drain(..valid);
        self.stops.advance(&mut self.text, on_text).map(|_| FinishReason::Stop)
    }

    /// The final text, its unstreamed rest sent to `on_text`. Unless generation stopped at a
    /// stop sequence, trailing bytes that are not UTF-8 are kept (as U+FFFD).
    pub fn finish(
        mut self,
        finish: FinishReason,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> String {
        if finish != FinishReason::Stop {
            self.text.push_str(&String::from_utf8_lossy(&self.rest));
        }
        self.stops.finish(&self.text, on_text);
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pieces: &[&[u8]], stops: &[&str]) -> (String, Option<FinishReason>, Vec<String>) {
        let mut chunks = Vec::new();
        let mut sink = |s: &str| {
            chunks.push(s.to_string());
            ControlFlow::Continue(())
        };
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut stream = TextStream::new(&stops);
        let mut finish = None;
        for piece in pieces {
            finish = stream.push(piece, &mut sink);
            if finish.is_some() {
                break;
            }
        }
        let text = stream.finish(finish.unwrap_or(FinishReason::Length), &mut sink);
        (text, finish, chunks)
    }

    #[test]
    fn streams_everything_without_stops() {
        let (text, finish, chunks) = run(&[b"def", b" f", b"():"], &[]);
        assert_eq!(text, "def f():");
        assert_eq!(finish, None);
        assert_eq!(chunks.concat(), text);
    }

    #[test]
    fn reassembles_utf8_split_across_tokens() {
        let e_acute = "é".as_bytes();
        let (text, _, chunks) = run(&[b"caf", &e_acute[..1], &e_acute[1..], b"!"], &[]);
        assert_eq!(text, "café!");
        assert!(chunks.iter().all(|c| !c.contains('\u{fffd}')));
        assert_eq!(chunks.concat(), "café!");
    }

    #[test]
    fn stops_before_a_stop_sequence_split_across_tokens_and_never_streams_it() {
        let (text, finish, chunks) = run(&[b"x = 1\n`", b"``", b"\nmore"], &["\n```"]);
        assert_eq!(text, "x = 1");
        assert_eq!(finish, Some(FinishReason::Stop));
        assert_eq!(chunks.concat(), "x = 1");
    }

    #[test]
    fn the_consumer_can_stop_generation() {
        let mut seen = String::new();
        let mut sink = |s: &str| {
            seen.push_str(s);
            ControlFlow::Break(())
        };
        let mut stream = TextStream::new(&[]);
        assert_eq!(stream.push(b"abc", &mut sink), Some(FinishReason::Stop));
        assert_eq!(stream.finish(FinishReason::Stop, &mut sink), "abc");
        assert_eq!(seen, "abc");
    }

    #[test]
    fn bytes_that_stop_being_utf8_freeze_the_text_and_end_as_replacements() {
        let streamed = std::cell::RefCell::new(String::new());
        let mut sink = |s: &str| {
            streamed.borrow_mut().push_str(s);
            ControlFlow::Continue(())
        };
        let mut stream = TextStream::new(&["never".to_string()]);
        for piece in [&b"ok"[..], b"\xff", b"more", "é".as_bytes()] {
            assert_eq!(stream.push(piece, &mut sink), None);
        }
        assert_eq!(*streamed.borrow(), "ok", "nothing after the bad byte streams before the end");
        let text = stream.finish(FinishReason::Length, &mut sink);
        assert_eq!(text, String::from_utf8_lossy(b"ok\xffmore\xc3\xa9"));
        assert_eq!(*streamed.borrow(), text);
    }

    #[test]
    fn a_dangling_partial_character_ends_as_replacement_at_length() {
        let (text, _, chunks) = run(&[b"a", &"é".as_bytes()[..1]], &[]);
        assert_eq!(text, "a\u{fffd}");
        assert_eq!(chunks.concat(), text);
    }
}
