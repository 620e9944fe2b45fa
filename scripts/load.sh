#!/usr/bin/env bash
# Issue 15, "Load" (docs/RELIABILITY.md): not CI, a measurement.
# 1. `score` on 1,000, 10,000 and 100,000 samples (HumanEval's canonical and broken solutions,
#    repeated): wall time, evalrun's own peak memory and its process tree's (the sandbox workers).
# 2. `--resume` over the 100,000-line journal: with nothing left, and with the last 1,000 lines cut.
# 3. `report` over 50 runs (made-up models, 164 samples each): its time and size, then every kind of
#    page opened in headless Chromium: load time, a filter, a sort.
# Usage: bash scripts/load.sh [OUT]   (EVALRUN=path measures that binary, without building;
# BEFORE=path also measures another binary at 1,000 and 10,000 samples)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/load}
E=${EVALRUN:-target/release/evalrun}
[ -n "${EVALRUN:-}" ] || cargo build --release --locked
mkdir -p "$OUT"
peak() { python3 scripts/load.py peak "$@"; }
log() { echo "== $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg): $*" | tee -a "$OUT/load.log"; }

for n in 1000 10000 100000; do
  python3 scripts/load.py samples $n "$OUT/samples-$n.jsonl"
  rm -rf "$OUT/score-$n"
  log "score $n"
  peak $E score --suite humaneval --samples-file "$OUT/samples-$n.jsonl" --out "$OUT/score-$n" --progress none \
    | tee -a "$OUT/load.log"
done

# BEFORE=path: the same at 1,000 and 10,000 samples with another binary (the one before streaming).
if [ -n "${BEFORE:-}" ]; then
  for n in 1000 10000; do
    rm -rf "$OUT/before-$n"
    log "score $n with $BEFORE"
    peak $BEFORE score --suite humaneval --samples-file "$OUT/samples-$n.jsonl" --out "$OUT/before-$n" \
      --progress none | tee -a "$OUT/load.log"
  done
fi

log "resume 100000, nothing left"
peak $E score --suite humaneval --samples-file "$OUT/samples-100000.jsonl" --out "$OUT/score-100000" --resume \
  --progress none | tee -a "$OUT/load.log"
rm -rf "$OUT/resume-1000-left" && cp -r "$OUT/score-100000" "$OUT/resume-1000-left"
head -n 99000 "$OUT/score-100000/results.jsonl" > "$OUT/resume-1000-left/results.jsonl"
log "resume 100000, 1000 left"
peak $E score --suite humaneval --samples-file "$OUT/samples-100000.jsonl" --out "$OUT/resume-1000-left" --resume \
  --progress none | tee -a "$OUT/load.log"

python3 scripts/load.py models 50 "$OUT/models"
runs=()
for f in "$OUT"/models/model-*.jsonl; do
  m=$(basename "$f" .jsonl)
  rm -rf "$OUT/runs/$m"
  $E score --suite humaneval --samples-file "$f" --out "$OUT/runs/$m" --progress none >/dev/null
  runs+=("$OUT/runs/$m")
done
rm -rf "$OUT/report-50"
log "report over 50 runs"
peak $E report "${runs[@]}" --out "$OUT/report-50" | tee -a "$OUT/load.log"
echo "report size: $(du -sh "$OUT/report-50" | cut -f1), pages: $(find "$OUT/report-50" -name '*.html' | wc -l)" \
  | tee -a "$OUT/load.log"
entry=$(ls "$OUT/report-50/entries" | head -1)
log "report in Chromium"
python3 scripts/load.py browser "file://$PWD/$OUT/report-50/index.html" "file://$PWD/$OUT/report-50/matrix.html" \
  "file://$PWD/$OUT/report-50/entries/$entry" "file://$PWD/$OUT/report-50/compare.html" | tee -a "$OUT/load.log"
