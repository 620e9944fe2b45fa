//! Stop-sequence detection over streamed text.

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
        self.stops.iter().filter_map(|s| text.find(s.as_str())).min()
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn unicode_is_safe() {
        assert_eq!(StopMatcher::new(&["é!".to_string()]).safe_prefix("caf\u{e9}"), 3);
    }
}
