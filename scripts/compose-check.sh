#!/usr/bin/env bash
# Checks that docker-compose.yml is accepted by both Compose generations, as
# its header promises: v1 (`docker-compose` 1.29, Debian 12's package) and v2
# (`docker compose`, the Docker CLI plugin). Debian 12 has no v2, so this
# takes Debian 13's `docker-compose` package (v2, one static binary) with
# apt-get download from the Debian mirror the system's apt uses, through a
# private apt configuration (the system's sources are left alone), and runs
# it as the CLI plugin of Debian's docker client. Both must accept the file as
# it is and with the cpu profile, and list all four services with that
# profile; v2, which honours profiles in `config` (v1 does not), must leave
# mbserve-cpu out without it. The plugin is kept in out/compose-v2.
#
# Usage: scripts/compose-check.sh
# Needs docker-compose and /usr/bin/docker (docker.io), apt-get and dpkg-deb;
# where v2 cannot be fetched it prints a WARNING and checks v1 only.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
work="${repo_root}/out/compose-v2"
suite=trixie  # Debian 13, the first release whose docker-compose is v2

say() { echo "compose-check: $*"; }
fail() {
  echo "compose-check: FAILED: $*" >&2
  exit 1
}

# The services a Compose prints for docker-compose.yml: COMPOSE... PROFILE_ARGS...
services() {
  local -a compose=()
  while [[ $1 != -- ]]; do compose+=("$1"); shift; done
  shift
  MBSERVE_MODEL_DIR="${repo_root}" "${compose[@]}" -f docker-compose.yml "$@" config -q ||
    fail "${compose[*]} rejects docker-compose.yml"
  MBSERVE_MODEL_DIR="${repo_root}" "${compose[@]}" -f docker-compose.yml "$@" config --services |
    sort | tr '\n' ' '
}

# Compose v2 as the docker client's plugin, in a client configuration of its
# own ($DOCKER_CONFIG/cli-plugins). Prints nothing where it cannot be had.
fetch_v2() {
  local plugin="${work}/config/cli-plugins/docker-compose"
  if [[ ! -x ${plugin} ]]; then
    local mirror
    # shellcheck disable=SC1091,SC2016  # os-release's variables; apt's own $(...) fields
    mirror="$(. /etc/os-release && apt-get indextargets --format '$(REPO_URI) $(RELEASE)' |
      awk -v release="${VERSION_CODENAME}" '$2 == release { print $1; exit }')"
    [[ -n ${mirror} ]] || return 0
    mkdir -p "${work}/apt/lists/partial" "${work}/apt/archives/partial" "${work}/config/cli-plugins"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} ${suite} main" \
      > "${work}/apt/sources.list"
    local -a apt_options=(-o "Dir::Etc::SourceList=${work}/apt/sources.list"
      -o Dir::Etc::SourceParts=/nonexistent -o "Dir::State::Lists=${work}/apt/lists"
      -o "Dir::Cache=${work}/apt" -o APT::Sandbox::User=root)
    apt-get "${apt_options[@]}" update > "${work}/apt.log" 2>&1 || return 0
    (cd "${work}" && apt-get "${apt_options[@]}" download docker-compose >> "${work}/apt.log" 2>&1) ||
      return 0
    dpkg-deb -x "${work}"/docker-compose_*.deb "${work}/package"
    cp "${work}/package/usr/libexec/docker/cli-plugins/docker-compose" "${plugin}"
    rm -rf "${work}/package" "${work}"/docker-compose_*.deb "${work}/apt/lists"
  fi
  echo "${work}/config"
}

command -v docker-compose >/dev/null || fail "no docker-compose (apt-get install docker-compose)"
v1=(docker-compose)
say "v1: $("${v1[@]}" version --short)"
all_services="grafana mbserve mbserve-cpu prometheus "
services "${v1[@]}" -- >/dev/null
[[ $(services "${v1[@]}" -- --profile cpu) == "${all_services}" ]] || fail "v1: services differ"

config="$(fetch_v2)"
if [[ -z ${config} ]]; then
  echo "compose-check: WARNING: Compose v2 (Debian ${suite}'s docker-compose) could not be" \
    "fetched (no Debian mirror in apt's sources, or see ${work}/apt.log); only v1 was checked" >&2
  exit 0
fi
v2=(/usr/bin/docker --config "${config}" compose)
say "v2: $("${v2[@]}" version --short)"
[[ $(services "${v2[@]}" --) == "grafana mbserve prometheus " ]] ||
  fail "v2: the default services differ"
[[ $(services "${v2[@]}" -- --profile cpu) == "${all_services}" ]] || fail "v2: services differ"
say "docker-compose.yml accepted by Compose v1 and v2"
