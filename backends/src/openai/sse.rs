//! Server-sent events, as OpenAI-compatible servers stream them: `data:` lines, events separated
//! by a blank line, `:` comments ignored. Only the `data` field matters here.

use std::io::{self, BufRead, Read};

/// The most bytes one event may hold (a line, or its `data:` lines together). A streamed chunk of
/// a completion is a few hundred bytes; a server that sends more without a line break is broken
/// or hostile, and is not allowed to grow memory without bound.
pub const MAX_EVENT_BYTES: u64 = 1 << 20;

/// Reads the `data` of one event after another from a byte stream.
pub struct SseReader<R> {
    inner: R,
    line: String,
}

impl<R: BufRead> SseReader<R> {
    pub fn new(inner: R) -> Self {
        SseReader { inner, line: String::new() }
    }

    /// The data of the next event (its `data:` lines joined by `\n`), or `None` at the end of the
    /// stream.
    pub fn next_data(&mut self) -> io::Result<Option<String>> {
        let mut data: Option<String> = None;
        loop {
            self.line.clear();
            let read = (&mut self.inner).take(MAX_EVENT_BYTES + 1).read_line(&mut self.line)?;
            if read == 0 {
                return Ok(data); // a last event without its blank line still counts
            }
            let held = data.as_ref().map_or(0, String::len) as u64;
            if read as u64 + held > MAX_EVENT_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("an event of the stream is longer than {MAX_EVENT_BYTES} bytes"),
                ));
            }
            let line = self.line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if data.is_some() {
                    return Ok(data);
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("data:") {
                let value = value.strip_prefix(' ').unwrap_or(value);
                match &mut data {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(value);
                    }
                    None => data = Some(value.to_string()),
                }
            }
            // `event:`, `id:`, `retry:` and `:` comments carry nothing evalrun uses.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut r = SseReader::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(d) = r.next_data().unwrap() {
            out.push(d);
        }
        out
    }

    #[test]
    fn splits_events_and_skips_comments() {
        let text = ": ping\n\ndata: {\"a\":1}\n\ndata:{\"b\":2}\r\n\r\nevent: x\ndata: [DONE]\n\n";
        assert_eq!(all(text), vec!["{\"a\":1}", "{\"b\":2}", "[DONE]"]);
    }

    #[test]
    fn an_endless_line_or_event_is_an_error_not_unbounded_memory() {
        let long = format!("data: {}", "x".repeat(MAX_EVENT_BYTES as usize + 10));
        let mut r = SseReader::new(long.as_bytes());
        let e = r.next_data().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        // Many data lines of one event add up too.
        let line = format!("data: {}\n", "y".repeat(1000));
        let many = line.repeat(MAX_EVENT_BYTES as usize / 1000 + 5);
        assert!(SseReader::new(many.as_bytes()).next_data().is_err());
        // Just under the limit is fine.
        let fits = format!("data: {}\n\n", "z".repeat(MAX_EVENT_BYTES as usize - 100));
        assert_eq!(
            SseReader::new(fits.as_bytes()).next_data().unwrap().map(|d| d.len()),
            Some(MAX_EVENT_BYTES as usize - 100)
        );
    }

    #[test]
    fn joins_multi_line_data_and_keeps_an_unterminated_last_event() {
        assert_eq!(all("data: one\ndata: two\n\ndata: last"), vec!["one\ntwo", "last"]);
        assert!(all("").is_empty());
    }
}
