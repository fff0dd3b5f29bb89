#!/usr/bin/env bash
# The README's test command: configure, build and run every ctest suite.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
jobs="$(nproc)"
cmake_bin=/usr/bin/cmake   # Debian's; a pip/pyenv cmake 4.x refuses old package configs

# Every relative link in the Markdown files resolves, and every C++ file is
# clang-formatted (seconds).
scripts/check-docs
scripts/check-format

"${cmake_bin}" -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
"${cmake_bin}" --build build -j "${jobs}"
ctest --test-dir build --output-on-failure -j "${jobs}"

# --- Sanitizers and fuzzers (docs/SERVER.md, fuzz/) -------------------------
# ASan+UBSan on the engine and tokenizer suites, then each libFuzzer target
# for 25 s (the fuzzers reuse build-asan), then TSan on the server's unit
# tests and its gRPC end-to-end tests (build-tsan; scripts/sanitizers.sh says
# how TSan is told about Debian's uninstrumented gRPC).
# Each step has a hard bound so CI stays within its budget; the times are
# printed.
sanitizers_start=${SECONDS}
timeout 1500 scripts/sanitizers.sh asan
timeout 600 fuzz/run-ci.sh
timeout 1200 scripts/sanitizers.sh tsan
echo "test.sh: sanitizers and fuzzers took $((SECONDS - sanitizers_start)) s"

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

# --- Container images and Compose (docs/DEPLOY.md, "The smoke test") -------
# docker-compose.yml must satisfy Compose v1 and v2 (v2 fetched from Debian's
# mirror). Then both images are built with a Docker daemon of its own and
# checked as they are deployed: mbserve:cpu serves the tiny model (healthy,
# Info/Embed/Classify from build/client/mbserve-cli, /metrics, uid 10001, no
# compilers, read-only root, no capabilities, SIGTERM exit 0 within 10 s);
# mbserve:cuda, built second so that its compile step takes the CPU build's
# objects from their shared ccache and nvcc is most of its cost, links and,
# without a GPU, stops with the "no CUDA driver/device" error. Each step has
# a hard bound, sized for CI's otherwise idle 2-core machine; a step cut off
# fails the run. Cold, on a 2-core machine shared with other builds (load
# average 5 to 12), this section took 1037 s: the CPU image 791 s, the CUDA
# image 231 s (deploy/results/test-sh-containers-cold-2026-12-02.txt). Only
# where Docker cannot run at all does the smoke test print a WARNING and
# check nothing.
timeout 300 scripts/compose-check.sh
cpu_image_start=${SECONDS}
timeout --kill-after=30 1200 scripts/docker-smoke.sh cpu
echo "test.sh: CPU image smoke test took $((SECONDS - cpu_image_start)) s"
cuda_image_start=${SECONDS}
timeout --kill-after=30 600 scripts/docker-smoke.sh cuda
echo "test.sh: CUDA image smoke test took $((SECONDS - cuda_image_start)) s"
echo "test.sh: passed in ${SECONDS} s"
