// The one validation of a call's request, against the served model and the
// flags, and the tokenization of its inputs. Errors name the field and the
// limit ("inputs[3] has 9000 tokens but the maximum input length is 8192").
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "server/call_request.h"
#include "server/config.h"
#include "server/input_prep.h"
#include "server/served_model.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {

// What a valid request resolves to once the model's and the server's
// defaults are filled in.
struct CallPlan {
  std::string prompt;  // prepended to every text input
  // The model's Pooling sets include_prompt=false and the call mean-pools
  // with a prompt: its tokens are left out of the mean.
  bool mean_without_prompt = false;
  InputLimits limits;
  SequenceTask task;   // what the engine computes for each input
  int dimensions = 0;  // kEmbed: components kept; 0 keeps all
};

// The text of the prompt `choice` names: the model's default prompt when it
// names none; INVALID_ARGUMENT naming the model's prompts for an unknown name.
absl::StatusOr<std::string> ResolvePrompt(const PromptChoice& choice, const ServedModel& model);

// Checks everything that does not need the tokenizer: cheap, so it runs on
// the caller's thread.
absl::StatusOr<CallPlan> PlanCall(const CallRequest& request, const ServedModel& model,
                                  const ServerConfig& config);

// Tokenizes the text inputs and checks every input's length (and token ids
// against the vocabulary). Runs on the tokenization pool.
absl::StatusOr<std::vector<PreparedInput>> PrepareInputs(const CallRequest& request,
                                                         const CallPlan& plan,
                                                         const Tokenizer& tokenizer);

}  // namespace mbserve::server
