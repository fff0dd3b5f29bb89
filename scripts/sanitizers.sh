#!/usr/bin/env bash
# The test suites under sanitizers, built with clang beside build/:
#   build-asan  ASan + UBSan: the engine and tokenizer suites (every test
#               of build-asan but the model parity on the generated
#               fixtures; the server is not built there);
#   build-tsan  TSan: the server's unit tests (server_unit_tests: the
#               batcher's queue, engine and delivery threads against a fake
#               engine, its per-connection token shares and idle memory
#               release), with no suppressions; then the gRPC end-to-end
#               suites (server_rpc_test, server_ops_test,
#               server_concurrency_test: every RPC, streams, cancellation,
#               deadlines, overload, shutdown, 32 concurrent clients).
# Debian's gRPC and abseil are not built with TSan, so for the end-to-end
# suites TSan is told what it cannot see, and nothing of mbserve's code is
# silenced:
#   - gRPC's header code compiled into mbserve is left uninstrumented like
#     the rest of gRPC (scripts/tsan-ignorelist.txt), and calls from the
#     uninstrumented libraries into TSan's interceptors (malloc, memcpy,
#     epoll) are not checked (ignore_noninstrumented_modules=1);
#   - mbserve's reactors tell TSan the order gRPC's callback API documents
#     between an operation and its reaction (server/tsan_handoff.h);
#   - what remains is gRPC's own per-call bookkeeping, touched through
#     instrumented libstdc++ templates: scripts/tsan-suppressions.txt names
#     each gRPC function concerned and why.
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
  # The older spelling of -fsanitize-ignorelist, the one whose file ccache
  # 4.7 hashes (so an edited list is never served from the cache).
  configure_sanitizer_build build-tsan \
    "-fsanitize=thread -fsanitize-blacklist=${root}/scripts/tsan-ignorelist.txt" > /dev/null
  /usr/bin/cmake --build build-tsan -j "${jobs}" \
    --target server_unit_tests server_rpc_test server_ops_test server_concurrency_test
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir build-tsan --output-on-failure -j "${jobs}" -R '^server_unit\.'
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ignore_noninstrumented_modules=1 suppressions=${root}/scripts/tsan-suppressions.txt" \
    ctest --test-dir build-tsan --output-on-failure -j "${jobs}" \
    -R '^server_(rpc|ops|concurrency)_test\.'
  echo "sanitizers.sh: TSan build and tests took $((SECONDS - tsan_start)) s"
fi
