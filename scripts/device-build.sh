#!/usr/bin/env bash
# On the GPU machine (see scripts/device-pack.sh), with .device/src carried: unpack the sources
# under /tmp/evalrun-device and build, in a session of its own so that the build goes on after
# this call returns (while the machine stays warm, as the model's pieces arrive):
#   - llama-batched-bench with CUDA, from llama-cpp-python's llama.cpp tree (the peer);
#   - libggml-cuda.so from evalrun's own ggml (scripts/build-cuda-backend.sh), put among the
#     back-end modules of the evalrun unpacked here (scripts/package-dynamic.sh).
# /tmp/evalrun-device/build.log is the log; build.done holds the exit status once it ends.
# With the builds of an earlier sitting (.device/src/builds.sha256; scripts/device-pack.sh), it
# builds nothing: scripts/device-recv.sh appends their pieces and unpacks them once all are there.
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/evalrun-device
mkdir -p "$W"
rm -rf "$W/llama" "$W/ggml-src" "$W/build.done" "$W/evalrun-x86_64-linux" "$W"/builds.* "$W/pieces"
tar -C "$W" -xJf .device/src/evalrun.tar.xz
cp scripts/build-cuda-backend.sh .device/src/model.sha256 .device/src/build.stamp "$W/"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
nvcc --version | tail -n 2
cmake --version | head -n 1
# evalrun starts here: no libpython, built for any x86-64.
"$W/evalrun-x86_64-linux/evalrun" --version || echo "device-build: evalrun does not start here" >&2
if [ -f .device/src/builds.sha256 ]; then
  cp .device/src/builds.sha256 "$W/"
  exec bash scripts/device-recv.sh
fi
mkdir -p "$W/llama" "$W/ggml-src"
tar -C "$W/llama" -xJf .device/src/llama-src.tar.xz
tar -C "$W/ggml-src" -xJf .device/src/ggml-src.tar.xz
JOBS=$(nproc)
# The steps run in a subshell, so that build.done is written whichever of them fails.
setsid bash -c "
  (
    set -ex
    cmake -S $W/llama -B $W/llama-build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_CUDA=ON \
      -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
      -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
    # One after the other: at once they took 8 min 27 s, against 3 min 49 s + 3 min 4 s.
    time cmake --build $W/llama-build -j$JOBS --target llama-batched-bench
    time CUDA_ARCHS=90 bash $W/build-cuda-backend.sh $W/ggml-src/ggml $W/cuda-backend
    cp $W/cuda-backend/libggml-cuda.so $W/evalrun-x86_64-linux/ggml-backends/
  ) > $W/build.log 2>&1
  echo \$? > $W/build.done
" < /dev/null > /dev/null 2>&1 &
echo "device-build: building in the background ($W/build.log)"
