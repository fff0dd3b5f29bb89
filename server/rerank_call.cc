#include "server/rerank_call.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/input_prep.h"

namespace mbserve::server {

absl::StatusOr<CallRequest> RerankCall(const RerankQuery& query, const ServedModel& model,
                                       const ServerConfig& config) {
  if (!model.can_classify()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the model (", model.architecture,
        ") has no classification head; Rerank needs a *ForSequenceClassification checkpoint"));
  }
  if (query.query.empty()) return absl::InvalidArgumentError("query is empty");
  if (absl::Status s = CheckInputCount("texts", static_cast<int>(query.texts.size()),
                                       config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  CallRequest request;
  request.kind = CallKind::kClassify;
  request.raw_scores = query.raw_scores;
  request.truncate = query.truncate;
  request.truncation_direction = query.truncation_direction;
  for (size_t i = 0; i < query.texts.size(); ++i) {
    if (query.texts[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("texts[", i, "] is empty"));
    }
    request.inputs.emplace_back(TextPair{query.query, query.texts[i]});
  }
  return request;
}

std::vector<RankedText> RankTexts(const CallResponse& response, const ServedModel& model) {
  const int ranked_class = static_cast<int>(model.labels.size()) - 1;
  std::vector<RankedText> ranked;
  for (size_t i = 0; i < response.outputs.size(); ++i) {
    const CallOutput& output = response.outputs[i];
    RankedText text{static_cast<int>(i), 0, output.num_tokens, output.truncated};
    for (const ClassScore& score : output.scores) {
      if (score.index == ranked_class) text.score = score.score;
    }
    ranked.push_back(text);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const RankedText& a, const RankedText& b) { return a.score > b.score; });
  return ranked;
}

}  // namespace mbserve::server
