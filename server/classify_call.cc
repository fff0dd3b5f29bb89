#include "server/classify_call.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/engine_call.h"
#include "server/input_prep.h"
#include "server/postprocess.h"

namespace mbserve::server {
namespace {

absl::Status Validate(const v1::ClassifyRequest& request, const ServingContext& serving) {
  if (!serving.model.can_classify()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the model (", serving.model.architecture,
        ") has no classification head; Classify needs a *ForSequenceClassification checkpoint"));
  }
  if (absl::Status s = CheckInputCount("inputs", request.inputs_size(),
                                       serving.config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < request.inputs_size(); ++i) {
    if (request.inputs(i).input_case() == v1::ClassifyInput::INPUT_NOT_SET) {
      return absl::InvalidArgumentError(
          absl::StrCat("inputs[", i, "] has none of text, pair and token_ids"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PreparedInput>> Prepare(const v1::ClassifyRequest& request,
                                                   const InputLimits& limits,
                                                   const Tokenizer& tokenizer) {
  std::vector<PreparedInput> prepared;
  for (int i = 0; i < request.inputs_size(); ++i) {
    const v1::ClassifyInput& input = request.inputs(i);
    const std::string name = absl::StrCat("inputs[", i, "]");
    absl::StatusOr<PreparedInput> one;
    switch (input.input_case()) {
      case v1::ClassifyInput::kText:
        one = PrepareText(tokenizer, name, "", input.text(), limits);
        break;
      case v1::ClassifyInput::kPair:
        one = PreparePair(tokenizer, name, input.pair().first(), input.pair().second(), limits);
        break;
      default:
        one = PrepareIds(name, IdsOf(input.token_ids()), limits);
        break;
    }
    if (!one.ok()) return one.status();
    prepared.push_back(std::move(*one));
  }
  return prepared;
}

void FillResult(std::span<const float> logits, const v1::ClassifyRequest& request,
                const std::vector<std::string>& labels, v1::Classification* out) {
  const std::vector<float> scores = ClassScores(logits, request.raw_scores());
  for (int index : TopK(scores, static_cast<int>(request.top_k()))) {
    v1::ClassScore* score = out->add_scores();
    score->set_index(index);
    score->set_label(index < static_cast<int>(labels.size()) ? labels[index]
                                                             : absl::StrCat("LABEL_", index));
    score->set_score(scores[index]);
  }
}

}  // namespace

void RunClassify(ServingContext& serving, std::string_view rpc,
                 std::shared_ptr<const CallState> call, const v1::ClassifyRequest& request,
                 v1::ClassifyResponse* response, std::function<void(absl::Status)> done) {
  if (absl::Status s = Validate(request, serving); !s.ok()) {
    done(s);
    return;
  }
  absl::StatusOr<TruncationPolicy> truncation =
      ResolveTruncation(request.truncation(), serving.config.auto_truncate);
  if (!truncation.ok()) {
    done(truncation.status());
    return;
  }
  const InputLimits limits{serving.model.max_input_length, serving.model.vocab_size, *truncation};
  serving.tokenization_pool.Post([&serving, rpc = std::string(rpc), call = std::move(call),
                                  &request, response, limits,
                                  done = std::move(done)]() mutable {
    // A call cancelled or expired while it waited for a worker is not tokenized.
    if (absl::Status live = call->Liveness(Clock::now()); !live.ok()) {
      done(live);
      return;
    }
    absl::StatusOr<std::vector<PreparedInput>> prepared =
        Prepare(request, limits, serving.tokenizer);
    if (!prepared.ok()) {
      done(prepared.status());
      return;
    }
    auto on_result = [&serving, &request, response,                       done = std::move(done)](absl::StatusOr<EngineResult> result) {
      if (!result.ok()) {
        done(result.status());
        return;
      }
      for (size_t i = 0; i < result->outputs.size(); ++i) {
        v1::Classification* classification = response->add_results();
        FillResult(result->outputs[i], request, serving.model.labels, classification);
        classification->set_num_tokens(result->lengths[i]);
        classification->set_truncated(result->truncated[i]);
      }
      *response->mutable_usage() = result->usage;
      *response->mutable_timing() = result->timing;
      done(absl::OkStatus());
    };
    SequenceTask task;
    task.kind = OutputKind::kClassLogits;
    SubmitToEngine(serving, rpc, call, std::move(*prepared), task, std::move(on_result));
  });
}

}  // namespace mbserve::server
