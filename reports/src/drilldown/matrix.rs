//! `matrix.html`: which entry solves which task. A row per task any entry ran, a column per
//! entry (in the leaderboard's order), each cell the entry's samples passed on the task and a
//! link to the task on the entry's page. Rows are filtered by suite, language and status and
//! sorted by any column in the page.

use super::data::{first_line, script_json, Outcome, Outcomes, TaskRef, OUTCOMES_SCHEMA, SCHEMA_VERSION};
use super::entry_page::entry_ref;
use super::{nav, page, Sources, MATRIX_FILE};
use crate::leaderboard::natural_cmp;
use crate::{Leaderboard, ReportError};
use std::collections::HashMap;

pub(super) const SCRIPT: &str = include_str!("assets/matrix.js");

/// Every entry's outcome on every task any entry ran. `full`: the side-by-side page's form,
/// with whole details and the code of the sample shown; else the matrix's, details cut to
/// their first line.
pub(super) fn outcomes<'a>(board: &'a Leaderboard, sources: &Sources<'a>, full: bool) -> Outcomes<'a> {
    let samples: Vec<_> = (0..board.entries.len()).map(|i| sources.of(i)).collect();
    // Every task, with its suite from the first row that names it.
    let mut tasks: Vec<TaskRef<'a>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (entry, samples) in board.entries.iter().zip(&samples) {
        for t in &entry.task_outcomes {
            if index.contains_key(t.task_id.as_str()) {
                continue;
            }
            index.insert(&t.task_id, tasks.len());
            tasks.push(TaskRef {
                task_id: &t.task_id,
                suite: samples.rows(&t.task_id).first().copied().map_or("", |r| r.suite.as_str()),
                language: &t.language,
                kind: &t.kind,
            });
        }
    }
    tasks.sort_by(|a, b| natural_cmp(a.task_id, b.task_id));
    let order: HashMap<&str, usize> = tasks.iter().enumerate().map(|(i, t)| (t.task_id, i)).collect();
    let outcomes = board
        .entries
        .iter()
        .zip(&samples)
        .map(|(entry, samples)| {
            let mut row: Vec<Option<Outcome<'a>>> = (0..tasks.len()).map(|_| None).collect();
            for t in &entry.task_outcomes {
                let Some(&i) = order.get(t.task_id.as_str()) else { continue };
                let shown = full
                    .then(|| samples.rows(&t.task_id).iter().copied().find(|r| r.status.as_str() == t.status))
                    .flatten();
                row[i] = Some(Outcome {
                    samples: t.samples,
                    passed: t.passed,
                    status: &t.status,
                    detail: if full { t.detail.clone() } else { first_line(&t.detail, 200) },
                    sample: shown.map(|r| r.sample),
                    code: shown.map(|r| r.completion.as_str()),
                });
            }
            row
        })
        .collect();
    Outcomes {
        schema: OUTCOMES_SCHEMA,
        schema_version: SCHEMA_VERSION,
        entries: board.entries.iter().map(entry_ref).collect(),
        tasks,
        outcomes,
    }
}

pub(super) fn render(board: &Leaderboard, sources: &Sources<'_>) -> Result<String, ReportError> {
    let data = outcomes(board, sources, false);
    let mut body = nav("", MATRIX_FILE);
    body.push_str(
        "<h1>Task × entry matrix</h1>\n\
         <p class=\"sub\">A row per task, a column per entry (in the leaderboard's order). ✓: every sample \
         passed; ✗: none did; k/n: k of n samples passed; ·: the entry did not run the task. A cell links to \
         the task on the entry's page; a column's header sorts by it.</p>\n\
         <div class=\"controls\" role=\"search\">\
         <label>Suite <select id=\"suite\"><option value=\"\">any</option></select></label>\
         <label>Language <select id=\"language\"><option value=\"\">any</option></select></label>\
         <label>Status <select id=\"status\"><option value=\"\">any</option>\
         <option value=\"all\">solved by every entry that ran it</option>\
         <option value=\"mixed\">entries disagree</option>\
         <option value=\"none\">no entry passed a sample</option></select></label>\
         <label>Task <input id=\"search\" type=\"search\" placeholder=\"id contains…\"></label>\
         <span id=\"shown\" class=\"count\"></span></div>\n\
         <div class=\"scroll\"><table id=\"matrix\" class=\"matrix\"><thead><tr></tr></thead><tbody></tbody></table></div>\n",
    );
    Ok(page("Task × entry matrix · evalrun drill-down", &body, &script_json(&data)?, SCRIPT))
}
