# The Python half of the sandbox worker, loaded once into the warm parent (never importable by
# name: it is not left in sys.modules). Only forked children call these functions with sample
# code around; the verdict itself is decided and reported by the worker's Rust code, from whether
# the calls below return or raise.
import gc
import os
import sys

_MODULES = {}
_CLASSES = {}
_MISSING = object()
# The test runner's packages: restored after collection, before any test runs.
_RUNNER = ("_pytest", "pytest", "pluggy")


def setup_site():
    """The worker's interpreter starts without `site` (whose .pth files may run arbitrary code at
    every start: here one costs 0.15 s). Put the site-packages directories, and the directories
    .pth files list, on sys.path as `site` would, without running their import lines; and give
    the builtins what `site` adds (exit, quit, help, ...)."""
    import site

    dirs = list(site.getsitepackages())
    user = site.getusersitepackages()
    if site.check_enableusersite() and isinstance(user, str):
        dirs.append(user)
    for directory in dirs:
        if not os.path.isdir(directory) or directory in sys.path:
            continue
        sys.path.append(directory)
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".pth"):
                continue
            try:
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                path = os.path.join(directory, line)
                if os.path.isdir(path) and path not in sys.path:
                    sys.path.append(path)
    site.setquit()
    site.setcopyright()
    site.sethelper()


def freeze():
    """In the parent, after warm-up: remember every module's namespace, and freeze the heap so
    that children neither collect nor copy it."""
    _MODULES.clear()
    _CLASSES.clear()
    for name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if isinstance(namespace, dict):
            _MODULES[name] = (module, dict(namespace))
            if name.split(".")[0] in _RUNNER:
                for value in list(namespace.values()):
                    if isinstance(value, type) and getattr(value, "__module__", "") == name:
                        _CLASSES[value] = dict(value.__dict__)
    gc.collect()
    gc.freeze()


def _restore_module(name):
    saved = _MODULES.get(name)
    if saved is None:
        return
    module, original = saved
    sys.modules[name] = module
    current = module.__dict__
    for key, value in original.items():
        if current.get(key, _MISSING) is not value:
            current[key] = value


def _trusted_conftests():
    """The conftest.py files the request brought: those in the scratch directory (the working
    directory) before any test module ran. A test module may write one, or a module of any name,
    and load it through `pytest_plugins`: those are not the task's."""
    found = set()
    for directory, _, files in os.walk("."):
        if "conftest.py" in files:
            found.add(os.path.realpath(os.path.join(directory, "conftest.py")))
    return found


_TRUSTED = set()


def _drop_plugins(manager, allowed):
    """Unregister every plugin but those in `allowed` (ids) and the request's conftest modules."""
    for plugin in list(manager.get_plugins()):
        if id(plugin) in allowed:
            continue
        if type(plugin) is type(sys) and os.path.realpath(str(getattr(plugin, "__file__", ""))) in _TRUSTED:
            continue
        manager.unregister(plugin)


def _restore_runner(config, plugins_before):
    """After collection (when the test modules' top-level code has run), before the tests:
    undo patches to pytest and pluggy, and drop plugins the test modules registered."""
    _drop_plugins(config.pluginmanager, plugins_before)
    for name in list(_MODULES):
        if name.split(".")[0] in _RUNNER:
            _restore_module(name)
    for cls, original in _CLASSES.items():
        current = cls.__dict__
        for key in [k for k in current if k not in original and not k.startswith("__")]:
            try:
                delattr(cls, key)
            except (AttributeError, TypeError):
                pass
        for key, value in original.items():
            if current.get(key, _MISSING) is not value:
                try:
                    setattr(cls, key, value)
                except (AttributeError, TypeError):
                    pass


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
# A coverage.py measurement set up in the parent (started and stopped once there), so that a
# child's start() skips the costly first-start initialisation; bound to the prepared workdir.
_COVERAGE = None


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

    def pytest_collection_finish(self, session):
        self.collected = [item.nodeid for item in session.items]

    def _collection(self, session):
        before = {id(p) for p in session.config.pluginmanager.get_plugins()}
        try:
            return (yield)
        finally:
            _restore_runner(session.config, before)
            self.allowed = {id(p) for p in session.config.pluginmanager.get_plugins()}

    def _protocol(self, item, nextitem):
        # Before each test, only the plugins the tests started with: a test body that registers
        # one (to turn later failures into passes) loses it.
        _drop_plugins(item.config.pluginmanager, self.allowed)
        return (yield)

    def exit_code(self, code):
        """pytest's exit code, unless the collector's own records disagree: a failure was seen
        (a counter reset), or collected tests never ran (a run stopped early with status 0)."""
        if code != 0:
            return code
        if any(outcome in ("failed", "error") for _, outcome, _, _ in self.tests):
            return 1
        ran = {nodeid for nodeid, _, _, _ in self.tests}
        missing = [nodeid for nodeid in getattr(self, "collected", []) if nodeid not in ran]
        if missing:
            message = f"{len(missing)} of {len(self.collected)} tests did not run (first: {missing[0]})"
            self.tests.append(("<pytest>", "error", 0.0, message))
            return 2
        return 0


