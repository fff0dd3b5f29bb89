#!/usr/bin/env bash
# The README's test command: configure, build and run every ctest suite.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
jobs="$(nproc)"
cmake_bin=/usr/bin/cmake   # Debian's; a pip/pyenv cmake 4.x refuses old package configs

"${cmake_bin}" -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
"${cmake_bin}" --build build -j "${jobs}"
ctest --test-dir build --output-on-failure -j "${jobs}"
