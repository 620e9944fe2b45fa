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

/// Two small functions with examples, which the 0.5B writes passing tests for.
const MODULE: &str = "def clamp(x, lo, hi):
    \"\"\"x limited to the range lo..hi.

    >>> clamp(-5, 0, 10)
    0
    >>> clamp(15, 0, 10)
    10
    \"\"\"
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def sign(x):
    \"\"\"-1, 0 or 1, as x is negative, zero or positive.

    >>> sign(-3)
    -1
    >>> sign(0)
    0
    \"\"\"
    if x < 0:
        return -1
    return 1 if x > 0 else 0
";

/// `round 1/2, answered 1/2, ...` → the number before the slash of field `name`, and after.
fn count<'a>(fields: &[&'a str], name: &str) -> (u32, &'a str) {
    let field =
        fields.iter().find_map(|f| f.strip_prefix(name)).unwrap_or_else(|| panic!("{name} in {fields:?}"));
    let (n, of) = field.split_once('/').unwrap_or((field, ""));
    (n.parse().unwrap_or_else(|_| panic!("{name} in {fields:?}")), of)
}

/// `gen-tests` with the real 0.5B (fetched by scripts/test.sh), its stderr a pipe: the rounds'
/// steps and plain lines at a steady interval, whose counts agree with the steps and the file.
#[test]
fn gen_tests_prints_plain_lines_without_a_terminal() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path().join("shapes.py");
    std::fs::write(&module, MODULE).unwrap();
    let out = run_ok(evalrun().arg("gen-tests").arg(&module).args([
        "--model",
        "qwen2.5-coder-0.5b-instruct-q4_k_m",
        "--rounds",
        "2",
        "--max-tokens",
        "160",
        "--slots",
        "2",
        "--workers",
        "1",
        "--progress-interval",
        "0.5",
    ]));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // The steps are still said.
    assert!(
        stderr.contains("gen-tests: round 1 of 2: asking for tests for 2 items, 2 at a time\n"),
        "{stderr}"
    );
    let lines: Vec<(&str, Vec<&str>)> =
        stderr.lines().filter_map(fields).filter(|(w, _)| *w == "progress" || *w == "done").collect();
    let ticks: Vec<&Vec<&str>> = lines.iter().filter(|(w, _)| *w == "progress").map(|(_, f)| f).collect();
    assert!(ticks.len() >= 2, "{stderr}");
    let mut last = (0, 0, 0);
    for f in &ticks {
        // round, answered, scored, kept, tok/s, left: in that order.
        assert_eq!(f.len(), 6, "{f:?}");
        let (round, rounds) = count(f, "round ");
        let (answered, asked) = count(f, "answered ");
        let (scored, asked_too) = count(f, "scored ");
        assert!((1..=2).contains(&round) && rounds == "2", "{f:?}");
        assert!(asked == asked_too && answered <= asked.parse().unwrap() && scored <= answered, "{f:?}");
        assert!(f[3].starts_with("kept ") && (f[3].ends_with(" tests") || f[3] == "kept 1 test"), "{f:?}");
        assert!(f[4].ends_with(" tok/s"), "{f:?}");
        assert!(
            f[5] == "left ?" || (f[5].starts_with("left ~") && f[5].ends_with(&format!(" in round {round}"))),
            "{f:?}"
        );
        // Counts only grow.
        assert!((round, answered, scored) >= last, "{f:?} after {last:?}");
        last = (round, answered, scored);
    }
    // The last line: every item asked was answered and scored, as the steps tell, and the
    // tests in the file are those stdout says were written.
    let (word, done) = lines.last().unwrap();
    assert_eq!(*word, "done", "{stderr}");
    let asked: u32 = stderr
        .lines()
        .filter(|l| l.starts_with("gen-tests: round ") && l.contains(" of 2: "))
        .filter_map(|l| l.rsplit_once(" for ")?.1.split_once(" item"))
        .map(|(n, _)| n.parse::<u32>().unwrap())
        .sum();
    let answers = stderr.lines().filter(|l| l.contains(": answer for ")).count() as u32;
    let rounds =
        stderr.lines().filter(|l| l.starts_with("gen-tests: round ") && l.contains(" of 2: ")).count();
    assert_eq!(answers, asked, "{stderr}");
    assert_eq!(count(done, "round "), (rounds as u32, "2"), "{done:?}");
    assert_eq!(count(done, "answered "), (asked, asked.to_string().as_str()), "{done:?}");
    assert_eq!(count(done, "scored "), (asked, asked.to_string().as_str()), "{done:?}");
    let wrote: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("wrote ")?.split_once(" tests to ")?.0.parse().ok())
        .unwrap_or_else(|| panic!("no `wrote N tests` in:\n{stdout}"));
    assert!(done.contains(&format!("{wrote} in the file").as_str()), "{done:?}\n{stdout}");
    let rate: f64 = done.iter().find_map(|f| f.strip_suffix(" tok/s")?.parse().ok()).expect("a rate");
    assert!(rate > 0.0, "{done:?}");
}

/// `--progress none` silences the steps too, and the interval is checked before a model loads.
#[test]
fn gen_tests_progress_none_and_a_bad_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path().join("consts.py");
    // No public function or class: the model loads, and nothing is asked of it.
    std::fs::write(&module, "LIMIT = 3\n").unwrap();
    let model = ["--model", "qwen2.5-coder-0.5b-instruct-q4_k_m"];
    let bad = evalrun()
        .arg("gen-tests")
        .arg(&module)
        .args(model)
        .args(["--progress-interval", "0"])
        .output()
        .unwrap();
    let err = text(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(err.contains("--progress-interval"), "{err}");

    let _model = default_model_present();
    let quiet =
        evalrun().arg("gen-tests").arg(&module).args(model).args(["--progress", "none"]).output().unwrap();
    let err = text(&quiet.stderr);
    assert_eq!(quiet.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim(),
        format!("error: {} has no public function or class to test; nothing written", module.display()),
        "{err}"
    );
}
