//! A solution and its check, each in a process of its own ([`CheckedProgram`]).
//!
//! The solution's child is forked from the warm worker for the sample, as any sample (a PID, IPC
//! and mount namespace of its own, the sandbox uid, the limits). It runs the solution, then
//! serves calls to its functions on its end of a socket pair and does nothing else: it holds
//! only that end. The other end goes to the checker ([`super::checker`]), a process forked from
//! the warm worker in which no sample code ever runs: it runs the prelude and the check, with
//! proxies for what the check takes from the solution (`proxy.py`); its Rust code decides the
//! verdict from whether the check raised and whether the link stayed sound, and answers the
//! worker on a socket of their own. The worker waits for that answer until the deadline, then
//! kills the solution's child (with its PID namespace, everything it started).

use super::checker::{Answer, Checker};
use super::{compile_status, deadline, failing_line, failure, ChildOutcome, ChildReport, Fence, Worker};
use crate::sandbox::launch::{self, Ended};
use crate::sandbox::protocol::CheckedProgram;
use crate::sandbox::Limits;
use evalrun_core::Status;
use libc::c_int;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::time::Instant;

/// The solution's end of the channel in its child.
const SOLUTION_END: c_int = 3;

impl Worker {
    /// Fork the solution's child, hand the check and the other end of its channel to the
    /// checker, wait for the report until the deadline, stop the solution. Returns how the sample
    /// ended and the checker's report.
    pub(super) fn checked(
        &mut self,
        py: Python<'_>,
        program: &CheckedProgram,
        limits: &Limits,
        started: Instant,
    ) -> Result<(Ended, Option<ChildReport>), String> {
        if self.checker.as_ref().is_some_and(|c| !c.alive()) {
            self.checker = None;
        }
        if self.checker.is_none() {
            self.checker = Some(Checker::start(self, py)?);
        }
        let solution_fence = Fence::new(self, limits)?;
        let (solution_end, check_end) = socket_pair()?;
        let mut serve = || self.serve_solution(py, &program.solution);
        let solution = solution_fence.launch(solution_end, None, &mut serve);
        unsafe { libc::close(solution_end) };
        let solution = solution.inspect_err(|_| unsafe {
            libc::close(check_end);
        })?;
        let Some(checker) = self.checker.as_mut() else { return Err("no checker".into()) };
        let answer = checker.check(program, check_end, deadline(started, limits), &mut || solution.kill());
        // Killed, not waited for: it is reaped with the orphans, now or after a later sample.
        let setup = solution.kill_now();
        solution_fence.clean_up();
        let ended = |timed_out| Ended {
            code: Some(0),
            signal: None,
            timed_out,
            output_exceeded: false,
            setup,
            wall: started.elapsed(),
        };
        match answer {
            Answer::Report(report) => Ok((ended(false), Some(report))),
            Answer::TimedOut => Ok((ended(true), None)),
            Answer::Lost(how) => {
                self.checker = None;
                if setup.is_some() {
                    return Ok((ended(false), None));
                }
                let how = match (how.code, how.signal) {
                    (_, Some(signal)) => format!("was killed by {}", launch::signal_name(signal)),
                    (code, None) => format!("exited with status {}", code.unwrap_or(-1)),
                };
                Err(format!("the check's process {how} before it answered"))
            }
        }
    }

    /// In the solution's child: run the solution, then serve calls until the check is done.
    fn serve_solution(&self, py: Python<'_>, solution: &str) -> c_int {
        let namespace = PyDict::new(py);
        let proxy = self.proxy.bind(py);
        let failed = |status: Status, e: &PyErr| {
            let status = if status == Status::SyntaxError { "syntax_error" } else { "failed" };
            proxy.getattr("load_failed")?.call1((status, e.value(py)))
        };
        let loaded = match self.compile.bind(py).call1((solution, "<sample>", "exec")) {
            Err(e) => failed(compile_status(py, &e), &e),
            Ok(code) => match self.exec.bind(py).call1((code, &namespace)) {
                Ok(_) => PyTuple::new(py, ["loaded"]).map(Bound::into_any),
                Err(e) => failed(Status::Failed, &e),
            },
        };
        // Whatever happens here is the solution's own business: the check judges what arrives.
        if let Ok(loaded) = loaded {
            let _ = proxy.getattr("serve").and_then(|serve| serve.call1((SOLUTION_END, &namespace, loaded)));
        }
        0
    }

