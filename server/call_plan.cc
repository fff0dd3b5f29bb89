#include "server/call_plan.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mbserve::server {
namespace {

std::string InputName(size_t index) { return absl::StrCat("inputs[", index, "]"); }

absl::Status PlanEmbed(const CallRequest& request, const ServedModel& model, CallPlan& plan) {
  if (request.dimensions.has_value()) {
    const uint32_t dimensions = *request.dimensions;
    if (dimensions == 0 || dimensions > static_cast<uint32_t>(model.hidden_size)) {
      return absl::InvalidArgumentError(absl::StrCat("dimensions is ", dimensions,
                                                     "; it must be between 1 and the ",
                                                     "hidden size ", model.hidden_size));
    }
    plan.dimensions = static_cast<int>(dimensions);
  }
  absl::StatusOr<std::string> prompt = ResolvePrompt(request.prompt, model);
  if (!prompt.ok()) return prompt.status();
  plan.prompt = std::move(*prompt);
  plan.task.kind = OutputKind::kPooledEmbedding;
  plan.task.pooling = request.pooling.value_or(model.pooling);
  // The server normalizes after Matryoshka truncation (postprocess.h).
  plan.task.normalize = false;
  plan.mean_without_prompt =
      !model.include_prompt && plan.task.pooling == Pooling::kMean && !plan.prompt.empty();

  const bool explicit_prompt = !std::holds_alternative<std::monostate>(request.prompt);
  for (size_t i = 0; i < request.inputs.size(); ++i) {
    const CallInput& input = request.inputs[i];
    if (std::holds_alternative<TextPair>(input)) {
      return absl::InvalidArgumentError(
          absl::StrCat(InputName(i), " is a text pair; only Classify takes pairs"));
    }
    if (std::holds_alternative<std::vector<uint32_t>>(input) && explicit_prompt) {
      return absl::InvalidArgumentError(absl::StrCat(
          InputName(i), " is token_ids, which cannot take a prompt; tokenize the prompt too"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ResolvePrompt(const PromptChoice& choice, const ServedModel& model) {
  if (const auto* text = std::get_if<PromptText>(&choice)) return text->text;
  const auto* named = std::get_if<PromptName>(&choice);
  if (named == nullptr) return model.default_prompt;
  const auto it = model.prompts.find(named->name);
  if (it != model.prompts.end()) return it->second;
  std::vector<std::string> names;
  for (const auto& [name, text] : model.prompts) names.push_back(name);
  return absl::InvalidArgumentError(absl::StrCat(
      "prompt_name \"", named->name, "\" is not a prompt of this model; ",
      names.empty() ? "it has none" : absl::StrCat("it has ", absl::StrJoin(names, ", "))));
}

absl::StatusOr<CallPlan> PlanCall(const CallRequest& request, const ServedModel& model,
                                  const ServerConfig& config) {
  if (request.kind == CallKind::kClassify && !model.can_classify()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the model (", model.architecture,
        ") has no classification head; Classify needs a *ForSequenceClassification checkpoint"));
  }
  if (absl::Status s = CheckInputCount("inputs", static_cast<int>(request.inputs.size()),
                                       config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  CallPlan plan;
  plan.limits.max_input_length = model.max_input_length;
  plan.limits.vocab_size = model.vocab_size;
  plan.limits.truncation.enabled = request.truncate.value_or(config.auto_truncate);
  plan.limits.truncation.direction = request.truncation_direction;
  if (request.kind == CallKind::kClassify) {
    plan.task.kind = OutputKind::kClassLogits;
    return plan;
  }
  if (absl::Status s = PlanEmbed(request, model, plan); !s.ok()) return s;
  return plan;
}

absl::StatusOr<std::vector<PreparedInput>> PrepareInputs(const CallRequest& request,
                                                         const CallPlan& plan,
                                                         const Tokenizer& tokenizer) {
  // The prompt is encoded once per call, before its text inputs.
  int prompt_length = 0;
  const bool has_text = std::any_of(
      request.inputs.begin(), request.inputs.end(),
      [](const CallInput& input) { return std::holds_alternative<std::string>(input); });
  if (has_text) {
    absl::StatusOr<int> length = PromptLength(tokenizer, plan.prompt, plan.limits.max_input_length);
    if (!length.ok()) return length.status();
    if (plan.mean_without_prompt) prompt_length = *length;
  }
  std::vector<PreparedInput> prepared;
  prepared.reserve(request.inputs.size());
  for (size_t i = 0; i < request.inputs.size(); ++i) {
    const std::string name = InputName(i);
    const CallInput& input = request.inputs[i];
    absl::StatusOr<PreparedInput> one;
    if (const auto* text = std::get_if<std::string>(&input)) {
      one = PrepareText(tokenizer, name, plan.prompt, *text, plan.limits);
      if (one.ok()) one->pool_from = prompt_length;
    } else if (const auto* pair = std::get_if<TextPair>(&input)) {
      one = PreparePair(tokenizer, name, pair->first, pair->second, plan.limits);
    } else {
      one = PrepareIds(name, std::get<std::vector<uint32_t>>(input), plan.limits);
    }
    if (!one.ok()) return one.status();
    prepared.push_back(std::move(*one));
  }
  return prepared;
}

}  // namespace mbserve::server
