#!/usr/bin/env bash
# The fault campaign's kill -9 part (docs/RELIABILITY.md, "Fault campaign"): a real-model run of
# the default model is killed with SIGKILL at random moments and resumed, until KILLS kills have
# landed; every few kills a torn last line is written by hand into one of the journals, as a
# power loss leaves it (half a record of the uninterrupted run, for samples.jsonl bare, for
# results.jsonl followed by the zeros a file system leaves where data never reached the disk).
# Each resumed run must end with results equal, key for key, to one uninterrupted greedy run,
# and every record a kill left journaled must still be there, unchanged.
#
#   bash scripts/faults.sh [--kills 20] [--tasks 16] [--max-tokens 384] [--seed N] [--keep DIR]
#
# (EVALRUN_BIN picks the binary; default target/release/evalrun, else target/debug/evalrun.)
# Torn lines by hand come on top of the kills.
# One sequence at a time (--slots 1), so that a resumed run decodes what is left exactly as the
# uninterrupted run did. Kills alternate between a random moment of generation (after a random
# number of the samples left, a random delay within one sample's time) and a random moment of
# execution (as a random one of the verdicts left lands; one sandbox worker, so that they land
# one at a time), so both phases are hit whatever the
# machine's speed. A run that finishes before its kill starts a fresh run directory. Prints a table: class (what
# the run was doing when killed, read from the journals), tries, survived, lost (records).
set -euo pipefail
cd "$(dirname "$0")/.."

KILLS=20 TASKS=16 MAX_TOKENS=384 SEED=$RANDOM KEEP="" TORN_EVERY=4
MODEL=qwen2.5-coder-0.5b-instruct-q4_k_m
while [ $# -gt 0 ]; do
    case "$1" in
        --kills) KILLS=$2; shift 2 ;;
        --tasks) TASKS=$2; shift 2 ;;
        --max-tokens) MAX_TOKENS=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --keep) KEEP=$2; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
BIN=${EVALRUN_BIN:-target/release/evalrun}
[ -x "$BIN" ] || BIN=target/debug/evalrun
[ -x "$BIN" ] || { echo "no evalrun binary: cargo build --release" >&2; exit 2; }
"$BIN" models path "$MODEL" >/dev/null || { echo "the default model is missing: evalrun models fetch $MODEL" >&2; exit 2; }
RANDOM=$SEED
WORK=${KEEP:-$(mktemp -d)}
mkdir -p "$WORK"
[ -n "$KEEP" ] || trap 'rm -rf "$WORK"' EXIT
echo "faults.sh: $KILLS kills, $TASKS HumanEval tasks, --max-tokens $MAX_TOKENS, seed $SEED, $BIN, in $WORK"

run_args() { # the run, into $1
    echo run --models "$MODEL" --suite humaneval --limit "$TASKS" --max-tokens "$MAX_TOKENS" \
        --slots 1 --workers 1 --progress none --out "$1"
}
lines() { # whole lines of a journal (wc counts newlines, so a torn last line is not counted)
    if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}
now() { date +%s.%N; }
rnd() { python3 -c "import random; random.seed($SEED * 1000 + $attempt * 10 + $1); print(random.$2)"; }
wait_for() { # until journal $1 holds $2 whole lines, or the run ends
    while kill -0 "$pid" 2>/dev/null && [ "$(lines "$1")" -lt "$2" ]; do sleep 0.01; done
}

# 1. The uninterrupted run, timed: its whole span and its execution phase.
CLEAN=$WORK/clean
start=$(now)
# shellcheck disable=SC2046
"$BIN" $(run_args "$CLEAN") >"$WORK/clean.log" 2>&1 &
pid=$!
generated_at=""
while kill -0 "$pid" 2>/dev/null; do
    if [ -z "$generated_at" ] && [ "$(lines "$CLEAN/samples.jsonl")" -ge "$TASKS" ]; then generated_at=$(now); fi
    sleep 0.05
