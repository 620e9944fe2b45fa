//! `summary.json`: the [`RunSummary`] itself, pretty-printed.

use crate::{Exporter, ReportError};
use evalrun_core::RunSummary;

/// Writes the summary as pretty-printed JSON that deserializes back into [`RunSummary`].
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn name(&self) -> &'static str {
        "json"
    }

    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn render(&self, summary: &RunSummary) -> Result<String, ReportError> {
        let mut text = serde_json::to_string_pretty(summary)?;
        text.push('\n');
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_summary;

    #[test]
    fn round_trips() {
        let summary = sample_summary();
        let text = JsonExporter.render(&summary).unwrap();
        assert!(text.ends_with("}\n"));
        assert!(text.contains("\n  \"schema\": 1,"), "pretty-printed: {text}");
        let back: RunSummary = serde_json::from_str(&text).unwrap();
        assert_eq!(back, summary);
    }

    #[test]
    fn round_trips_empty() {
        let summary = RunSummary { schema: 1, models: vec![], breakdown: vec![] };
        let back: RunSummary = serde_json::from_str(&JsonExporter.render(&summary).unwrap()).unwrap();
        assert_eq!(back, summary);
    }
}
