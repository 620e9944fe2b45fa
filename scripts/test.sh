#!/usr/bin/env bash
# The test suite, as CI runs it: set-up of what the tests need, then every test of the workspace
# (the candle backend included, compared with llama.cpp on the shipped models), then the corpus
# check (every reference solution and every test-writing suite, in the sandbox).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --deps
cargo build --locked --features candle
# llama.cpp's own llama-server, which tests/openai_llama_server.rs drives through the openai
# backend at -np 4 (about 8 minutes on 2 cores the first time, a no-op after); required, so the
# test cannot pass by skipping.
bash scripts/build-peers.sh llama-server >/dev/null
export EVALRUN_REQUIRE_PEERS=1
# The end-to-end tests run the real 0.5B coder, and the backend comparisons the Gemma 3 270M too;
# fetch them once (a no-op when already verified).
target/debug/evalrun models fetch qwen2.5-coder-0.5b-instruct-q4_k_m
target/debug/evalrun models fetch gemma-3-270m-q4_k_m
cargo test --workspace --locked --features candle --no-fail-fast
target/debug/evalrun tasks check
