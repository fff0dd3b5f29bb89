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
# tests (build-tsan; scripts/sanitizers.sh says why not the gRPC ones).
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

# --- Container images (docs/DEPLOY.md, "The smoke test") ---------------------
# Builds mbserve:cpu with a Docker daemon of its own and checks it as it is
# deployed: healthy, Info/Embed/Classify from build/client/mbserve-cli,
# /metrics, uid 10001, no compilers, read-only root and no capabilities,
# SIGTERM exit 0 within 10 s. Bounded so a hung build cannot eat CI's time;
# where Docker cannot run it prints a WARNING and checks nothing.
docker_start=${SECONDS}
timeout --kill-after=30 "${MBSERVE_DOCKER_SMOKE_TIMEOUT:-900}" scripts/docker-smoke.sh cpu
echo "test.sh: CPU image smoke test took $((SECONDS - docker_start)) s"

# The CUDA image compiles the server again, with nvcc, and downloads CUDA
# from PyPI: it runs only while this whole script stays within 45 minutes
# (MBSERVE_TEST_BUDGET seconds). Out of time, it is skipped with a WARNING
# (and cut off by its timeout, also with a WARNING); a failed check fails.
budget=${MBSERVE_TEST_BUDGET:-2700}
cuda_time=$(( budget - SECONDS ))
if (( cuda_time >= 600 )); then
  cuda_image_start=${SECONDS}
  status=0
  timeout --kill-after=30 "${cuda_time}" scripts/docker-smoke.sh cuda || status=$?
  if (( status == 124 || status == 137 )); then
    echo "test.sh: WARNING: the CUDA image build ran out of time (${cuda_time} s); NOT checked"
  elif (( status != 0 )); then
    exit "${status}"
  fi
  echo "test.sh: CUDA image smoke test took $((SECONDS - cuda_image_start)) s"
else
  echo "test.sh: WARNING: ${SECONDS} s used of ${budget}; the CUDA image was NOT built or checked"
fi
