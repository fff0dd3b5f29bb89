#!/usr/bin/env bash
# Configures the engine's CUDA build from what travels with the tree: the
# Debian packages in third_party/debs (scripts/gpu/prepare-third-party.sh)
# are unpacked with dpkg -x into BUILD_DIR/root and every dependency is found
# there, so the host needs only nvcc, CMake, ninja, a C++20 compiler with
# OpenMP and (for the benchmark) Python with torch and transformers.
# Writes BUILD_DIR/env.sh with the library path the binaries need.
#   usage: scripts/gpu/configure.sh BUILD_DIR [extra cmake arguments]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
debs="${repo_root}/third_party/debs"
root="${build}/root"
arch=x86_64-linux-gnu

if ! ls "${debs}"/*.deb >/dev/null 2>&1; then
  echo "configure: no ${debs}/*.deb; run scripts/gpu/prepare-third-party.sh where apt works," \
       "and carry third_party/" >&2
  exit 1
fi
if [[ ! -d "${root}/usr" ]]; then
  mkdir -p "${root}"
  for deb in "${debs}"/*.deb; do
    if command -v dpkg >/dev/null; then
      dpkg -x "${deb}" "${root}"
    else  # a .deb is an ar archive holding data.tar.*
      (cd "${build}" && ar x "${deb}" && tar -xf data.tar.* -C "${root}" && rm -f data.tar.* control.tar.* debian-binary)
    fi
  done
  # .pc files name /usr; point them at the unpacked tree.
  sed -i "s|^prefix=/usr|prefix=${root}/usr|" "${root}"/usr/lib/${arch}/pkgconfig/*.pc
fi
libs="${root}/usr/lib/${arch}"
export LD_LIBRARY_PATH="${libs}${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}"
export PKG_CONFIG_PATH="${libs}/pkgconfig"

# pkg-config: the host's if it has one, else the carried pkgconf.
pkg_config="$(command -v pkg-config || true)"
if [[ -z "${pkg_config}" ]] || ! "${pkg_config}" --version >/dev/null 2>&1; then
  pkg_config="${build}/pkg-config"
  cat > "${pkg_config}" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="${libs}" exec "${root}/usr/bin/pkgconf" "\$@"
WRAP
  chmod +x "${pkg_config}"
fi

# cuBLASLt: the toolkit's, else the one PyTorch ships (nvidia-cublas wheel),
# else third_party/cublas (scripts/gpu/fetch-cublas.sh).
cuda_root="$(dirname "$(dirname "$(readlink -f "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")")")"
cublas_args=()
shopt -s nullglob
toolkit_cublas=("${cuda_root}"/lib64/libcublasLt.so* "${cuda_root}"/targets/*/lib/libcublasLt.so*)
shopt -u nullglob
if [[ ${#toolkit_cublas[@]} -eq 0 || ! -f "${cuda_root}/include/cublasLt.h" &&
      -z "$(ls "${cuda_root}"/targets/*/include/cublasLt.h 2>/dev/null)" ]]; then
  cublas_root="${repo_root}/third_party/cublas"
  for py in python3 /usr/bin/python3; do
    found="$("${py}" -c 'import nvidia, os
for p in nvidia.__path__:
    d = os.path.join(p, "cu13")
    if os.path.exists(os.path.join(d, "include", "cublasLt.h")): print(d)' 2>/dev/null | head -1 || true)"
    if [[ -n "${found}" ]]; then cublas_root="${found}"; break; fi
  done
  cublas_args=(-DMBSERVE_CUBLAS_ROOT="${cublas_root}")
  export LD_LIBRARY_PATH="${cublas_root}/lib:${LD_LIBRARY_PATH}"
fi

cat > "${build}/env.sh" <<ENV
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH}"
ENV

cmake -S "${repo_root}" -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
  -DCMAKE_PREFIX_PATH="${root}/usr" \
  -DPKG_CONFIG_EXECUTABLE="${pkg_config}" \
  -DMBSERVE_WITH_CUDA=ON -DMBSERVE_BUILD_SERVER=OFF -DMBSERVE_BUILD_BENCH=ON \
  -DMBSERVE_PYTHON="$(command -v python3)" \
  -DCMAKE_CUDA_COMPILER="${cuda_root}/bin/nvcc" \
  "${cublas_args[@]}" "$@"
