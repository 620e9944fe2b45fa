#!/usr/bin/env bash
# On the GPU machine, once scripts/device-build.sh has built there: hand the builds back, so
# that the next sitting unpacks them instead of building for 8 minutes of its 30 (the peer
# `llama-batched-bench` with its libraries, and evalrun's `libggml-cuda.so`). They depend only on
# the sources and the GPU's architecture, not on evalrun's own code.
#   bash scripts/device-save-builds.sh 0 1 2     (pieces 0 to 2 under $OUT, with builds.sha256
#                                                  and builds.stamp)
#   bash scripts/device-save-builds.sh 3 4 5     (the next call: a call brings back 64 MiB at most)
# Then here: bash scripts/device-keep-builds.sh DIR... (the calls' files_at folders).
set -euo pipefail
W=/tmp/evalrun-device
OUT=${OUT:?device-save-builds: OUT is where the pieces go}
PIECE=15M # a file that comes back holds 16 MiB at most
[ "$(cat "$W/build.done" 2>/dev/null)" = 0 ] || { echo "device-save-builds: no finished build in $W" >&2; exit 1; }
# Packed once (builds unpacked from an earlier sitting's pieces are that archive already).
if [ ! -f "$W/builds.tar.xz" ]; then
  tar -C "$W" -cf - llama-build/bin cuda-backend/libggml-cuda.so | xz -T"$(nproc)" -6 > "$W/builds.tar.xz.tmp"
  mv "$W/builds.tar.xz.tmp" "$W/builds.tar.xz"
fi
if [ ! -d "$W/pieces" ]; then
  mkdir -p "$W/pieces"
  split -b "$PIECE" -d -a 1 "$W/builds.tar.xz" "$W/pieces/part-"
fi
(cd "$W" && sha256sum builds.tar.xz) > "$OUT/builds.sha256"
cp "$W/build.stamp" "$OUT/builds.stamp"
ls "$W/pieces"
for n in "$@"; do
  [ -f "$W/pieces/part-$n" ] || { echo "device-save-builds: there is no piece $n" >&2; exit 1; }
  cp "$W/pieces/part-$n" "$OUT/"
done
