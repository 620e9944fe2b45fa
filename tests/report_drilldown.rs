//! The drill-down that `evalrun report` writes beside `index.html` (entry pages, the task ×
//! entry matrix, two entries side by side), driven in headless Chromium over real `evalrun
//! score` runs: two runs of six HumanEval tasks that fail different tasks, and a hostile run
//! whose model name, completions, exception messages and stderr are HTML and script. Every
//! count the pages show is checked against the runs' result rows; the hostile text must show
//! literally and never run. A run of 10,000 samples checks that the pages stay quick.

mod common;
mod webdriver;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// HTML and script that must show as text.
const PAYLOAD: &str = "</script><script>window.pwned=1</script><img src=x onerror=window.pwned=1>";
/// The hostile run's model (its samples file's stem).
const HOSTILE: &str = "<img src=x onerror=window.pwned=1>";

/// `evalrun score` of `rows` (task id, completion) as run `name` of model `model` under `dir`.
fn score(dir: &Path, name: &str, model: &str, rows: &[(String, String)], args: &[&str]) -> PathBuf {
    let samples = dir.join(format!("{model}.jsonl"));
    write_samples(&samples, rows);
    let out = dir.join(name);
    run_ok(evalrun().args(["score", "--samples-file"]).arg(&samples).args(args).arg("--out").arg(&out));
    out
}

/// A result row as the test needs it.
#[derive(Debug, Clone)]
struct Row {
    suite: String,
    language: String,
    status: String,
    passed: bool,
    completion: String,
    detail: String,
}

/// Model -> task id -> its rows, from the result rows of `runs`.
fn rows_of(runs: &[&Path]) -> BTreeMap<String, BTreeMap<String, Vec<Row>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<Row>>> = BTreeMap::new();
    for run in runs {
        for r in read_jsonl(&run.join("results.jsonl")) {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            out.entry(s("model")).or_default().entry(s("task_id")).or_default().push(Row {
                suite: s("suite"),
                language: s("language"),
                status: s("status"),
                passed: r["passed"] == true,
                completion: s("completion"),
                detail: r["verdict"]["detail"].as_str().unwrap().to_string(),
            });
        }
    }
    out
}

struct Fixtures {
    _dir: tempfile::TempDir,
    report: PathBuf,
    /// Model -> task -> rows of the three runs.
    rows: BTreeMap<String, BTreeMap<String, Vec<Row>>>,
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let tasks = humaneval();
        let humaneval_rows = |broken: &[usize]| -> Vec<(String, String)> {
            tasks[..6]
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let code = if broken.contains(&i) {
                        "    return None\n".to_string()
                    } else {
                        t.reference.clone()
                    };
                    (t.id.clone(), code)
                })
                .collect()
        };
        // `good` fails tasks 4 and 5, `other` tasks 0 and 4: they disagree on 0 and 5.
        let good = score(dir.path(), "good", "good", &humaneval_rows(&[4, 5]), &[]);
        let other = score(dir.path(), "other", "other", &humaneval_rows(&[0, 4]), &[]);
        // The hostile run: its model name is markup; its answers put markup in an exception's
        // message, in stderr (which a JavaScript task's verdict quotes) and in the code itself.
        let js = evalrun_tasks::Corpus::builtin().unwrap().suite("humaneval-js").unwrap().tasks.clone();
        let quoted = serde_json::to_string(PAYLOAD).unwrap();
        let hostile_rows = vec![
            (
                tasks[0].id.clone(),
                format!(
                    "    import sys\n    sys.stderr.write({PAYLOAD:?})\n    raise ValueError({PAYLOAD:?})\n"
                ),
            ),
            (js[0].id.clone(), format!("  process.stderr.write({quoted});\n  process.exit(3);\n}}\n")),
            (js[1].id.clone(), format!("  console.error({quoted});\n  throw new Error({quoted});\n}}\n")),
            (tasks[1].id.clone(), format!("{}    # {PAYLOAD}\n", tasks[1].reference)),
        ];
        let hostile =
            score(dir.path(), "hostile", HOSTILE, &hostile_rows, &["--suite", "humaneval,humaneval-js"]);
        let report = dir.path().join("report");
        let out = evalrun_output(&["report"], &[&good, &other, &hostile, Path::new("--out"), &report]);
        assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
        let rows = rows_of(&[&good, &other, &hostile]);
        // The fixture is what the tests assume: each side of the disagreement, and the markup
        // in the verdicts' details.
        assert!(rows["good"]["HumanEval/0"][0].passed && !rows["other"]["HumanEval/0"][0].passed);
        assert!(rows[HOSTILE]["HumanEval/1"][0].passed, "{:?}", rows[HOSTILE]["HumanEval/1"]);
        for task in ["HumanEval/0", "humaneval-js/0", "humaneval-js/1"] {
            let r = &rows[HOSTILE][task][0];
            assert!(!r.passed && r.detail.contains(PAYLOAD), "{task}: {r:?}");
        }
        Fixtures { _dir: dir, report, rows }
    })
}

