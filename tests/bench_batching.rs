//! `evalrun bench batching`: its argument errors, and a tiny run on the real 0.5B coder (fetched
//! by scripts/test.sh) that writes the table, the raw numbers and the chart.

mod common;

use common::*;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

fn fails_with(args: &[&str], message: &str) {
    let out = evalrun().args(["bench", "batching"]).args(args).output().expect("evalrun starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(stderr.contains(message), "{args:?}: expected {message:?} in:\n{stderr}");
}

#[test]
fn bad_arguments_are_refused_before_anything_loads() {
    fails_with(&["--slots", "0,2"], "--slots");
    fails_with(&["--repeat", "0"], "--repeat");
    fails_with(&["--gen-tokens", "1"], "--gen-tokens");
    fails_with(&["--models", "no-such-model"], "no-such-model");
    fails_with(&["--models", MODEL, "--peer", "/nonexistent/llama-batched-bench"], "build-peers.sh");
}

#[test]
fn a_tiny_run_measures_every_slot_count_and_draws_the_chart() {
    let _model = default_model_present();
    let out = tempfile::tempdir().unwrap();
    let stdout = run_ok(
        evalrun()
            .args(["bench", "batching", "--models", MODEL, "--slots", "1,2", "--prompt-tokens", "16"])
            .args(["--gen-tokens", "8", "--repeat", "1", "--no-record", "--out"])
            .arg(out.path()),
    )
    .stdout;
    let table = String::from_utf8_lossy(&stdout);
    assert!(table.contains(&format!("## {MODEL}")) && table.contains("| 2 |"), "{table}");

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("batching.json")).unwrap()).unwrap();
    let model = &json["models"][0];
    assert_eq!(model["id"], MODEL);
    assert_eq!(model["recorded"], false);
    let points = model["points"].as_array().unwrap();
    assert_eq!(points.iter().map(|p| p["slots"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    for p in points {
        assert!(p["evalrun_gen_tokens_per_s"]["median"].as_f64().unwrap() > 0.0, "{p}");
        let runs = p["evalrun"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let sequences = runs[0]["sequences"].as_array().unwrap();
        assert_eq!(sequences.len() as u64, p["slots"].as_u64().unwrap());
        // ignore_eos: every sequence generates exactly --gen-tokens, with its prompt exactly sized.
        for s in sequences {
            assert_eq!(
                (s["generated_tokens"].as_u64(), s["prompt_tokens"].as_u64()),
                (Some(8), Some(16)),
                "{s}"
            );
        }
        // When the peer is built (scripts/build-peers.sh), it ran at the same slot count.
        if !json["peer"].is_null() {
            assert!(p["peer_gen_tokens_per_s"]["median"].as_f64().unwrap() > 0.0, "{p}");
            assert_eq!(p["peer"][0]["pl"].as_u64(), p["slots"].as_u64());
        }
    }
    let svg = std::fs::read_to_string(out.path().join("batching.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("evalrun"), "{}", &svg[..svg.len().min(200)]);
    assert!(std::fs::metadata(out.path().join("batching.png")).unwrap().len() > 1000);
    assert!(out.path().join("batching.md").is_file());
}
