#!/usr/bin/env bash
# On the GPU machine (see scripts/device-pack.sh), with one or more .device/model/part-NN
# carried: append them, in order, to /tmp/evalrun-device/model.gguf. A piece already appended is
# skipped, so a call can be repeated after a broken transfer.
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
mkdir -p "$W"
touch "$W/model.parts"
for part in .device/model/part-*; do
  name=$(basename "$part")
  if grep -qx "$name" "$W/model.parts"; then
    echo "device-recv: $name already there"
    continue
  fi
  expected=$(printf 'part-%02d' "$(wc -l < "$W/model.parts")")
  [ "$name" = "$expected" ] || { echo "device-recv: got $name, expected $expected (send the pieces in order)" >&2; exit 1; }
  cat "$part" >> "$W/model.gguf"
  echo "$name" >> "$W/model.parts"
  echo "device-recv: $name appended, $(stat -c %s "$W/model.gguf") bytes"
done
[ ! -f "$W/build.done" ] || echo "device-recv: the build ended with status $(cat "$W/build.done")"
