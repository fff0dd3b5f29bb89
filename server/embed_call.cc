#include "server/embed_call.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/engine_call.h"
#include "server/input_prep.h"
#include "server/postprocess.h"

namespace mbserve::server {
namespace {

struct EmbedPlan {
  std::string prompt;  // prepended to text inputs
  bool explicit_prompt = false;
  InputLimits limits;
  SequenceTask task;
  int dimensions = 0;  // 0: all
  bool normalize = true;
};

absl::StatusOr<std::string> ResolvePrompt(const v1::EmbedRequest& request,
                                          const ServedModel& model) {
  switch (request.prompt_case()) {
    case v1::EmbedRequest::kPromptText:
      return request.prompt_text();
    case v1::EmbedRequest::kPromptName: {
      const auto it = model.prompts.find(request.prompt_name());
      if (it != model.prompts.end()) return it->second;
      std::vector<std::string> names;
      for (const auto& [name, text] : model.prompts) names.push_back(name);
      return absl::InvalidArgumentError(absl::StrCat(
          "prompt_name \"", request.prompt_name(), "\" is not a prompt of this model; ",
          names.empty() ? "it has none" : absl::StrCat("it has ", absl::StrJoin(names, ", "))));
    }
    case v1::EmbedRequest::PROMPT_NOT_SET:
      return model.default_prompt;
  }
  return model.default_prompt;
}

absl::StatusOr<EmbedPlan> Plan(const v1::EmbedRequest& request, const ServingContext& serving) {
  const ServedModel& model = serving.model;
  if (absl::Status s = CheckInputCount("inputs", request.inputs_size(),
                                       serving.config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  EmbedPlan plan;
  if (request.has_dimensions()) {
    if (request.dimensions() == 0 || request.dimensions() > static_cast<uint32_t>(model.hidden_size)) {
      return absl::InvalidArgumentError(
          absl::StrCat("dimensions is ", request.dimensions(), "; it must be between 1 and the ",
                       "hidden size ", model.hidden_size));
    }
    plan.dimensions = static_cast<int>(request.dimensions());
  }
  plan.normalize = !request.has_normalize() || request.normalize();
  absl::StatusOr<std::string> prompt = ResolvePrompt(request, model);
  if (!prompt.ok()) return prompt.status();
  plan.prompt = std::move(*prompt);
  plan.explicit_prompt = request.prompt_case() != v1::EmbedRequest::PROMPT_NOT_SET;

  absl::StatusOr<TruncationPolicy> truncation =
      ResolveTruncation(request.truncation(), serving.config.auto_truncate);
  if (!truncation.ok()) return truncation.status();
  plan.limits = InputLimits{model.max_input_length, model.vocab_size, *truncation};

  plan.task.kind = OutputKind::kPooledEmbedding;
  plan.task.normalize = false;  // ShapeEmbedding normalizes after Matryoshka truncation
  switch (request.pooling()) {
    case v1::POOLING_UNSPECIFIED:
      plan.task.pooling = model.pooling;
      break;
    case v1::POOLING_CLS:
      plan.task.pooling = Pooling::kCls;
      break;
    case v1::POOLING_MEAN:
      plan.task.pooling = Pooling::kMean;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "pooling ", static_cast<int>(request.pooling()),
          " is not a Pooling (0 model default, 1 cls, 2 mean)"));
  }
  for (int i = 0; i < request.inputs_size(); ++i) {
    const v1::EmbedInput& input = request.inputs(i);
    if (input.input_case() == v1::EmbedInput::INPUT_NOT_SET) {
      return absl::InvalidArgumentError(
          absl::StrCat("inputs[", i, "] has neither text nor token_ids"));
    }
    if (input.has_token_ids() && plan.explicit_prompt) {
      return absl::InvalidArgumentError(absl::StrCat(
          "inputs[", i, "] is token_ids, which cannot take a prompt; tokenize the prompt too"));
    }
  }
  return plan;
}

absl::StatusOr<std::vector<PreparedInput>> Prepare(const v1::EmbedRequest& request,
                                                   const EmbedPlan& plan,
                                                   const Tokenizer& tokenizer) {
  std::vector<PreparedInput> prepared;
  prepared.reserve(request.inputs_size());
  for (int i = 0; i < request.inputs_size(); ++i) {
    const v1::EmbedInput& input = request.inputs(i);
    const std::string name = absl::StrCat("inputs[", i, "]");
    absl::StatusOr<PreparedInput> one =
        input.has_text()
            ? PrepareText(tokenizer, name, plan.prompt, input.text(), plan.limits)
            : PrepareIds(name, IdsOf(input.token_ids()), plan.limits);
    if (!one.ok()) return one.status();
    prepared.push_back(std::move(*one));
  }
  return prepared;
}

}  // namespace

void RunEmbed(ServingContext& serving, std::string_view rpc,
              std::shared_ptr<const CallState> call, const v1::EmbedRequest& request,
              v1::EmbedResponse* response, std::function<void(absl::Status)> done) {
  absl::StatusOr<EmbedPlan> plan = Plan(request, serving);
  if (!plan.ok()) {
    done(plan.status());
    return;
  }
  serving.tokenization_pool.Post([&serving, rpc = std::string(rpc), call = std::move(call),
                                  &request, response, plan = std::move(*plan),
                                  done = std::move(done)]() mutable {
    // A call cancelled or expired while it waited for a worker is not tokenized.
    if (absl::Status live = call->Liveness(Clock::now()); !live.ok()) {
      done(live);
      return;
    }
    absl::StatusOr<std::vector<PreparedInput>> prepared =
        Prepare(request, plan, serving.tokenizer);
    if (!prepared.ok()) {
      done(prepared.status());
      return;
    }
    auto on_result = [response, dimensions = plan.dimensions, normalize = plan.normalize,
                                            done = std::move(done)](absl::StatusOr<EngineResult> result) {
      if (!result.ok()) {
        done(result.status());
        return;
      }
      for (size_t i = 0; i < result->outputs.size(); ++i) {
        const std::vector<float> vector =
            ShapeEmbedding(result->outputs[i], dimensions, normalize);
        v1::Embedding* embedding = response->add_embeddings();
        embedding->mutable_values()->Assign(vector.begin(), vector.end());
        embedding->set_num_tokens(result->lengths[i]);
        embedding->set_truncated(result->truncated[i]);
      }
      *response->mutable_usage() = result->usage;
      *response->mutable_timing() = result->timing;
      done(absl::OkStatus());
    };
    SubmitToEngine(serving, rpc, call, std::move(*prepared), plan.task, std::move(on_result));
  });
}

}  // namespace mbserve::server
