//! `compare.html`: two entries side by side on the tasks where they disagree: tasks both ran
//! whose pass rates (samples passed of samples) differ. The pair is chosen in the page (and
//! kept in its address, `#a=<entry>&b=<entry>` with the stems of the entries' pages); each
//! task opens to the two entries' verdicts and code.

use super::data::script_json;
use super::matrix::outcomes;
use super::{nav, page, Sources, COMPARE_FILE};
use crate::{Leaderboard, ReportError};

pub(super) const SCRIPT: &str = include_str!("assets/compare.js");

pub(super) fn render(board: &Leaderboard, sources: &Sources<'_>) -> Result<String, ReportError> {
    let data = outcomes(board, sources, true);
    let mut body = nav("", COMPARE_FILE);
    body.push_str(
        "<h1>Side by side</h1>\n\
         <p class=\"sub\">Two entries on the tasks they both ran where their pass rates differ. Click a task \
         for both verdicts and the code of a sample of each (the first whose status is the task's).</p>\n\
         <div class=\"controls\">\
         <label>A <select id=\"a\"></select></label>\
         <button type=\"button\" id=\"swap\" title=\"Swap A and B\">⇄</button>\
         <label>B <select id=\"b\"></select></label>\
         <span id=\"shown\" class=\"count\"></span></div>\n\
         <p id=\"summary\" class=\"summary\"></p>\n\
         <div class=\"scroll\"><table id=\"disagreements\"><thead><tr><th scope=\"col\">Task</th>\
         <th scope=\"col\">Suite</th><th scope=\"col\">Language</th><th scope=\"col\">A</th>\
         <th scope=\"col\">B</th><th scope=\"col\">Better</th></tr></thead><tbody></tbody></table></div>\n",
    );
    Ok(page("Side by side · evalrun drill-down", &body, &script_json(&data)?, SCRIPT))
}
