//! Running pytest on generated files in the sandbox, from a warm worker: the request, and what
//! comes back (each test's outcome, counts, line and branch coverage of named modules and the
//! lines the tests missed).
//!
//! ```no_run
//! use evalrun_harness::sandbox::pytest::PytestRequest;
//! use evalrun_harness::sandbox::{Limits, PythonWorker, WorkerCommand};
//!
//! let mut worker = PythonWorker::spawn(WorkerCommand::current_exe()?)?;
//! let request = PytestRequest::new()
//!     .file("mod.py", "def add(a, b):\n    return a + b\n")
//!     .file("test_mod.py", "from mod import add\n\ndef test_add():\n    assert add(1, 2) == 3\n")
//!     .coverage(["mod"]);
//! let outcome = worker.run_pytest(&request, &Limits::default());
//! assert!(outcome.passed());
//! assert_eq!(outcome.count("passed"), 1);
//! assert_eq!(outcome.coverage["mod"].line_percent, 100.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The run happens in a forked child behind the same layers as any sample. When the request
//! has no options and no `conftest.py` or ini file, the child reuses a pytest session the
//! worker configured once (the fast path: only collection and the tests themselves are paid
//! for); otherwise it runs a complete `pytest.main`.

use evalrun_core::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Files to write and test.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PytestRequest {
    /// Files written into the scratch directory (the rootdir, also on `sys.path`), by relative
    /// path: the module under test and the tests, say.
    pub files: BTreeMap<String, String>,
    /// pytest arguments: test files or node ids to run (default: pytest collects the scratch
    /// directory, `test_*.py` and `*_test.py`), and options (which take the full `pytest.main`
    /// path).
    #[serde(default)]
    pub args: Vec<String>,
    /// Modules (dotted names, files in the scratch directory) whose line and branch coverage to
    /// measure with coverage.py.
    #[serde(default)]
    pub coverage: Vec<String>,
}

impl PytestRequest {
    pub fn new() -> PytestRequest {
        PytestRequest::default()
    }

    pub fn file(mut self, path: impl Into<String>, contents: impl Into<String>) -> PytestRequest {
        self.files.insert(path.into(), contents.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> PytestRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn coverage<I, S>(mut self, modules: I) -> PytestRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.coverage.extend(modules.into_iter().map(Into::into));
        self
    }

    /// Whether the prepared session can serve this request (no options, no conftest or ini).
    #[cfg(feature = "python")]
    pub(crate) fn fast_path(&self) -> bool {
        const CONFIG_FILES: [&str; 5] =
            ["conftest.py", "pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"];
        let configures =
            self.files.keys().any(|f| CONFIG_FILES.iter().any(|c| f == c || f.ends_with(&format!("/{c}"))));
        !configures && self.args.iter().all(|a| !a.starts_with('-'))
    }
}

/// One test (or a collection error) as pytest reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    /// pytest's node id, `test_mod.py::test_add[2]`.
    pub nodeid: String,
    /// `passed`, `failed`, `skipped`, `error` (in set-up, tear-down or collection), `xfailed`,
    /// `xpassed`.
    pub outcome: String,
    pub duration_s: f64,
    /// For failures and errors, the end of pytest's report; for skips, the reason.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// Coverage of one module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleCoverage {
    pub statements: u32,
    pub missing_statements: u32,
    pub branches: u32,
    pub missing_branches: u32,
    /// Executed statements, percent (100 for a module without statements).
    pub line_percent: f64,
    /// Taken branch destinations, percent (100 for a module without branches).
    pub branch_percent: f64,
    /// The statement lines the tests did not run, ascending (a statement over several lines by
    /// its first line): coverage.py's `analysis2`.
    #[serde(default)]
    pub missing_lines: Vec<u32>,
}

impl ModuleCoverage {
    pub fn new(
        statements: u32,
        missing_statements: u32,
        branches: u32,
        missing_branches: u32,
    ) -> ModuleCoverage {
        let percent = |total: u32, missing: u32| {
            if total == 0 {
                100.0
            } else {
                100.0 * f64::from(total.saturating_sub(missing)) / f64::from(total)
            }
        };
        ModuleCoverage {
            statements,
            missing_statements,
            branches,
            missing_branches,
            line_percent: percent(statements, missing_statements),
            branch_percent: percent(branches, missing_branches),
            missing_lines: Vec::new(),
        }
    }

    pub fn with_missing_lines(mut self, lines: Vec<u32>) -> ModuleCoverage {
        self.missing_lines = lines;
        self
    }
}

/// What the child reports of a pytest run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PytestReport {
    /// pytest's exit code: 0 all passed, 1 some failed, 2 interrupted (collection errors), 3
    /// internal error, 4 usage error, 5 no tests collected.
    pub exit_code: i32,
    pub tests: Vec<TestCase>,
    /// Per requested module; a module that is not there is missing from the map.
    #[serde(default)]
    pub coverage: BTreeMap<String, ModuleCoverage>,
    /// Whether the prepared session served the run.
    #[serde(default)]
    pub fast_path: bool,
}

/// The outcome of a pytest request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PytestOutcome {
    /// `passed` when pytest exited with 0 (at least one test, none failed); `failed` for
    /// failures, errors or no tests; `timed_out`; `crashed` when the child died without a
    /// report.
    pub status: Status,
    /// Why it did not pass.
    pub detail: String,
    /// pytest's exit code, when pytest finished.
    pub exit_code: Option<i32>,
    pub tests: Vec<TestCase>,
    pub coverage: BTreeMap<String, ModuleCoverage>,
    pub fast_path: bool,
    /// Wall time, seconds.
    pub exec_s: f64,
}

impl PytestOutcome {
    pub fn passed(&self) -> bool {
        self.status == Status::Passed
    }

    /// Tests with this outcome (`passed`, `failed`, `error`, `skipped`, `xfailed`, `xpassed`).
    pub fn count(&self, outcome: &str) -> usize {
        self.tests.iter().filter(|t| t.outcome == outcome).count()
    }

    pub(crate) fn from_parts(
        status: Status,
        detail: String,
        exec_s: f64,
        report: Option<PytestReport>,
    ) -> PytestOutcome {
        let report = report.unwrap_or_default();
        let finished = status != Status::TimedOut && status != Status::Crashed;
        PytestOutcome {
            status,
            detail,
            exit_code: finished.then_some(report.exit_code),
            tests: report.tests,
            coverage: report.coverage,
            fast_path: report.fast_path,
            exec_s,
        }
    }
}

/// The verdict on a finished pytest run: status and detail from its exit code and tests.
#[cfg(feature = "python")]
pub(crate) fn judge(report: &PytestReport) -> (Status, String) {
    let first = |outcome: &str| report.tests.iter().find(|t| t.outcome == outcome);
    let status = if report.exit_code == 0 { Status::Passed } else { Status::Failed };
    let detail = match report.exit_code {
        0 => String::new(),
        5 => "no tests collected".to_string(),
        code => match first("failed").or_else(|| first("error")) {
            Some(t) => {
                format!("{} {}: {}", t.nodeid, t.outcome, t.message.trim().lines().last().unwrap_or(""))
            }
            None => format!("pytest exited with {code}"),
        },
    };
    (status, detail)
}
