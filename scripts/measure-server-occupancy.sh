#!/usr/bin/env bash
# How busy evalrun keeps a llama-server's slots (issue 14, docs/SCALE.md "Remote inference"):
# the full HumanEval (164 tasks, greedy) through the `openai` backend against
# `llama-server -np N`, N requests in flight, for each N given (default 4 and 8), one after the
# other, with the release build. Run it on a quiet machine: every figure is wall-clock time on
# shared cores.
#
#   bash scripts/measure-server-occupancy.sh [OUT_DIR] [N...]
#
# While a run generates, the server's /slots is polled every 0.5 s (the slots with
# `is_processing`); the occupancy is the mean number of busy slots over the polls from the first
# that saw a busy slot to the last, divided by N. The server's own `llamacpp:n_busy_slots_per_decode`
# (/metrics: the mean busy slots per llama_decode() call, prompt batches included) is printed
# beside it. Needs llama.cpp's own server as a peer: bash scripts/build-peers.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/perf/occupancy}
shift || true
SIZES=${*:-4 8}
PEERS=target/peers/build/bin
Q05=qwen2.5-coder-0.5b-instruct-q4_k_m
# EVALRUN=path measures that binary as it is (no build); LIMIT=k runs the first k tasks only (a
# check of the script, not a measurement).
E=${EVALRUN:-target/release/evalrun}
LIMIT=${LIMIT:-}
PORT=${PORT:-8767}
THREADS=${THREADS:-$(nproc)}

[ -x "$PEERS/llama-server" ] || { echo "no $PEERS/llama-server: run bash scripts/build-peers.sh" >&2; exit 1; }
[ -n "${EVALRUN:-}" ] || cargo build --release --locked --features candle
mkdir -p "$OUT"
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$OUT/measure.log"; }
model=$($E models path $Q05)
server=""
poller=""
trap '[ -n "$poller" ] && kill "$poller" 2>/dev/null; [ -n "$server" ] && kill "$server" 2>/dev/null; true' EXIT

for n in $SIZES; do
  log "humaneval 164 through llama-server -np $n, $n in flight"
  LD_LIBRARY_PATH=$PEERS $PEERS/llama-server -m "$model" --alias $Q05 -np "$n" -c $((n * 4096)) \
    -t "$THREADS" -tb "$THREADS" --metrics --slots --no-webui --host 127.0.0.1 --port "$PORT" \
    > "$OUT/llama-server-np$n.log" 2>&1 &
  server=$!
  for _ in $(seq 120); do curl -sf "127.0.0.1:$PORT/health" >/dev/null && break; sleep 1; done
  curl -sf "127.0.0.1:$PORT/health" >/dev/null || { echo "llama-server did not start" >&2; exit 1; }
  # One line per poll: seconds since the epoch, busy slots.
  (
    while true; do
      busy=$(curl -s --max-time 2 "127.0.0.1:$PORT/slots" | grep -o '"is_processing":true' | wc -l || true)
      echo "$(date +%s.%N) $busy"
      sleep 0.5
    done
  ) > "$OUT/slots-np$n.txt" &
  poller=$!
  rm -rf "$OUT/humaneval-np$n"
  /usr/bin/time -f "%e s wall" $E run --models $Q05 --backends openai \
    --openai-base-url "http://127.0.0.1:$PORT/v1" --openai-concurrency "$n" --suite humaneval \
    ${LIMIT:+--limit "$LIMIT"} --progress plain --out "$OUT/humaneval-np$n" 2>&1 | tee "$OUT/humaneval-np$n.log"
  kill "$poller"; wait "$poller" 2>/dev/null || true; poller=""
  per_decode=$(curl -s "127.0.0.1:$PORT/metrics" | awk '$1 == "llamacpp:n_busy_slots_per_decode" { print $2 }')
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  awk -v n="$n" -v per_decode="$per_decode" '
    { t[NR] = $1; b[NR] = $2 }
    $2 > 0 { if (!first) first = NR; last = NR }
    END {
      if (!first) { print "np " n ": no busy slot seen"; exit 1 }
      for (i = first; i <= last; i++) { sum += b[i]; if (b[i] > peak) peak = b[i]; if (b[i] == n) full++ }
      polls = last - first + 1
      printf "np %d: occupancy %.1f%% (mean %.2f of %d slots busy over %.0f s, %d polls), all %d busy in %.1f%% of polls, peak %d; llamacpp:n_busy_slots_per_decode %s\n",
        n, 100 * sum / (polls * n), sum / polls, n, t[last] - t[first], polls, n, 100 * full / polls, peak, per_decode
    }' "$OUT/slots-np$n.txt" | tee "$OUT/occupancy-np$n.txt"
done
log "done"
cat "$OUT"/occupancy-np*.txt
