//! The recipes of docs/SCALE.md, checked: the Kubernetes manifests and the GitHub Actions
//! workflow parse as YAML and hold what the text says (an Indexed Job whose completions match
//! EVALRUN_SHARD_COUNT, a matrix whose size matches `--shard I/N`, a merge job after the shards
//! that runs `merge`, `report` and `gate`), the Slurm scripts pass `bash -n`, and every evalrun
//! command in them uses only flags its subcommand has.
//!
//! YAML is parsed by Python's PyYAML (the project has no YAML crate), which `scripts/setup.sh`
//! installs.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

const SUBCOMMANDS: [&str; 6] = ["run", "score", "merge", "report", "compare", "gate"];

/// The fenced blocks of docs/SCALE.md: (info string, text).
fn blocks() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCALE.md")).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_string(), String::new())),
            (Some(_), Some(_)) => blocks.push(open.take().unwrap()),
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "docs/SCALE.md has an unclosed code fence");
    blocks
}

fn of_kind(kind: &str) -> Vec<String> {
    blocks().into_iter().filter(|(info, _)| info == kind).map(|(_, text)| text).collect()
}

/// The documents of a YAML stream, through PyYAML's safe loader, as JSON.
fn parse_yaml(text: &str) -> Vec<Value> {
    let mut child = Command::new("python3")
        .args(["-c", "import json, sys, yaml; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not YAML (PyYAML comes with scripts/setup.sh):\n{}\n{text}",
        text_of(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every string in a JSON value (a parsed manifest), keys excluded.
fn strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(s) => into.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| strings(v, into)),
        _ => {}
    }
}

/// The evalrun invocations in a command text: (subcommand, its arguments), with lines joined
/// where they end in `\` and commands cut at `&&`, `||`, `;` and `|`.
fn invocations(text: &str) -> Vec<(String, Vec<String>)> {
    let joined = text.replace("\\\n", " ");
    let mut found = Vec::new();
    for line in joined.lines() {
        for segment in line.split("&&").flat_map(|s| s.split("||")).flat_map(|s| s.split([';', '|'])) {
            let tokens: Vec<&str> = segment.split_whitespace().collect();
            for (i, token) in tokens.iter().enumerate() {
                let program = token.trim_start_matches(['"', '\'']).trim_start_matches("--wrap=\"");
                let is_evalrun = program == "evalrun" || program.ends_with("/evalrun");
                if let (true, Some(sub)) = (is_evalrun, tokens.get(i + 1)) {
                    if SUBCOMMANDS.contains(sub) {
                        let args =
                            tokens[i + 2..].iter().map(|t| t.trim_matches(['"', '\'']).to_string()).collect();
                        found.push((sub.to_string(), args));
                    }
                }
            }
        }
    }
    found
}

/// Every `--flag` of each invocation is one its subcommand's `--help` lists.
fn assert_flags_exist(invocations: &[(String, Vec<String>)]) {
    for (sub, args) in invocations {
        let help = text(&run_ok(evalrun().args([sub.as_str(), "--help"])).stdout);
        for flag in args.iter().filter(|a| a.starts_with("--")) {
            let flag = flag.split('=').next().unwrap();
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "docs/SCALE.md: `evalrun {sub}` has no {flag}"
            );
        }
    }
}

#[test]
fn shell_recipes_parse_and_use_real_flags() {
    let scripts: Vec<String> = of_kind("bash").into_iter().chain(of_kind("sh")).collect();
    assert_eq!(scripts.len(), 3, "the overview, the Slurm array script and its submission");
    let tmp = tempfile::tempdir().unwrap();
    for (i, script) in scripts.iter().enumerate() {
        let path = tmp.path().join(format!("recipe-{i}.sh"));
        std::fs::write(&path, script).unwrap();
        let out = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(out.status.success(), "bash -n refuses:\n{script}\n{}", text(&out.stderr));
    }
    let array = scripts.iter().find(|s| s.contains("#SBATCH --array=")).expect("the Slurm array script");
    assert!(array.starts_with("#!/bin/bash\n"), "{array}");
    assert!(array.contains("--shard auto") && array.contains("--resume"), "{array}");
    let submit = scripts.iter().find(|s| s.contains("sbatch --parsable")).expect("the submission");
    assert!(submit.contains("--dependency=\"afterok:"), "{submit}");

    let found: Vec<_> = scripts.iter().flat_map(|s| invocations(s)).collect();
    for sub in ["run", "merge", "report"] {
        assert!(found.iter().any(|(s, _)| s == sub), "no `evalrun {sub}` in the shell recipes: {found:?}");
    }
    assert_flags_exist(&found);
}

