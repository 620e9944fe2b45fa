//! Checking a code task: its reference solution passes its tests. A task without a reference
//! (most HumanEval translations: MultiPL-E ships none either) cannot be checked that way; its
//! tests are still compiled and run against a stub body that fails, which shows they compile
//! against the translated signature and do reject a wrong solution.

use super::Finding;
use crate::judge::Judge;
use crate::languages;
use evalrun_core::{Status, Task};

pub(super) fn check(judge: &mut Judge, task: &Task) -> Finding {
    if !task.reference.trim().is_empty() {
        let verdict = judge.judge(task, &task.reference).verdict;
        return if verdict.passed() {
            Finding::Passed("the reference solution passes the tests".into())
        } else {
            Finding::Failed(format!("the reference solution {}: {}", verdict.status.as_str(), verdict.detail))
        };
    }
    let Some(stub) = languages::toolchain(task.language).and_then(|t| t.failing_stub()) else {
        return Finding::Skipped("no reference solution".into());
    };
    let verdict = judge.judge(task, stub).verdict;
    if verdict.status == Status::Failed {
        Finding::Skipped("no reference solution; the tests compile and reject a failing stub".into())
    } else {
        Finding::Failed(format!(
            "no reference solution, and a failing stub should fail the tests but {}: {}",
            verdict.status.as_str(),
            verdict.detail
        ))
    }
}
