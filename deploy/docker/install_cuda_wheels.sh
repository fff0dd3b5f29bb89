#!/bin/sh
# Lays out a CUDA 13.0 toolkit at PREFIX from NVIDIA's wheels on PyPI, as a
# regular install looks (bin/, include/, lib/ = lib64/, nvvm/, targets/): nvcc
# and what it runs, the runtime, the headers (cccl), and cuBLASLt. It is how
# the image gets CUDA where NVIDIA's registry and apt repositories cannot be
# reached; the versions are those of CUDA 13.0 Update 2, the release the
# engine's CUDA build is tested with. Each wheel's license ends up in
# PREFIX/licenses/<wheel>.txt.
# Usage: install_cuda_wheels.sh PREFIX   (needs python3 with pip, and unzip)
set -eu
prefix="$1"
wheels="
nvidia-cuda-nvcc==13.0.88
nvidia-cuda-crt==13.0.88
nvidia-nvvm==13.0.88
nvidia-cuda-runtime==13.0.96
nvidia-cuda-cccl==13.0.85
nvidia-cuda-culibos==13.0.85
nvidia-cublas==13.0.2.14
"
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
# shellcheck disable=SC2086  # one argument per wheel
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "${tmp}" ${wheels}
mkdir -p "${prefix}/licenses"
for wheel in "${tmp}"/*.whl; do
  name="$(basename "${wheel}" | cut -d- -f1)"
  unzip -q -o "${wheel}" 'nvidia/cu13/*' -d "${tmp}/unpacked"
  unzip -q -p "${wheel}" '*.dist-info/licenses/License.txt' > "${prefix}/licenses/${name}.txt"
done
rm -rf "${tmp}/unpacked/nvidia/cu13/.metadata"  # NVIDIA's packaging records
cp -a "${tmp}/unpacked/nvidia/cu13/." "${prefix}/"
# The wheels ship versioned sonames only; the linker wants the plain names.
for lib in "${prefix}"/lib/lib*.so.*; do
  ln -sf "$(basename "${lib}")" "${prefix}/lib/$(basename "${lib}" | sed 's/\.so\..*/.so/')"
done
ln -sfn lib "${prefix}/lib64"
mkdir -p "${prefix}/targets/x86_64-linux"
ln -sfn ../../include "${prefix}/targets/x86_64-linux/include"
ln -sfn ../../lib "${prefix}/targets/x86_64-linux/lib"
"${prefix}/bin/nvcc" --version | tail -2
