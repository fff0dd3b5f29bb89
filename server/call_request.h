// A call's request and response in the server's own terms, independent of
// the transport: the gRPC services convert protobuf messages to and from
// these (grpc_convert.h), and any other front end converts its own format
// the same way. Field names follow the gRPC API, whose documentation
// (docs/SERVER.md) gives their meaning; validation happens in one place,
// when the call starts (call_plan.h), not during conversion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/model/config.h"
#include "tokenizer/tokenizer.h"
#include "server/clock.h"

namespace mbserve::server {

enum class CallKind {
  kEmbed,     // pooled embeddings
  kClassify,  // class scores from the classification head
};

struct TextPair {
  std::string first;
  std::string second;
};

// One input: a text, a text pair (Classify only) or token ids, which the
// server checks against the vocabulary but does not tokenize.
using CallInput = std::variant<std::string, TextPair, std::vector<uint32_t>>;

// The prompt of an Embed call: none (the model's default), a prompt of the
// model by name, or literal text prepended to every text input.
struct PromptName {
  std::string name;
};
struct PromptText {
  std::string text;
};
using PromptChoice = std::variant<std::monostate, PromptName, PromptText>;

struct CallRequest {
  CallKind kind = CallKind::kEmbed;
  std::vector<CallInput> inputs;
  // Unset: the server's --auto-truncate.
  std::optional<bool> truncate;
  TruncationDirection truncation_direction = TruncationDirection::kRight;

  // kEmbed only.
  PromptChoice prompt;
  std::optional<uint32_t> dimensions;  // unset: the hidden size
  bool normalize = true;
  std::optional<Pooling> pooling;  // unset: the model's

  // kClassify only.
  bool raw_scores = false;
  uint32_t top_k = 0;  // 0: every class
};

struct ClassScore {
  int index = 0;
  std::string label;
  float score = 0;
};

// The result for one input, in input order.
struct CallOutput {
  std::vector<float> embedding;    // kEmbed
  std::vector<ClassScore> scores;  // kClassify, best first
  int num_tokens = 0;
  bool truncated = false;
};

struct CallTiming {
  Clock::duration tokenization{};  // arrival until tokenized
  Clock::duration queue{};         // tokenized until the first batch started
  Clock::duration inference{};     // first batch start to last batch end
  Clock::duration total{};         // arrival until the response was complete
};

struct CallResponse {
  std::vector<CallOutput> outputs;
  CallTiming timing;
  uint64_t total_tokens = 0;
};

}  // namespace mbserve::server
