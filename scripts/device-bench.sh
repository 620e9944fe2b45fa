#!/usr/bin/env bash
# On the GPU machine (see scripts/device-pack.sh), once every piece of the model is there: wait for
# the build of scripts/device-build.sh, check the model's sha256, then run `evalrun bench batching`
# (the portable evalrun, its CUDA module built there) side by side with llama-batched-bench (built
# there from llama-cpp-python's llama.cpp tree), both with every layer on the GPU, at 1 to 256
# sequences: 200-token prompts, 128 generated tokens, rounds interleaved. The knee of evalrun's
# curve is recorded as the default slot count that scripts/device-humaneval.sh then runs with.
# With DEVICE_GREEDY_AB=1 (the default) a second bench follows, beside the peer again, in which
# llama.cpp picks the greedy tokens in its graph (EVALRUN_DEVICE_GREEDY=1,
# backends/src/llamacpp/device_greedy.rs), so the two ways compare in one sitting; not recorded.
# Everything lands under $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
OUT=${OUT:-$W/out}
MODEL=${MODEL:-qwen2.5-coder-0.5b-instruct-q4_k_m}
SLOTS=${SLOTS:-1,8,32,64,128,256}
REPEAT=${REPEAT:-2}
DEVICE_GREEDY_AB=${DEVICE_GREEDY_AB:-1}
mkdir -p "$OUT"
for _ in $(seq 1 120); do [ -f "$W/build.done" ] && break; sleep 5; done
cp "$W/build.log" "$OUT/build.log" 2>/dev/null || true
[ "$(cat "$W/build.done" 2>/dev/null)" = 0 ] || { tail -n 40 "$W/build.log"; echo "device-bench: the build failed" >&2; exit 1; }
(cd / && sha256sum -c "$W/model.sha256")
# evalrun finds the model in its store, as anywhere else.
export EVALRUN_HOME=$W/home
mkdir -p "$EVALRUN_HOME/models"
[ -f "$EVALRUN_HOME/models/$MODEL.gguf" ] || ln "$W/model.gguf" "$EVALRUN_HOME/models/$MODEL.gguf"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$OUT/gpu.txt"
ls -la "$W/evalrun-x86_64-linux/ggml-backends" | tee "$OUT/modules.txt"
"$W/evalrun-x86_64-linux/evalrun" bench batching --models "$MODEL" --slots "$SLOTS" --repeat "$REPEAT" \
  --peer "$W/llama-build/bin/llama-batched-bench" --record --out "$OUT/bench-batching" 2>&1 | tee "$OUT/bench-batching.log"
if [ "$DEVICE_GREEDY_AB" = 1 ]; then
  EVALRUN_DEVICE_GREEDY=1 "$W/evalrun-x86_64-linux/evalrun" bench batching --models "$MODEL" --slots "$SLOTS" \
    --repeat "$REPEAT" --peer "$W/llama-build/bin/llama-batched-bench" --no-record \
    --out "$OUT/bench-batching-device-greedy" 2>&1 | tee "$OUT/bench-batching-device-greedy.log"
fi