    /// In the check's child: the prelude, proxies for what the check takes from the solution,
    /// the check. Passed only when the check raised nothing and the link stayed sound.
    pub(super) fn run_check(&self, py: Python<'_>, program: &CheckedProgram, link: c_int) -> ChildOutcome {
        let compile = |source: &str, name: &str| self.compile.bind(py).call1((source, name, "exec"));
        let check = match compile(&program.check, "<check>") {
            Ok(code) => code,
            Err(e) => return failure(py, Status::Failed, &e),
        };
        let globals = PyDict::new(py);
        if let Err(e) = globals.set_item("__builtins__", self.builtins.bind(py)) {
            return failure(py, Status::Crashed, &e);
        }
        let referred = match referred_names(&check) {
            Ok(names) => names,
            Err(e) => return failure(py, Status::Crashed, &e),
        };
        if needs_prelude(&program.prelude, &referred, program.entry_point.as_deref()) {
            let ran = compile(&program.prelude, "<prompt>")
                .and_then(|code| self.exec.bind(py).call1((code, &globals)));
            if let Err(e) = ran {
                let (status, detail, exception, _) = failure(py, Status::Failed, &e);
                return (
                    status,
                    format!("the task's prompt failed in the check's interpreter: {detail}"),
                    exception,
                    None,
                );
            }
        }
        let names = match self.names_from_solution(py, &referred, &globals, program.entry_point.as_deref()) {
            Ok(names) => names,
            Err(e) => return failure(py, Status::Crashed, &e),
        };
        let link = match self.proxy.bind(py).getattr("Link").and_then(|proxy_link| proxy_link.call1((link,)))
        {
            Ok(link) => link,
            Err(e) => return failure(py, Status::Crashed, &e),
        };
        let broken = |link: &Bound<'_, PyAny>| -> Option<String> {
            link.getattr("broken")
                .and_then(|b| b.extract::<Option<String>>())
                .unwrap_or_else(|_| Some("the link's state is unreadable".into()))
        };
        let modules = py.import("sys").and_then(|sys| sys.getattr("modules"));
        match modules.and_then(|modules| link.call_method1("open", (&globals, names, modules))) {
            Err(e) => {
                return match broken(&link) {
                    Some(why) => (Status::Failed, why, None, None),
                    None => failure(py, Status::Crashed, &e),
                }
            }
            Ok(state) if state.is_none() => {}
            Ok(state) => {
                return match state.extract::<(String, String, String)>() {
                    Ok((status, exception, detail)) => {
                        let status =
                            if status == "syntax_error" { Status::SyntaxError } else { Status::Failed };
                        (status, detail, Some(exception), None)
                    }
                    Err(e) => failure(py, Status::Crashed, &e),
                };
            }
        }
        let result = self.exec.bind(py).call1((&check, &globals));
        // A broken link fails the sample even where the check caught what the proxy raised.
        if let Some(why) = broken(&link) {
            return (Status::Failed, why, None, None);
        }
        match result {
            Ok(_) => (Status::Passed, String::new(), None, None),
            Err(e) => {
                let mut outcome = failure(py, Status::Failed, &e);
                // A bare `assert` has no message: name the check's line that failed instead.
                if outcome.1.is_empty() {
                    if let Some(at) = failing_line(py, &e, "<check>", &program.check) {
                        outcome.1 = at;
                    }
                }
                outcome
            }
        }
    }

    /// The names the check refers to that neither the prelude nor the builtins define (asked of
    /// the solution), and the entry point, which is the solution's even where the prelude
    /// defines it.
    fn names_from_solution(
        &self,
        py: Python<'_>,
        referred: &[String],
        globals: &Bound<'_, PyDict>,
        entry_point: Option<&str>,
    ) -> PyResult<Vec<String>> {
        let builtins = self.builtins.bind(py).dict();
        let mut names: Vec<String> = Vec::new();
        for name in referred {
            if !globals.contains(name)? && !builtins.contains(name)? {
                names.push(name.clone());
            }
        }
        if let Some(entry) = entry_point {
            // Only the solution's counts: where it has none, the check gets a NameError.
            if globals.contains(entry)? {
                globals.del_item(entry)?;
            }
            if !names.iter().any(|n| n == entry) {
                names.push(entry.to_string());
            }
        }
        Ok(names)
    }
}

