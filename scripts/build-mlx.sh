#!/usr/bin/env bash
# Build mlx-rs on Linux from registry parts only (docs/BACKENDS.md, "MLX"), and run a probe:
#   1. MLX from PyPI: the `mlx-cpu` wheel ships libmlx.so, headers and MLXConfig.cmake;
#   2. a CMake toolchain file, named by MLX_SYS_CMAKE_TOOLCHAIN_FILE (which the patched build
#      script of step 3 passes to mlx-c's CMake), that makes mlx-c use that MLX
#      (MLX_C_USE_SYSTEM_MLX=ON) instead of fetching MLX's sources from GitHub;
#   3. a patched copy of the mlx-sys crate from crates.io: its build script links Apple
#      frameworks and static MLX archives unconditionally, and its mlx-c needs std::format;
#   4. a probe crate depending on mlx-rs (default features off: they are Metal and Accelerate),
#      with mlx-sys replaced by the copy through [patch.crates-io], built and run on the CPU.
# Everything lands in target/mlx/; nothing third-party is committed. The script stops at the
# first step that fails and says why.
#
# Usage: bash scripts/build-mlx.sh [probe|evalrun|test [TEST ARGS...]]
#   probe    steps 1-4 (the default);
#   evalrun  steps 1-3, then `cargo build --release --features candle,mlx` of evalrun itself;
#   test     steps 1-3, then the mlx backend's tests (unit tests and backends/tests/mlx_vs_llamacpp.rs).
# The last two pass the patched mlx-sys to cargo with --config (a [patch] in the committed
# Cargo.toml would point into target/ and break every build without it) and put Cargo.lock back
# afterwards, since the patch rewrites mlx-sys's entry there.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-probe}
case "$mode" in
  probe | evalrun | test) [ $# -gt 0 ] && shift ;;
  *) echo "usage: bash scripts/build-mlx.sh [probe|evalrun|test [TEST ARGS...]]" >&2; exit 2 ;;
esac
# The MLX release mlx-sys's mlx-c is written for (its CMakeLists' GIT_TAG, checked in step 3a):
# MLX's C++ API changes between patch releases (0.32.4 added a parameter to gather_qmm, so
# mlx-c 0.32.2's ops.cpp does not compile against the 0.32.4 wheel).
MLX_VERSION=0.32.2
MLX_SYS_VERSION=0.7.0
MLX_RS_VERSION=0.33.0
work="$PWD/target/mlx"
mkdir -p "$work"
fail() { echo "build-mlx: $*" >&2; exit 1; }

# 1. The wheel, unpacked. libmlx.so finds its BLAS/LAPACK/gfortran in mlx_cpu.libs/ through
#    its RUNPATH, so the unpacked layout is kept as it is.
if [ ! -f "$work/wheel/mlx/share/cmake/MLX/MLXConfig.cmake" ] || [ ! -d "$work/wheel/mlx_cpu-$MLX_VERSION.dist-info" ]; then
  python3 -m pip download -q --no-deps --only-binary :all: -d "$work" "mlx-cpu==$MLX_VERSION" ||
    fail "cannot download mlx-cpu==$MLX_VERSION from PyPI"
  rm -rf "$work/wheel" && mkdir -p "$work/wheel"
  python3 -m zipfile -e "$work"/mlx_cpu-"$MLX_VERSION"-*.whl "$work/wheel"
