#!/usr/bin/env bash
# Pack for the GPU machine that this workplace's `device` tool lends (docs/BACKENDS.md, "GPU").
# A call there carries at most 64 MiB with the working tree, and files under /tmp there last only
# while the machine stays warm, so everything goes under .device/ (ignored by git) in pieces:
#   .device/src/llama-src.tar.xz   the folders of llama-cpp-python's llama.cpp tree that
#                                  llama-batched-bench needs (the peer; the whole source
#                                  distribution is over 64 MiB)
#   .device/src/ggml-src.tar.xz    the ggml tree vendored in llama-cpp-sys-2 (what evalrun links):
#                                  scripts/build-cuda-backend.sh builds libggml-cuda.so from it
#   .device/src/evalrun.tar.xz     evalrun as scripts/package-dynamic.sh builds it (any x86-64, ggml
#                                  back-ends loaded at run time, no libpython)
#   .device/model/part-NN          the model in 46 MiB pieces, and model.sha256
# Where an earlier sitting handed its builds back (scripts/device-save-builds.sh, then
# scripts/device-keep-builds.sh: target/device-builds/) and they were built from the same sources,
# those go instead of the two source trees, in two pieces (.device/prebuilt/part-N), and the
# device unpacks them instead of building for 8 minutes.
# Then, one call each, back to back (the machine goes back 30 s after a call):
#   1. carry .device/src:        bash scripts/device-build.sh     (builds in the background)
#      or, with prebuilt builds, carry .device/src and .device/prebuilt/part-0, then one call
#      carrying .device/prebuilt/part-1: bash scripts/device-recv.sh
#   2. carry .device/model/part-NN, one call per piece:  bash scripts/device-recv.sh
#   3. no carry:                 bash scripts/device-bench.sh     (waits for the build, checks the
#                                model's sha256, runs `evalrun bench batching` beside the peer;
#                                results under $OUT)
#   4. no carry:                 bash scripts/device-humaneval.sh (HumanEval, --generate-only;
#                                the samples come back under $OUT, for `run --resume` here)
# Usage: bash scripts/device-pack.sh [MODEL_ID]   (default: the 0.5B coder)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-qwen2.5-coder-0.5b-instruct-q4_k_m}
FILE="${EVALRUN_HOME:-$HOME/.cache/evalrun}/models/$MODEL.gguf"
[ -f "$FILE" ] || { echo "device-pack: no $FILE: fetch it first (evalrun models fetch $MODEL)" >&2; exit 1; }
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
rm -rf .device && mkdir -p .device/src .device/model

# What the device's builds are made from; builds handed back from one sitting serve the next if
# this is unchanged.
SYS_VERSION=$(sed -n '/name = "llama-cpp-sys-2"/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)
STAMP="llama-cpp-sys-2 $SYS_VERSION, llama-cpp-python 0.3.36, CUDA_ARCHS 90"
echo "$STAMP" > .device/src/build.stamp
PREBUILT=target/device-builds
if [ -f "$PREBUILT/builds.tar.xz" ] && [ "$(cat "$PREBUILT/builds.stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "device-pack: the device unpacks the builds of an earlier sitting ($PREBUILT)" >&2
  mkdir -p .device/prebuilt
  split -b 40M -d -a 1 "$PREBUILT/builds.tar.xz" .device/prebuilt/part-
  cp "$PREBUILT/builds.sha256" .device/src/
else
  # The peer: llama.cpp as llama-cpp-python vendors it, without docs, models, tests, examples, and
  # ggml back-ends other than the CPU and CUDA ones.
  bash scripts/build-peers.sh --source-only >/dev/null
  LLAMA=target/peers/llama_cpp_python-0.3.36/vendor/llama.cpp
  # tar --exclude options for every ggml back-end of the tree $1 but the CPU and CUDA ones.
  other_backends() {
    local d
    for d in "$1"/ggml/src/ggml-*/; do
      case $(basename "$d") in ggml-cpu|ggml-cuda) ;; *) echo "--exclude=ggml/src/$(basename "$d")" ;; esac
    done
  }
  mapfile -t skip_backends < <(other_backends "$LLAMA")
  # The server and its web UI stay behind (LLAMA_BUILD_SERVER=OFF there).
  tar -C "$LLAMA" -cJf .device/src/llama-src.tar.xz "${skip_backends[@]}" --exclude=tools/ui --exclude=tools/server \
    CMakeLists.txt cmake include src common vendor tools ggml licenses

  # evalrun's own ggml, for the CUDA module that matches the binary.
  SYS=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/llama-cpp-sys-2-"$SYS_VERSION" | head -1)
  [ -d "$SYS/llama.cpp/ggml" ] || { echo "device-pack: llama-cpp-sys-2's sources are missing: cargo fetch" >&2; exit 1; }
  mapfile -t skip_backends < <(other_backends "$SYS/llama.cpp")
  tar -C "$SYS/llama.cpp" -cJf .device/src/ggml-src.tar.xz "${skip_backends[@]}" ggml
fi

# evalrun itself, portable and without Python.
bash scripts/package-dynamic.sh target/dist/evalrun-x86_64-linux >&2
tar -C target/dist -cJf .device/src/evalrun.tar.xz evalrun-x86_64-linux

split -b 46M -d -a 2 "$FILE" .device/model/part-
(cd "$(dirname "$FILE")" && sha256sum "$MODEL.gguf") | sed "s/$MODEL.gguf/\/tmp\/evalrun-device\/model.gguf/" \
  > .device/model.sha256
cp .device/model.sha256 .device/src/
ls .device/model | sed 's/^/.device\/model\//'
[ ! -d .device/prebuilt ] || ls .device/prebuilt | sed 's/^/.device\/prebuilt\//'
du -sh .device/src/* >&2
