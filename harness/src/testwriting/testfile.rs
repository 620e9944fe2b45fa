//! Test files and modules as Python sees them (`testfile.py`, Python's own `ast`, parsing
//! only): the public API of a module, the tests of a file, merging files, dropping tests, removing
//! the definitions by which a test file shadows its module.

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

/// `test_source` without its top-level definitions (`def`, `class`, assignment) of a name that
/// `module` (whose source is `module_source`) exports: its public functions, classes and
/// assigned names, or its `__all__`. Tests that call such a name would test the file's own copy.
/// Imports from the module, and aliases of its objects (`f = m.f`), stay. Returns the new source
/// and the names removed, in order; an error when either file does not parse.
pub fn remove_shadowing(
    test_source: &str,
    module_source: &str,
    module: &str,
) -> Result<(String, Vec<String>), TestWritingError> {
    python::call(
        python::TESTFILE,
        "remove_shadowing",
        serde_json::json!([test_source, module_source, module]),
    )
}

/// The test a pytest node id names, as [`test_names`] spells it: `test_m.py::TestA::test_x[1]`
/// is `TestA::test_x`; a node id without `::` (a whole file) is `None`.
pub fn test_of_nodeid(nodeid: &str) -> Option<String> {
    let (_, test) = nodeid.split_once("::")?;
    let test = test.split('[').next().unwrap_or(test);
    Some(test.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "import math\n\nPI = 3.14\n_SCALE = 2\n\ndef area(r):\n    return PI * r * r\n\n\
                          class Circle:\n    pass\n\ndef _helper():\n    pass\n";

    #[test]
    fn pasted_definitions_of_exported_names_are_removed() {
        let tests = "from shapes import area\nimport shapes\n\ndef area(r):\n    return 3 * r * r\n\n\
                     PI = 3\n_SCALE = 3\n\ndef _helper():\n    pass\n\ndef sqrt(x):\n    return x\n\n\
                     def test_area():\n    assert area(1) == 3.14\n";
        let (source, removed) = remove_shadowing(tests, MODULE, "shapes").expect("both parse");
        assert_eq!(removed, ["area", "PI"]);
        assert!(!source.contains("3 * r * r") && !source.contains("PI = 3\n"), "{source}");
        // Private names and names the module only imports are not its API.
        assert!(
            source.contains("_SCALE = 3") && source.contains("def _helper") && source.contains("def sqrt")
        );
        assert!(source.starts_with("from shapes import area\nimport shapes\n"), "{source}");
        assert_eq!(test_names(&source).expect("parses"), ["test_area"]);
    }

    #[test]
    fn aliases_and_imports_of_the_module_are_not_shadowing() {
        let tests = "import shapes as s\nfrom shapes import *\n\narea = s.area\nCircle = s.Circle\n\n\
                     def test_area():\n    assert area(1) == 3.14\n";
        let (source, removed) = remove_shadowing(tests, MODULE, "shapes").expect("both parse");
        assert!(removed.is_empty(), "{removed:?}");
        assert_eq!(source, tests);
    }

    #[test]
    fn all_decides_what_the_module_exports() {
        let module = "__all__ = ['area']\n\ndef area(r):\n    return r\n\ndef perimeter(r):\n    return r\n";
        let tests = "def area(r):\n    return r\n\ndef perimeter(r):\n    return r\n";
        let (_, removed) = remove_shadowing(tests, module, "shapes").expect("both parse");
        assert_eq!(removed, ["area"]);
    }

    #[test]
    fn a_test_file_that_does_not_parse_is_an_error() {
        assert!(remove_shadowing("def test_x(:\n", MODULE, "shapes").is_err());
    }

    #[test]
    fn unittest_classes_are_test_classes_and_classes_with_init_are_not() {
        let source = "import unittest\n\nclass AreaTests(unittest.TestCase):\n    def test_one(self):\n        pass\n\n\
                      class TestHelper:\n    def __init__(self):\n        pass\n\n    def test_two(self):\n        pass\n";
        assert_eq!(test_names(source).expect("parses"), ["AreaTests::test_one"]);
        let dropped = drop_tests(source, &["AreaTests::test_one".to_string()]).expect("parses");
        assert!(!dropped.contains("AreaTests"), "{dropped}");
    }
}
