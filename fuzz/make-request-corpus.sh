#!/usr/bin/env bash
# Writes the seed corpus of request_fuzz (fuzz/corpus/request/): one valid
# request of each kind the target reads, in protobuf text format encoded
# with protoc, behind the byte that picks its type (see request_fuzz.cc).
#   fuzz/make-request-corpus.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${root}/fuzz/corpus/request"
mkdir -p "${out}"

# seed NAME TYPE_BYTE MESSAGE TEXT_FORMAT
seed() {
  local name="$1" type_byte="$2" message="$3" text="$4"
  {
    printf "\\x${type_byte}"
    printf '%s\n' "${text}" | protoc --proto_path="${root}/proto" \
      --encode="mbserve.v1.${message}" mbserve/v1/embed.proto mbserve/v1/classify.proto \
      mbserve/v1/tokenize.proto
  } > "${out}/${name}"
}

seed embed_texts 00 EmbedRequest \
  'inputs { text: "Hello world" } inputs { text: "caf\303\251 \360\237\221\251" }
   dimensions: 8 pooling: POOLING_CLS truncation { enabled: true direction: TRUNCATION_DIRECTION_LEFT }'
seed embed_prompt_ids 00 EmbedRequest \
  'inputs { token_ids { ids: [1, 2, 3] } } prompt_name: "query" normalize: false'
seed embed_prompt_text 00 EmbedRequest \
  'inputs { text: "a long text that the small model truncates to its maximum input length" }
   prompt_text: "search: " truncation { enabled: true }'
seed classify_pair 01 ClassifyRequest \
  'inputs { pair { first: "the query" second: "a passage" } } inputs { text: "alone" }
   raw_scores: true top_k: 1'
seed rerank 02 RerankRequest \
  'query: "which one?" texts: "this one" texts: "that one" return_text: true
   truncation { enabled: true direction: TRUNCATION_DIRECTION_RIGHT }'
seed tokenize 03 TokenizeRequest 'texts: "Hello [MASK] world" texts: "\303\251" add_special_tokens: false'
seed detokenize 04 DetokenizeRequest 'ids: [0, 1, 2, 100, 200] skip_special_tokens: false'
