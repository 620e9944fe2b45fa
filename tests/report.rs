//! `evalrun report`, `compare` and `gate` on real run directories: one run of the real 0.5B
//! coder and three `evalrun score` runs of HumanEval samples files (canonical solutions, and
//! copies with some solutions replaced by `return None`), made once for the whole file. The
//! report's numbers are checked against the runs' result rows, the page is loaded in headless
//! Chromium (sorting clicked, console checked, screenshot taken), and the gate must fail a
//! clearly worse candidate, pass an identical one and pass a noisy-but-not-significant one.

mod common;
mod webdriver;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
/// Tasks of the score runs.
const TASKS: usize = 20;

struct Fixtures {
    _dir: tempfile::TempDir,
    /// Every task solved.
    canonical: PathBuf,
    /// Tasks 0, 2, 4, ... broken: 10 of 20.
    half_broken: PathBuf,
    /// Tasks 3 and 11 broken: a 10-point drop on 2 tasks, which 20 tasks cannot tell from noise.
    two_broken: PathBuf,
    /// The real model on the first 3 tasks.
    real: PathBuf,
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let tasks = humaneval();
        let score = |name: &str, broken: &dyn Fn(usize) -> bool| {
            let rows: Vec<(String, String)> = tasks[..TASKS]
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    (t.id.clone(), if broken(i) { "    return None\n".into() } else { t.reference.clone() })
                })
                .collect();
            let samples = dir.path().join(format!("{name}.jsonl"));
            write_samples(&samples, &rows);
            let out = dir.path().join(name);
            run_ok(evalrun().args(["score", "--samples-file"]).arg(&samples).arg("--out").arg(&out));
            out
        };
        let canonical = score("canonical", &|_| false);
        let half_broken = score("half-broken", &|i| i % 2 == 0);
        let two_broken = score("two-broken", &|i| i == 3 || i == 11);
        let real = dir.path().join("real");
        run_ok(
            evalrun()
                .args(["run", "--models", MODEL, "--limit", "3", "--max-tokens", "384", "--out"])
                .arg(&real),
        );
        Fixtures { _dir: dir, canonical, half_broken, two_broken, real }
    })
}

/// What the report must say about one model of a run, computed here from its result rows.
#[derive(Debug)]
struct Expected {
    tasks: usize,
    passed_tasks: usize,
    pass_at_1: f64,
    gen_tokens_per_s_median: Option<f64>,
    peak_rss: Option<u64>,
}

fn expected(run: &Path) -> BTreeMap<String, Expected> {
    let mut by_model: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for row in read_jsonl(&run.join("results.jsonl")) {
        by_model.entry(row["model"].as_str().unwrap().to_string()).or_default().push(row);
    }
    by_model
        .into_iter()
        .map(|(model, rows)| {
            // One sample per task in these runs.
            let passed_tasks = rows.iter().filter(|r| r["passed"] == true).count();
            let mut speeds: Vec<f64> =
                rows.iter().filter_map(|r| r["generation"]["gen_tokens_per_s"].as_f64()).collect();
            speeds.sort_by(f64::total_cmp);
            let median = (!speeds.is_empty()).then(|| {
                let n = speeds.len();
                if n % 2 == 1 {
                    speeds[n / 2]
                } else {
                    (speeds[n / 2 - 1] + speeds[n / 2]) / 2.0
                }
            });
            let peak_rss = rows.iter().filter_map(|r| r["generation"]["peak_rss_bytes"].as_u64()).max();
            let e = Expected {
                tasks: rows.len(),
                passed_tasks,
                pass_at_1: passed_tasks as f64 / rows.len() as f64,
                gen_tokens_per_s_median: median,
                peak_rss,
            };
            (model, e)
        })
        .collect()
}

/// A report of the real run and two score runs, written once.
fn report() -> &'static Path {
    static REPORT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = REPORT.get_or_init(|| {
        let f = fixtures();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        let output =
            evalrun_output(&["report"], &[&f.real, &f.canonical, &f.half_broken, Path::new("--out"), &out]);
        assert!(output.status.success(), "{}\n{}", text(&output.stdout), text(&output.stderr));
        (dir, out)
    });
    path
}

