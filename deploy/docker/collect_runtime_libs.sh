#!/bin/sh
# Copies the shared libraries that the given binaries load (transitively, as
# ldd resolves them in the build image) into OUT_DIR, so the runtime image
# needs no -dev packages and no guess at runtime package names, which differ
# between Debian and Ubuntu (t64 renames). Left out: the C and C++ runtime
# that every base image has, and CUDA (the runtime image provides the
# toolkit's libraries; the driver's libcuda comes from the host).
# Usage: collect_runtime_libs.sh OUT_DIR BINARY...
set -eu
out="$1"
shift
mkdir -p "${out}"
# libcuda is the driver's: the build image has only a stub, the host mounts it.
missing="$(ldd "$@" | grep 'not found' | grep -v 'libcuda\.so' || true)"
if [ -n "${missing}" ]; then
  echo "collect_runtime_libs: unresolved libraries:" >&2
  echo "${missing}" >&2
  exit 1
fi
ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u | while read -r lib; do
  case "$(basename "${lib}")" in
    libc.so.* | libm.so.* | libdl.so.* | librt.so.* | libpthread.so.* | ld-linux*.so.* | \
      libstdc++.so.* | libgcc_s.so.* | libcuda.so.* | libcudart.so.* | libcublas*.so.*)
      continue ;;
  esac
  cp -L "${lib}" "${out}/"
done
echo "collect_runtime_libs: $(ls "${out}" | wc -l) libraries in ${out}"
