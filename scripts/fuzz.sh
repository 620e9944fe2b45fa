#!/usr/bin/env bash
# Run every cargo-fuzz target of fuzz/ for SECONDS each (default 600) and print a Markdown table:
# target, run time, executions, crashes (docs/RELIABILITY.md, "Fuzzing and properties").
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). Each target
# starts from its seeds (fuzz/seeds/<target>/, committed) and its corpus (fuzz/corpus/<target>/,
# grown by earlier runs, not committed). A crash, a timeout (an input running past 30 s) or an
# out-of-memory (past 2 GiB) stops that target and leaves the input in fuzz/artifacts/<target>/;
# reproduce it with `cargo +nightly fuzz run <target> <artifact>`. Logs: fuzz/logs/<target>.log.
set -euo pipefail

seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(samples_file task_files gguf_header sse_stream extract_code chat_template)
fi
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

cd "$(dirname "$0")/../fuzz"
cargo +nightly fuzz build >/dev/null 2>logs.build || { cat logs.build >&2; exit 1; }
rm -f logs.build
mkdir -p logs

rows=()
total_crashes=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    seeds=()
    [ -d "seeds/$target" ] && seeds=("seeds/$target")
    # Real models' chat templates seed the renderer: llama.cpp's own collection, where
    # scripts/build-peers.sh unpacked it (third-party files, so not committed here).
    templates=../target/peers/llama_cpp_python-0.3.36/vendor/llama.cpp/models/templates
    [ "$target" = chat_template ] && [ -d "$templates" ] && seeds+=("$templates")
    before=$(find "artifacts/$target" -type f | wc -l)
    start=$(date +%s)
    status=0
    cargo +nightly fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        >"logs/$target.log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - start))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$target.log" | tail -1 | grep -o '[0-9]*$' || true)
    if [ -z "$execs" ]; then
        # A run stopped by a crash prints no final stats; take the last status line.
        execs=$(grep -o '^#[0-9]*' "logs/$target.log" | tail -1 | tr -d '#' || true)
    fi
    crashes=$(($(find "artifacts/$target" -type f | wc -l) - before))
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes="run failed (exit $status, see fuzz/logs/$target.log)"
    else
        total_crashes=$((total_crashes + crashes))
    fi
    corpus=$(find "corpus/$target" -type f | wc -l)
    rows+=("| \`$target\` | ${elapsed} s | ${execs:-?} | ${corpus} | ${crashes} |")
    echo "$target: ${elapsed} s, ${execs:-?} execs, crashes: $crashes" >&2
done

echo
echo "Fuzzing, ${seconds} s a target, $(date -u +%Y-%m-%d), $(rustc +nightly --version | cut -d' ' -f1-2):"
echo
echo "| target | run time | execs | corpus | crashes |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
[ "$total_crashes" -eq 0 ]
