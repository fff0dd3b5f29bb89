#!/usr/bin/env bash
# The README's test command: configure, build and run every ctest suite.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
jobs="$(nproc)"
cmake_bin=/usr/bin/cmake   # Debian's; a pip/pyenv cmake 4.x refuses old package configs

# Every relative link in the Markdown files resolves (seconds).
scripts/check-docs

"${cmake_bin}" -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
"${cmake_bin}" --build build -j "${jobs}"
ctest --test-dir build --output-on-failure -j "${jobs}"

# --- CUDA build (owned by the CUDA backend; docs/GPU.md) --------------------
# Compiles and links the engine with MBSERVE_WITH_CUDA=ON for sm_80 and sm_90,
# plus the CUDA tests and benchmark, and runs the CUDA tests: without a GPU
# they exit 77 and ctest reports them as skipped. cuBLASLt comes from the
# nvidia-cublas wheel when the toolkit lacks it (scripts/gpu/fetch-cublas.sh).
if [[ -x /usr/local/cuda/bin/nvcc ]]; then
  cuda_start=${SECONDS}
  scripts/gpu/fetch-cublas.sh
  "${cmake_bin}" -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMBSERVE_WITH_CUDA=ON -DMBSERVE_BUILD_SERVER=OFF -DMBSERVE_BUILD_BENCH=ON \
    -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc
  "${cmake_bin}" --build build-cuda -j "${jobs}" \
    --target engine_cuda_ops_test engine_cuda_model_test cuda_bench
  # -FA: the CPU fixture generator already ran in build/; the skipped GPU
  # tests do not need it.
  ctest --test-dir build-cuda --output-on-failure -R '^engine_cuda_' -FA '.*'
  echo "test.sh: CUDA build and tests took $((SECONDS - cuda_start)) s"
else
  echo "test.sh: WARNING: no nvcc at /usr/local/cuda/bin; the CUDA build was NOT checked"
fi
