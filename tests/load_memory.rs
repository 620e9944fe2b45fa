//! Load, bounded for CI (issue 15): `score` reads its samples file as the sandbox takes them and
//! keeps counts, not records, so its peak memory does not grow with the number of samples; a
//! resume over the whole journal finds nothing left to do. scripts/load.sh measures the same at
//! 1,000, 10,000 and 100,000 samples (docs/RELIABILITY.md).

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

/// HumanEval's canonical and broken solutions, repeated to `n` rows.
fn write_repeated(path: &Path, n: usize) -> usize {
    let tasks = humaneval();
    let rows: Vec<_> = (0..n)
        .map(|i| {
            let t = &tasks[i % tasks.len()];
            let right = (i / tasks.len()) % 2 == 0;
            (t.id.clone(), if right { t.reference.clone() } else { "    return None\n".to_string() })
        })
        .collect();
    write_samples(path, &rows);
    rows.iter().filter(|(_, c)| c != "    return None\n").count()
}

/// Run `cmd` to success; evalrun's own peak resident memory (`VmHWM`, read while it runs: its
/// sandbox workers are other processes), in KiB.
fn peak_rss_kib(cmd: &mut Command) -> u64 {
    let mut child = cmd.stdout(std::process::Stdio::null()).spawn().expect("starting evalrun");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok())
        });
        peak = peak.max(hwm.unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert!(status.success(), "{cmd:?} failed: {status}");
    assert!(peak > 0, "no VmHWM read from {status_file}");
    peak
}

fn score(samples: &Path, out: &Path, resume: bool) -> Command {
    let mut cmd = evalrun();
    cmd.args(["score", "--suite", "humaneval", "--progress", "none", "--samples-file"])
        .arg(samples)
        .arg("--out")
        .arg(out);
    if resume {
        cmd.arg("--resume");
    }
    cmd
}

#[test]
fn peak_memory_does_not_grow_with_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();
    for n in [1_000, 8_000] {
        let samples = dir.path().join(format!("samples-{n}.jsonl"));
        let right = write_repeated(&samples, n);
        let out = dir.path().join(format!("run-{n}"));
        peaks.push(peak_rss_kib(&mut score(&samples, &out, false)));
        let results = read_jsonl(&out.join("results.jsonl"));
        assert_eq!(results.len(), n);
        assert_eq!(results.iter().filter(|r| r["passed"] == true).count(), right);
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["models"][0]["samples"], n);
        assert_eq!(summary["models"][0]["passed"], right);
        // The whole journal replayed: nothing is left, nothing is judged twice.
        let before = std::fs::metadata(out.join("results.jsonl")).unwrap().len();
        peak_rss_kib(&mut score(&samples, &out, true));
        assert_eq!(std::fs::metadata(out.join("results.jsonl")).unwrap().len(), before);
    }
    // Records kept in memory (before) took 1.6 KiB a sample (docs/RELIABILITY.md): 11 MiB more
    // for 7,000 more.
    let growth = peaks[1].saturating_sub(peaks[0]);
    assert!(growth < 6 * 1024, "peak memory grew by {growth} KiB from 1,000 to 8,000 samples: {peaks:?}");
}
