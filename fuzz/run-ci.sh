#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/CMakeLists.txt) in build-asan with
# ASan + UBSan, and fuzzes each for a bounded time on its committed seed
# corpus (fuzz/corpus/<target>/, read only; new inputs go to
# build-asan/fuzz/work/<target>/). A crash, sanitizer report, timeout or
# runaway allocation fails the script and leaves the input in
# build-asan/fuzz/<target>-crash-*; such inputs become regression tests.
#   fuzz/run-ci.sh                  25 s per target
#   FUZZ_SECONDS=600 fuzz/run-ci.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"
# shellcheck source=../scripts/sanitizer-build.sh
source scripts/sanitizer-build.sh
seconds="${FUZZ_SECONDS:-25}"
targets=(config safetensors sentence_transformers tokenizer request)

build_start=${SECONDS}
configure_asan_build > /dev/null
/usr/bin/cmake --build build-asan -j "$(nproc)" --target "${targets[@]/%/_fuzz}"
echo "fuzz/run-ci.sh: building the fuzzers took $((SECONDS - build_start)) s"

failed=0
for name in "${targets[@]}"; do
  work="build-asan/fuzz/work/${name}"
  log="build-asan/fuzz/${name}.log"
  mkdir -p "${work}"
  # -rss_limit_mb and -malloc_limit_mb turn a runaway allocation into a
  # finding; -timeout one slow input.
  if ! "build-asan/fuzz/${name}_fuzz" -max_total_time="${seconds}" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
      -artifact_prefix="build-asan/fuzz/${name}-" "${work}" "fuzz/corpus/${name}" \
      > "${log}" 2>&1; then
    tail -n 60 "${log}"
    echo "fuzz/run-ci.sh: ${name}_fuzz FAILED; the input is in build-asan/fuzz/${name}-*"
    failed=1
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "${log}")"
  echo "fuzz/run-ci.sh: ${name}_fuzz ran ${execs:-?} inputs in ${seconds} s"
done
exit "${failed}"