fi
mlx_lib="$work/wheel/mlx/lib"
glibc_needed=$(objdump -T "$mlx_lib/libmlx.so" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "build-mlx: libmlx.so needs $glibc_needed; this system has glibc $(ldd --version | head -1 | awk '{print $NF}')"
if ldd "$mlx_lib/libmlx.so" | grep -q 'not found'; then
  ldd "$mlx_lib/libmlx.so" | grep 'not found' >&2
  fail "libmlx.so from the wheel does not load here"
fi

# 2. The toolchain file that turns mlx-c's FetchContent of MLX into find_package(MLX).
cat > "$work/toolchain.cmake" <<CMAKE
set(MLX_C_USE_SYSTEM_MLX ON CACHE BOOL "" FORCE)
set(MLX_DIR "$work/wheel/mlx/share/cmake/MLX" CACHE PATH "" FORCE)
set(MLX_C_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
CMAKE

# 3. The probe crate (in target/, so not committed) and the crates it needs, from crates.io.
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
half = "2"
[workspace]
TOML
cat > "$work/probe/src/main.rs" <<'RUST'
// Real compute on MLX's CPU device, checked against values computed here: an array, a matmul,
// the fused RMSNorm, float16/bfloat16 read-back and random draws.
use mlx_rs::{fast, Array, Device, DeviceType};

// mlx-rs 0.33's random.rs seeds its default key from mach_approximate_time(), a macOS call
// (mach-sys declares it on every target; Linux has none). A program that draws random numbers
// without a key (random::normal, nn layer initialisation...) fails to link without this stand-in.
#[no_mangle]
pub extern "C" fn mach_approximate_time() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    Device::set_default(&Device::new(DeviceType::Cpu, 0));
    let a = Array::from_slice(&[1.0f32, 2.0], &[2]);
    println!("array: {a:?}");

    let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let w = Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0], &[3, 2]);
    let y = x.matmul(&w)?;
    y.eval()?;
    println!("matmul [2,3]x[3,2]: {:?}", y.as_slice::<f32>());
    assert_eq!(y.as_slice::<f32>(), &[4.0, 5.0, 10.0, 11.0]);

    let gamma = Array::from_slice(&[1.0f32, 2.0, 0.5], &[3]);
    let n = fast::rms_norm(&x, Some(&gamma), 1e-6)?;
    n.eval()?;
    let got = n.as_slice::<f32>();
    println!("fast::rms_norm: {got:?}");
    let rows = [[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let g = [1.0f32, 2.0, 0.5];
    for (r, row) in rows.iter().enumerate() {
        let rms = (row.iter().map(|v| v * v).sum::<f32>() / 3.0 + 1e-6).sqrt();
        for c in 0..3 {
            let want = row[c] / rms * g[c];
            assert!((got[r * 3 + c] - want).abs() < 1e-5, "rms_norm[{r},{c}] = {} != {want}", got[r * 3 + c]);
        }
    }
    // float16 and bfloat16 go through the accessors half.h's fallback declares off ARM.
    let h = x.as_type::<half::f16>()?;
    h.eval()?;
    println!("as f16: {:?}", h.as_slice::<half::f16>());
    assert_eq!(h.as_slice::<half::f16>()[5], half::f16::from_f32(6.0));
    let b = x.sum(None)?.as_type::<half::bf16>()?;
    println!("sum as bf16 item: {}", b.item::<half::bf16>());
    assert_eq!(b.item::<half::bf16>(), half::bf16::from_f32(21.0));
    let r = mlx_rs::random::normal::<f32>(&[1000][..], None, None, None)?;
    let mean = r.mean(None)?.item::<f32>();
    println!("random::normal, 1000 draws: mean {mean}");
    assert!(mean.abs() < 0.2);
    println!("mlx-probe: ok");
    Ok(())
}
RUST
cargo fetch -q --manifest-path "$work/probe/Cargo.toml" || fail "cargo fetch of mlx-rs $MLX_RS_VERSION failed"

# 3a. The patched copy of mlx-sys, made from the registry's pristine source.
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/mlx-sys-"$MLX_SYS_VERSION" 2>/dev/null | head -1 || true)
[ -n "$src" ] || fail "mlx-sys $MLX_SYS_VERSION is not in the cargo registry after cargo fetch"
mlx_tag=$(grep -o 'GIT_TAG v[0-9.]*' "$src/src/mlx-c/CMakeLists.txt" | cut -c10-)
[ "$mlx_tag" = "$MLX_VERSION" ] ||
  fail "mlx-sys $MLX_SYS_VERSION's mlx-c is written for MLX $mlx_tag, the wheel is $MLX_VERSION: set MLX_VERSION=$mlx_tag"
# Patched in a fresh copy, which replaces the last one only when it differs, so that a rerun
# does not make cargo rebuild mlx-sys and mlx-c (a few minutes here).
patched="$work/mlx-sys-patched.new"
rm -rf "$patched" && cp -r "$src" "$patched" && chmod -R u+w "$patched"

