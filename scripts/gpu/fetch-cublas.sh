#!/usr/bin/env bash
# Puts cuBLASLt's header and library into third_party/cublas (git-ignored)
# when the CUDA toolkit at /usr/local/cuda has no cuBLAS (the development and
# CI machines' toolkit is nvcc + cudart only). Takes them from the
# nvidia-cublas wheel matching CUDA 13.0, through pip. Idempotent.
#   usage: scripts/gpu/fetch-cublas.sh [dest]   (default third_party/cublas)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="${1:-${repo_root}/third_party/cublas}"
version="${MBSERVE_CUBLAS_WHEEL_VERSION:-13.0.2.14}"

if [[ -f /usr/local/cuda/include/cublasLt.h ]] && ls /usr/local/cuda/lib64/libcublasLt.so* >/dev/null 2>&1; then
  echo "fetch-cublas: the CUDA toolkit has cuBLASLt; nothing to do"
  exit 0
fi
if [[ -f "${dest}/include/cublasLt.h" && -f "${dest}/lib/libcublasLt.so.13" ]]; then
  echo "fetch-cublas: ${dest} already holds cuBLASLt"
  exit 0
fi
python_bin="$(command -v python3)"
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
"${python_bin}" -m pip download -q --no-deps --only-binary=:all: \
  "nvidia-cublas==${version}" -d "${tmp}"
wheel="$(ls "${tmp}"/nvidia_cublas-*.whl)"
(cd "${tmp}" && "${python_bin}" -m zipfile -e "${wheel}" unpacked >/dev/null 2>&1 ||
  unzip -q "${wheel}" -d unpacked)
mkdir -p "${dest}/include" "${dest}/lib"
cp "${tmp}"/unpacked/nvidia/cu13/include/cublas*.h "${dest}/include/"
cp "${tmp}"/unpacked/nvidia/cu13/lib/libcublasLt.so.13 "${dest}/lib/"
echo "fetch-cublas: cuBLASLt ${version} in ${dest}"
