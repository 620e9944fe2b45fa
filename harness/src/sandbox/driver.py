# The Python half of the sandbox worker, loaded once into the warm parent (never importable by
# name: it is not left in sys.modules). Only forked children call these functions with sample
# code around; the verdict itself is decided and reported by the worker's Rust code, from whether
# the calls below return or raise.
import builtins
import gc
import os
import sys
import threading

_SAVED_BUILTINS = dict(builtins.__dict__)
_MODULES = {}
_MISSING = object()


def freeze():
    """In the parent, after warm-up: remember every module's namespace, and freeze the heap so
    that children neither collect nor copy it."""
    _SAVED_BUILTINS.clear()
    _SAVED_BUILTINS.update(builtins.__dict__)
    _MODULES.clear()
    for name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if isinstance(namespace, dict):
            _MODULES[name] = (module, dict(namespace))
    gc.collect()
    gc.freeze()


def _names(code, out):
    out.update(code.co_names)
    for const in code.co_consts:
        if isinstance(const, type(code)):
            _names(const, out)
    return out


def restore(check_code):
    """Between a solution and its check: undo what the solution may have done to what the check
    relies on: the builtins, trace and profile hooks, and the modules the check names."""
    namespace = builtins.__dict__
    namespace.clear()
    namespace.update(_SAVED_BUILTINS)
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)
    threading.setprofile(None)
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is not None:
        for tool in range(6):
            try:
                monitoring.set_events(tool, 0)
            except ValueError:
                pass
    for name in _names(check_code, set()):
        saved = _MODULES.get(name)
        if saved is None:
            continue
        module, original = saved
        sys.modules[name] = module
        current = module.__dict__
        for key, value in original.items():
            if current.get(key, _MISSING) is not value:
                current[key] = value


# --- pytest ---------------------------------------------------------------------------------

# Options that change output and caching only, never outcomes; the benchmark's peer gets the same.
PYTEST_ARGS = [
    "-q",
    "--color=no",
    "--capture=no",
    "-p", "no:cacheprovider",
    "-p", "no:pastebin",
    "-p", "no:junitxml",
    "-p", "no:faulthandler",
]

_PREPARED = None


class Collector:
    """A pytest plugin that records each test's outcome."""

    def __init__(self):
        self.tests = []

    def _add(self, report, outcome):
        message = ""
        if report.failed:
            message = report.longreprtext[-1500:]
        elif report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        self.tests.append((report.nodeid, outcome, float(getattr(report, "duration", 0.0)), message))

    def pytest_runtest_logreport(self, report):
        xfail = hasattr(report, "wasxfail")
        if report.when == "call":
            if xfail:
                self._add(report, "xfailed" if report.skipped else "xpassed")
            else:
                self._add(report, report.outcome)
        elif report.failed:
            self._add(report, "error")
        elif report.when == "setup" and report.skipped:
            self._add(report, "xfailed" if xfail else "skipped")

    def pytest_collectreport(self, report):
        if report.failed:
            self._add(report, "error")


_WARM_MODULE = "def double(x):\n    if x > 0:\n        return 2 * x\n    return 0\n"
_WARM_TEST = (
    "import pytest\nfrom evalrun_warm_mod import double\n\n"
    "@pytest.fixture\ndef two():\n    return 2\n\n"
    "@pytest.mark.parametrize('x', [1, 2])\ndef test_double(x, two):\n    assert double(x) == two * x\n\n"
    "def test_fails():\n    assert double(-1) == 1\n\n"
    "@pytest.mark.skip\ndef test_skipped():\n    pass\n"
)


def pytest_prepare(workdir):
    """In the parent, once: a full warm-up run (which imports everything pytest and coverage load
    lazily), then a configured pytest session rooted at `workdir` that every child reuses, so a
    child pays only for collecting and running its own tests."""
    global _PREPARED
    import pytest
    from _pytest.config import _prepareconfig
    from _pytest.main import Session

    module = os.path.join(workdir, "evalrun_warm_mod.py")
    test = os.path.join(workdir, "test_evalrun_warm.py")
    with open(module, "w") as f:
        f.write(_WARM_MODULE)
    with open(test, "w") as f:
        f.write(_WARM_TEST)
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        cov = coverage_start(workdir)
        pytest.main(PYTEST_ARGS + [test], plugins=[Collector()])
        if cov is not None:
            coverage_stop(cov, ["evalrun_warm_mod"], workdir)
    finally:
        for path in (module, test):
            os.remove(path)
        for name in ("evalrun_warm_mod", "test_evalrun_warm"):
            sys.modules.pop(name, None)
        sys.path_importer_cache.clear()

    collector = Collector()
    config = _prepareconfig(PYTEST_ARGS + [workdir], plugins=[collector])
    config._do_configure()
    session = Session.from_config(config)
    session.exitstatus = 0
    config.hook.pytest_sessionstart(session=session)
    os.chdir(cwd)
    _PREPARED = (config, session, collector)
    freeze()


def pytest_run_prepared(targets):
    """In a child: collect `targets` (paths or node ids) with the prepared session and run them.
    Returns (pytest exit code, tests)."""
    import pytest

    config, session, collector = _PREPARED
    config.args = list(targets)
    try:
        config.hook.pytest_collection(session=session)
        config.hook.pytest_runtestloop(session=session)
        code = 1 if session.testsfailed else (5 if session.testscollected == 0 else 0)
    except pytest.UsageError:
        code = 4
    except session.Failed:
        code = 1
    except (KeyboardInterrupt, pytest.exit.Exception):
        code = 2
    except BaseException:
        import traceback

        code = 3
        collector.tests.append(("<pytest>", "error", 0.0, traceback.format_exc()[-1500:]))
    return int(code), collector.tests


def pytest_run_main(args):
    """In a child: a complete pytest.main run (extra options, ini files, conftest.py)."""
    import pytest

    collector = Collector()
    code = pytest.main(PYTEST_ARGS + list(args), plugins=[collector])
    return int(code), collector.tests


def coverage_start(workdir):
    """Start measuring line and branch coverage of the files under `workdir`; None without
    coverage.py."""
    try:
        import coverage
    except ImportError:
        return None
    cov = coverage.Coverage(data_file=None, branch=True, include=[os.path.join(workdir, "*")], config_file=False)
    cov.start()
    return cov


def _module_file(name, workdir):
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None)
    if path:
        return path
    base = os.path.join(workdir, *name.split("."))
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.exists(candidate):
            return candidate
    return None


def coverage_stop(cov, modules, workdir):
    """Stop measuring; for each module name: (name, statements, missing statements, branches,
    missing branches), or (name, None, ...) when the module is not there."""
    cov.stop()
    out = []
    for name in modules:
        path = _module_file(name, workdir)
        if path is None:
            out.append((name, None, None, None, None))
            continue
        numbers = cov._analyze(path).numbers
        out.append((name, numbers.n_statements, numbers.n_missing, numbers.n_branches, numbers.n_missing_branches))
    return out
