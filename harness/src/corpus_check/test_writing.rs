//! Checking a test-writing task: its own pytest suite is valid on the reference module (all its
//! tests pass at once, none shadows the module) and kills every mutant the task keeps (a mutant
//! it does not kill is equivalent or untested, and should have been dropped by `evalrun tasks
//! mutate`).

use super::Finding;
use crate::judge::Judge;
use crate::testwriting::check_task;
use evalrun_core::Task;

pub(super) fn check(judge: &mut Judge, task: &Task) -> Finding {
    let (python, limits) = judge.python();
    let limits = limits.clone();
    let check = check_task(python, task, &limits);
    if check.passed() {
        Finding::Passed(format!(
            "its suite ({} tests) passes on the reference and kills all {} mutants (coverage {:.0}% of lines, {:.0}% of branches)",
            check.tests,
            check.mutants,
            check.line_coverage * 100.0,
            check.branch_coverage * 100.0
        ))
    } else {
        Finding::Failed(check.problems.join("; "))
    }
}
