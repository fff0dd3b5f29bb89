#!/usr/bin/env bash
# The test suites under sanitizers, built with clang beside build/:
#   build-asan  ASan + UBSan: the engine and tokenizer suites (every test
#               of build-asan but the model parity on the generated
#               fixtures; the server is not built there);
#   build-tsan  TSan: the server's unit tests (server_unit_tests: the
#               batcher's queue, engine and delivery threads against a fake
#               engine, its per-connection token shares and idle memory
#               release), with no suppressions.
# The gRPC end-to-end tests are not run under TSan: Debian's gRPC is not
# built with it, and every callback operation is handed from the thread
# that starts it to the gRPC thread that completes it through gRPC core's
# uninstrumented completion queue, so TSan reports the call's own objects
# (reactors, operation sets, completion tags) built on one thread and used
# on the other, which no suppression narrower than gRPC's callback handlers
# (which run mbserve's reactors too) can silence.
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
  /usr/bin/cmake --build build-tsan -j "${jobs}" --target server_unit_tests
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir build-tsan --output-on-failure -j "${jobs}" -R '^server_unit\.'
  echo "sanitizers.sh: TSan build and tests took $((SECONDS - tsan_start)) s"
fi
