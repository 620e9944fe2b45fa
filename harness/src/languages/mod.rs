//! The languages evalrun judges code in besides Python, each through its real toolchain in the
//! sandbox's command API: JavaScript (node), C++ (g++), Rust (rustc), Java (javac/java), SQL
//! (sqlite3). A [`Toolchain`] turns a task and a completion into a [`Job`] (files and steps, say
//! compile then run) and the job's outcome into a [`Verdict`]; it also takes the code out of a
//! model's answer. The translated suites' tests are checked apart from the solution
//! ([`apart`]): the solution's program writes its results as data, and evalrun compares them.

mod apart;
mod cpp;
mod java;
mod javascript;
mod rust;
pub(crate) mod source;
mod sql;
mod values;

use crate::sandbox::command::{run_job, Job, JobOutcome, StepResult};
use crate::sandbox::Limits;
use evalrun_core::{Language, Status, Task, Verdict};
use std::time::Instant;

/// How one language's programs are built, run and judged.
pub trait Toolchain: Sync {
    fn language(&self) -> Language;
    /// The job that judges `completion`: the program's files and the steps that build and run
    /// it, the last one under `limits` (plus the language's start-up allowance).
    fn job(&self, task: &Task, completion: &str, limits: &Limits) -> Job;
    /// The verdict on the job's outcome; by default, whether every step exited with 0.
    fn verdict(&self, task: &Task, job: &Job, outcome: &JobOutcome) -> Verdict {
        let _ = task;
        exit_verdict(job, outcome)
    }
    /// The code of a model's answer (the response prefix included): the fenced block in this
    /// language that mentions `entry_point`, cleaned of what would clash with the tests (a
    /// `main`, a class wrapper).
    fn extract(&self, answer: &str, entry_point: &str) -> String;
    /// Stop sequences for base models continuing the prompt.
    fn completion_stops(&self) -> Vec<String>;
    /// A base model's continuation, made a completion (the stop sequence that closed the
    /// function put back).
    fn close_continuation(&self, generated: &str) -> String {
        generated.to_string()
    }
    /// A body that compiles against any signature and fails at run time: `evalrun tasks check`
    /// runs it against tasks that have no reference, to show their tests compile.
    fn failing_stub(&self) -> Option<&'static str>;
    /// How its translated tests are checked apart from the solution, where they can be.
    fn apart(&self) -> Option<&dyn apart::Apart> {
        None
    }
}

/// The toolchain of a language (`None` for Python, which runs in the warm Python worker).
pub fn toolchain(language: Language) -> Option<&'static dyn Toolchain> {
    match language {
        Language::Javascript => Some(&javascript::JavaScript),
        Language::Cpp => Some(&cpp::Cpp),
        Language::Rust => Some(&rust::Rust),
        Language::Java => Some(&java::Java),
        Language::Sql => Some(&sql::Sql),
        Language::Python => None,
    }
}

/// How a language is named in prompts, and the info string of its Markdown fences.
pub fn display_name(language: Language) -> &'static str {
    match language {
        Language::Python => "Python",
        Language::Javascript => "JavaScript",
        Language::Cpp => "C++",
        Language::Rust => "Rust",
        Language::Java => "Java",
        Language::Sql => "SQL",
    }
}

pub fn fence_tag(language: Language) -> &'static str {
    match language {
        Language::Python => "python",
        Language::Javascript => "javascript",
        Language::Cpp => "cpp",
        Language::Rust => "rust",
        Language::Java => "java",
        Language::Sql => "sql",
    }
}

/// Judge `completion` of a task in a toolchain language.
pub fn judge(task: &Task, completion: &str, limits: &Limits) -> Verdict {
    let Some(toolchain) = toolchain(task.language) else {
        return Verdict {
            status: Status::Crashed,
            detail: format!("no toolchain for {}", task.language.as_str()),
            ..Verdict::default()
        };
    };
    let started = Instant::now();
    let split = toolchain.apart().and_then(|a| Some((a, apart::split(a, &task.test, &task.entry_point)?)));
    let mut verdict = match split {
        Some((apart, cases)) => apart::judge(apart, task, completion, &cases, limits),
        // Tests of another shape (a suite of one's own) run in one program with the solution.
        None => {
            let job = toolchain.job(task, completion, limits);
            match run_job(&job) {
                Ok(outcome) => toolchain.verdict(task, &job, &outcome),
                Err(e) => Verdict { status: Status::Crashed, detail: e.to_string(), ..Verdict::default() },
            }
        }
    };
    verdict.exec_s = started.elapsed().as_secs_f64();
    verdict
}

/// Limits of a build step: the run's, with room for a compiler on a busy machine.
pub(crate) fn build_limits(run: &Limits) -> Limits {
    Limits { timeout_s: run.timeout_s.max(120.0), cpu_time_s: None, output_bytes: 64 << 10, ..run.clone() }
}

