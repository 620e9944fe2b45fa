//! Feedback rounds of test-writing (`run --rounds K`) with the real 0.5B coder on one task:
//! every round journaled with its figures, the final suite judged as a single-shot sample is,
//! and a finished run resumed without generating anything.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const TASK: &str = "testwriting/lru_cache";

/// One task (the suite's first), 2 rounds, short answers, one sequence at a time.
fn rounds_cmd(out: &Path, rounds: u32) -> Command {
    let mut cmd = evalrun();
    cmd.args(["run", "--models", MODEL, "--suite", "evalrun-testwriting", "--limit", "1"])
        .args(["--rounds", &rounds.to_string(), "--max-tokens", "320", "--slots", "1", "--timeout", "10"])
        .arg("--out")
        .arg(out);
    cmd
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn feedback_rounds_are_journaled_judged_and_resumed() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rounds");
    run_ok(&mut rounds_cmd(&out, 2));

    let rounds = read_jsonl(&out.join("rounds.jsonl"));
    assert!(!rounds.is_empty(), "no round journaled");
    for (n, row) in rounds.iter().enumerate() {
        assert_eq!(row["round"], n as u64 + 1, "{row}");
        assert!(row["task_id"] == TASK && row["model"] == MODEL && row["sample"] == 0, "{row}");
        for figure in evalrun_core::summary::metric::TEST_WRITING {
            assert!(row["metrics"][figure].as_f64().is_some(), "{figure} missing in {row}");
        }
        assert!(row["generated_tokens"].as_u64().unwrap_or(0) > 0, "{row}");
        // Only the last round says why the rounds ended.
        assert_eq!(row["stopped"].is_string(), n + 1 == rounds.len(), "{row}");
    }
    let last = &rounds[rounds.len() - 1];
    // Two rounds ran, unless the first already covered everything and killed every mutant.
    assert!(rounds.len() == 2 || last["stopped"] == "complete", "{rounds:?}");
    if rounds.len() == 2 {
        // The second round's suite holds every test the first kept.
        let kept_before = rounds[0]["metrics"]["tests_kept"].as_f64().unwrap_or(0.0);
        assert!(last["metrics"]["tests_written"].as_f64().unwrap_or(0.0) >= kept_before, "{rounds:?}");
    }

    // The final suite went down the normal path: one sample, judged, with the last round's figures.
    let samples = read_jsonl(&out.join("samples.jsonl"));
    assert_eq!(samples.len(), 1, "{samples:?}");
    assert_eq!(samples[0]["completion"], last["completion"]);
    let results = read_jsonl(&out.join("results.jsonl"));
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["completion"], last["completion"]);
    assert_eq!(results[0]["metrics"], last["metrics"], "results.jsonl and the last round disagree");
    assert_eq!(results[0]["passed"], last["metrics"]["valid"] == 1.0);
    // Its generation adds up the rounds.
    let tokens: u64 = rounds.iter().map(|r| r["generated_tokens"].as_u64().unwrap_or(0)).sum();
    assert_eq!(results[0]["generation"]["generated_tokens"], tokens);

    let manifest: serde_json::Value =
        serde_json::from_str(&text(&out.join("manifest.json"))).expect("manifest.json");
    assert_eq!(manifest["rounds"], 2);
    // --max-tokens wins over the task's own budget, and the manifest says what the task got.
    assert_eq!(manifest["token_budgets"][TASK], 320);

    // A finished run resumed regenerates nothing and rejudges nothing.
    let journals = ["samples.jsonl", "results.jsonl", "rounds.jsonl"].map(|f| text(&out.join(f)));
    let resumed = run_ok(rounds_cmd(&out, 2).arg("--resume"));
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(!stderr.contains("loading"), "the model was loaded again:\n{stderr}");
    assert_eq!(["samples.jsonl", "results.jsonl", "rounds.jsonl"].map(|f| text(&out.join(f))), journals);

    // Resuming with other rounds would mix two runs: refused.
    let refused = rounds_cmd(&out, 3).arg("--resume").output().expect("evalrun starts");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--rounds"), "{stderr}");
}

/// A request that opens a counting list, the kind of loop small models fall into in fixtures.
fn counting_request(max_tokens: u32) -> evalrun_core::GenerationRequest {
    use evalrun_core::{GenerationRequest, Prompt, SamplingParams};
    let opening =
        "# The 300 keys of the cache, one per line.\nKEYS = [\n    'key1',\n    'key2',\n    'key3',\n";
    GenerationRequest {
        prompt: Prompt::Completion(opening.to_string()),
        stop: Vec::new(),
        sampling: SamplingParams { temperature: 0.0, top_p: 1.0, seed: 1, max_tokens, ignore_eos: false },
    }
}

#[test]
fn an_answer_that_loops_is_cut_where_it_begins_and_its_slot_freed() {
    use evalrun_core::{CollectSink, FinishReason};
    use evalrun_harness::repetition::{GuardedSink, MIN_LOOP_LINES};
    let model = default_model_present();
    let mut backend = evalrun_backends::load(
        "llamacpp",
        &model.path,
        &evalrun_backends::LoadOptions { threads: 2, n_ctx: 2048, slots: 2, ..Default::default() },
    )
    .expect("the default model loads");
    // The same request twice, one watched: the watched one stops at the loop, the other runs to
    // its budget.
    let requests = [counting_request(400), counting_request(400)];
    let mut sink = CollectSink::default();
    backend.generate_stream(&mut requests.iter().cloned(), &mut GuardedSink::new(&mut sink, &|i| i == 0));
    let results = sink.into_results();
    let (watched, free) = (results[0].as_ref().expect("generates"), results[1].as_ref().expect("generates"));
    assert_eq!(free.finish, FinishReason::Length, "{}", free.text);
    assert_eq!(watched.finish, FinishReason::Repetition, "{}", watched.text);
    // Cut once the run is long enough, with the lines before it kept.
    let lines = watched.text.lines().filter(|l| l.contains("key")).count();
    assert!((MIN_LOOP_LINES - 2..MIN_LOOP_LINES + 8).contains(&lines), "{lines} lines: {}", watched.text);
    assert!(watched.stats.generated_tokens < free.stats.generated_tokens / 2, "{:?}", watched.stats);
}