#[test]
fn report_numbers_match_the_result_rows() {
    let f = fixtures();
    let dir = report();
    let board: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("leaderboard.json")).unwrap()).unwrap();
    assert_eq!(board["schema"], "evalrun-leaderboard");
    assert_eq!(board["schema_version"], 2);
    assert_eq!(board["runs"].as_array().unwrap().len(), 3);
    let entries = board["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);

    let mut expectations = BTreeMap::new();
    for run in [&f.real, &f.canonical, &f.half_broken] {
        expectations.extend(expected(run));
    }
    for e in entries {
        let want = &expectations[e["model"].as_str().unwrap()];
        assert_eq!(e["tasks"].as_u64().unwrap() as usize, want.tasks, "{e}");
        assert_eq!(e["passed"].as_u64().unwrap() as usize, want.passed_tasks, "{e}");
        let p = &e["pass_at_1"];
        assert!((p["value"].as_f64().unwrap() - want.pass_at_1).abs() < 1e-12, "{e}");
        assert_eq!(p["method"], "wilson");
        assert!(
            p["low"].as_f64().unwrap() <= want.pass_at_1 && want.pass_at_1 <= p["high"].as_f64().unwrap()
        );
        assert_eq!(e["languages"]["python"]["pass_at_1"].as_f64(), Some(want.pass_at_1), "{e}");
        assert_eq!(e["speed"]["gen_tokens_per_s"]["median"].as_f64(), want.gen_tokens_per_s_median, "{e}");
        assert_eq!(e["peak_rss_bytes"].as_u64(), want.peak_rss, "{e}");
        assert_eq!(e["task_outcomes"].as_array().unwrap().len(), want.tasks);
    }
    // Best first; the replayed canonical solutions solve everything. The real run's 3 tasks are
    // too few of the score runs' 20 to rank it with them: it has a group of its own.
    assert_eq!(entries[0]["model"], "canonical");
    assert_eq!(entries[0]["pass_at_1"]["value"], 1.0);
    let groups: Vec<(u64, u64)> = board["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_u64().unwrap(), g["common_tasks"].as_u64().unwrap()))
        .collect();
    assert_eq!(groups, [(1, TASKS as u64), (2, 3)]);
    let ranks: Vec<(&str, u64, u64)> = entries
        .iter()
        .map(|e| (e["model"].as_str().unwrap(), e["group"].as_u64().unwrap(), e["rank"].as_u64().unwrap()))
        .collect();
    assert_eq!(ranks, [("canonical", 1, 1), ("half-broken", 1, 2), (MODEL, 2, 1)]);
    for e in entries {
        assert_eq!(e["pass_at_1_common"], e["pass_at_1"], "each ran all of its group's tasks: {e}");
    }
    let real = entries.iter().find(|e| e["model"] == MODEL).unwrap();
    assert_eq!(real["quantization"], "Q4_K_M");
    assert!(real["backend_version"].as_str().unwrap().contains("llama-cpp-2"), "{real}");
    assert_eq!(real["pareto"], true, "the only timed entry is on its own frontier");
    assert!(real["speed"]["ttft_s"]["median"].as_f64().unwrap() > 0.0);
    let real_run = board["runs"].as_array().unwrap().iter().find(|r| r["label"] == "real").unwrap();
    assert!(real_run["machine"]["cpus"].as_u64().unwrap() >= 1);

    // CSV: a row per entry, the same numbers.
    let mut csv = ::csv::Reader::from_path(dir.join("leaderboard.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<Vec<String>> =
        csv.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let want = &expectations[&row[col("model")]];
        assert!((row[col("pass@1")].parse::<f64>().unwrap() - want.pass_at_1).abs() < 1e-12);
        assert!((row[col("pass@1[python]")].parse::<f64>().unwrap() - want.pass_at_1).abs() < 1e-12);
    }

    // JUnit: a test case per task and model, a failure per task not passed.
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let tasks: usize = expectations.values().map(|e| e.tasks).sum();
    let failed: usize = expectations.values().map(|e| e.tasks - e.passed_tasks).sum();
    assert_eq!(junit.matches("<testcase ").count(), tasks);
    assert_eq!(junit.matches("<failure ").count(), failed);
    assert!(junit.contains(&format!("<testsuites name=\"evalrun\" tests=\"{tasks}\" failures=\"{failed}\"")));
    assert!(junit.contains("<testcase classname=\"half-broken\" name=\"HumanEval/0\""), "{junit}");

    // Markdown: a table row per entry, ready for a step summary.
    let md = std::fs::read_to_string(dir.join("leaderboard.md")).unwrap();
    assert!(md.starts_with("## evalrun leaderboard\n"));
    assert!(md.contains("| 1 | canonical | replay | — | 100.0% ("), "{md}");
    assert!(md.contains("| half-broken | replay | — | 50.0% ("), "{md}");

    // HTML with the four charts inline; each chart also as SVG and PNG files.
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert_eq!(html.matches("<svg ").count(), 4);
    for name in ["pass-at-1", "quality-vs-speed", "latency", "languages"] {
        let svg = std::fs::read_to_string(dir.join(format!("charts/{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg ") && svg.contains(MODEL), "{name}");
        let png = std::fs::read(dir.join(format!("charts/{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let svg_width: u32 = svg["<svg width=\"".len()..].split('"').next().unwrap().parse().unwrap();
        assert_eq!(width, 2 * svg_width, "{name}: the PNG is the SVG at twice the size");
    }
}

#[test]
fn page_loads_sorts_and_renders_in_chromium() {
    let dir = report();
    let browser = webdriver::Browser::start(1400, 2200);
    browser.open(&format!("file://{}", dir.join("index.html").display()));
    assert_eq!(browser.execute("return document.title;"), "evalrun leaderboard");
    assert_eq!(browser.execute("return document.querySelectorAll('figure svg').length;"), 4);

    // The groups, each headed by what it is ranked on: the score runs' 20 tasks, the real run's 3.
    let headings = browser.execute(
        "return Array.from(document.querySelectorAll('#leaderboard tr.group-head')).map(r => r.innerText);",
    );
    let headings: Vec<&str> = headings.as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert_eq!(headings.len(), 2, "{headings:?}");
    assert!(
        headings[0].starts_with("Group 1 · ranked on 20 common tasks · 2 entries · task set"),
        "{headings:?}"
    );
    assert!(
        headings[1].starts_with("Group 2 · ranked on 3 common tasks · 1 entry · task set"),
        "{headings:?}"
    );

    // The table fits the 1400-pixel window: nothing scrolls sideways, in it or in the page.
    let widths = browser.execute(
        "const t = document.getElementById('leaderboard'); const box = t.parentElement;\
         return [t.getBoundingClientRect().right, box.scrollWidth, box.clientWidth,\
                 document.documentElement.scrollWidth, window.innerWidth];",
    );
    let w: Vec<f64> = widths.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(w[0] <= 1400.0 && w[1] <= w[2] && w[3] <= w[4] && w[4] <= 1400.0, "{w:?}");

    // The column of a header, as the page shows it now: one list per group.
    let column = |header: &str| -> Vec<Vec<String>> {
        let script = format!(
            "const ths = Array.from(document.querySelectorAll('#leaderboard thead th'));\
             const i = ths.findIndex(th => th.textContent.trim() === {header:?});\
             return Array.from(document.querySelectorAll('#leaderboard tbody')).map(b =>\
               Array.from(b.rows).filter(r => !r.classList.contains('group-head')).map(r => r.cells[i].dataset.sort));"
        );
        let groups = browser.execute(&script);
        groups
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .collect()
    };
    let header_button = |header: &str| -> String {
        let buttons = browser.find_all("#leaderboard thead th button");
        let names = browser.execute(
            "return Array.from(document.querySelectorAll('#leaderboard thead th button')).map(b => b.textContent);",
        );
        let i = names
            .as_array()
            .unwrap()
            .iter()
            .position(|n| n == header)
            .unwrap_or_else(|| panic!("{header} in {names}"));
        buttons[i].clone()
    };
    let numbers = |values: &[String]| -> Vec<f64> { values.iter().map(|v| v.parse().unwrap()).collect() };

    // pass@1 on the common tasks: first click sorts each group descending, the second
    // ascending; a group never mixes with another.
    browser.click(&header_button("pass@1 common"));
    let desc: Vec<Vec<f64>> = column("pass@1 common").iter().map(|g| numbers(g)).collect();
    assert_eq!(desc.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1], "{desc:?}");
    assert_eq!(desc[0], [1.0, 0.5]);
    browser.click(&header_button("pass@1 common"));
    let asc: Vec<Vec<f64>> = column("pass@1 common").iter().map(|g| numbers(g)).collect();
    assert_eq!(asc[0], [0.5, 1.0]);
    assert_eq!(asc[1], desc[1]);
    // Text sorts alphabetically; a column with missing values keeps them last.
    browser.click(&header_button("Model"));
    for models in column("Model") {
        let mut sorted = models.clone();
        sorted.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()));
        assert_eq!(models, sorted);
    }
    browser.click(&header_button("Gen tok/s"));
    let speeds = column("Gen tok/s");
    assert!(speeds[0].iter().all(String::is_empty) && !speeds[1][0].is_empty(), "{speeds:?}");
    assert_eq!(
        browser.execute("return document.querySelector('#leaderboard th[aria-sort]').textContent;"),
        "Gen tok/s"
    );

    // The page logged nothing at warning level or above while loading and sorting. (The log is
    // read for real: a message logged now shows up.)
    let problems: Vec<Value> =
        browser.console().into_iter().filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING").collect();
    assert!(problems.is_empty(), "console: {problems:?}");
    browser.execute("console.error('probe');");
    assert!(browser.console().iter().any(|e| e["message"].as_str().unwrap_or("").contains("probe")));

    // A screenshot, kept in target/ to look at.
    browser.execute("document.querySelector('#leaderboard th button').click(); window.scrollTo(0, 0);");
    let png = browser.screenshot();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    // The viewport: the window less whatever the browser keeps for itself.
    assert!(w == 1400 && (1800..=2200).contains(&h), "{w} x {h}");
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn gate_fails_a_clearly_worse_candidate() {
    let f = fixtures();
    let out =
        evalrun_output(&["gate", "--baseline"], &[&f.canonical, Path::new("--candidate"), &f.half_broken]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("evalrun gate: REGRESSED\n"), "{stdout}");
    assert!(stdout.contains("pass@1     100.0% -> 50.0%  (-50.0 points; allowed drop 0.0)"), "{stdout}");
    assert!(stdout.contains("20 common tasks: 10 newly failing, 0 newly passing, 10 unchanged"), "{stdout}");
    assert!(
        stdout.contains("exact McNemar test: p = 0.002 < 0.05: the drop is real => REGRESSED"),
        "{stdout}"
    );
    assert!(stdout.contains("newly failing: HumanEval/0, HumanEval/2, HumanEval/4,"), "{stdout}");
    assert!(stdout.lines().count() <= 24, "one screen:\n{stdout}");
    // A drop the user allows passes.
    let out = evalrun_output(
        &["gate", "--max-drop", "50", "--baseline"],
        &[&f.canonical, Path::new("--candidate"), &f.half_broken],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn gate_passes_identical_and_noisy_candidates() {
    let f = fixtures();
    let out =
        evalrun_output(&["gate", "--baseline"], &[&f.canonical, Path::new("--candidate"), &f.canonical]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).starts_with("evalrun gate: HOLDS\n"));

    // The real run against itself, speed gated: same measurements, no slowdown.
    let out = evalrun_output(
        &["gate", "--max-slowdown", "10", "--baseline"],
        &[&f.real, Path::new("--candidate"), &f.real],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("3 vs 3 timed samples; allowed slowdown 10% => holds"), "{stdout}");
    assert!(stdout.contains("(medians; +0.0% change"), "{stdout}");

    // Two tasks of twenty broken: pass@1 drops 10 points, but 2 discordant tasks cannot tell a
    // real drop from noise (p = 0.5), so the gate holds.
    let out =
        evalrun_output(&["gate", "--baseline"], &[&f.canonical, Path::new("--candidate"), &f.two_broken]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("(-10.0 points; allowed drop 0.0)"), "{stdout}");
    assert!(stdout.contains("p = 0.500 >= 0.05: the drop is within noise => holds"), "{stdout}");
    assert!(stdout.contains("newly failing: HumanEval/3, HumanEval/11\n"), "{stdout}");
}

#[test]
fn gate_exits_2_on_bad_input() {
    let f = fixtures();
    let missing = f.canonical.with_file_name("no-such-run");
    let out = evalrun_output(&["gate", "--baseline"], &[&missing, Path::new("--candidate"), &f.canonical]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no-such-run: not a directory"), "{}", text(&out.stderr));
    // A candidate that did not run the baseline's tasks.
    let out = evalrun_output(&["gate", "--baseline"], &[&f.canonical, Path::new("--candidate"), &f.real]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("has no results for 17 of the baseline's 20 tasks"),
        "{}",
        text(&out.stderr)
    );
    // Speed gated on replayed samples, which are not timed.
    let out = evalrun_output(
        &["gate", "--max-slowdown", "5", "--baseline"],
        &[&f.canonical, Path::new("--candidate"), &f.canonical],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no generation measurements"), "{}", text(&out.stderr));
}

#[test]
fn compare_lists_what_changed() {
    let f = fixtures();
    let out = evalrun_output(&["compare"], &[&f.canonical, &f.two_broken]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("canonical (replay) -> two-broken (replay): pass@1 100.0% -> 90.0% (-10.0 points) on 20 common tasks"), "{stdout}");
    assert!(
        stdout.contains("  newly passing (0):\n  newly failing (2):\n    - HumanEval/3  (failed"),
        "{stdout}"
    );
    assert!(stdout.contains("    - HumanEval/11  (failed"), "{stdout}");
    assert!(stdout.contains("  unchanged: 18\n"), "{stdout}");
    // The other way round, they are newly passing.
    let out = evalrun_output(&["compare"], &[&f.two_broken, &f.canonical]);
    assert!(
        text(&out.stdout).contains("  newly passing (2):\n    + HumanEval/3\n    + HumanEval/11\n"),
        "{}",
        text(&out.stdout)
    );
    // The real run against itself: speed and memory unchanged.
    let out = evalrun_output(&["compare"], &[&f.real, &f.real]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("generation tok/s (median)"), "{stdout}");
    assert!(stdout.lines().filter(|l| l.contains("+0.0%")).count() >= 5, "{stdout}");
}
