#!/usr/bin/env bash
# Installs every system and Python dependency mbserve needs on Debian 12 or 13.
# Safe to run twice: apt and pip skip what is already there, the venv is reused.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MBSERVE_VENV:-${repo_root}/.venv}"

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

debian_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libspdlog-dev libfmt-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  nlohmann-json3-dev libpcre2-dev
  python3 python3-venv python3-dev
  clang libclang-rt-dev clang-format
  prometheus
  # The container images' build and smoke test (scripts/docker-smoke.sh) and
  # the Compose v1 check of docker-compose.yml.
  docker.io debootstrap docker-compose iproute2
)

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${debian_packages[@]}"

# The project's Python: reference fixtures (transformers on torch CPU), the
# tokenizer parity corpus, the Python gRPC client and its tests.
python_bin="$(command -v python3.11 || command -v python3)"
if [[ ! -x "${venv}/bin/python" ]]; then
  "${python_bin}" -m venv "${venv}"
fi
"${venv}/bin/pip" install -q --upgrade pip
# torch 2.13.0 is the CPU build this machine kind carries on disk; any other
# pin would pull a multi-GB CUDA build.
"${venv}/bin/pip" install -q -r "${repo_root}/scripts/requirements.txt"
echo "setup: done (venv at ${venv})"