done
wait "$pid" || { cat "$WORK/clean.log"; echo "the uninterrupted run failed" >&2; exit 1; }
end=$(now)
PER_SAMPLE=$(python3 -c "print(max(0.5, (${generated_at:-$end} - $start) / $TASKS))")
# Execution waits for generation to end (the model has the cores): this is how long it took.
EXEC_SPAN=$(python3 -c "print(max(0.05, $end - ${generated_at:-$end}))")
echo "uninterrupted run: $(python3 -c "print(f'{$end - $start:.1f}')") s, $(python3 -c "print(f'{$PER_SAMPLE:.1f}')") s a sample, $(python3 -c "print(f'{$EXEC_SPAN:.2f}')") s after the last"

# 2. Kills.
: >"$WORK/tries.tsv" # class, snapshot dir, run dir
run_no=1 dir=$WORK/run1 kills=0 attempt=0 torn_due=0 torn_no=0
while [ "$kills" -lt "$KILLS" ]; do
    attempt=$((attempt + 1))
    resume=()
    [ -f "$dir/manifest.json" ] && resume=(--resume)
    # shellcheck disable=SC2046
    "$BIN" $(run_args "$dir") "${resume[@]}" >"$WORK/attempt$attempt.log" 2>&1 &
    pid=$!
    cur_s=$(lines "$dir/samples.jsonl") cur_r=$(lines "$dir/results.jsonl")
    # Kills aim at generation and execution in turn; a run already past the phase aimed at is
    # killed after a random delay (in execution, in its summaries, or not at all: it finishes).
    aim=$((kills % 2))
    if [ "$aim" -eq 0 ] && [ "$cur_s" -lt "$TASKS" ]; then
        # A random moment of generation: after the k-th sample, within a sample's time.
        k=$(rnd 0 "randint($cur_s, $TASKS - 1)")
        wait_for "$dir/samples.jsonl" "$k"
        sleep "$(rnd 1 "uniform(0, $PER_SAMPLE)")"
    elif [ "$aim" -eq 1 ] && [ "$cur_r" -lt $((TASKS - 1)) ]; then
        # A random moment of execution: as the k-th verdict lands (one worker, so they land one
        # by one, after the last sample).
        k=$(rnd 0 "randint($cur_r + 1, $TASKS - 1)")
        wait_for "$dir/samples.jsonl" "$TASKS"
        wait_for "$dir/results.jsonl" "$k"
    else
        sleep "$(rnd 1 "uniform(0.2, $PER_SAMPLE)")"
    fi
    if ! kill -9 "$pid" 2>/dev/null; then
        # It ended first: finished (next run directory), or failed (a lost try).
        if wait "$pid"; then
            run_no=$((run_no + 1)) dir=$WORK/run$run_no
        else
            echo "attempt $attempt failed on its own:" >&2
            cat "$WORK/attempt$attempt.log" >&2
            printf 'resume failed\t-\t%s\n' "$dir" >>"$WORK/tries.tsv"
            kills=$((kills + 1))
        fi
        continue
    fi
    wait "$pid" 2>/dev/null || true
    kills=$((kills + 1))
    s=$(lines "$dir/samples.jsonl") r=$(lines "$dir/results.jsonl")
    torn=$(python3 -c '
import sys, os
print(any(os.path.exists(p) and os.path.getsize(p) and not open(p, "rb").read().endswith(b"\n") for p in sys.argv[1:]))' \
        "$dir/samples.jsonl" "$dir/results.jsonl")
    if [ "$torn" = True ]; then class="a journal write (torn line)"
    elif [ "$s" -lt "$TASKS" ]; then class="loading or generation in flight"
    elif [ "$r" -lt "$TASKS" ]; then class="a batch half executed"
    else class="after the last verdict (summaries)"; fi
    snap=$WORK/snap$kills
    mkdir -p "$snap"
    for j in samples results; do
        [ -f "$dir/$j.jsonl" ] && python3 -c 'import sys; t=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(t[:t.rfind(b"\n")+1])' "$dir/$j.jsonl" "$snap/$j.jsonl"
    done
    printf '%s\t%s\t%s\n' "$class" "$snap" "$dir" >>"$WORK/tries.tsv"
    echo "kill $kills/$KILLS (attempt $attempt, $(basename "$dir")): $class; journaled $s samples, $r verdicts"
    # Every TORN_EVERY kills, a torn last line by hand, in one journal or the other (at the
    # next kill that leaves a record to tear, if this one left none).
    [ $((kills % TORN_EVERY)) -eq 0 ] && torn_due=1
    if [ "$torn_due" = 1 ]; then
        if [ $((torn_no % 2)) -eq 0 ]; then j=samples; else j=results; fi
        if python3 - "$CLEAN/$j.jsonl" "$dir/$j.jsonl" "$j" <<'EOF'
import json, sys
clean, journal, kind = sys.argv[1:]
held = set()
try:
    data = open(journal, "rb").read()
    for line in data[: data.rfind(b"\n") + 1].splitlines():
        held.add(json.loads(line)["task_id"])
except FileNotFoundError:
    sys.exit(1)
for line in open(clean, "rb"):
    if json.loads(line)["task_id"] not in held:
        with open(journal, "ab") as f:
            f.write(line[: len(line) // 2] + (b"\0" * 300 if kind == "results" else b""))
        sys.exit(0)
sys.exit(1)
EOF
        then
            torn_due=0 torn_no=$((torn_no + 1))
            cp -r "$snap" "$snap-torn"
            printf 'torn last line in %s.jsonl (by hand)\t%s\t%s\n' "$j" "$snap-torn" "$dir" >>"$WORK/tries.tsv"
        fi
    fi
done

# 3. Every run directory resumed to the end.
for d in "$WORK"/run*; do
    [ -f "$d/manifest.json" ] || continue
    # shellcheck disable=SC2046
    "$BIN" $(run_args "$d") --resume >"$WORK/final-$(basename "$d").log" 2>&1 \
        && echo "resumed $(basename "$d") to the end" \
        || { cat "$WORK/final-$(basename "$d").log"; echo "resuming $d failed" >&2; }
done

# 4. The table.
python3 - "$WORK" "$CLEAN" "$TASKS" <<'EOF'
import collections, json, os, sys
work, clean, tasks = sys.argv[1], sys.argv[2], int(sys.argv[3])

def rows(path):
    try:
        return [json.loads(l) for l in open(path, "rb").read().splitlines() if l.strip()]
    except (FileNotFoundError, ValueError):
        return None

def verdicts(d):
    r = rows(os.path.join(d, "results.jsonl"))
    if r is None:
        return None
    return {(x["model"], x["backend"], x["task_id"], x["sample"]):
            (x["completion"], x.get("raw"), x["passed"], x["result"], x["status"]) for x in r}

reference = verdicts(clean)
equal = {}
for d in sorted(os.listdir(work)):
    if d.startswith("run"):
        v = verdicts(os.path.join(work, d))
        equal[os.path.join(work, d)] = v == reference and v is not None and len(v) == tasks
table = collections.OrderedDict()
for line in open(os.path.join(work, "tries.tsv")):
    cls, snap, d = line.rstrip("\n").split("\t")
    t = table.setdefault(cls, [0, 0, 0])
    t[0] += 1
    lost = 0
    if snap == "-":
        lost = 1
    else:
        for j in ("samples", "results"):
            before = open(os.path.join(snap, j + ".jsonl"), "rb").read().splitlines() if os.path.exists(os.path.join(snap, j + ".jsonl")) else []
            after = open(os.path.join(d, j + ".jsonl"), "rb").read().splitlines() if os.path.exists(os.path.join(d, j + ".jsonl")) else []
            lost += sum(1 for i, l in enumerate(before) if i >= len(after) or after[i] != l)
        if not equal.get(d):
            lost = max(lost, 1)
    t[1] += lost == 0
    t[2] += lost
print()
print("| fault class | tries | survived | lost (records) |")
print("|---|---:|---:|---:|")
for cls, (tries, survived, lost) in table.items():
    print(f"| kill -9: {cls} | {tries} | {survived} | {lost} |" if not cls.startswith("torn") and cls != "resume failed"
          else f"| {cls} | {tries} | {survived} | {lost} |")
total = [sum(t[i] for t in table.values()) for i in range(3)]
print(f"| **all** | {total[0]} | {total[1]} | {total[2]} |")
ok = sum(equal.values())
print(f"\nrun directories whose final results equal the uninterrupted run, key for key: {ok} of {len(equal)}")
sys.exit(0 if ok == len(equal) and total[0] == total[1] else 1)
EOF