/// The browser, one test at a time: each Chromium is heavy on a 2-core machine.
fn browser() -> (MutexGuard<'static, ()>, webdriver::Browser) {
    static TURN: Mutex<()> = Mutex::new(());
    let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    (turn, webdriver::Browser::start(1400, 1000))
}

fn url(path: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", path.display())
}

fn strings(value: Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Sets a `<select>`'s value (or an input's) and fires its event, as choosing in the page does.
fn choose(browser: &webdriver::Browser, css: &str, value: &str) {
    browser.execute(&format!(
        "const s = document.querySelector({css:?}); s.value = {value:?};\
         if (s.value !== {value:?}) throw new Error('no option ' + {value:?});\
         s.dispatchEvent(new Event(s.tagName === 'INPUT' ? 'input' : 'change'));"
    ));
}

/// The number the page's counter shows.
fn shown(browser: &webdriver::Browser) -> usize {
    browser.execute("return Number(document.getElementById('shown').dataset.shown);").as_u64().unwrap()
        as usize
}

/// Nothing at warning level or above in the console (a blocked script or style would be).
fn console_clean(browser: &webdriver::Browser) {
    let problems: Vec<Value> =
        browser.console().into_iter().filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING").collect();
    assert!(problems.is_empty(), "console: {problems:?}");
}

#[test]
fn every_leaderboard_row_links_to_its_entry_page_and_back() {
    let f = fixtures();
    let (_turn, browser) = browser();
    browser.open(&url(&f.report.join("index.html"), ""));
    let labels = strings(browser.execute(
        "return Array.from(document.querySelectorAll('#leaderboard tbody tr:not(.group-head)'))\
           .map(r => r.querySelector('a.model').textContent);",
    ));
    let mut sorted = labels.clone();
    sorted.sort();
    assert_eq!(sorted, [HOSTILE, "good", "other"], "a link in every row");
    // Each link leads to its entry's page, which leads back.
    for (i, label) in labels.iter().enumerate() {
        let links = browser.find_all("#leaderboard tbody tr:not(.group-head) a.model");
        browser.click(&links[i]);
        assert_eq!(browser.execute("return document.querySelector('h1').textContent;"), label.as_str());
        assert_eq!(browser.execute("return document.title;"), format!("{label} · evalrun drill-down"));
        let tasks = f.rows[label].len();
        assert_eq!(shown(&browser), tasks, "{label}");
        assert_eq!(
            browser.execute("return document.querySelectorAll('details.task').length;").as_u64(),
            Some(tasks as u64)
        );
        let back = browser.find_all("nav a[href='../index.html']");
        assert_eq!(back.len(), 1);
        browser.click(&back[0]);
        assert_eq!(browser.execute("return document.title;"), "evalrun leaderboard");
    }
    // The leaderboard links the matrix and the side-by-side page too.
    let matrix = browser.find_all("#drilldown a[href='matrix.html']");
    browser.click(&matrix[0]);
    assert_eq!(browser.execute("return document.querySelector('h1').textContent;"), "Task × entry matrix");
    console_clean(&browser);
}

