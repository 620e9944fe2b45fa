//! The command API: jobs of files and steps, in every toolchain the corpus uses, each step
//! limited on its own, behind the sandbox's layers.

use evalrun_harness::sandbox::command::{run_job, Job, Step};
use evalrun_harness::sandbox::Limits;

fn limits(timeout_s: f64) -> Limits {
    Limits { timeout_s, ..Limits::default() }
}

#[test]
fn cpp_compiles_then_runs_with_stdin() {
    let job = Job::new()
        .file(
            "main.cpp",
            "#include <iostream>\nint main() { int a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }\n",
        )
        .step(Step::new("compile", ["g++", "-O0", "-o", "main", "main.cpp"]).limits(limits(60.0)))
        .step(Step::new("run", ["./main"]).stdin("2 3\n").limits(limits(5.0)));
    let outcome = run_job(&job).unwrap();
    assert!(outcome.succeeded(&job), "{outcome:#?}");
    assert_eq!(outcome.steps[1].stdout_text(), "5\n");
}

#[test]
fn a_compile_error_stops_the_job() {
    let job = Job::new()
        .file("main.cpp", "int main() { return undefined_name; }\n")
        .step(Step::new("compile", ["g++", "-o", "main", "main.cpp"]).limits(limits(60.0)))
        .step(Step::new("run", ["./main"]));
    let outcome = run_job(&job).unwrap();
    assert_eq!(outcome.steps.len(), 1, "{outcome:#?}");
    assert_eq!(outcome.steps[0].exit_code, Some(1));
    assert!(outcome.steps[0].stderr_text().contains("undefined_name"), "{outcome:#?}");
}

#[test]
fn node_script() {
    let job = Job::new()
        .file("main.js", "const assert = require('assert');\nassert.strictEqual([3,1,2].sort().join(','), '1,2,3');\nconsole.log('ok');\n")
        .step(Step::new("run", ["node", "main.js"]).limits(limits(20.0)));
    let outcome = run_job(&job).unwrap();
    assert!(outcome.succeeded(&job), "{outcome:#?}");
    assert_eq!(outcome.steps[0].stdout_text(), "ok\n");
}

#[test]
fn timeout_kills_the_step() {
    let job = Job::new().step(Step::new("spin", ["bash", "-c", "while :; do :; done"]).limits(limits(0.5)));
    let outcome = run_job(&job).unwrap();
    let step = &outcome.steps[0];
    assert!(step.timed_out, "{step:#?}");
    assert!(!outcome.succeeded(&job));
    assert!(step.wall_s < 5.0, "{step:#?}");
}

#[test]
fn output_is_capped() {
    let l = Limits { output_bytes: 10_000, ..limits(10.0) };
    let job = Job::new().step(Step::new("flood", ["bash", "-c", "yes 0123456789"]).limits(l));
    let outcome = run_job(&job).unwrap();
    let step = &outcome.steps[0];
    assert!(step.output_limit_exceeded && step.stdout_truncated, "{:?}", step.describe());
    assert_eq!(step.stdout.len(), 10_000);
    assert!(step.wall_s < 5.0, "{}", step.describe());
}

#[test]
fn a_missing_program_is_reported() {
    let job = Job::new().step(Step::new("run", ["no-such-program-evalrun"]));
    let outcome = run_job(&job).unwrap();
    assert!(outcome.steps[0].exec_error.as_deref().is_some_and(|e| e.contains("not found")), "{outcome:#?}");
}

#[test]
fn rust_java_sqlite_and_bash_toolchains() {
    let compile = limits(120.0);
    let job = Job::new()
        .file("main.rs", "fn main() { println!(\"{}\", (1..=10).sum::<u32>()); }\n")
        .file(
            "Main.java",
            "public class Main { public static void main(String[] a) { System.out.println(6 * 7); } }\n",
        )
        .file("schema.sql", "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3);\n")
        .step(Step::new("rustc", ["rustc", "-O", "-o", "main_rs", "main.rs"]).limits(compile.clone()))
        .step(Step::new("run-rust", ["./main_rs"]))
        .step(Step::new("javac", ["javac", "-J-Xmx256m", "Main.java"]).limits(compile.clone()))
        .step(
            Step::new("java", ["java", "-Xmx128m", "-Xss1m", "-XX:+UseSerialGC", "Main"])
                .limits(limits(30.0)),
        )
        .step(Step::new("schema", ["sqlite3", "db.sqlite", ".read schema.sql"]))
        .step(Step::new("query", ["sqlite3", "db.sqlite"]).stdin("SELECT sum(x) FROM t;\n"))
        .step(Step::new("bash", ["bash", "-c", "echo $((2 ** 10))"]));
    let outcome = run_job(&job).unwrap();
    let described: Vec<_> =
        outcome.steps.iter().map(|s| (s.describe(), s.stderr_text().into_owned())).collect();
    assert!(outcome.succeeded(&job), "{described:#?}");
    let out: Vec<_> = outcome.steps.iter().map(|s| s.stdout_text().into_owned()).collect();
    assert_eq!(out[1], "55\n");
    assert_eq!(out[3], "42\n");
    assert_eq!(out[5], "6\n");
    assert_eq!(out[6], "1024\n");
}