/// Every name the check's code (and the code nested in it) refers to, once each.
fn referred_names(check: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let mut found = Vec::new();
    code_names(check, &mut found)?;
    let mut names: Vec<String> = Vec::with_capacity(found.len());
    for name in found {
        let name: String = name.extract()?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// Whether the check needs the prelude run first: it refers to a name the prelude defines at
/// its top level (other than the entry point), or the prelude is not simple enough to tell.
/// Most checks use only the entry point and the builtins: compiling the prompt would be wasted.
fn needs_prelude(prelude: &str, referred: &[String], entry_point: Option<&str>) -> bool {
    let mut defined = Vec::new();
    for line in prelude.lines() {
        if line.starts_with([' ', '\t', '#', ')', ']', '}', '"', '\'']) || line.trim().is_empty() {
            continue;
        }
        let word =
            |s: &str| s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("").to_string();
        if let Some(rest) = line.strip_prefix("def ").or_else(|| line.strip_prefix("class ")) {
            defined.push(word(rest.trim_start()));
        } else if let Some(rest) = line.strip_prefix("import ") {
            for part in rest.split(',') {
                let part = part.trim();
                defined.push(match part.split_once(" as ") {
                    Some((_, alias)) => word(alias.trim()),
                    None => word(part),
                });
            }
        } else if let Some(rest) = line.strip_prefix("from ") {
            let Some((_, imported)) = rest.split_once(" import ") else { return true };
            if imported.contains(['(', '*', '\\']) {
                return true;
            }
            for part in imported.split(',') {
                let part = part.trim();
                defined.push(word(part.split_once(" as ").map_or(part, |(_, alias)| alias.trim())));
            }
        } else {
            // An assignment, a decorator, a statement: whatever it binds is not plain to see.
            return true;
        }
    }
    referred.iter().any(|name| Some(name.as_str()) != entry_point && defined.contains(name))
}

/// Every name a code object (and the code nested in it) refers to.
fn code_names<'py>(code: &Bound<'py, PyAny>, out: &mut Vec<Bound<'py, PyAny>>) -> PyResult<()> {
    for name in code.getattr("co_names")?.try_iter()? {
        out.push(name?);
    }
    for constant in code.getattr("co_consts")?.try_iter()? {
        let constant = constant?;
        if unsafe { pyo3::ffi::PyCode_Check(constant.as_ptr()) } != 0 {
            code_names(&constant, out)?;
        }
    }
    Ok(())
}

/// A connected pair of Unix stream sockets, close-on-exec.
pub(super) fn socket_pair() -> Result<(c_int, c_int), String> {
    let mut fds = [0 as c_int; 2];
    let flags = libc::SOCK_STREAM | libc::SOCK_CLOEXEC;
    if unsafe { libc::socketpair(libc::AF_UNIX, flags, 0, fds.as_mut_ptr()) } != 0 {
        return Err(format!("socketpair: {}", std::io::Error::last_os_error()));
    }
    Ok((fds[0], fds[1]))
}

#[cfg(test)]
mod tests {
    use super::needs_prelude;

    #[test]
    fn the_prelude_runs_only_when_the_check_uses_what_it_defines() {
        let prompt = "import math\nfrom typing import List, Tuple as T\n\n\ndef poly(xs: list, x: float):\n    \"\"\"Doc.\n\"\"\"\n    return 0\n\n\ndef find_zero(xs: list):\n    \"\"\"Doc.\n    >>> x\n    \"\"\"\n";
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let entry = Some("find_zero");
        assert!(needs_prelude(prompt, &names(&["check", "poly", "find_zero"]), entry));
        assert!(needs_prelude(prompt, &names(&["math"]), entry));
        assert!(needs_prelude(prompt, &names(&["T"]), entry));
        assert!(!needs_prelude(prompt, &names(&["check", "find_zero", "abs", "isclose"]), entry));
        // What a scan cannot see through is run.
        assert!(needs_prelude("X = 3\ndef f():\n    pass\n", &names(&["f"]), Some("f")));
        assert!(needs_prelude("from m import (\n    a,\n)\n", &names(&[]), None));
    }
}
