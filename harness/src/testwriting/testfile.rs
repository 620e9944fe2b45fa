//! Test files and modules as Python sees them (`testfile.py`, Python's own `ast`, parsing
//! only): the public API of a module, the tests of a file, merging files, dropping tests.

use super::{python, TestWritingError};
use serde::Deserialize;

/// A public function or class of a module.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiItem {
    pub name: String,
    /// `function` or `class`.
    pub kind: String,
    pub line: u32,
    pub end_line: u32,
    /// Its source, decorators included.
    pub source: String,
    /// For a class: its public methods (and `__init__`).
    pub methods: Vec<String>,
}

/// Public top-level functions and classes of `source`, in order; `__all__` decides when given.
pub fn public_api(source: &str) -> Result<Vec<ApiItem>, TestWritingError> {
    python::call(python::TESTFILE, "public_api", serde_json::json!([source]))
}

/// The tests pytest would collect from a file: `test_x`, or `TestClass::test_x`.
pub fn test_names(source: &str) -> Result<Vec<String>, TestWritingError> {
    python::call(python::TESTFILE, "test_names", serde_json::json!([source]))
}

/// A chunk that [`merge`] left out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DroppedChunk {
    pub index: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Merged {
    pub source: String,
    pub dropped: Vec<DroppedChunk>,
}

/// One test file from several: imports once, repeated tests renamed, repeated helpers kept
/// once, top-level statements other than imports, definitions and assignments dropped.
pub fn merge(chunks: &[String]) -> Result<Merged, TestWritingError> {
    python::call(python::TESTFILE, "merge", serde_json::json!([chunks]))
}

/// `source` without the named tests (a test class left empty goes too).
pub fn drop_tests(source: &str, names: &[String]) -> Result<String, TestWritingError> {
    python::call(python::TESTFILE, "drop_tests", serde_json::json!([source, names]))
}

/// The test a pytest node id names, as [`test_names`] spells it: `test_m.py::TestA::test_x[1]`
/// is `TestA::test_x`; a node id without `::` (a whole file) is `None`.
pub fn test_of_nodeid(nodeid: &str) -> Option<String> {
    let (_, test) = nodeid.split_once("::")?;
    let test = test.split('[').next().unwrap_or(test);
    Some(test.to_string())
}
