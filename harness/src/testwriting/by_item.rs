//! The file gen-tests writes, ordered by the item each test is for (`by_item.py`): imports
//! once at the top, then each item's tests under a comment line that introduces them.

use super::testfile::ApiItem;
use super::{python, TestWritingError};
use serde::Deserialize;

/// One item's tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The comment line (without `# `) above the tests.
    pub heading: String,
    /// Its tests, a test file of their own.
    pub source: String,
}

impl Section {
    pub fn new(module: &str, item: &ApiItem, source: impl Into<String>) -> Section {
        Section { heading: heading(module, item), source: source.into() }
    }
}

/// `Tests of function `clamp` (clamp.py, lines 1-6).`
pub fn heading(module: &str, item: &ApiItem) -> String {
    format!("Tests of {} `{}` ({module}.py, lines {}-{}).", item.kind, item.name, item.line, item.end_line)
}

/// A section [`assemble`] left out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DroppedSection {
    pub index: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Assembled {
    pub source: String,
    /// Each test of the file with the section it belongs to, in file order; a test renamed
    /// because an earlier section had one of that name appears under its new name.
    pub tests: Vec<(usize, String)>,
    /// Each section's own file as it stands in this one (with its renames); empty for a
    /// section left out.
    pub sections: Vec<String>,
    pub dropped: Vec<DroppedSection>,
}

impl Assembled {
    /// The tests of section `index`.
    pub fn tests_of(&self, index: usize) -> impl Iterator<Item = &str> {
        self.tests.iter().filter(move |(s, _)| *s == index).map(|(_, t)| t.as_str())
    }

    /// The section a test belongs to.
    pub fn section_of(&self, test: &str) -> Option<usize> {
        self.tests.iter().find(|(_, t)| t == test).map(|(s, _)| *s)
    }
}

/// One test file from the sections, in their order. A name that an earlier section defined
/// differently (test, helper, fixture or constant) is renamed in the later one, so that each
/// keeps running against its own definitions; a definition repeated word for word is kept once.
pub fn assemble(sections: &[Section]) -> Result<Assembled, TestWritingError> {
    let sections: Vec<_> =
        sections.iter().map(|s| serde_json::json!({"heading": s.heading, "source": s.source})).collect();
    python::call(python::BY_ITEM, "assemble", serde_json::json!([sections]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: &str, source: &str) -> Section {
        Section { heading: heading.into(), source: source.into() }
    }

    #[test]
    fn sections_keep_their_order_and_share_the_imports() {
        let a = section(
            "Tests of function `f`.",
            "import pytest\nfrom m import f\n\ndef test_f():\n    assert f() == 1\n\npytest.main()\n",
        );
        let b = section(
            "Tests of class `C`.",
            "import pytest\nfrom m import C\n\nclass TestC:\n    def test_x(self):\n        assert C().x == 2\n",
        );
        let out = assemble(&[a, b]).expect("assembles");
        assert_eq!(
            out.source,
            "import pytest\nfrom m import f\nfrom m import C\n\n\n# Tests of function `f`.\n\
             def test_f():\n    assert f() == 1\n\n\n# Tests of class `C`.\nclass TestC:\n    \
             def test_x(self):\n        assert C().x == 2\n"
        );
        assert_eq!(out.tests, [(0, "test_f".to_string()), (1, "TestC::test_x".to_string())]);
        assert!(out.dropped.is_empty());
    }

    #[test]
    fn a_clashing_helper_is_renamed_in_the_later_section_only() {
        let a = section("a", "from m import f\n\nVALUE = 1\n\ndef test_one():\n    assert f(VALUE) == 1\n");
        let b = section(
            "b",
            "from m import g\n\nVALUE = 2\n\n@pytest.fixture\ndef value():\n    return VALUE\n\n\
             def test_one(value):\n    assert g(value) == 2\n",
        );
        let out = assemble(&[a, b]).expect("assembles");
        assert!(out.source.contains("VALUE_2 = 2\n"), "{}", out.source);
        assert!(out.source.contains("return VALUE_2\n"), "{}", out.source);
        assert!(out.source.contains("def test_one_2(value):\n    assert g(value) == 2"), "{}", out.source);
        assert!(out.source.contains("def test_one():\n    assert f(VALUE) == 1"), "{}", out.source);
        assert_eq!(out.tests, [(0, "test_one".to_string()), (1, "test_one_2".to_string())]);
        assert_eq!(out.section_of("test_one_2"), Some(1));
    }

    #[test]
    fn a_section_that_does_not_parse_is_reported() {
        let out = assemble(&[section("a", "def test_x(:\n"), section("b", "def test_y():\n    pass\n")])
            .expect("assembles");
        assert_eq!(out.dropped.len(), 1);
        assert_eq!(out.dropped[0].index, 0);
        assert_eq!(out.tests, [(1, "test_y".to_string())]);
    }
}
