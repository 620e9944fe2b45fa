//! Server-sent events, as OpenAI-compatible servers stream them: `data:` lines, events separated
//! by a blank line, `:` comments ignored. Only the `data` field matters here.

use std::io::{self, BufRead};

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
            if self.inner.read_line(&mut self.line)? == 0 {
                return Ok(data); // a last event without its blank line still counts
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
    fn joins_multi_line_data_and_keeps_an_unterminated_last_event() {
        assert_eq!(all("data: one\ndata: two\n\ndata: last"), vec!["one\ntwo", "last"]);
        assert!(all("").is_empty());
    }
}
