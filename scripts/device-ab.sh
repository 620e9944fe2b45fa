#!/usr/bin/env bash
# On the GPU machine, after scripts/device-build.sh (or the prebuilt builds) and the model's pieces:
# two evalrun builds side by side, each beside the peer, rounds interleaved (new old new old),
# then the full HumanEval at 256 slots with the new one. The new build is the one packed in
# .device/src; the old one is another portable evalrun, carried as .device/old/evalrun.tar.xz in
# any earlier call and unpacked there with the CUDA module:
#   here:   mkdir -p .device/old && cp OLD/evalrun.tar.xz .device/old/   (an earlier .device/src's)
#   device: bash scripts/device-ab.sh --unpack-old   (carrying .device/old, with a model piece)
#   device: bash scripts/device-ab.sh                (no carry; everything comes back as ab.tar.xz)
# ABSLOTS (default 64,128,256) and ORDER (default "new old new old") change what runs.
set -uo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
if [ "${1:-}" = --unpack-old ]; then
  mkdir -p "$W/old" && tar -C "$W/old" -xJf .device/old/evalrun.tar.xz &&
    cp "$W/cuda-backend/libggml-cuda.so" "$W/old/evalrun-x86_64-linux/ggml-backends/"
  exit
fi
OUT=${OUT:?device-ab: OUT is where ab.tar.xz goes}
E=$W/evalrun-x86_64-linux/evalrun; O=$W/old/evalrun-x86_64-linux/evalrun
P=$W/llama-build/bin/llama-batched-bench; M=${MODEL:-qwen2.5-coder-0.5b-instruct-q4_k_m}
[ -x "$O" ] || { echo "device-ab: no old evalrun in $W/old (run with --unpack-old first)" >&2; exit 1; }
export EVALRUN_HOME=$W/home
mkdir -p "$EVALRUN_HOME/models" "$W/ab"
(cd / && sha256sum -c "$W/model.sha256") || exit 1
ln -f "$W/model.gguf" "$EVALRUN_HOME/models/$M.gguf"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$W/ab/gpu.txt"
uptime | tee "$W/ab/uptime.txt"
# The scheduler's line for every stream: decode, picking and the rest of each step.
export EVALRUN_LOG=warn,evalrun_backends=info
i=0
for build in ${ORDER:-new old new old}; do
  i=$((i + 1)); bin=$E; [ "$build" = old ] && bin=$O
  "$bin" bench batching --models "$M" --slots "${ABSLOTS:-64,128,256}" --repeat 1 --peer "$P" --no-record \
    --out "$W/ab/$i-$build" > "$W/ab/$i-$build.log" 2>&1
  grep -E 'round 1' "$W/ab/$i-$build.log" | sed "s/^bench: $M round 1 at/$build:/" | cut -c1-300
  grep -E 'INFO' "$W/ab/$i-$build.log" | grep -oE '[0-9]+ slots: .*tok/s; prompts' | sed "s/^/$build: /" | cut -c1-300
done
uptime | tee -a "$W/ab/uptime.txt"
SLOTS=256 OUT=$W/ab bash scripts/device-humaneval.sh > "$W/ab/he.log" 2>&1
grep -E 'INFO|took' "$W/ab/he.log" | cut -c1-500
tar -C "$W" -cJf "$OUT/ab.tar.xz" ab