def _collector():
    """A new Collector, its wrappers marked for pluggy (pytest is imported by now)."""
    import pytest

    if not hasattr(Collector, "pytest_collection"):
        Collector.pytest_collection = pytest.hookimpl(wrapper=True)(Collector._collection)
        Collector.pytest_runtest_protocol = pytest.hookimpl(wrapper=True, tryfirst=True)(Collector._protocol)
    return Collector()


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
    global _PREPARED, _COVERAGE
    import pytest
    try:
        import coverage  # noqa: F401 (warm for the children)
    except ImportError:
        pass
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
        pytest.main(PYTEST_ARGS + [test], plugins=[_collector()])
        if cov is not None:
            coverage_stop(cov, ["evalrun_warm_mod"], workdir)
            cov.erase()
            _COVERAGE = (workdir, cov)
    finally:
        for path in (module, test):
            os.remove(path)
        for name in ("evalrun_warm_mod", "test_evalrun_warm"):
            sys.modules.pop(name, None)
        sys.path_importer_cache.clear()

    collector = _collector()
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

    global _TRUSTED
    _TRUSTED = _trusted_conftests()
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
    return int(collector.exit_code(code)), collector.tests


def pytest_run_main(args):
    """In a child: a complete pytest.main run (extra options, ini files, conftest.py)."""
    import pytest

    global _TRUSTED
    _TRUSTED = _trusted_conftests()
    collector = _collector()
    code = pytest.main(PYTEST_ARGS + list(args), plugins=[collector])
    return int(collector.exit_code(int(code))), collector.tests


def coverage_start(workdir):
    """Start measuring line and branch coverage of the files under `workdir`; None without
    coverage.py."""
    if _COVERAGE is not None and _COVERAGE[0] == workdir:
        cov = _COVERAGE[1]
        cov.start()
        return cov
    try:
        import coverage
    except ImportError:
        return None
    cov = coverage.Coverage(data_file=None, branch=True, include=[os.path.join(workdir, "*")], config_file=False)
    cov.start()
    return cov


def _under(path, workdir):
    return isinstance(path, str) and os.path.abspath(path).startswith(os.path.join(os.path.abspath(workdir), ""))


def own_modules(workdir, names):
    """In a child, before pytest collects: a module under test named like one the runner has
    already imported (pytest imports `shlex`, `fnmatch`, `inspect`, ...) would resolve to that
    cached module, so the tests would test the standard library's copy. Drop every cached module
    of these names (and their submodules) that does not come from `workdir`; the runner keeps
    its own references to the originals, and the child is thrown away after the run."""
    for name in names:
        for cached in [n for n in sys.modules if n == name or n.startswith(name + ".")]:
            if not _under(getattr(sys.modules[cached], "__file__", None), workdir):
                del sys.modules[cached]
    importlib = sys.modules.get("importlib")
    if importlib is not None:
        importlib.invalidate_caches()


def _module_file(name, workdir):
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None)
    if _under(path, workdir):
        return path
    base = os.path.join(workdir, *name.split("."))
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.exists(candidate):
            return candidate
    return None


def coverage_stop(cov, modules, workdir):
    """Stop measuring; for each module name: (name, statements, missing statements, branches,
    missing branches, missing lines), or (name, None, ...) when the module is not there. The
    missing lines are those of `Coverage.analysis2`, from the same analysis as the counts."""
    cov.stop()
    out = []
    for name in modules:
        path = _module_file(name, workdir)
        if path is None:
            out.append((name, None, None, None, None, None))
            continue
        analysis = cov._analyze(path)
        numbers = analysis.numbers
        out.append((
            name,
            numbers.n_statements,
            numbers.n_missing,
            numbers.n_branches,
            numbers.n_missing_branches,
            sorted(analysis.missing),
        ))
    return out
