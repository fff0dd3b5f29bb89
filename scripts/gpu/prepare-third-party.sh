#!/usr/bin/env bash
# Run HERE (a Debian 12 machine with apt), before carrying the tree to a bare
# GPU host. Downloads, without installing, the Debian packages the engine's
# GPU-side build needs beyond nvcc, CMake and a C++ compiler into
# third_party/debs (git-ignored): abseil (static + shared),
# nlohmann-json, GoogleTest/GoogleMock (static), PCRE2 and pkgconf (the
# top-level CMakeLists asks pkg-config for libpcre2-8). scripts/gpu-check.sh
# unpacks them with `dpkg -x` on the GPU host; nothing there is installed.
#   usage: scripts/gpu/prepare-third-party.sh
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="${repo_root}/third_party/debs"
packages=(
  libabsl-dev libabsl20220623
  nlohmann-json3-dev
  libgtest-dev libgmock-dev
  libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix3
  pkgconf-bin libpkgconf3
)
mkdir -p "${dest}"
cd "${dest}"
rm -f ./*.deb
if ! apt-get download "${packages[@]}" 2>/dev/null; then
  apt-get update -qq
  apt-get download "${packages[@]}"
fi
ls -1 "${dest}"/*.deb | wc -l | xargs echo "prepare-third-party: debs in ${dest}:"
du -sh "${dest}"
