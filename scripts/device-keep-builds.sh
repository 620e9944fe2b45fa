#!/usr/bin/env bash
# Here, after scripts/device-save-builds.sh ran on the GPU machine in one or more calls: put the
# pieces that came back (each call's files_at folder) together under target/device-builds/,
# checked against their sha256, for scripts/device-pack.sh to send instead of the sources.
#   bash scripts/device-keep-builds.sh /work/.device/20 /work/.device/21
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: device-keep-builds.sh DIR... (the folders the pieces came back in)" >&2; exit 2; }
KEEP=target/device-builds
rm -rf "$KEEP" && mkdir -p "$KEEP"
for dir in "$@"; do
  cp "$dir"/part-* "$KEEP/" 2>/dev/null || true
  [ ! -f "$dir/builds.sha256" ] || cp "$dir/builds.sha256" "$dir/builds.stamp" "$KEEP/"
done
[ -f "$KEEP/builds.sha256" ] || { echo "device-keep-builds: no builds.sha256 in $*" >&2; exit 1; }
cat "$KEEP"/part-* > "$KEEP/builds.tar.xz"
rm "$KEEP"/part-*
(cd "$KEEP" && sha256sum -c builds.sha256) || { echo "device-keep-builds: pieces missing or broken" >&2; rm -f "$KEEP/builds.tar.xz"; exit 1; }
echo "device-keep-builds: $KEEP/builds.tar.xz ($(du -h "$KEEP/builds.tar.xz" | cut -f1)), built from: $(cat "$KEEP/builds.stamp")"
