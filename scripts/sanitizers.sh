#!/usr/bin/env bash
# The test suites under sanitizers, built with clang beside build/:
#   build-asan  ASan + UBSan: the engine and tokenizer suites (every test
#               of build-asan but the model parity on the generated
#               fixtures; the server is not built there);
#   build-tsan  TSan: the server's concurrency tests (server_concurrency_test
#               and the batcher's unit tests) on the tiny generated models,
#               with scripts/tsan.supp for Debian's uninstrumented gRPC and
#               abseil only.
# The engine's CPU threads come from libgomp, also uninstrumented; the
# server test harness runs the engine on one thread, so TSan checks the
# server's own threads.
#   scripts/sanitizers.sh [asan|tsan|all]   (default: all)
set -euo pipefail
which="${1:-all}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"
# shellcheck source=sanitizer-build.sh
source scripts/sanitizer-build.sh
jobs="$(nproc)"

if [[ "${which}" == asan || "${which}" == all ]]; then
  asan_start=${SECONDS}
  configure_asan_build > /dev/null
  /usr/bin/cmake --build build-asan -j "${jobs}"
  # Left to the plain build, because under ASan each takes many minutes: the
  # parity tests on the generated model fixtures (sequences of 8192 tokens,
  # so neither they nor the fixture generator run here) and the batch
  # invariance test (hundreds of batches, bitwise comparisons; the same code
  # paths run under ASan in the committed-fixture parity and the
  # sequence-failure tests). The tokenizer's parity corpus is the one
  # test.sh's main ctest run made, when it exists.
  skip='^generate_model_fixtures$|ParityTest\.[A-Za-z0-9]+/Generated|(^|/)BatchInvarianceTest\.'
  if [[ -d tests/data/generated/tokenizer ]]; then
    skip+='|^tokenizer_parity_fixtures$'
fi
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "${jobs}" -E "${skip}" -FA "${skip}"
echo "sanitizers.sh: ASan+UBSan build and tests took $((SECONDS - asan_start)) s"
fi

if [[ "${which}" == tsan || "${which}" == all ]]; then
  tsan_start=${SECONDS}
  configure_sanitizer_build build-tsan "-fsanitize=thread" > /dev/null
  /usr/bin/cmake --build build-tsan -j "${jobs}" --target server_concurrency_test server_unit_tests
  TSAN_OPTIONS="suppressions=${root}/scripts/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir build-tsan --output-on-failure -j "${jobs}" \
    -R '^(server_make_tiny_|server_concurrency_test\.|server_unit\.Batcher)'
  echo "sanitizers.sh: TSan build and tests took $((SECONDS - tsan_start)) s"
fi
