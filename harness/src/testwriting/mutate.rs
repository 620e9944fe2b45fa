//! Mutants of a Python module, made by the AST mutation operators of `mutate.py`: comparison,
//! arithmetic, boolean, constant, return-value and remove-statement. Deterministic: the same
//! module, limit and salt always give the same mutants.

use super::{python, TestWritingError};
use serde::Deserialize;

/// The mutation operators, in the order selection cycles through them.
pub const OPERATORS: [&str; 6] =
    ["comparison", "arithmetic", "boolean", "constant", "return-value", "remove-statement"];

/// One mutant: the whole module with one edit.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Candidate {
    pub operator: String,
    /// 1-based line of the edit.
    pub line: u32,
    /// Character offset of the edit in the module (orders mutants within a line).
    pub offset: u64,
    pub source: String,
}

/// The mutants of a module: how many it has in all, and those selected.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Mutants {
    pub candidates: usize,
    pub selected: Vec<Candidate>,
}

/// Every distinct, compiling mutant of `source` when `limit` is 0; otherwise at most `limit` of
/// them, spread over the operators (round robin) and over the module (a fixed pseudo-random
/// order keyed by `salt`, e.g. the module name). Returned in source order.
pub fn mutants(source: &str, limit: usize, salt: &str) -> Result<Mutants, TestWritingError> {
    python::call(python::MUTATE, "mutants", serde_json::json!([source, limit, salt]))
}

/// The line a mutant changes, as `-old` / `+new` (first changed line only), for reports.
pub fn diff_line(original: &str, mutated: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (original.lines().collect(), mutated.lines().collect());
    let first = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let old = a.get(first).map_or("", |l| l.trim());
    let new = b.get(first).map_or("", |l| l.trim());
    format!("-{old} / +{new}")
}
