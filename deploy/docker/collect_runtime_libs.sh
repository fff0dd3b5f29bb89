#!/bin/sh
# Gathers what the runtime image needs besides the binaries, so it needs no
# -dev packages and no guess at runtime package names, which differ between
# Debian and Ubuntu (the t64 renames):
#   OUT_DIR/lib/   the shared libraries the binaries load, transitively as
#                  ldd resolves them here, the CUDA runtime and cuBLASLt
#                  included (to be found through ld.so.conf; the Dockerfile
#                  drops those the runtime base has itself).
# Left out: the C and C++ runtime that every base image has, and the
# driver's libcuda, which the NVIDIA container runtime mounts from the host.
# Usage: collect_runtime_libs.sh OUT_DIR BINARY...
set -eu
out="$1"
shift
binaries="$*"
mkdir -p "${out}/lib"

# shellcheck disable=SC2086  # word lists on purpose
missing="$(ldd ${binaries} | grep 'not found' | grep -v 'libcuda\.so' || true)"
if [ -n "${missing}" ]; then
  echo "collect_runtime_libs: unresolved libraries:" >&2
  echo "${missing}" >&2
  exit 1
fi
# shellcheck disable=SC2086
ldd ${binaries} | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
  while read -r lib; do
    case "$(basename "${lib}")" in
      libc.so.* | libm.so.* | libdl.so.* | librt.so.* | libpthread.so.* | ld-linux*.so.* | \
        libstdc++.so.* | libgcc_s.so.* | libcuda.so.*)
        continue ;;
    esac
    cp -L "${lib}" "${out}/lib/"
  done
echo "collect_runtime_libs: $(ls "${out}/lib" | wc -l) libraries"