# mlx-c 0.32.2 formats its io errors with std::format (C++20 <format>), which libstdc++ has only
# from GCC 13; Debian 12 has GCC 12. mlx-c must use the same C++ library as libmlx.so
# (libstdc++: its C++ API passes std::string, std::vector...), so a newer libc++ is no way out;
# the five calls, all plain "{}" substitutions, get a small stand-in instead.
if ! echo '#include <format>' | c++ -std=c++20 -x c++ -fsyntax-only - 2>/dev/null; then
  echo "build-mlx: $(c++ --version | head -1) has no <format>; mlx-c's io.h gets a stand-in for std::format"
  python3 - "$patched/src/mlx-c/mlx/c/private/io.h" <<'PY' || fail "cannot patch mlx-c's io.h (mlx-sys changed?)"
import sys
path = sys.argv[1]
text = open(path).read()
anchor = "#include <streambuf>\n"
assert anchor in text and text.count("std::format(") == 5, "io.h is not the one this patch knows"
helper = anchor + '''#include <sstream>
#include <string_view>

// build-mlx.sh: std::format stand-in for libstdc++ without <format> (each "{}" takes one argument).
namespace {
inline void mlxc_format_to(std::ostringstream& out, std::string_view fmt) { out << fmt; }
template <typename T, typename... Rest>
void mlxc_format_to(std::ostringstream& out, std::string_view fmt, const T& first, const Rest&... rest) {
  auto at = fmt.find("{}");
  if (at == std::string_view::npos) { out << fmt; return; }
  out << fmt.substr(0, at) << first;
  mlxc_format_to(out, fmt.substr(at + 2), rest...);
}
template <typename... Args>
std::string mlxc_format(std::string_view fmt, const Args&... args) {
  std::ostringstream out;
  mlxc_format_to(out, fmt, args...);
  return out.str();
}
} // namespace
'''
text = text.replace(anchor, helper, 1).replace("std::format(", "mlxc_format(")
open(path, "w").write(text)
PY
fi

# mlx-c declares its float16/bfloat16 accessors (mlx_array_item_float16, mlx_array_data_bfloat16...)
# only on ARM, where the C types __fp16 and __bf16 exist; mlx-rs calls them unconditionally. On
# other targets half.h gets the same two-byte types: for bindgen (clang, parsing C) float16_t is
# __fp16, which clang has as a storage-only type on every target and bindgen turns into the
# __BindgenFloat16(u16) mlx-rs reads, and bfloat16_t is uint16_t (bindgen's u16, what it makes of
# __bf16 too); for the C++ side (g++, which has no __fp16 off ARM) both are uint16_t: array.cpp
# only copies the bits out (array::item<T> and data<T> reinterpret the buffer).
python3 - "$patched/src/mlx-c/mlx/c/half.h" <<'PY' || fail "cannot patch mlx-c's half.h (mlx-sys changed?)"
import sys
path = sys.argv[1]
text = open(path).read()
anchor = "#ifdef __cplusplus\n}\n#endif\n"
assert text.count(anchor) == 1 and "typedef __bf16 bfloat16_t;" in text, "half.h is not the one this patch knows"
fallback = '''/* build-mlx.sh: the same two-byte types off ARM (bits only). */
#include <stdint.h>
#ifndef HAS_FLOAT16
#define HAS_FLOAT16
#if defined(__clang__) && !defined(__cplusplus)
typedef __fp16 float16_t;
#else
typedef uint16_t float16_t;
#endif
#endif
#ifndef HAS_BFLOAT16
#define HAS_BFLOAT16
typedef uint16_t bfloat16_t;
#endif

'''
text = text.replace(anchor, fallback + anchor)
open(path, "w").write(text)
PY

# build.rs: on non-Apple targets link mlxc statically (cmake builds it so), the wheel's libmlx.so
# dynamically (found through MLX_SYS_LIB_DIR, set below), and libstdc++; skip the Apple
# frameworks, objc, libc++ and gguflib (an archive of MLX's own build tree, inside libmlx.so
# here). Bindgen is untouched, so bindings.rs is still generated. On Apple targets the printed
# lines are the original ones.
python3 - "$patched/build.rs" <<'PY' || fail "cannot patch mlx-sys's build.rs (mlx-sys changed?)"
import sys
path = sys.argv[1]
text = open(path).read()
def swap(old, new):
    global text
    assert text.count(old) == 1, f"build.rs: expected exactly one {old!r}"
    text = text.replace(old, new)