/// Limits of the run step: the run's wall clock plus the interpreter's start-up.
pub(crate) fn run_limits(run: &Limits, startup_s: f64) -> Limits {
    Limits {
        timeout_s: run.timeout_s + startup_s,
        cpu_time_s: run.cpu_time_s.map(|c| c + startup_s),
        ..run.clone()
    }
}

/// The end of a text, at most `max` bytes of it (on a character boundary): where compilers and
/// test runners put what matters.
pub(crate) fn tail(text: &str, max: usize) -> String {
    let text = text.trim_end();
    if text.len() <= max {
        return text.to_string();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("...{}", &text[start..])
}

fn head(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// The verdict by exit status: a failed build step is a syntax error (the compiler's first
/// complaint as detail), a run step that exits non-zero failed its tests (an assertion, a
/// panic, an exception), a signal other than an assertion's abort is a crash.
pub(crate) fn exit_verdict(job: &Job, outcome: &JobOutcome) -> Verdict {
    let Some(last) = outcome.last() else {
        return Verdict {
            status: Status::Crashed,
            detail: "the job ran no step".into(),
            ..Verdict::default()
        };
    };
    let is_run = outcome.steps.len() == job.steps.len();
    let stderr = last.stderr_text();
    let (status, detail) = if last.succeeded() {
        if is_run {
            (Status::Passed, String::new())
        } else {
            (Status::Crashed, format!("{} succeeded but the job stopped", last.name))
        }
    } else if let Some(e) = &last.exec_error {
        (Status::Crashed, format!("{}: {e}", last.name))
    } else if last.timed_out {
        (Status::TimedOut, last.describe())
    } else if last.output_limit_exceeded {
        (Status::Failed, last.describe())
    } else if !is_run {
        (Status::SyntaxError, format!("{}: {}", last.describe(), head(&stderr, 2000)))
    } else if aborted_by_assertion(last) {
        (Status::Failed, tail(&stderr, 2000))
    } else if last.signal.is_some() {
        (Status::Crashed, format!("{}: {}", last.describe(), tail(&stderr, 1000)))
    } else {
        (Status::Failed, format!("{}: {}", last.describe(), tail(&stderr, 2000)))
    };
    Verdict { status, detail, exception: None, exec_s: 0.0 }
}

/// A C or C++ `assert` that failed: glibc prints `...: Assertion `COND' failed.` and calls
/// `abort()`. The program runs as the first process of its PID namespace, where the kernel
/// ignores a signal the process sends itself with the default action, so glibc's `abort()`
/// falls through to its last resort, a `hlt` instruction, and the process dies of SIGSEGV instead
/// of SIGABRT. Either signal after that message is the assertion, not a crash.
fn aborted_by_assertion(step: &StepResult) -> bool {
    let stderr = step.stderr_text();
    matches!(step.signal, Some(libc::SIGABRT | libc::SIGSEGV))
        && stderr.lines().any(|l| l.contains("Assertion `") && l.trim_end().ends_with("' failed."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::command::Step;

    #[test]
    fn a_failed_cpp_assert_is_a_failure_not_a_crash() {
        let source = "#include <cassert>\nint main() {\n  int two = 1 + 1;\n  assert(two == 3);\n}\n";
        let limits = Limits::default();
        let job = Job::new()
            .file("main.cpp", source)
            .step(
                Step::new("compile", ["g++", "-O0", "-o", "main", "main.cpp"]).limits(build_limits(&limits)),
            )
            .step(Step::new("run", ["./main"]).limits(run_limits(&limits, 1.0)));
        let outcome = run_job(&job).expect("the sandbox runs the job");
        let verdict = exit_verdict(&job, &outcome);
        assert_eq!(verdict.status, Status::Failed, "{}", verdict.detail);
        assert!(verdict.detail.contains("Assertion `two == 3' failed."), "{}", verdict.detail);
    }
}

/// The fenced block of `answer` in one of `tags` (or untagged) that mentions `entry_point`,
/// the longest such; without fences, the whole answer.
pub(crate) fn fenced_code(answer: &str, tags: &[&str], entry_point: &str) -> String {
    let blocks: Vec<_> = crate::extract::fences(answer)
        .into_iter()
        .filter(|f| f.lang.is_empty() || tags.iter().any(|t| f.lang.eq_ignore_ascii_case(t)))
        .collect();
    if blocks.is_empty() {
        return answer.to_string();
    }
    blocks
        .iter()
        .filter(|f| f.body.contains(entry_point))
        .max_by_key(|f| f.body.len())
        .or_else(|| blocks.iter().max_by_key(|f| f.body.len()))
        .map(|f| f.body.clone())
        .unwrap_or_default()
}

/// A job holding the task's support files (SQL schema and data, fixtures).
pub(crate) fn seeded(task: &Task) -> Job {
    task.files.iter().fold(Job::new(), |job, (path, content)| job.file(path.clone(), content.clone()))
}
