#!/usr/bin/env bash
# Try to build mlx-rs on Linux from registry parts only (docs/BACKENDS.md, "MLX"):
#   1. MLX from PyPI: the `mlx-cpu` wheel ships libmlx.so, headers and MLXConfig.cmake;
#   2. mlx-c (inside the mlx-sys crate from crates.io) configured against it with
#      MLX_C_USE_SYSTEM_MLX=ON through a toolchain file named by CMAKE_TOOLCHAIN_FILE, which is
#      how the `cmake` crate in mlx-sys's build script receives it;
#   3. mlx-c compiled, then a probe crate depending on mlx-rs built with that environment.
# Everything lands in target/mlx/; nothing third-party is committed. The script stops at the
# first step that fails and says why. On Debian 12 it stops at step 3 (see docs/BACKENDS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
MLX_VERSION=0.32.4
MLX_SYS_VERSION=0.7.0
MLX_RS_VERSION=0.33.0
work="$PWD/target/mlx"
mkdir -p "$work"

# 1. The wheel, unpacked.
if [ ! -f "$work/wheel/mlx/share/cmake/MLX/MLXConfig.cmake" ]; then
  python3 -m pip download -q --no-deps --only-binary :all: -d "$work" "mlx-cpu==$MLX_VERSION"
  rm -rf "$work/wheel" && mkdir -p "$work/wheel"
  python3 -m zipfile -e "$work"/mlx_cpu-"$MLX_VERSION"-*.whl "$work/wheel"
fi
glibc_needed=$(objdump -T "$work/wheel/mlx/lib/libmlx.so" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "build-mlx: libmlx.so needs $glibc_needed; this system has glibc $(ldd --version | head -1 | awk '{print $NF}')"

# 2. The toolchain file that turns mlx-c's FetchContent of MLX into find_package(MLX).
cat > "$work/toolchain.cmake" <<CMAKE
set(MLX_C_USE_SYSTEM_MLX ON CACHE BOOL "" FORCE)
set(MLX_DIR "$work/wheel/mlx/share/cmake/MLX" CACHE PATH "" FORCE)
set(MLX_C_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
CMAKE

# 3a. mlx-c alone, from the mlx-sys crate's sources (cargo fetches the crate into its registry).
mkdir -p "$work/probe/src"
cat > "$work/probe/Cargo.toml" <<TOML
[package]
name = "mlx-probe"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
mlx-rs = { version = "=$MLX_RS_VERSION", default-features = false }
mlx-sys = { version = "=$MLX_SYS_VERSION", default-features = false }
[workspace]
TOML
echo 'fn main() { println!("{:?}", mlx_rs::Array::from_slice(&[1.0f32, 2.0], &[2])); }' > "$work/probe/src/main.rs"
cargo fetch -q --manifest-path "$work/probe/Cargo.toml"
mlx_c=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/mlx-sys-"$MLX_SYS_VERSION"/src/mlx-c | head -1)
rm -rf "$work/mlx-c-build" && mkdir -p "$work/mlx-c-build"
cmake -S "$mlx_c" -B "$work/mlx-c-build" -DCMAKE_TOOLCHAIN_FILE="$work/toolchain.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=/usr/bin/cc -DCMAKE_CXX_COMPILER=/usr/bin/c++ >/dev/null
if ! cmake --build "$work/mlx-c-build" -j"$(nproc)" >"$work/mlx-c-build.log" 2>&1; then
  grep -m3 'error' "$work/mlx-c-build.log" >&2 || true
  echo "build-mlx: mlx-c does not compile against MLX $MLX_VERSION with $(c++ --version | head -1) (log: $work/mlx-c-build.log)" >&2
  exit 1
fi

# 3b. mlx-rs itself, with the same settings reaching mlx-sys's build script.
CMAKE_TOOLCHAIN_FILE="$work/toolchain.cmake" cargo build --manifest-path "$work/probe/Cargo.toml" \
  --target-dir "$work/probe-target"
LD_LIBRARY_PATH="$work/wheel/mlx/lib" "$work/probe-target/debug/mlx-probe"
