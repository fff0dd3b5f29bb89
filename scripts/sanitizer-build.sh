# Sourced by scripts/sanitizers.sh and fuzz/run-ci.sh: configures a clang
# build with sanitizers, so the ASan+UBSan build is shared by the test
# suites and the fuzzers (the engine and tokenizer compile once).
#   configure_sanitizer_build DIR "-fsanitize=..." [extra cmake args...]
# Debian's clang has no libomp, so OpenMP comes from GCC's libgomp, as in
# the GCC build. Its omp.h is copied into a folder of its own (GCC's include
# folder also holds GCC's intrinsics headers, which clang must not see),
# without the GCC-only __malloc__(deallocator) attribute clang rejects.
configure_sanitizer_build() {
  local dir="$1" sanitize="$2"
  shift 2
  local flags="${sanitize} -fno-omit-frame-pointer -g"
  local launcher=()
  if command -v ccache > /dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  local gomp omp_include="${dir}/libgomp-include"
  gomp="$(gcc -print-file-name=libgomp.so)"
  mkdir -p "${omp_include}"
  sed 's/__malloc__ (omp_free),* *//' "$(gcc -print-file-name=include)/omp.h" \
    > "${omp_include}/omp.h"
  CC=clang CXX=clang++ /usr/bin/cmake -S . -B "${dir}" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "${launcher[@]}" \
    -DCMAKE_C_FLAGS="${flags}" -DCMAKE_CXX_FLAGS="${flags}" \
    -DOpenMP_C_FLAGS=-fopenmp=libgomp -DOpenMP_CXX_FLAGS=-fopenmp=libgomp \
    -DOpenMP_C_INCLUDE_DIR="${PWD}/${omp_include}" -DOpenMP_CXX_INCLUDE_DIR="${PWD}/${omp_include}" \
    -DOpenMP_C_LIB_NAMES=gomp -DOpenMP_CXX_LIB_NAMES=gomp -DOpenMP_gomp_LIBRARY="${gomp}" \
    -DMBSERVE_BUILD_BENCH=OFF -DMBSERVE_WERROR=OFF "$@"
}

# The ASan+UBSan build: every library also carries libFuzzer's coverage
# instrumentation (fuzzer-no-link), which the test binaries simply ignore.
configure_asan_build() {
  configure_sanitizer_build build-asan \
    "-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined" \
    -DMBSERVE_BUILD_SERVER=OFF -DMBSERVE_BUILD_FUZZERS=ON "$@"
}
