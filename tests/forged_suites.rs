//! Test-writing: the model's pytest suite is the untrusted code, the module under test is
//! trusted. A suite must not report a pass it did not earn: a run that stopped early, tests that
//! never ran, a failure turned into a pass by a plugin the suite brought in or by pytest patched
//! at import. Each attack below has a test that fails on the module; the run must not pass, while
//! the honest suite beside it does (`docs/SANDBOX.md` says what a test body can still do to its
//! own outcome, and why that gains a suite nothing).

use evalrun_core::Status;
use evalrun_harness::sandbox::pytest::PytestRequest;
use evalrun_harness::sandbox::{Limits, PythonWorker, WorkerCommand};

const MODULE: &str = "def inc(x):\n    return x + 1\n";
const HONEST: &str = "from inc import inc\n\ndef test_inc():\n    assert inc(1) == 2\n";
/// A plugin that turns every failed test into a pass.
const FLIP: &str = "import pytest\n\nclass Flip:\n    @pytest.hookimpl(hookwrapper=True)\n    def pytest_runtest_makereport(self, item, call):\n        out = yield\n        out.get_result().outcome = 'passed'\n";

fn worker() -> PythonWorker {
    let cmd = WorkerCommand {
        program: env!("CARGO_BIN_EXE_evalrun").into(),
        args: vec!["__worker".into(), "python".into()],
    };
    PythonWorker::spawn(cmd).expect("worker starts")
}

/// (what, the suite): each has a test that fails on the module. Before this file, the plugin
/// claiming a conftest's name, the conftest loaded through `pytest_plugins`, the plugin a test
/// body registers, the reset failure count and `pytest.exit(returncode=0)` under `pytest.main`
/// all reported a pass.
fn attacks() -> Vec<(&'static str, String)> {
    vec![
        (
            "os._exit(0) after the first test",
            "import os\nfrom inc import inc\n\ndef test_a():\n    assert inc(1) == 2\n\ndef test_b():\n    os._exit(0)\n\ndef test_c():\n    assert inc(1) == 3\n".into(),
        ),
        (
            "pytest.exit with status 0 before a failing test",
            "import pytest\nfrom inc import inc\n\ndef test_a():\n    pytest.exit('done', returncode=0)\n\ndef test_b():\n    assert inc(1) == 3\n".into(),
        ),
        (
            "a plugin object that claims to be a conftest",
            format!("import gc\nfrom inc import inc\n{FLIP}Flip.__file__ = 'conftest.py'\nfor o in gc.get_objects():\n    if type(o).__name__ == 'Config' and hasattr(o, 'pluginmanager'):\n        o.pluginmanager.register(Flip())\n        break\n\ndef test_b():\n    assert inc(1) == 3\n"),
        ),
        (
            "a plugin registered by a test body, for the tests after it",
            format!("import gc\nfrom inc import inc\n{FLIP}\ndef test_a():\n    for o in gc.get_objects():\n        if type(o).__name__ == 'Config' and hasattr(o, 'pluginmanager'):\n            o.pluginmanager.register(Flip())\n            break\n\ndef test_b():\n    assert inc(1) == 3\n"),
        ),
        (
            "a conftest written at import and loaded through pytest_plugins",
            format!("import pathlib\nfrom inc import inc\npathlib.Path('evil_conftest.py').write_text({FLIP:?} + 'def pytest_configure(config):\\n    config.pluginmanager.register(Flip())\\n' + 'flip = Flip()\\n')\npytest_plugins = ['evil_conftest']\n\ndef test_b():\n    assert inc(1) == 3\n"),
        ),
        (
            "the session's failure count reset by a later test",
            "import gc\nfrom inc import inc\n\ndef test_a():\n    assert inc(1) == 3\n\ndef test_z():\n    for o in gc.get_objects():\n        if type(o).__name__ == 'Session':\n            o.testsfailed = 0\n".into(),
        ),
        (
            "pytest patched at import",
            "import _pytest.reports as r\nfrom inc import inc\n_orig = r.TestReport.__init__\ndef _init(self, *a, **k):\n    _orig(self, *a, **k)\n    self.outcome = 'passed'\nr.TestReport.__init__ = _init\n\ndef test_b():\n    assert inc(1) == 3\n".into(),
        ),
    ]
}

#[test]
fn a_suite_cannot_report_a_pass_it_did_not_earn() {
    let mut w = worker();
    let l = Limits { timeout_s: 20.0, ..Limits::default() };
    let honest = PytestRequest::new().file("inc.py", MODULE).file("test_inc.py", HONEST);
    assert!(w.run_pytest(&honest, &l).passed());
    for (what, suite) in attacks() {
        let request = PytestRequest::new().file("inc.py", MODULE).file("test_inc.py", &suite);
        let outcome = w.run_pytest(&request, &l);
        assert_ne!(outcome.status, Status::Passed, "{what}:\n{suite}\n{outcome:#?}");
        // The same through a full `pytest.main` (what a request with options takes).
        let outcome = w.run_pytest(&request.clone().args(["-q", "test_inc.py"]), &l);
        assert_ne!(outcome.status, Status::Passed, "{what}, through pytest.main:\n{outcome:#?}");
        assert!(w.run_pytest(&honest, &l).passed(), "the honest suite after `{what}`");
    }
}

/// A conftest that comes with the request (the task's) is kept, plugins and all.
#[test]
fn the_requests_own_conftest_still_counts() {
    let mut w = worker();
    let l = Limits { timeout_s: 20.0, ..Limits::default() };
    let conftest = "import pytest\n\n@pytest.fixture\ndef one():\n    return 1\n";
    let suite = "from inc import inc\n\ndef test_inc(one):\n    assert inc(one) == 2\n";
    let request =
        PytestRequest::new().file("inc.py", MODULE).file("conftest.py", conftest).file("test_inc.py", suite);
    let outcome = w.run_pytest(&request, &l);
    assert!(outcome.passed(), "{outcome:#?}");
}
