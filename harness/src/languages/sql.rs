//! SQL, run by sqlite3 against the task's schema and data; the result set is compared with the
//! expected one (rows as a multiset unless the task is `ordered`; numbers within 1e-6).

use super::{fenced_code, run_limits, seeded, tail, Toolchain};
use crate::sandbox::command::{Job, JobOutcome, Step};
use crate::sandbox::Limits;
use evalrun_core::{Language, Status, Task, Verdict};
use evalrun_tasks::SqlExpectation;
use serde_json::Value;

pub struct Sql;

impl Toolchain for Sql {
    fn language(&self) -> Language {
        Language::Sql
    }

    fn job(&self, task: &Task, completion: &str, limits: &Limits) -> Job {
        // `.mode quote` prints each row as SQL literals: unambiguous types, NULL told from 'NULL'.
        let script =
            format!(".bail on\n.read schema.sql\n.read data.sql\n.mode quote\n{}\n", completion.trim());
        seeded(task).file("run.sql", script).step(
            Step::new("query", ["sqlite3", "-batch", "-bail", "db.sqlite", ".read run.sql"])
                .limits(run_limits(limits, 0.0)),
        )
    }

    fn verdict(&self, task: &Task, job: &Job, outcome: &JobOutcome) -> Verdict {
        let verdict = |status, detail: String| Verdict { status, detail, exception: None, exec_s: 0.0 };
        let Some(step) = outcome.last() else {
            return verdict(Status::Crashed, "the query did not run".into());
        };
        if !outcome.succeeded(job) {
            let v = super::exit_verdict(job, outcome);
            let stderr = step.stderr_text();
            if v.status != Status::Failed {
                return v;
            }
            let status = if stderr.contains("syntax error") || stderr.contains("incomplete input") {
                Status::SyntaxError
            } else {
                Status::Failed
            };
            return verdict(status, format!("query error: {}", tail(&stderr, 1000)));
        }
        let expected: SqlExpectation = match serde_json::from_str(&task.test) {
            Ok(e) => e,
            Err(e) => {
                return verdict(
                    Status::Crashed,
                    format!("task {}: field `test` is not an SQL expectation: {e}", task.id),
                )
            }
        };
        let got = match parse_quoted_rows(&step.stdout_text()) {
            Ok(rows) => rows,
            Err(e) => return verdict(Status::Failed, format!("unreadable result: {e}")),
        };
        match compare(&expected.rows, &got, task.ordered) {
            None => verdict(Status::Passed, String::new()),
            Some(why) => verdict(Status::Failed, why),
        }
    }

    fn extract(&self, answer: &str, _entry_point: &str) -> String {
        let code = fenced_code(answer, &["sql", "sqlite", "sqlite3"], "");
        format!("{}\n", code.trim())
    }

    fn completion_stops(&self) -> Vec<String> {
        ["\n\n", "\n--", "\n```"].map(String::from).to_vec()
    }

    fn failing_stub(&self) -> Option<&'static str> {
        None
    }
}

/// Rows printed by sqlite3's `.mode quote`: comma-separated SQL literals, a row per line
/// (a quoted string may span lines).
pub(crate) fn parse_quoted_rows(text: &str) -> Result<Vec<Vec<Value>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut chars = text.chars().peekable();
    let mut cell = String::new();
    let finish_cell = |cell: &mut String, row: &mut Vec<Value>| -> Result<(), String> {
        let raw = std::mem::take(cell);
        let t = raw.trim();
        let value = if t == "NULL" {
            Value::Null
        } else if let Ok(n) = t.parse::<i64>() {
            Value::from(n)
        } else if let Ok(x) = t.parse::<f64>() {
            Value::from(x)
        } else if t.starts_with("X'") || t.starts_with("x'") {
            Value::from(t.to_string())
        } else {
            return Err(format!("unexpected value `{t}`"));
        };
        row.push(value);
        Ok(())
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => s.push(c),
                        None => return Err("unterminated string".into()),
                    }
                }
                row.push(Value::from(s));
                // Skip to the separator.
                while chars.peek().is_some_and(|c| *c == ' ') {
                    chars.next();
                }
            }
            ',' => {
                if !cell.trim().is_empty() {
                    finish_cell(&mut cell, &mut row)?;
                }
            }
            '\n' => {
                if !cell.trim().is_empty() {
                    finish_cell(&mut cell, &mut row)?;
                }
                if !row.is_empty() {
                    rows.push(std::mem::take(&mut row));
                }
            }
            '\r' => {}
            c => cell.push(c),
        }
    }
    if !cell.trim().is_empty() {
        finish_cell(&mut cell, &mut row)?;
    }
    if !row.is_empty() {
        rows.push(row);
    }
    Ok(rows)
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            (x - y).abs() <= 1e-6 * x.abs().max(y.abs()).max(1.0)
        }
        _ => a == b,
    }
}

fn same_row(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
}

fn show(row: &[Value]) -> String {
    serde_json::to_string(row).unwrap_or_default()
}

/// Why `got` is not the `expected` result set, or `None` when it is.
pub(crate) fn compare(expected: &[Vec<Value>], got: &[Vec<Value>], ordered: bool) -> Option<String> {
    if let (Some(e), Some(g)) = (expected.first(), got.first()) {
        if e.len() != g.len() {
            return Some(format!("expected {} columns, got {}: {}", e.len(), g.len(), show(g)));
        }
    }
    if expected.len() != got.len() {
        return Some(format!("expected {} rows, got {}", expected.len(), got.len()));
    }
    if ordered {
        let (i, (e, g)) = expected.iter().zip(got).enumerate().find(|(_, (e, g))| !same_row(e, g))?;
        return Some(format!("row {}: expected {}, got {}", i + 1, show(e), show(g)));
    }
    let mut unused: Vec<&Vec<Value>> = got.iter().collect();
    for e in expected {
        match unused.iter().position(|g| same_row(e, g)) {
            Some(p) => {
                unused.swap_remove(p);
            }
            None => return Some(format!("expected row {} is missing", show(e))),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quoted_rows_parse_with_types() {
        let rows = parse_quoted_rows("1,'a''b',NULL,2.5\n-3,'two\nlines','NULL',1.0e+20\n").unwrap();
        assert_eq!(
            rows,
            vec![
                vec![json!(1), json!("a'b"), Value::Null, json!(2.5)],
                vec![json!(-3), json!("two\nlines"), json!("NULL"), json!(1e20)],
            ]
        );
        assert!(parse_quoted_rows("").unwrap().is_empty());
    }

    #[test]
    fn result_sets_compare_as_multisets_unless_ordered() {
        let expected = vec![vec![json!(1), json!("a")], vec![json!(2), json!(null)]];
        let swapped = vec![vec![json!(2.0), json!(null)], vec![json!(1), json!("a")]];
        assert_eq!(compare(&expected, &swapped, false), None);
        assert!(compare(&expected, &swapped, true).unwrap().starts_with("row 1"));
        assert!(compare(&expected, &swapped[..1], false).unwrap().contains("2 rows, got 1"));
        let wrong = vec![vec![json!(1), json!("a")], vec![json!(2), json!("b")]];
        assert!(compare(&expected, &wrong, false).unwrap().contains("missing"));
        assert_eq!(compare(&[vec![json!(0.3333333)]], &[vec![json!(1.0 / 3.0)]], true), None);
        assert!(compare(&expected, &[vec![json!(1)], vec![json!(2)]], false).unwrap().contains("columns"));
    }
}
