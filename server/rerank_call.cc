#include "server/rerank_call.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/classify_call.h"
#include "server/input_prep.h"

namespace mbserve::server {
namespace {

// The pairs as a ClassifyRequest, kept alive with its response until the
// classification is done.
struct PairCall {
  v1::ClassifyRequest request;
  v1::ClassifyResponse response;
};

absl::Status Validate(const v1::RerankRequest& request, const ServingContext& serving) {
  if (!serving.model.can_classify()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the model (", serving.model.architecture,
        ") has no classification head; Rerank needs a *ForSequenceClassification checkpoint"));
  }
  if (request.query().empty()) return absl::InvalidArgumentError("query is empty");
  if (absl::Status s =
          CheckInputCount("texts", request.texts_size(), serving.config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < request.texts_size(); ++i) {
    if (request.texts(i).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("texts[", i, "] is empty"));
    }
  }
  return absl::OkStatus();
}

void FillRanking(const v1::RerankRequest& request, const v1::ClassifyResponse& classified,
                 uint32_t ranked_class, v1::RerankResponse* response) {
  for (int i = 0; i < classified.results_size(); ++i) {
    const v1::Classification& result = classified.results(i);
    v1::RankedText* ranked = response->add_results();
    ranked->set_index(i);
    for (const v1::ClassScore& score : result.scores()) {
      if (score.index() == ranked_class) ranked->set_score(score.score());
    }
    if (request.return_text()) ranked->set_text(request.texts(i));
    ranked->set_num_tokens(result.num_tokens());
    ranked->set_truncated(result.truncated());
  }
  std::stable_sort(
      response->mutable_results()->begin(), response->mutable_results()->end(),
      [](const v1::RankedText& a, const v1::RankedText& b) { return a.score() > b.score(); });
  *response->mutable_usage() = classified.usage();
  *response->mutable_timing() = classified.timing();
}

}  // namespace

void RunRerank(ServingContext& serving, std::string_view rpc, std::shared_ptr<const CallState> call,
               const v1::RerankRequest& request, v1::RerankResponse* response,
               std::function<void(absl::Status)> done) {
  if (absl::Status s = Validate(request, serving); !s.ok()) {
    done(s);
    return;
  }
  auto pairs = std::make_shared<PairCall>();
  pairs->request.set_raw_scores(request.raw_scores());
  *pairs->request.mutable_truncation() = request.truncation();
  for (const std::string& text : request.texts()) {
    v1::TextPair* pair = pairs->request.add_inputs()->mutable_pair();
    pair->set_first(request.query());
    pair->set_second(text);
  }
  const auto ranked_class = static_cast<uint32_t>(serving.model.labels.size() - 1);
  RunClassify(serving, rpc, std::move(call), pairs->request, &pairs->response,
              [pairs, &request, response, ranked_class,
               done = std::move(done)](const absl::Status& status) {
                if (status.ok()) FillRanking(request, pairs->response, ranked_class, response);
                done(status);
              });
}

}  // namespace mbserve::server
