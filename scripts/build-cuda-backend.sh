#!/usr/bin/env bash
# Build ggml's CUDA back-end as a module, libggml-cuda.so, that evalrun can load at run time
# (GGML_BACKEND_DL), from the ggml tree vendored in llama-cpp-sys-2 (the crate evalrun links), with
# whatever CUDA toolkit this machine has: minutes, and evalrun itself is not rebuilt
# (docs/BACKENDS.md, "GPU"). Only the CUDA module is built (GGML_CPU=OFF): evalrun carries the CPU
# one; GGML_NATIVE=OFF, which GGML_BACKEND_DL requires.
# Usage: bash scripts/build-cuda-backend.sh [GGML_DIR [OUT_DIR]]
#   GGML_DIR   default: llama-cpp-sys-2's llama.cpp/ggml in cargo's registry, at the version in
#              Cargo.lock (`cargo fetch` puts it there)
#   OUT_DIR    default: target/backends; the module lands there as libggml-cuda.so
#   CUDA_ARCHS default: native (the GPUs this machine has; 90 for an H100)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
GGML=${1:-}
OUT=${2:-$here/target/backends}
if [ -z "$GGML" ]; then
  version=$(sed -n '/name = "llama-cpp-sys-2"/{n;s/version = "\(.*\)"/\1/p}' "$here/Cargo.lock")
  GGML=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/llama-cpp-sys-2-"$version"/llama.cpp/ggml 2>/dev/null | head -n 1)
  [ -n "$GGML" ] || { echo "build-cuda-backend: llama-cpp-sys-2 $version is not in cargo's registry: run cargo fetch" >&2; exit 1; }
fi
[ -f "$GGML/CMakeLists.txt" ] || { echo "build-cuda-backend: $GGML is not a ggml tree" >&2; exit 1; }
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || {
  echo "build-cuda-backend: no CUDA toolkit (nvcc) on this machine" >&2
  exit 1
}
command -v nvcc >/dev/null || export PATH=/usr/local/cuda/bin:$PATH
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/evalrun-cuda-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A copy: the vendored tree lacks ggml.pc.in, which ggml's CMakeLists reads, and cargo's
# registry is not ours to write.
cp -r "$GGML" "$WORK/ggml"
[ -f "$WORK/ggml/ggml.pc.in" ] || : > "$WORK/ggml/ggml.pc.in"
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
echo "build-cuda-backend: $(nvcc --version | tail -n 1), architectures ${CUDA_ARCHS:-native}" >&2
# CUDA graphs: ggml alone defaults them off, llama.cpp's top-level CMakeLists turns them on (as
# every llama.cpp build, and llama-cpp-sys-2's `cuda` feature, has them); without them each
# decode step launches its few hundred kernels one by one.
cmake -S "$WORK/ggml" -B "$WORK/build" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DGGML_CUDA=ON -DGGML_BACKEND_DL=ON -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=OFF -DGGML_CPU=OFF \
  -DGGML_CUDA_GRAPHS=ON \
  -DGGML_BUILD_TESTS=OFF -DGGML_BUILD_EXAMPLES=OFF \
  -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCHS:-native}" >"$WORK/configure.log" 2>&1 || {
  tail -n 30 "$WORK/configure.log" >&2
  exit 1
}
cmake --build "$WORK/build" -j"$(nproc)" --target ggml-cuda
module=$(find "$WORK/build" -name 'libggml-cuda.so' | head -n 1)
[ -n "$module" ] || { echo "build-cuda-backend: the build made no libggml-cuda.so" >&2; exit 1; }
cp "$module" "$OUT/libggml-cuda.so"
echo "$OUT/libggml-cuda.so"
