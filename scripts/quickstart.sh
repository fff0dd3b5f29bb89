#!/usr/bin/env bash
# The README's run command: builds mbserve and mbserve-cli, makes a tiny
# ModernBERT checkpoint with a classification head (random weights, trained
# tokenizer), serves it, sends Info, Embed and Classify calls, prints the
# Prometheus metrics, and stops the server with SIGTERM.
#
#   scripts/quickstart.sh            (after scripts/setup.sh)
#
# MBSERVE_BUILD_DIR (default build) and MBSERVE_VENV (default .venv) move things.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
build="${MBSERVE_BUILD_DIR:-build}"
python="${MBSERVE_VENV:-${repo_root}/.venv}/bin/python"
model="${build}/quickstart/mbserve-tiny"
cmake_bin=/usr/bin/cmake   # Debian's; a pip cmake 4.x refuses old package configs

echo "== build"
"${cmake_bin}" -S . -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
"${cmake_bin}" --build "${build}" --target mbserve mbserve-cli -j "$(nproc)"

echo "== model"
if [[ ! -f "${model}/config.json" ]]; then
  "${python}" tests/reference/make_tiny_model.py --out "${model}" --head cls
fi

free_port() { "${python}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
metrics_port="$(free_port)"
http_port="$(free_port)"
address="127.0.0.1:${port}"
cli() { "${build}/client/mbserve-cli" "$1" --address "${address}" "${@:2}"; }

echo "== serve ${model} on ${address}, HTTP on :${http_port}, metrics on :${metrics_port}"
"${build}/server/mbserve" --model "${model}" --host 127.0.0.1 --port "${port}" \
  --metrics-port "${metrics_port}" --http-port "${http_port}" &
server_pid=$!
trap 'kill "${server_pid}" 2> /dev/null || true' EXIT
for _ in $(seq 1 120); do
  if cli health > /dev/null 2>&1; then break; fi
  if ! kill -0 "${server_pid}" 2> /dev/null; then echo "mbserve exited" >&2; exit 1; fi
  sleep 0.5
done
cli health

echo "== Info"
cli info
echo "== Embed (first values of each vector)"
cli embed "ModernBERT serves embeddings over gRPC." "A second, shorter input." --dimensions 8
echo "== Classify"
cli classify "what a wonderful day" --top-k 2
cli classify --pairs "what is rotary position embedding?" "RoPE rotates query and key vectors."

echo "== metrics (mbserve_* samples)"
"${python}" -c "import urllib.request, sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())" \
  "http://127.0.0.1:${metrics_port}/metrics" | grep '^mbserve_' | grep -v '_bucket{'

echo "== stop (SIGTERM)"
kill -TERM "${server_pid}"
wait "${server_pid}"
trap - EXIT
echo "quickstart: done"
