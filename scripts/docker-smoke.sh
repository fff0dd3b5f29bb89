#!/usr/bin/env bash
# Builds the container images and checks them the way they are deployed,
# with a Docker daemon of its own (Debian's docker.io; no image registry
# needed):
#
#   cpu   builds mbserve:cpu and runs it on the repository's tiny model with a
#         read-only root filesystem, every capability dropped and no new
#         privileges: it turns healthy; Info, Embed and Classify answer the
#         host's mbserve-cli; /metrics names the model; it runs as uid 10001
#         with no compiler in the image; SIGTERM stops it with status 0
#         within 10 s; a model file it cannot read stops it with a message
#         naming the file and the uid.
#   cuda  builds mbserve:cuda; without a GPU its binaries must link (every
#         library but the driver's found) and the server must stop with the
#         CUDA error; where Docker has the NVIDIA runtime and the host a GPU,
#         it serves the tiny model on the GPU and answers Embed.
#
# Usage: scripts/docker-smoke.sh [cpu] [cuda]   (default: cpu)
# Needs root, /usr/sbin/dockerd and /usr/bin/docker (docker.io), debootstrap,
# and build/client/mbserve-cli plus the tiny model the test suite makes
# (build/tests/server/tiny_models/classifier; made here when missing).
# The Debian base images (debian:bookworm, debian:bookworm-slim) are made with
# debootstrap and `docker import`ed; the root file system is cached in
# out/docker/bases. The daemon keeps its data in out/docker/data, so a rerun
# reuses the base images and the build cache (the later of the two variants
# takes the earlier one's compiled objects from their shared ccache, so build
# cpu first); it is stopped by its PID at the end. Each build prints its
# time, the image's size, its steps of 10 s or more and its ccache hits.
# Where Docker cannot run at all this prints a WARNING and exits 0.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
variants=("$@")
[[ ${#variants[@]} -gt 0 ]] || variants=(cpu)
work="${MBSERVE_DOCKER_WORK:-${repo_root}/out/docker}"
cli="${repo_root}/build/client/mbserve-cli"
model="${repo_root}/build/tests/server/tiny_models/classifier"
python="${repo_root}/.venv/bin/python"
docker=/usr/bin/docker  # Debian's client; it builds with BuildKit
export DOCKER_HOST="unix://${work}/docker.sock" DOCKER_BUILDKIT=1
bridge=mbserve-smoke0   # the daemon's own bridge, beside any system daemon's docker0
bridge_cidr=172.31.254.1/24
start=${SECONDS}

say() { echo "docker-smoke: $*"; }
skip() {
  echo "docker-smoke: WARNING: $*; the container images were NOT checked" >&2
  exit 0
}
fail() {
  echo "docker-smoke: FAILED: $*" >&2
  exit 1
}

# --- a Docker daemon of our own ----------------------------------------------
[[ $(id -u) -eq 0 ]] || skip "needs root to run dockerd"
[[ -x /usr/sbin/dockerd && -x ${docker} ]] || skip "no Docker (apt-get install docker.io)"
command -v debootstrap >/dev/null || skip "no debootstrap (apt-get install debootstrap)"

mkdir -p "${work}"
dockerd_pid=""
containers=()
stop_daemon() {
  for c in "${containers[@]}"; do "${docker}" rm -f "${c}" >/dev/null 2>&1 || true; done
  if [[ -n ${dockerd_pid} ]] && kill -0 "${dockerd_pid}" 2>/dev/null; then
    kill -TERM "${dockerd_pid}"
    for _ in $(seq 1 30); do kill -0 "${dockerd_pid}" 2>/dev/null || break; sleep 1; done
    kill -KILL "${dockerd_pid}" 2>/dev/null || true
  fi
  ip link delete "${bridge}" 2>/dev/null || true
}
trap stop_daemon EXIT
trap 'exit 143' TERM INT

if ! ip link show "${bridge}" >/dev/null 2>&1; then
  ip link add name "${bridge}" type bridge && ip addr add "${bridge_cidr}" dev "${bridge}" &&
    ip link set "${bridge}" up || skip "cannot create the network bridge ${bridge}"
fi
exec_root="$(mktemp -d /tmp/mbserve-dockerd.XXXXXX)"  # short: it holds unix sockets
/usr/sbin/dockerd --data-root "${work}/data" --exec-root "${exec_root}" \
  --pidfile "${work}/dockerd.pid" -H "${DOCKER_HOST}" --bridge "${bridge}" \
  --containerd-namespace mbserve-smoke --containerd-plugins-namespace mbserve-smoke-plugins \
  > "${work}/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 60); do
  "${docker}" info >/dev/null 2>&1 && break
  kill -0 "${dockerd_pid}" 2>/dev/null || break
  sleep 1
done
if ! "${docker}" info >/dev/null 2>&1; then
  tail -5 "${work}/dockerd.log" >&2
  skip "dockerd did not start (log: ${work}/dockerd.log)"
fi
say "dockerd $("${docker}" version --format '{{.Server.Version}}') up (pid ${dockerd_pid});" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

# --- Debian base images -------------------------------------------------------
if ! "${docker}" image inspect debian:bookworm debian:bookworm-slim >/dev/null 2>&1; then
  rootfs="${work}/bases/bookworm"
  if [[ ! -f ${work}/bases/bookworm.done ]]; then
    rm -rf "${rootfs}"
    mkdir -p "${work}/bases"
    debootstrap --variant=minbase bookworm "${rootfs}" http://deb.debian.org/debian \
      > "${work}/bases/debootstrap.log" 2>&1 || fail "debootstrap (log: ${work}/bases/debootstrap.log)"
    rm -rf "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/var/lib/apt/lists/*
    touch "${work}/bases/bookworm.done"
  fi
  tar -C "${rootfs}" -c . | "${docker}" import - debian:bookworm >/dev/null
  # -slim, like Debian's: no documentation, manual pages or translations.
  tar -C "${rootfs}" --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' \
    --exclude='./usr/share/locale/*' -c . | "${docker}" import - debian:bookworm-slim >/dev/null
  say "base images made with debootstrap ($((SECONDS - start)) s so far)"
fi

# --- what the checks use from the host ----------------------------------------
[[ -x ${cli} ]] || fail "${cli} not built (cmake --build build --target mbserve-cli)"
if [[ ! -f ${model}/config.json ]]; then
  "${python}" tests/reference/make_tiny_model.py --out "${model}" --head cls >/dev/null
fi

# The CA bundle pip uses here, lent to the CUDA build's wheel download (a
# TLS-inspecting proxy's CA is in it where there is one).
pip_ca="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
secret_args=()
[[ -f ${pip_ca} ]] && secret_args=(--secret "id=pip-ca,src=${pip_ca}")

build_image() {  # VARIANT
  local began=${SECONDS}
  "${docker}" build "${secret_args[@]}" --build-arg VARIANT="$1" -t "mbserve:$1" . \
    > "${work}/build-$1.log" 2>&1 ||
    { tail -30 "${work}/build-$1.log" >&2; fail "docker build of mbserve:$1 (log: ${work}/build-$1.log)"; }
  say "mbserve:$1 built in $((SECONDS - began)) s," \
    "$(( $("${docker}" image inspect -f '{{.Size}}' "mbserve:$1") / 1000000 )) MB; its steps over 10 s:"
  slow_steps < "${work}/build-$1.log"
  # The compile step's ccache statistics (the Dockerfile prints them).
  grep -E '^#[0-9]+ [0-9.]+ +(Hits|Misses): ' "${work}/build-$1.log" |
    sed -E 's/^#[0-9]+ [0-9.]+ +/docker-smoke:   ccache /' || true
}

# The build steps that took 10 s or more, from BuildKit's plain progress log
# on stdin ("#N [stage k/n] STEP" ... "#N DONE 12.3s"): where the time went.
slow_steps() {
  awk '$1 ~ /^#[0-9]+$/ && $2 !~ /^([0-9.]+|DONE|CACHED|ERROR)$/ && !($1 in step) {
         name = substr($0, length($1) + 2); gsub(/ +/, " ", name); step[$1] = substr(name, 1, 90) }
       $1 ~ /^#[0-9]+$/ && $2 == "DONE" && $3 + 0 >= 10 { printf "docker-smoke:   %6.0f s  %s\n", $3, step[$1] }'
}

json_field() {  # FIELD: prints field of the JSON document on stdin
  "${python}" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# A private copy of the model, model.safetensors with mode 0600 as
# safetensors writes it, owned by root: what uid 10001 cannot read.
private_model() {
  rm -rf "${work}/private-model"
  cp -r "${model}" "${work}/private-model"
  chmod 0600 "${work}/private-model/model.safetensors"
  echo "${work}/private-model"
}

check_cpu() {
  build_image cpu
  local image=mbserve:cpu name=mbserve-smoke-cpu
  [[ $("${docker}" image inspect -f '{{.Config.User}}' "${image}") == 10001:10001 ]] ||
    fail "${image} does not run as 10001:10001"
  local compilers
  compilers="$("${docker}" run --rm --entrypoint /bin/sh "${image}" -c \
    'for c in cc gcc g++ c++ clang cpp ld as make cmake ninja nvcc; do command -v "$c"; done' || true)"
  [[ -z ${compilers} ]] || fail "${image} has build tools: ${compilers}"
  say "runs as 10001:10001, no compilers"

  containers+=("${name}")
  "${docker}" run -d --name "${name}" --read-only --cap-drop ALL \
    --security-opt no-new-privileges -v "${model}:/models:ro" \
    -p 127.0.0.1::50051 -p 127.0.0.1::9000 "${image}" >/dev/null
  local status=""
  for _ in $(seq 1 90); do
    status="$("${docker}" inspect -f '{{.State.Health.Status}}' "${name}")"
    [[ ${status} == healthy || $("${docker}" inspect -f '{{.State.Running}}' "${name}") != true ]] && break
    sleep 2
  done
  [[ ${status} == healthy ]] || { "${docker}" logs "${name}" 2>&1 | tail -20 >&2; fail "${name} is ${status}"; }
  say "healthy (read-only root, all capabilities dropped)"

  local grpc metrics
  grpc="$("${docker}" port "${name}" 50051/tcp | head -1)"
  metrics="$("${docker}" port "${name}" 9000/tcp | head -1)"
  local info
  info="$("${cli}" info --address "${grpc}" --output json)"
  [[ $(json_field model_id <<< "${info}") == mbserve-tiny ]] ||
    fail "GetInfo names the model $(json_field model_id <<< "${info}"), not mbserve-tiny"
  [[ $(json_field device <<< "${info}") == cpu ]] || fail "GetInfo: device is not cpu"
  local embed classify
  embed="$("${cli}" embed --address "${grpc}" --output json "hello from the host" "a second text")"
  "${python}" -c 'import json, sys
response = json.load(sys.stdin)
assert len(response["embeddings"]) == 2, response
assert len(response["embeddings"][0]["values"]) == 64, "hidden size"' <<< "${embed}" ||
    fail "Embed answered ${embed:0:200}"
  classify="$("${cli}" classify --address "${grpc}" --output json --top-k 1 "great")"
  "${python}" -c 'import json, sys
label = json.load(sys.stdin)["results"][0]["scores"][0]["label"]
assert label in ("negative", "neutral", "positive"), label' <<< "${classify}" ||
    fail "Classify answered ${classify:0:200}"
  "${python}" -c 'import sys, urllib.request
text = urllib.request.urlopen(f"http://{sys.argv[1]}/metrics", timeout=10).read().decode()
assert "mbserve_requests_total" in text, "no request counter"
assert "model=\"mbserve-tiny\"" in text, "mbserve_model_info does not name mbserve-tiny"' \
    "${metrics}" || fail "/metrics on ${metrics}"
  say "Info, Embed and Classify from the host CLI, /metrics"

  local uid capabilities
  uid="$("${docker}" exec "${name}" id -u)"
  [[ ${uid} == 10001 ]] || fail "the server runs as uid ${uid}"
  capabilities="$("${docker}" exec "${name}" grep CapEff /proc/1/status | cut -f2)"
  [[ ${capabilities} == 0000000000000000 ]] || fail "effective capabilities ${capabilities}"
  if "${docker}" exec "${name}" touch /usr/local/bin/written 2>/dev/null; then
    fail "the root file system is writable"
  fi
  say "uid 10001, no capabilities, read-only root"

  local stop_began=${SECONDS} code
  "${docker}" stop -t 10 "${name}" >/dev/null
  code="$("${docker}" inspect -f '{{.State.ExitCode}}' "${name}")"
  [[ ${code} == 0 ]] || fail "SIGTERM: exit status ${code} (137: killed after 10 s)"
  say "SIGTERM: exit 0 in $((SECONDS - stop_began)) s"

  local log
  log="$("${docker}" run --rm -v "$(private_model):/models:ro" "${image}" 2>&1)" &&
    fail "the server started on a model it cannot read"
  grep -q 'cannot read /models/model.safetensors (mode 0600, owner uid 0 gid 0) as uid 10001' \
    <<< "${log}" || fail "unreadable model: ${log: -400}"
  say "a model file uid 10001 cannot read is named at start-up"
}

check_cuda() {
  build_image cuda
  local image=mbserve:cuda
  local unresolved
  unresolved="$("${docker}" run --rm --entrypoint /bin/sh "${image}" -c \
    'ldd /usr/local/bin/mbserve /usr/local/bin/mbserve-cli | grep "not found" | grep -v "libcuda\.so"' || true)"
  [[ -z ${unresolved} ]] || fail "${image}: unresolved libraries: ${unresolved}"
  "${docker}" run --rm --entrypoint /bin/sh "${image}" -c \
    'ldd /usr/local/bin/mbserve | grep -E "libcudart\.so\.13|libcublasLt\.so\.13"' |
    grep -c /usr/local/lib/mbserve | grep -qx 2 || fail "${image}: cudart or cuBLASLt not in the image"
  say "binaries link: cudart and cuBLASLt in the image, libcuda left to the driver"

  if nvidia-smi >/dev/null 2>&1 && "${docker}" info --format '{{json .Runtimes}}' | grep -q nvidia; then
    local name=mbserve-smoke-cuda
    containers+=("${name}")
    "${docker}" run -d --name "${name}" --gpus all --read-only --cap-drop ALL \
      -v "${model}:/models:ro" -p 127.0.0.1::50051 "${image}" >/dev/null
    local status=""
    for _ in $(seq 1 90); do
      status="$("${docker}" inspect -f '{{.State.Health.Status}}' "${name}")"
      [[ ${status} == healthy ]] && break
      sleep 2
    done
    [[ ${status} == healthy ]] || { "${docker}" logs "${name}" 2>&1 | tail -20 >&2; fail "${name} is ${status}"; }
    local grpc
    grpc="$("${docker}" port "${name}" 50051/tcp | head -1)"
    [[ $("${cli}" info --address "${grpc}" --output json | json_field device) == cuda:0 ]] ||
      fail "${image} does not serve on cuda:0"
    "${cli}" embed --address "${grpc}" --output json "on the GPU" >/dev/null
    "${docker}" stop -t 10 "${name}" >/dev/null
    say "served the tiny model on the GPU"
  else
    local log
    log="$("${docker}" run --rm -v "${model}:/models:ro" "${image}" 2>&1)" &&
      fail "${image} started without a GPU"
    grep -qE 'no CUDA driver|no CUDA device' <<< "${log}" || fail "no GPU: ${log: -400}"
    say "without a GPU: $(grep -oE '(no CUDA driver|no CUDA device)[^"]*' <<< "${log}" | head -1)"
    say "WARNING: no GPU and NVIDIA container runtime here; the CUDA image did not serve"
  fi
}

for variant in "${variants[@]}"; do
  variant_start=${SECONDS}
  case "${variant}" in
    cpu) check_cpu ;;
    cuda) check_cuda ;;
    *) fail "unknown variant ${variant} (cpu or cuda)" ;;
  esac
  say "mbserve:${variant} built and checked in $((SECONDS - variant_start)) s"
done
say "passed (${variants[*]}) in $((SECONDS - start)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
