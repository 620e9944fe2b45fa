#!/usr/bin/env bash
# The test suite, as CI runs it: set-up of what the tests need, then every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --deps
cargo build --locked
# The end-to-end tests run the real 0.5B coder; fetch it once (a no-op when already verified).
target/debug/evalrun models fetch qwen2.5-coder-0.5b-instruct-q4_k_m
cargo test --workspace --locked
