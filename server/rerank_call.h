// Rerank is a Classify call of the pairs (query, text): RerankCall builds
// that call's request, RankTexts orders its result by the score of the
// head's last class. The gRPC Rerank and the HTTP /rerank both use them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/call_request.h"
#include "server/config.h"
#include "server/served_model.h"

namespace mbserve::server {

struct RerankQuery {
  std::string query;
  std::vector<std::string> texts;
  bool raw_scores = false;
  std::optional<bool> truncate;  // unset: the server's --auto-truncate
  TruncationDirection truncation_direction = TruncationDirection::kRight;
};

// The Classify request of the pairs, or an error naming the empty field, the
// count limit or the missing head.
absl::StatusOr<CallRequest> RerankCall(const RerankQuery& query, const ServedModel& model,
                                       const ServerConfig& config);

struct RankedText {
  int index = 0;  // position in RerankQuery.texts
  float score = 0;
  int num_tokens = 0;
  bool truncated = false;
};

// Best first, ties by lower index. The score is the last class's: the only
// one of a one-logit reranker, "relevant" of an (irrelevant, relevant) head.
std::vector<RankedText> RankTexts(const CallResponse& response, const ServedModel& model);

}  // namespace mbserve::server
