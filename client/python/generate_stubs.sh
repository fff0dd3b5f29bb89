#!/usr/bin/env bash
# Generates the Python messages and gRPC stubs of mbserve.v1 from proto/ with
# grpcio-tools. Usage: generate_stubs.sh [OUT_DIR]   (default: ./generated
# beside this script). Set PYTHON to use another interpreter than the
# project's venv. The output is a package tree (mbserve/v1/*_pb2*.py): put
# OUT_DIR on sys.path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${here}/../.." && pwd)"
python="${PYTHON:-${repo_root}/.venv/bin/python}"
out="${1:-${here}/generated}"

mkdir -p "${out}"
"${python}" -m grpc_tools.protoc \
  --proto_path="${repo_root}/proto" \
  --python_out="${out}" --pyi_out="${out}" --grpc_python_out="${out}" \
  "${repo_root}"/proto/mbserve/v1/*.proto
echo "generate_stubs: wrote ${out}/mbserve/v1"
