#!/usr/bin/env python3
"""Why a test-writing run's tests failed, round by round, for a run journaled before rows
recorded it (`failures` in rounds.jsonl; newer runs show it in their report's rounds table).

Each round's suites (the `completion` of its rows: the tests kept so far plus that round's
answer) are rescored with `evalrun score`, which runs them in the sandbox against the module
and counts the tests that fail by why (`failures` in results.jsonl). Greedy answers, the same
reference modules: the same tests pass and fail as in the run.

  python3 scripts/round-failures.py RUN_DIR [EVALRUN]   -> RUN_DIR/round-failures.md
"""
import collections, json, os, subprocess, sys

run, evalrun = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "target/release/evalrun")
rows = [json.loads(l) for l in open(os.path.join(run, "rounds.jsonl")) if l.strip()]
rounds = sorted({r["round"] for r in rows})
work = os.path.join(run, "round-failures")
os.makedirs(work, exist_ok=True)
table = []
for n in rounds:
    answered = [r for r in rows if r["round"] == n and r.get("raw") is not None]
    samples = os.path.join(work, f"round-{n}.jsonl")
    with open(samples, "w") as f:
        for r in answered:
            f.write(json.dumps({"task_id": r["task_id"], "completion": r["completion"]}) + "\n")
    out = os.path.join(work, f"round-{n}")
    subprocess.run(["rm", "-rf", out], check=True)
    subprocess.run([evalrun, "score", "--suite", "evalrun-testwriting", "--samples-file", samples,
                    "--out", out, "--progress", "none"], check=True, stdout=subprocess.DEVNULL)
    results = [json.loads(l) for l in open(os.path.join(out, "results.jsonl")) if l.strip()]
    why = collections.Counter()
    for r in results:
        why.update(r.get("failures", {}))
    fate = collections.Counter()
    for r in answered:
        m, finish = r["metrics"], r.get("finish")
        if m.get("tests_kept", 0) > 0:
            fate["keeps tests"] += 1
        elif finish in ("length", "repetition"):
            fate[f"cut ({finish}), nothing kept"] += 1
        elif m.get("tests_written", 0) == 0:
            fate["no test function"] += 1
        else:
            fate["every test fails"] += 1
    finishes = collections.Counter(r.get("finish") or "-" for r in answered)
    table.append((n, len(answered), fate, finishes, why, sum(why.values())))

lines = [f"# Why the tests failed, round by round: {run}", "",
         "| round | answers | answers by what became of them | finish | tests dropped | by why |",
         "|---|---|---|---|---|---|"]
for n, answers, fate, finishes, why, total in table:
    f = ", ".join(f"{c} {k}" for k, c in fate.most_common())
    e = ", ".join(f"{c} {k}" for k, c in finishes.most_common())
    w = ", ".join(f"{c} {k}" for k, c in why.most_common())
    lines.append(f"| {n} | {answers} | {f} | {e} | {total} | {w} |")
text = "\n".join(lines) + "\n"
open(os.path.join(run, "round-failures.md"), "w").write(text)
print(text)
