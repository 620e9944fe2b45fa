//! `summary.json` and `leaderboard.json`: the [`RunSummary`] or the [`Leaderboard`] itself,
//! pretty-printed (the leaderboard's schema is documented in `docs/FORMATS.md`).

use crate::{Exporter, Leaderboard, ReportError};
use evalrun_core::RunSummary;
use serde::Serialize;

/// Writes the summary (or leaderboard) as pretty-printed JSON that deserializes back into
/// [`RunSummary`] (or [`Leaderboard`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonExporter;

fn pretty(value: &impl Serialize) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

impl Exporter for JsonExporter {
    fn name(&self) -> &'static str {
        "json"
    }

    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn render(&self, summary: &RunSummary) -> Result<String, ReportError> {
        pretty(summary)
    }
}

impl Exporter<Leaderboard> for JsonExporter {
    fn name(&self) -> &'static str {
        "json"
    }

    fn file_name(&self) -> &'static str {
        "leaderboard.json"
    }

    fn render(&self, board: &Leaderboard) -> Result<String, ReportError> {
        pretty(board)
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
    fn leaderboard_round_trips() {
        let board = crate::test_support::sample_leaderboard();
        let text = JsonExporter.render(&board).unwrap();
        assert!(
            text.contains("\n  \"schema\": \"evalrun-leaderboard\",\n  \"schema_version\": 2,"),
            "{text}"
        );
        let back: Leaderboard = serde_json::from_str(&text).unwrap();
        assert_eq!(back, board);
    }

    #[test]
    fn round_trips_empty() {
        let summary = RunSummary { schema: 1, models: vec![], breakdown: vec![] };
        let back: RunSummary = serde_json::from_str(&JsonExporter.render(&summary).unwrap()).unwrap();
        assert_eq!(back, summary);
    }
}
