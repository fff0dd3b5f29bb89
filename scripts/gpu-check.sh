#!/usr/bin/env bash
# The CUDA backend's evidence, on a bare GPU host (nvcc, CMake, ninja, a C++
# compiler, python3 with torch + transformers; no package manager, no
# network). Needs third_party/debs carried with the tree (made here by
# scripts/gpu/prepare-third-party.sh). In order:
#   1. builds the engine, the CUDA tests and the benchmark (build-gpu/, sm_90
#      unless MBSERVE_CUDA_ARCHITECTURES says otherwise);
#   2. every CUDA op against the CPU op (bf16, fp16), the flash kernel
#      against the simple kernel up to 8192 tokens;
#   3. the whole model against the CPU engine in float32 on every parity
#      fixture (pooled cosine >= 0.9999, worst per-token error printed) and
#      batch invariance on the GPU;
#   4. the benchmark beside transformers (bench/gpu_bench.py).
# Results go to $OUT (default out/gpu-check): gpu-check.log (everything),
# tests.log, bench.md, bench.json. Exit status 0 only if every step passed.
#   usage: OUT=/some/dir scripts/gpu-check.sh [--skip-bench]
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
out="${OUT:-${repo_root}/out/gpu-check}"
mkdir -p "${out}"
build="${repo_root}/build-gpu"
archs="${MBSERVE_CUDA_ARCHITECTURES:-90}"
skip_bench=0
[[ "${1:-}" == "--skip-bench" ]] && skip_bench=1
command -v nvcc >/dev/null || export PATH="${PATH}:/usr/local/cuda/bin"

passed=0
failed=0
step() {  # step NAME COMMAND...: runs, times and counts one step
  local name="$1" start=${SECONDS} status
  shift
  echo "=== ${name}"
  "$@"
  status=$?
  if [[ ${status} -eq 0 ]]; then
    passed=$((passed + 1))
    echo "=== ${name}: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "=== ${name}: FAILED with status ${status} ($((SECONDS - start)) s)"
  fi
  return ${status}
}

describe_host() {
  date -u
  nvidia-smi -L || true
  nvcc --version | tail -1 || true
  cmake --version | head -1
  "${CXX:-c++}" --version | head -1
  python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__)' || true
  grep PRETTY_NAME /etc/os-release || true
}

build_all() {
  scripts/gpu/configure.sh "${build}" -DMBSERVE_CUDA_ARCHITECTURES="${archs}" >"${out}/configure.log" 2>&1 ||
    { tail -40 "${out}/configure.log"; return 1; }
  cmake --build "${build}" -j "$(nproc)" --target engine_cuda_ops_test engine_cuda_model_test cuda_bench
}

run_tests() {
  # shellcheck disable=SC1091
  source "${build}/env.sh"
  # The fixture generator (transformers on torch CPU) runs first as the
  # model test's ctest fixture. A skip here means no GPU was seen: a failure.
  ctest --test-dir "${build}" -R '^engine_cuda_' -V 2>&1 | tee "${out}/tests.log"
  local status=${PIPESTATUS[0]}
  if grep -q "(Skipped)\|SKIPPED: no CUDA device" "${out}/tests.log"; then
    echo "gpu-check: the CUDA tests were skipped: no usable GPU"
    return 1
  fi
  grep -E "^\[cuda-model\]|^\[cuda-invariance\]" "${out}/tests.log" || true
  return "${status}"
}

run_bench() {
  # shellcheck disable=SC1091
  source "${build}/env.sh"
  PYTHONUNBUFFERED=1 python3 bench/gpu_bench.py --binary "${build}/bench/cuda_bench" \
    --work "${build}/bench-work" --out "${out}"
}

main() {
  describe_host
  if step "build (sm_${archs})" build_all; then
    step "tests: ops, model vs CPU f32, batch invariance" run_tests
    if [[ ${skip_bench} -eq 0 ]]; then step "benchmark beside transformers" run_bench; fi
  fi
  echo "gpu-check: ${passed} passed, ${failed} failed (${SECONDS} s); results in ${out}"
  [[ ${failed} -eq 0 ]]
}

# Through a pipe rather than exec > >(tee): the log is complete when the
# script returns.
main 2>&1 | tee "${out}/gpu-check.log"
exit "${PIPESTATUS[0]}"
