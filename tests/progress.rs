//! Progress where no terminal is attached, as CI, Kubernetes and Slurm jobs run: stderr is a
//! pipe here, so `score` prints plain lines at a steady interval by default, a last `done`
//! line, and nothing with `--progress none`.

mod common;

use common::*;
use std::path::Path;
use std::time::Instant;

/// 12 HumanEval tasks, canonical but for two that spin until their 1 s deadline: a run that
/// lasts a few seconds, whose pass rate is known.
fn samples(dir: &Path) -> std::path::PathBuf {
    let rows: Vec<(String, String)> = humaneval()
        .into_iter()
        .take(12)
        .enumerate()
        .map(|(i, t)| (t.id, if i % 6 == 5 { "    while True:\n        pass\n".into() } else { t.reference }))
        .collect();
    let path = dir.join("spin.jsonl");
    write_samples(&path, &rows);
    path
}

/// `progress 3s: judged 4/12, passed 4 (100.0%), left ~2s` → its fields.
fn fields(line: &str) -> Option<(&str, Vec<&str>)> {
    let (head, rest) = line.split_once(": ")?;
    let word = head.split(' ').next()?;
    Some((word, rest.split(", ").collect()))
}

#[test]
fn plain_lines_at_a_steady_interval_without_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = samples(tmp.path());
    let started = Instant::now();
    let out = run_ok(
        evalrun()
            .args([
                "score",
                "--timeout",
                "1",
                "--workers",
                "1",
                "--progress-interval",
                "0.25",
                "--samples-file",
            ])
            .arg(&samples)
            .arg("--out")
            .arg(tmp.path().join("run")),
    );
    let seconds = started.elapsed().as_secs_f64();
    let stderr = text(&out.stderr);
    let lines: Vec<(&str, Vec<&str>)> =
        stderr.lines().filter_map(fields).filter(|(w, _)| *w == "progress" || *w == "done").collect();
    let ticks: Vec<&Vec<&str>> = lines.iter().filter(|(w, _)| *w == "progress").map(|(_, f)| f).collect();
    // Two samples spin for a second each on one worker: at least 2 s of ticks every 0.25 s.
    assert!(
        ticks.len() >= 4 && (ticks.len() as f64) <= seconds / 0.25 + 2.0,
        "{} ticks in {seconds:.1} s:\n{stderr}",
        ticks.len()
    );
    for f in &ticks {
        // `score` generates nothing: judged, passed and time left, in that order.
        assert_eq!(f.len(), 3, "{f:?}");
        let (judged, of) =
            f[0].strip_prefix("judged ").and_then(|j| j.split_once('/')).unwrap_or_else(|| panic!("{f:?}"));
        assert!(judged.parse::<u32>().unwrap() <= 12 && of == "12", "{f:?}");
        assert!(f[1].starts_with("passed "), "{f:?}");
        assert!(f[2] == "left ?" || f[2].starts_with("left ~"), "{f:?}");
    }
    // Counts only grow.
    let judged: Vec<u32> =
        ticks.iter().map(|f| f[0]["judged ".len()..].split('/').next().unwrap().parse().unwrap()).collect();
    assert!(judged.windows(2).all(|w| w[0] <= w[1]), "{judged:?}");
    let (word, done) = lines.last().expect("a last line");
    assert_eq!(*word, "done", "{stderr}");
    assert_eq!(done, &vec!["judged 12/12", "passed 10 (83.3%)"], "{stderr}");

    let quiet = run_ok(
        evalrun()
            .args([
                "score",
                "--timeout",
                "1",
                "--progress",
                "none",
                "--progress-interval",
                "0.25",
                "--samples-file",
            ])
            .arg(&samples)
            .arg("--out")
            .arg(tmp.path().join("quiet")),
    );
    let stderr = text(&quiet.stderr);
    assert!(!stderr.lines().any(|l| l.starts_with("progress ") || l.starts_with("done ")), "{stderr}");
}

#[test]
fn progress_flags_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = samples(tmp.path());
    for (args, needle) in [
        (vec!["--progress", "fancy"], "bars, plain, none"),
        (vec!["--progress-interval", "0"], "--progress-interval"),
    ] {
        let out = evalrun()
            .args(["score", "--samples-file"])
            .arg(&samples)
            .args(&args)
            .arg("--out")
            .arg(tmp.path().join("bad"))
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "missing {needle:?} in: {err}");
    }
}
