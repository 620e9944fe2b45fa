#!/usr/bin/env bash
# On the GPU machine (see scripts/device-pack.sh), once every piece of the model is there: wait for
# the build of scripts/device-build.sh, check the model's sha256, then run llama-batched-bench
# with every layer on the GPU at 1 to 256 sequences (200-token prompts, 128 generated tokens, as
# `evalrun bench batching` asks on the CPU). Everything it prints lands under $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
OUT=${OUT:-$W/out}
mkdir -p "$OUT"
for _ in $(seq 1 120); do [ -f "$W/build.done" ] && break; sleep 5; done
cp "$W/build.log" "$OUT/build.log" 2>/dev/null || true
[ "$(cat "$W/build.done" 2>/dev/null)" = 0 ] || { tail -n 40 "$W/build.log"; echo "device-bench: the build failed" >&2; exit 1; }
(cd / && sha256sum -c "$W/model.sha256")
ls -la "$W/cuda-backend" 2>&1 | tee "$OUT/cuda-backend.txt" || true
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$OUT/gpu.txt"
# As `evalrun bench batching` runs the peer on the CPU: one KV stream per sequence (-no-kvu, what
# `llama-server -np N` runs), a context of exactly the sequences' cells, one run per count.
for n in 1 8 32 64 128 256; do
  "$W/llama-build/bin/llama-batched-bench" -m "$W/model.gguf" -ngl 99 -c $((n * (200 + 128 + 64))) \
    -b 2048 -ub 512 -npp 200 -ntg 128 -npl $n -no-kvu --output-format jsonl 2>"$OUT/batched-bench-$n.log" \
    | grep '"speed_tg"' | tee -a "$OUT/batched-bench.jsonl"
done