#[test]
fn kubernetes_recipe_is_an_indexed_job_and_a_merge() {
    let yaml = of_kind("yaml");
    assert_eq!(yaml.len(), 2, "the Kubernetes manifests and the GitHub Actions workflow");
    let k8s = &yaml[0];
    let docs = parse_yaml(k8s);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Service", "Deployment", "Job", "Job"]);
    let service = &docs[0];
    let server = &docs[1]["spec"]["template"];
    assert_eq!(server["metadata"]["labels"], service["spec"]["selector"], "the Service selects the server");

    let shards = &docs[2]["spec"];
    assert_eq!(shards["completionMode"], "Indexed");
    let pod = &shards["template"]["spec"];
    let container = &pod["containers"][0];
    let env_value = |name: &str| {
        container["env"].as_array().unwrap().iter().find(|e| e["name"] == name).map(|e| e["value"].clone())
    };
    let count = env_value("EVALRUN_SHARD_COUNT").expect("EVALRUN_SHARD_COUNT in the pod's env");
    assert_eq!(count.as_str().and_then(|c| c.parse::<u64>().ok()), shards["completions"].as_u64());
    let base_url = env_value("EVALRUN_OPENAI_BASE_URL").expect("the server's URL in the pod's env");
    let service_name = service["metadata"]["name"].as_str().unwrap();
    assert!(base_url.as_str().unwrap().contains(&format!("//{service_name}:")), "{base_url}");
    assert!(
        ["Never", "OnFailure"].contains(&pod["restartPolicy"].as_str().unwrap()),
        "a Job's pods restart Never or OnFailure"
    );

    let mut texts = Vec::new();
    strings(&docs[2], &mut texts);
    let run: Vec<_> = texts.iter().flat_map(|t| invocations(t)).collect();
    assert!(
        run.iter().any(|(sub, args)| sub == "run" && args.windows(2).any(|w| w == ["--shard", "auto"])),
        "{run:?}"
    );
    let mut texts = Vec::new();
    strings(&docs[3], &mut texts);
    let merge: Vec<_> = texts.iter().flat_map(|t| invocations(t)).collect();
    assert!(
        merge.iter().any(|(sub, _)| sub == "merge") && merge.iter().any(|(sub, _)| sub == "report"),
        "{merge:?}"
    );
    // The shards write where the merge reads.
    let claim = |doc: &Value| {
        doc["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"].clone()
    };
    assert_eq!(claim(&docs[2]), claim(&docs[3]));
    assert_flags_exist(&run.into_iter().chain(merge).collect::<Vec<_>>());
}

#[test]
fn github_actions_recipe_is_a_matrix_and_a_merge_job() {
    let yaml = of_kind("yaml");
    let workflow = &yaml[1];
    let docs = parse_yaml(workflow);
    assert_eq!(docs.len(), 1);
    let w = &docs[0];
    // YAML 1.1 (PyYAML) reads the key `on` as true; GitHub reads it as `on`.
    assert!(w.get("on").or_else(|| w.get("true")).is_some(), "no `on:` in {w}");
    let shard = &w["jobs"]["shard"];
    let matrix = shard["strategy"]["matrix"]["shard"].as_array().expect("a shard matrix");
    let n = matrix.len();
    assert_eq!(*matrix, (1..=n as u64).map(Value::from).collect::<Vec<_>>(), "shards 1..N");
    let step_text = |job: &Value| -> Vec<String> {
        let mut texts = Vec::new();
        strings(&job["steps"], &mut texts);
        texts
    };
    // The matrix value, one word for the shell-like split of `invocations`.
    let shard_runs: Vec<_> = step_text(shard)
        .iter()
        .flat_map(|t| invocations(&t.replace("${{ matrix.shard }}", "$SHARD")))
        .collect();
    let shard_flag = format!("$SHARD/{n}");
    assert!(
        shard_runs
            .iter()
            .any(|(sub, args)| sub == "run"
                && args.windows(2).any(|a| a[0] == "--shard" && a[1] == shard_flag)),
        "no `run --shard {shard_flag}` in {shard_runs:?}"
    );

    let merge = &w["jobs"]["merge"];
    assert_eq!(merge["needs"], "shard");
    let merge_runs: Vec<_> = step_text(merge).iter().flat_map(|t| invocations(t)).collect();
    for sub in ["merge", "report", "gate"] {
        assert!(
            merge_runs.iter().any(|(s, _)| s == sub),
            "the merge job has no `evalrun {sub}`: {merge_runs:?}"
        );
    }
    // What the shards upload is what the merge job downloads.
    let uploads: Vec<String> =
        step_text(shard).into_iter().filter(|t| t.starts_with("evalrun-shard-")).collect();
    assert!(!uploads.is_empty());
    let downloads = step_text(merge).into_iter().find(|t| t == "evalrun-shard-*");
    assert!(downloads.is_some(), "the merge job downloads evalrun-shard-*");
    assert_flags_exist(&shard_runs.into_iter().chain(merge_runs).collect::<Vec<_>>());
}
