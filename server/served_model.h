// What the handlers need to know about the served model, resolved once at
// start from config.json, the sentence-transformers files and the flags.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "server/config.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {

struct ServedModel {
  std::string name;
  std::string architecture;
  int hidden_size = 0;
  int num_layers = 0;
  int vocab_size = 0;
  int max_input_length = 0;
  Pooling pooling = Pooling::kCls;
  bool normalize = false;  // the checkpoint ends in a Normalize module
  // Pooling's include_prompt: false leaves the prompt out of mean pooling.
  bool include_prompt = true;
  std::map<std::string, std::string> prompts;
  std::string default_prompt_name;  // empty when none
  std::string default_prompt;       // the default prompt's text, maybe empty
  std::vector<std::string> labels;  // empty without a classification head
  std::string dtype;
  std::string device;
  std::string kernels;  // Engine::kernel_summary()

  bool can_classify() const { return !labels.empty(); }
};

// Fails when a flag asks for something the model cannot do (an unknown
// default prompt, a max input length beyond the model's or the batch's).
absl::StatusOr<ServedModel> DescribeModel(const Engine& engine, const Tokenizer& tokenizer,
                                          const ServerConfig& config);

}  // namespace mbserve::server