swap('''        println!("cargo:rustc-link-lib=static={library}");
    }
''', '''        if apple_target() {
            println!("cargo:rustc-link-lib=static={library}");
        } else if library == "mlxc" {
            println!("cargo:rustc-link-lib=static=mlxc");
        }
    }
    if !apple_target() {
        let lib_dir = env::var("MLX_SYS_LIB_DIR")
            .expect("MLX_SYS_LIB_DIR must name the directory of libmlx.so on non-Apple targets");
        println!("cargo:rustc-link-search=native={lib_dir}");
        println!("cargo:rustc-link-lib=dylib=mlx");
        println!("cargo:rustc-link-lib=dylib=stdc++");
        return;
    }
''')
swap('fn build_and_link_mlx_c() {', '''fn apple_target() -> bool {
    env::var("CARGO_CFG_TARGET_VENDOR").as_deref() == Ok("apple")
}

fn build_and_link_mlx_c() {''')
swap('fn main() {\n', 'fn main() {\n    println!("cargo:rerun-if-env-changed=MLX_SYS_LIB_DIR");\n'
     '    println!("cargo:rerun-if-env-changed=MLX_SYS_CMAKE_TOOLCHAIN_FILE");\n')
# The toolchain file reaches mlx-c's CMake build only: CMAKE_TOOLCHAIN_FILE in the environment
# would reach every crate built with the cmake crate (llama.cpp's too, rebuilding it).
swap('    let dst = config.build();\n', '''    if let Ok(file) = env::var("MLX_SYS_CMAKE_TOOLCHAIN_FILE") {
        config.define("CMAKE_TOOLCHAIN_FILE", file);
    }
    let dst = config.build();
''')
open(path, "w").write(text)
PY

if diff -rq "$patched" "$work/mlx-sys-patched" >/dev/null 2>&1; then
  rm -rf "$patched"
else
  rm -rf "$work/mlx-sys-patched" && mv "$patched" "$work/mlx-sys-patched"
fi

# cargo on this workspace with the patched mlx-sys; Cargo.lock as it was, whatever happens.
workspace_cargo() {
  cp Cargo.lock "$work/Cargo.lock.saved"
  trap 'cp "$work/Cargo.lock.saved" Cargo.lock' EXIT
  MLX_SYS_CMAKE_TOOLCHAIN_FILE="$work/toolchain.cmake" MLX_SYS_LIB_DIR="$mlx_lib" \
    LD_LIBRARY_PATH="$mlx_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    cargo --config "patch.crates-io.mlx-sys.path=\"$work/mlx-sys-patched\"" "$@"
}
case "$mode" in
  evalrun)
    workspace_cargo build --release --features candle,mlx
    echo "build-mlx: built target/release/evalrun with the mlx backend; it loads libmlx.so at run time:"
    echo "  LD_LIBRARY_PATH=$mlx_lib target/release/evalrun run --backend mlx ..."
    exit 0 ;;
  test)
    # The llama.cpp backend is the reference the generations are compared with.
    workspace_cargo test -p evalrun-backends --features mlx,llamacpp --lib --test mlx_vs_llamacpp -- "$@"
    exit 0 ;;
esac

# The probe takes the copy in place of crates.io's mlx-sys (added only now: cargo fetch above needs
# the pristine crate to make the copy from).
printf '[patch.crates-io]\nmlx-sys = { path = "../mlx-sys-patched" }\n' >> "$work/probe/Cargo.toml"

# 4. mlx-rs and the probe. The cmake crate builds mlx-c inside mlx-sys's OUT_DIR; its errors are
#    in the cargo log.
echo "build-mlx: building mlx-rs $MLX_RS_VERSION with the patched mlx-sys (log: $work/cargo-build.log)"
start=$SECONDS
if ! MLX_SYS_CMAKE_TOOLCHAIN_FILE="$work/toolchain.cmake" MLX_SYS_LIB_DIR="$mlx_lib" \
  cargo build --manifest-path "$work/probe/Cargo.toml" --target-dir "$work/probe-target" \
  >"$work/cargo-build.log" 2>&1; then
  grep -m8 -E '^error|error:|undefined (reference|symbol)' "$work/cargo-build.log" >&2 || tail -20 "$work/cargo-build.log" >&2
  fail "cargo build of the mlx-rs probe failed (log: $work/cargo-build.log)"
fi
echo "build-mlx: built in $((SECONDS - start)) s"
LD_LIBRARY_PATH="$mlx_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$work/probe-target/debug/mlx-probe" ||
  fail "the mlx-rs probe built but failed to run"
