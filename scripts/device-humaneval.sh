#!/usr/bin/env bash
# On the GPU machine, after scripts/device-bench.sh (which recorded the default slot count): the
# full HumanEval with the 0.5B, greedy, generated on the GPU and not executed (--generate-only:
# the GPU machine runs no untrusted code). The run directory comes back under $OUT; then, on the
# machine with the sandbox:
#   evalrun run --models qwen2.5-coder-0.5b-instruct-q4_k_m --backend llamacpp --suite humaneval \
#     --resume --out RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
OUT=${OUT:-$W/out}
MODEL=${MODEL:-qwen2.5-coder-0.5b-instruct-q4_k_m}
export EVALRUN_HOME=$W/home
mkdir -p "$OUT"
rm -rf "$OUT/humaneval"
start=$(date +%s.%N)
"$W/evalrun-x86_64-linux/evalrun" run --models "$MODEL" --backend llamacpp --suite humaneval \
  --generate-only --progress plain --progress-interval 2 --out "$OUT/humaneval" 2>&1 | tee "$OUT/humaneval.log"
end=$(date +%s.%N)
python3 -c "print(f'device-humaneval: the command took {$end - $start:.1f} s')" | tee -a "$OUT/humaneval.log"
