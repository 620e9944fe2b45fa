#!/usr/bin/env bash
# On the GPU machine, after scripts/device-bench.sh (which recorded the default slot count): the
# full HumanEval with the 0.5B, greedy, generated on the GPU and not executed (--generate-only:
# the GPU machine runs no untrusted code). The run directory comes back under $OUT; then, on the
# machine with the sandbox:
#   evalrun run --models qwen2.5-coder-0.5b-instruct-q4_k_m --backend llamacpp --suite humaneval \
#     --resume --out RUN_DIR
# SLOTS=16,128 runs it once per slot count (default: the recorded slot count, once), each into
# $OUT/humaneval-SLOTS; the log line of the scheduler (EVALRUN_LOG) says where each run's time
# went: steps, sequences a step, decode and host time, prompt copies, the slowest step; and
# $OUT/humaneval-SLOTS.steps.log has one line a step (sequences, prompt tokens, decode and host
# milliseconds). With EVALRUN_DEVICE_GREEDY=1 (llama.cpp picks the greedy tokens in its graph) the
# directories end in -device-greedy, beside those of a run without it.
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
OUT=${OUT:-$W/out}
MODEL=${MODEL:-qwen2.5-coder-0.5b-instruct-q4_k_m}
export EVALRUN_HOME=$W/home
mkdir -p "$OUT"
IFS=, read -r -a counts <<< "${SLOTS:-default}"
for slots in "${counts[@]}"; do
  dir=$OUT/humaneval-$slots
  [ "$slots" != default ] || dir=$OUT/humaneval
  [ "${EVALRUN_DEVICE_GREEDY:-0}" != 1 ] || dir=$dir-device-greedy
  rm -rf "$dir"
  args=()
  [ "$slots" = default ] || args=(--slots "$slots")
  start=$(date +%s.%N)
  EVALRUN_LOG=warn,evalrun_backends=info,evalrun_backends::llamacpp::scheduler=trace \
    "$W/evalrun-x86_64-linux/evalrun" run --models "$MODEL" --backend llamacpp --suite humaneval \
    "${args[@]}" --generate-only --progress plain --progress-interval 2 --out "$dir" 2>&1 |
    tee >(grep ' TRACE ' > "$dir.steps.log") | grep -v ' TRACE ' | tee "$dir.log"
  end=$(date +%s.%N)
  echo "device-humaneval: $slots slots: the command took $(awk "BEGIN{printf \"%.1f\", $end - $start}") s" | tee -a "$dir.log"
done
