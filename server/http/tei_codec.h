// JSON of the text-embeddings-inference (TEI) routes: /embed, /predict,
// /rerank, /tokenize, /decode and /info. Requests become the server's call
// types (call_request.h, rerank_call.h), or for /tokenize and /decode the
// messages the gRPC TokenizeService takes, so both front doors share one path.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mbserve/v1/info.pb.h"
#include "mbserve/v1/tokenize.pb.h"
#include "server/call_request.h"
#include "server/http/json_body.h"
#include "server/rerank_call.h"

namespace mbserve::server::http {

// inputs, normalize, truncate, truncation_direction, prompt_name, dimensions.
absl::StatusOr<CallRequest> ParseTeiEmbed(const Json& body);
// [[float, ...], ...], one vector per input.
std::string EncodeTeiEmbed(const CallResponse& response);

struct TeiPredictRequest {
  CallRequest call;  // kClassify
  // `inputs` was one text or one pair: the answer is one list, not a list
  // of lists.
  bool single = false;
};
// inputs: "text", ["first", "second"] (one pair), or a list whose items are
// texts or [first, second] pairs; raw_scores, truncate, truncation_direction.
absl::StatusOr<TeiPredictRequest> ParseTeiPredict(const Json& body);
// [{score, label}, ...] best first, or a list of those for a batch.
std::string EncodeTeiPredict(const CallResponse& response, bool single);

struct TeiRerankRequest {
  RerankQuery query;
  bool return_text = false;
};
// query, texts, raw_scores, return_text, truncate, truncation_direction.
absl::StatusOr<TeiRerankRequest> ParseTeiRerank(const Json& body);
// [{index, score, text?}, ...] in the order of `ranked` (best first).
std::string EncodeTeiRerank(const std::vector<RankedText>& ranked, const TeiRerankRequest& request);

// inputs (a string or a list of strings), add_special_tokens, prompt_name.
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
