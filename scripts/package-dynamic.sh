#!/usr/bin/env bash
# A portable evalrun for another machine, a GPU machine above all (docs/BACKENDS.md, "Backends
# loaded at run time"): built for any x86-64 (no target-cpu=native), with llama.cpp's ggml
# backends as modules that evalrun loads when it starts (ggml picks the CPU module this CPU runs
# best, and any GPU module whose device answers), and without Python (libpython is not linked, so
# it starts where the Python it was built with is missing; it only generates: `run
# --generate-only`, then `run --resume` where the full build and its sandbox live).
#
#   bash scripts/package-dynamic.sh [DIST]     (default: target/dist/evalrun-x86_64-linux)
#
# DIST then holds evalrun, libllama.so and libggml*.so beside it (found through its
# RUNPATH=$ORIGIN), and ggml-backends/ with a CPU module per x86-64 level. Put a GPU module there
# too (scripts/build-cuda-backend.sh builds libggml-cuda.so). The first build takes about 30
# minutes on 2 cores: ggml's CPU kernels are compiled once per x86-64 level.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${1:-target/dist/evalrun-x86_64-linux}
TARGET_DIR=target/dynamic
# RUSTFLAGS replaces .cargo/config.toml's target-cpu=native: the Rust code is built for baseline
# x86-64, and llama-cpp-sys-2 then builds ggml without GGML_NATIVE (the modules carry the SIMD).
RUSTFLAGS="-C target-cpu=x86-64" cargo build --release --locked --no-default-features \
  --features dynamic-backends --target-dir "$TARGET_DIR" --bin evalrun
OUT=$TARGET_DIR/release
SYS_OUT=$(dirname "$(ls -td "$OUT"/build/llama-cpp-sys-2-*/out/backends | head -1)")
# llama-cpp-sys-2 links only the unversioned names (libllama.so -> libllama.so.0) beside the
# binary and in deps/; the sonames the binary asks for go there too, for the binary and the tests
# (scripts/test-dynamic.sh) to start.
for dir in "$OUT" "$OUT/deps"; do
  cp -P "$SYS_OUT"/lib/lib*.so.* "$dir/"
done
rm -rf "$DIST" && mkdir -p "$DIST/ggml-backends"
cp "$OUT/evalrun" "$DIST/"
# The shared libraries the binary needs (not the modules: those are loaded by ggml, by path).
for lib in $(readelf -d "$OUT/evalrun" | sed -n 's/.*Shared library: \[\(lib\(llama\|ggml\)[^]]*\)\]/\1/p'); do
  cp -L "$SYS_OUT/lib/$lib" "$DIST/$lib"
done
cp "$SYS_OUT"/backends/libggml-*.so "$DIST/ggml-backends/"
if readelf -d "$DIST/evalrun" | grep -q 'libpython'; then
  echo "package-dynamic: $DIST/evalrun links libpython" >&2
  exit 1
fi
echo "$DIST:" && ls "$DIST" "$DIST/ggml-backends" | sed 's/^/  /'
du -sh "$DIST"
