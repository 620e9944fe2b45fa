#!/usr/bin/env bash
# Build llama.cpp's own tools as peers for `evalrun bench batching` and the end-to-end comparison
# with llama-server, idempotently, with no network but PyPI:
#   scripts/build-peers.sh      -> target/peers/build/bin/{llama-batched-bench,llama-server,llama-bench}
#   scripts/build-peers.sh llama-server   -> only that one (what the test suite needs)
#   scripts/build-peers.sh --source-only  -> only the source tree (scripts/device-pack.sh packs it)
#
# The llama.cpp tree comes from PyPI's source distribution of llama-cpp-python, which vendors the
# complete tree (tools/ included) under vendor/llama.cpp. Everything lands under target/ (ignored
# by git): third-party code is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="0.3.36"
PEERS="target/peers"
SRC="$PEERS/llama_cpp_python-$VERSION"
TARBALL="$PEERS/llama_cpp_python-$VERSION.tar.gz"
BUILD="$PEERS/build"
SOURCE_ONLY=""
if [ "${1:-}" = --source-only ]; then SOURCE_ONLY=1; shift; fi
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=(llama-batched-bench llama-server llama-bench); fi

built() {
  local t
  for t in "${TARGETS[@]}"; do [ -x "$BUILD/bin/$t" ] || return 1; done
}

if [ -z "$SOURCE_ONLY" ] && built; then
  echo "peers: already built in $BUILD/bin/" >&2
  for t in "${TARGETS[@]}"; do echo "$BUILD/bin/$t"; done
  exit 0
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
if [ ${#missing[@]} -gt 0 ]; then
  echo "peers: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$PEERS"
if [ ! -f "$TARBALL" ]; then
  echo "peers: downloading llama-cpp-python $VERSION (source) from PyPI" >&2
  python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
    "llama-cpp-python==$VERSION" -d "$PEERS"
fi
# Extract into a temporary name first, so that an interrupted extraction is redone, not trusted.
if [ ! -f "$SRC/vendor/llama.cpp/CMakeLists.txt" ]; then
  echo "peers: extracting $TARBALL" >&2
  rm -rf "$SRC" "$SRC.partial"
  mkdir -p "$SRC.partial"
  tar -xzf "$TARBALL" -C "$SRC.partial" --strip-components=1
  mv "$SRC.partial" "$SRC"
fi
[ -z "$SOURCE_ONLY" ] || { echo "$SRC/vendor/llama.cpp"; exit 0; }

# GGML_NATIVE=ON: evalrun is built with target-cpu=native (.cargo/config.toml), so the peer must
# run the same SIMD kernels or the comparison measures the compiler flags, not the scheduler.
# The server's web UI is left out: fetching it would need the network, and the bench needs no UI.
# LLAMA_CURL is deprecated upstream (a warning); it is kept OFF for older trees that still read it.
echo "peers: configuring $BUILD" >&2
cmake -S "$SRC/vendor/llama.cpp" -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=ON \
  -DLLAMA_CURL=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  >"$PEERS/cmake-configure.log" 2>&1 || {
  tail -n 30 "$PEERS/cmake-configure.log" >&2
  echo "peers: cmake configure failed (full log: $PEERS/cmake-configure.log)" >&2
  exit 1
}
echo "peers: building ${TARGETS[*]} with $(nproc) jobs (about 8 minutes on 2 cores for all three)" >&2
cmake --build "$BUILD" --config Release -j"$(nproc)" --target "${TARGETS[@]}"

built || {
  echo "peers: build finished but a binary is missing in $BUILD/bin/" >&2
  exit 1
}
echo "peers: built in $BUILD/bin/" >&2
for t in "${TARGETS[@]}"; do echo "$BUILD/bin/$t"; done
