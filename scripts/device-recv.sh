#!/usr/bin/env bash
# On the GPU machine (see scripts/device-pack.sh), with one or more .device/model/part-NN
# carried: append them, in order, to /tmp/evalrun-device/model.gguf. Likewise the pieces of an
# earlier sitting's builds (.device/prebuilt/part-N, to builds.tar.xz), which are unpacked once
# their sha256 checks. A piece already appended is skipped, so a call can be repeated after a
# broken transfer.
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
mkdir -p "$W"
# append FILE FORMAT PIECE...: append the pieces, in order, to $W/FILE.
append() {
  local file=$1 format=$2 part name expected
  shift 2
  touch "$W/$file.parts"
  for part in "$@"; do
    [ -f "$part" ] || continue
    name=$(basename "$part")
    if grep -qx "$name" "$W/$file.parts"; then
      echo "device-recv: $name already there"
      continue
    fi
    expected=$(printf "$format" "$(wc -l < "$W/$file.parts")")
    [ "$name" = "$expected" ] || { echo "device-recv: got $name, expected $expected (send the pieces in order)" >&2; exit 1; }
    cat "$part" >> "$W/$file"
    echo "$name" >> "$W/$file.parts"
    echo "device-recv: $name appended to $file, $(stat -c %s "$W/$file") bytes"
  done
}
append model.gguf 'part-%02d' .device/model/part-*
append builds.tar.xz 'part-%d' .device/prebuilt/part-*
if [ -f "$W/builds.sha256" ] && [ ! -f "$W/build.done" ] && (cd "$W" && sha256sum -c --status builds.sha256 2>/dev/null); then
  tar -C "$W" -xJf "$W/builds.tar.xz"
  cp "$W/cuda-backend/libggml-cuda.so" "$W/evalrun-x86_64-linux/ggml-backends/"
  echo 0 > "$W/build.done"
  echo "device-recv: the builds of an earlier sitting are unpacked (built from: $(cat "$W/build.stamp"))"
fi
[ ! -f "$W/build.done" ] || echo "device-recv: the build ended with status $(cat "$W/build.done")"
