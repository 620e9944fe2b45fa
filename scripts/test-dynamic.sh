#!/usr/bin/env bash
# The tests of the portable build (docs/BACKENDS.md, "Backends loaded at run time"), apart from
# the default suite (scripts/test.sh) because its CPU modules take about 30 minutes to build on 2
# cores the first time: the module loader's unit tests, then the binary without Python end to end
# on the default model (which scripts/test.sh fetches).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/package-dynamic.sh >/dev/null
export RUSTFLAGS="-C target-cpu=x86-64"
cargo test --release --locked -p evalrun-backends --features llamacpp-dynamic --target-dir target/dynamic \
  --lib backend_modules
cargo test --release --locked --no-default-features --features dynamic-backends --target-dir target/dynamic \
  --test dynamic_backends