#[test]
fn entry_page_filters_and_shows_every_sample() {
    let f = fixtures();
    let (_turn, browser) = browser();
    let index = std::fs::read_to_string(f.report.join("index.html")).unwrap();
    let href =
        index.split("<a class=\"model\" href=\"").nth(1).map(|s| s.split('"').next().unwrap()).unwrap();
    let first = index
        .split("<a class=\"model\" href=\"")
        .nth(1)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert_eq!(first, "good", "the best entry of the first group");
    let page = f.report.join(href);
    browser.open(&url(&page, ""));
    let good = &f.rows["good"];
    let failing: Vec<&String> = good.iter().filter(|(_, r)| !r[0].passed).map(|(t, _)| t).collect();
    assert_eq!(failing, ["HumanEval/4", "HumanEval/5"]);
    let visible = || {
        strings(browser.execute(
            "return Array.from(document.querySelectorAll('details.task:not([hidden]) .id')).map(n => n.textContent);",
        ))
    };
    assert_eq!(visible().len(), 6);
    choose(&browser, "#status", "failed");
    assert_eq!(visible(), failing.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert_eq!(shown(&browser), 2);
    choose(&browser, "#status", "passed");
    assert_eq!(shown(&browser), 4);
    choose(&browser, "#status", "");
    choose(&browser, "#search", "/1");
    assert_eq!(visible(), ["HumanEval/1"]);
    choose(&browser, "#search", "");
    assert_eq!(shown(&browser), 6);

    // Nothing of a task is built until it is opened; then its prompt and sample are there.
    assert_eq!(browser.execute("return document.querySelectorAll('section.sample, pre').length;"), 0);
    let summaries = browser.find_all("details.task > summary");
    browser.click(&summaries[4]);
    // A task's samples are built on its `toggle` event, which fires after the click returns.
    browser.wait_until("return Array.from(document.querySelectorAll('details.task[open]')).every(d => d.querySelector('section.sample'));");
    let opened = browser.execute(
        "const d = document.querySelector('details.task[open]');\
         return [d.querySelector('.id').textContent, d.querySelectorAll('section.sample').length,\
                 d.querySelector('pre.code').textContent, d.querySelector('pre.detail').textContent,\
                 d.querySelector('details.prompt pre').textContent, d.querySelector('.badge').textContent];",
    );
    let task = &humaneval()[4];
    assert_eq!(opened[0], "HumanEval/4");
    assert_eq!(opened[1], 1);
    assert_eq!(opened[2], good["HumanEval/4"][0].completion.as_str());
    assert_eq!(opened[3], good["HumanEval/4"][0].detail.as_str());
    assert_eq!(opened[4], task.prompt.as_str(), "replayed samples: the task's own prompt");
    assert_eq!(opened[5], "failed");
    assert_eq!(browser.execute("return document.querySelectorAll('section.sample').length;"), 1);
    // A screenshot, kept in target/ to look at.
    let png = browser.screenshot();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("drilldown-entry.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());

    // A task named in the address opens, as the matrix links it.
    browser.open("about:blank");
    browser.open(&url(&page, "#task=HumanEval%2F2"));
    let open = browser.execute(
        "return Array.from(document.querySelectorAll('details.task[open] .id')).map(n => n.textContent);",
    );
    assert!(strings(open).contains(&"HumanEval/2".to_string()));
    console_clean(&browser);
}

/// The matrix's visible rows' task ids, in order.
fn matrix_rows(browser: &webdriver::Browser) -> Vec<String> {
    strings(browser.execute(
        "return Array.from(document.querySelectorAll('#matrix tbody tr:not([hidden])')).map(r => r.dataset.task);",
    ))
}

#[test]
fn matrix_filters_and_sorts() {
    let f = fixtures();
    let (_turn, browser) = browser();
    browser.open(&url(&f.report.join("matrix.html"), ""));
    // Expectations from the rows: per task, its suite, language, and each model's outcome.
    let mut tasks: BTreeMap<&str, (&str, &str, Vec<(&str, bool, &str)>)> = BTreeMap::new();
    for (model, by_task) in &f.rows {
        for (task, rows) in by_task {
            let e = tasks.entry(task).or_insert((&rows[0].suite, &rows[0].language, Vec::new()));
            e.2.push((model, rows[0].passed, &rows[0].status));
        }
    }
    let count = |keep: &dyn Fn(&str, &str, &str, &[(&str, bool, &str)]) -> bool| {
        tasks.iter().filter(|(t, (s, l, o))| keep(t, s, l, o)).count()
    };
    assert_eq!(matrix_rows(&browser).len(), tasks.len());
    assert_eq!(shown(&browser), tasks.len());
    let heads = strings(browser.execute(
        "return Array.from(document.querySelectorAll('#matrix thead th button')).map(b => b.textContent);",
    ));
    assert_eq!(heads[..4], ["Task", "Suite", "Language", "Solved by"]);
    assert_eq!(heads.len(), 4 + 3, "a column per entry");

    let cases: Vec<(&str, &str, usize)> = vec![
        ("#language", "javascript", count(&|_, _, l, _| l == "javascript")),
        ("#language", "python", count(&|_, _, l, _| l == "python")),
        ("#suite", "humaneval", count(&|_, s, _, _| s == "humaneval")),
        ("#status", "all", count(&|_, _, _, o| o.iter().all(|x| x.1))),
        ("#status", "none", count(&|_, _, _, o| o.iter().all(|x| !x.1))),
        ("#status", "mixed", count(&|_, _, _, o| o.iter().any(|x| x.1) && o.iter().any(|x| !x.1))),
        ("#status", "status:failed", count(&|_, _, _, o| o.iter().any(|x| x.2 == "failed"))),
    ];
    for (select, value, want) in &cases {
        choose(&browser, select, value);
        assert_eq!((shown(&browser), matrix_rows(&browser).len()), (*want, *want), "{select} = {value}");
        choose(&browser, select, "");
    }
    assert_eq!(cases[3].2, 3, "tasks 1-3");
    assert_eq!(cases[5].2, 2, "tasks 0 and 5");
    // Filters combine.
    choose(&browser, "#language", "python");
    choose(&browser, "#status", "mixed");
    assert_eq!(matrix_rows(&browser), ["HumanEval/0", "HumanEval/5"]);
    choose(&browser, "#status", "");
    choose(&browser, "#language", "");

    // Sorting: by a model's column, passes first, tasks it did not run last.
    let button = |name: &str| {
        let i = heads.iter().position(|h| h == name).unwrap();
        browser.find_all("#matrix thead th button")[i].clone()
    };
    browser.click(&button("good"));
    let order = matrix_rows(&browser);
    let rank = |t: &String| match f.rows["good"].get(t) {
        Some(r) if r[0].passed => 0,
        Some(_) => 1,
        None => 2,
    };
    let ranks: Vec<u8> = order.iter().map(rank).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted, "{order:?}");
    assert!(ranks.contains(&0) && ranks.contains(&1) && ranks.contains(&2), "{ranks:?}");
    // Solved by: most solvers first, then reversed.
    let solved = |t: &String| {
        tasks[t.as_str()].2.iter().filter(|x| x.1).count() as f64 / tasks[t.as_str()].2.len() as f64
    };
    browser.click(&button("Solved by"));
    let desc: Vec<f64> = matrix_rows(&browser).iter().map(solved).collect();
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    browser.click(&button("Solved by"));
    let asc: Vec<f64> = matrix_rows(&browser).iter().map(solved).collect();
    assert!(asc.windows(2).all(|w| w[0] <= w[1]) && asc != desc, "{asc:?}");
    // Task: natural id order (HumanEval/2 before HumanEval/10 would be; here, as the ids go).
    browser.click(&button("Task"));
    let by_id = matrix_rows(&browser);
    assert_eq!(by_id[0], "HumanEval/0");
    assert_eq!(by_id.len(), tasks.len());

    // A cell opens the task on the entry's page.
    let cell = browser.find_all("#matrix tbody tr[data-task='HumanEval/5'] td.cell a");
    browser.click(&cell[0]);
    browser.wait_until("const d = document.querySelector('details.task[open]'); return !!(d && d.querySelector('section.sample'));");
    let open = browser.execute("return document.querySelector('details.task[open] .id').textContent;");
    assert_eq!(open, "HumanEval/5");
    console_clean(&browser);
}

#[test]
fn side_by_side_shows_exactly_the_disagreeing_tasks() {
    let f = fixtures();
    let (_turn, browser) = browser();
    browser.open(&url(&f.report.join("compare.html"), ""));
    let models: Vec<&String> = f.rows.keys().collect();
    for a in &models {
        for b in &models {
            if a == b {
                continue;
            }
            choose(&browser, "#a", &option_value(&browser, "#a", a));
            choose(&browser, "#b", &option_value(&browser, "#b", b));
            let (ra, rb) = (&f.rows[*a], &f.rows[*b]);
            let want: Vec<String> = ra
                .keys()
                .filter(|t| rb.get(*t).is_some_and(|r| r[0].passed != ra[*t][0].passed))
                .cloned()
                .collect();
            let rows = strings(browser.execute(
                "return Array.from(document.querySelectorAll('#disagreements tbody tr.task')).map(r => r.dataset.task);",
            ));
            assert_eq!(rows, want, "{a} vs {b}");
            let both = ra.keys().filter(|t| rb.contains_key(*t)).count();
            let summary = browser.execute("return document.getElementById('summary').textContent;");
            assert!(
                summary.as_str().unwrap().contains(&format!("Both ran {both} task")),
                "{a} vs {b}: {summary}"
            );
            assert_eq!(shown(&browser), want.len());
        }
    }
    // good against other: task 0 (good solves it) and task 5 (other does).
    choose(&browser, "#a", &option_value(&browser, "#a", "good"));
    choose(&browser, "#b", &option_value(&browser, "#b", "other"));
    let better = strings(browser.execute(
        "return Array.from(document.querySelectorAll('#disagreements tbody tr.task td.better')).map(c => c.textContent);",
    ));
    assert_eq!(better, ["A", "B"]);
    // The pair is kept in the address: reopened, the page shows it again.
    let address = browser.execute("return location.href;");
    browser.open("about:blank");
    browser.open(address.as_str().unwrap());
    let picked = browser.execute(
        "return [document.getElementById('a').selectedOptions[0].textContent, document.getElementById('b').selectedOptions[0].textContent];",
    );
    assert_eq!(strings(picked), ["good", "other"]);
    // A task opens to both samples' code.
    let toggles = browser.find_all("#disagreements tbody tr.task button.toggle");
    assert_eq!(toggles.len(), 2);
    browser.click(&toggles[0]);
    let code = strings(browser.execute(
        "return Array.from(document.querySelectorAll('#disagreements tr.code-row pre.code')).map(p => p.textContent);",
    ));
    assert_eq!(
        code,
        [
            f.rows["good"]["HumanEval/0"][0].completion.clone(),
            f.rows["other"]["HumanEval/0"][0].completion.clone()
        ]
    );
    console_clean(&browser);
}

/// The value of the option of `select` whose text is `label`.
fn option_value(browser: &webdriver::Browser, select: &str, label: &str) -> String {
    let value = browser.execute(&format!(
        "const o = Array.from(document.querySelector({select:?}).options).find(o => o.textContent === {label:?});\
         return o ? o.value : null;"
    ));
    value.as_str().unwrap_or_else(|| panic!("no option {label} in {select}")).to_string()
}

#[test]
fn hostile_text_shows_literally_and_never_runs() {
    let f = fixtures();
    let (_turn, browser) = browser();
    let hostile = &f.rows[HOSTILE];
    // Every page the report wrote, the hostile entry's first.
    let mut pages =
        vec![f.report.join("index.html"), f.report.join("matrix.html"), f.report.join("compare.html")];
    pages.extend(std::fs::read_dir(f.report.join("entries")).unwrap().map(|e| e.unwrap().path()));
    assert_eq!(pages.len(), 6);
    for page in &pages {
        browser.open(&url(page, ""));
        // Open everything there is to open: every task, prompt and answer.
        browser.execute("document.querySelectorAll('details').forEach(d => d.open = true);");
        browser.execute("document.querySelectorAll('details').forEach(d => d.open = true);");
        let state = browser.execute(
            "return [typeof window.pwned, document.images.length, document.scripts.length,\
                     document.querySelectorAll('[onerror]').length];",
        );
        assert_eq!(state[0], "undefined", "{}", page.display());
        assert_eq!(state[1], 0, "no <img> in {}", page.display());
        assert_eq!(state[2], if page.ends_with("index.html") { 1 } else { 2 }, "{}", page.display());
        assert_eq!(state[3], 0, "{}", page.display());
    }
    // The hostile entry's page shows its name, code and verdicts as the rows have them.
    let index = std::fs::read_to_string(f.report.join("index.html")).unwrap();
    let escaped = "&lt;img src=x onerror=window.pwned=1&gt;";
    let href = index
        .split("<a class=\"model\" href=\"")
        .skip(1)
        .find(|s| s.contains(&format!(">{escaped}</a>")))
        .map(|s| s.split('"').next().unwrap().to_string())
        .expect("a link to the hostile entry");
    browser.open(&url(&f.report.join(&href), ""));
    assert_eq!(browser.execute("return document.querySelector('h1').textContent;"), HOSTILE);
    assert_eq!(browser.execute("return document.title;"), format!("{HOSTILE} · evalrun drill-down"));
    let summaries = browser.find_all("details.task > summary");
    assert_eq!(summaries.len(), hostile.len());
    for s in &summaries {
        browser.click(s);
    }
    // A task's samples are built on its `toggle` event, which fires after the click returns.
    browser.wait_until("return Array.from(document.querySelectorAll('details.task[open]')).every(d => d.querySelector('section.sample'));");
    let shown_code = browser.execute(
        "return Array.from(document.querySelectorAll('details.task')).map(d => [d.querySelector('.id').textContent,\
           d.querySelector('pre.code').textContent, (d.querySelector('pre.detail') || {}).textContent || '']);",
    );
    for task in shown_code.as_array().unwrap() {
        let id = task[0].as_str().unwrap();
        let row = &hostile[id][0];
        assert_eq!(task[1], row.completion.as_str(), "{id}");
        assert_eq!(task[2], row.detail.as_str(), "{id}");
        assert!(row.completion.contains(PAYLOAD), "{id}");
    }
    // Python's exception message and JavaScript's stderr, both markup, are text on the page.
    let text = browser.execute("return document.body.innerText;");
    assert!(text.as_str().unwrap().matches(PAYLOAD).count() >= 6, "{text}");
    assert_eq!(browser.execute("return typeof window.pwned;"), "undefined");
    // In the matrix, the hostile entry's header and its cells' tooltips hold the text too.
    browser.open(&url(&f.report.join("matrix.html"), ""));
    let head = strings(browser.execute(
        "return Array.from(document.querySelectorAll('#matrix thead th.entry button')).map(b => b.textContent);",
    ));
    assert!(head.iter().any(|h| h == HOSTILE), "{head:?}");
    let titles = strings(browser.execute(
        "return Array.from(document.querySelectorAll('#matrix td.cell a')).map(a => a.title).filter(t => t.includes('window.pwned'));",
    ));
    assert!(titles.iter().any(|t| t.contains(PAYLOAD)), "{titles:?}");
    assert_eq!(browser.execute("return typeof window.pwned;"), "undefined");
    console_clean(&browser);
}

#[test]
fn ten_thousand_samples_load_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let tasks = humaneval();
    // 61 samples of each of the 164 tasks: the reference, `return None`, or `pass`.
    let mut rows = Vec::new();
    for t in &tasks {
        for s in 0..61 {
            let code = match s % 3 {
                0 => t.reference.clone(),
                1 => "    return None\n".to_string(),
                _ => "    pass\n".to_string(),
            };
            rows.push((t.id.clone(), code));
        }
    }
    assert_eq!(rows.len(), 10_004);
    let run = score(tmp.path(), "big", "big", &rows, &[]);
    let report = tmp.path().join("report");
    let started = std::time::Instant::now();
    let out = evalrun_output(&["report"], &[&run, Path::new("--out"), &report]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    eprintln!("report of 10,004 samples: {:.1} s", started.elapsed().as_secs_f64());
    let passed: BTreeSet<String> = read_jsonl(&run.join("results.jsonl"))
        .iter()
        .filter(|r| r["passed"] == true)
        .map(|r| format!("{}#{}", r["task_id"].as_str().unwrap(), r["sample"]))
        .collect();
    assert!(passed.len() > 3000, "{}", passed.len());

    let (_turn, browser) = browser();
    let page = std::fs::read_dir(report.join("entries")).unwrap().next().unwrap().unwrap().path();
    browser.open(&url(&page, ""));
    let timing = |browser: &webdriver::Browser| {
        browser.execute("const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;")
            .as_f64()
            .filter(|&ms| ms > 0.0)
            .expect("the page has loaded")
    };
    let load_ms = timing(&browser);
    eprintln!("entry page of 10,004 samples loads in {load_ms:.0} ms");
    assert_eq!(shown(&browser), 164);
    // The samples wait until their task is opened: the page holds a few elements per task.
    let elements = browser.execute("return document.getElementsByTagName('*').length;").as_u64().unwrap();
    assert!(elements < 164 * 10 + 200, "{elements} elements before anything is opened");
    assert!(load_ms < 5000.0, "{load_ms} ms");
    let summaries = browser.find_all("details.task > summary");
    browser.click(&summaries[0]);
    // A task's samples are built on its `toggle` event, which fires after the click returns.
    browser.wait_until("return Array.from(document.querySelectorAll('details.task[open]')).every(d => d.querySelector('section.sample'));");
    assert_eq!(browser.execute("return document.querySelectorAll('section.sample').length;"), 61);
    let badges = strings(browser.execute(
        "return Array.from(document.querySelectorAll('details.task[open] section.sample h3 .badge')).map(b => b.textContent);",
    ));
    let passed_0 = (0..61).filter(|s| passed.contains(&format!("HumanEval/0#{s}"))).count();
    assert_eq!(badges.iter().filter(|b| *b == "passed").count(), passed_0);

    browser.open(&url(&report.join("matrix.html"), ""));
    let load_ms = timing(&browser);
    eprintln!("matrix of 10,004 samples loads in {load_ms:.0} ms");
    assert_eq!(matrix_rows(&browser).len(), 164);
    assert!(load_ms < 5000.0, "{load_ms} ms");
    console_clean(&browser);
}
