// JSON of the text-embeddings-inference (TEI) routes: /embed, /predict,
// /rerank, /tokenize, /decode and /info. Requests become the same protobuf
// messages the gRPC services take, so both front doors share one path.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mbserve/v1/classify.pb.h"
#include "mbserve/v1/embed.pb.h"
#include "mbserve/v1/info.pb.h"
#include "mbserve/v1/tokenize.pb.h"
#include "server/http/json_body.h"

namespace mbserve::server::http {

// inputs, normalize, truncate, truncation_direction, prompt_name, dimensions.
absl::StatusOr<v1::EmbedRequest> ParseTeiEmbed(const Json& body);
// [[float, ...], ...], one vector per input.
std::string EncodeTeiEmbed(const v1::EmbedResponse& response);

struct TeiPredictRequest {
  v1::ClassifyRequest classify;
  // `inputs` was one text or one pair: the answer is one list, not a list
  // of lists.
  bool single = false;
};
// inputs: "text", ["first", "second"] (one pair), or a list whose items are
// texts or [first, second] pairs; raw_scores, truncate, truncation_direction.
absl::StatusOr<TeiPredictRequest> ParseTeiPredict(const Json& body);
// [{score, label}, ...] best first, or a list of those for a batch.
std::string EncodeTeiPredict(const v1::ClassifyResponse& response, bool single);

// query, texts, raw_scores, return_text, truncate, truncation_direction.
absl::StatusOr<v1::RerankRequest> ParseTeiRerank(const Json& body);
// [{index, score, text?}, ...] best first.
std::string EncodeTeiRerank(const v1::RerankResponse& response, bool return_text);

// inputs (a string or a list of strings), add_special_tokens.
absl::StatusOr<v1::TokenizeRequest> ParseTeiTokenize(const Json& body);
// [[{id, text, special, start, stop}, ...], ...], one list per input.
std::string EncodeTeiTokenize(const v1::TokenizeResponse& response);

// ids (a list of ids, or a list of lists), skip_special_tokens.
absl::StatusOr<std::vector<v1::DetokenizeRequest>> ParseTeiDecode(const Json& body);
// ["text", ...], one per list of ids.
std::string EncodeTeiDecode(const std::vector<v1::DetokenizeResponse>& responses);

// The model and the limits, with TEI's names where TEI has one.
std::string EncodeTeiInfo(const v1::GetInfoResponse& info);

}  // namespace mbserve::server::http
