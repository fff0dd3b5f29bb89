#include "tokenizer/pre_tokenizer.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "tokenizer/bert_split.h"
#include "tokenizer/gpt2_split.h"

namespace mbserve::tokenizer_internal {
namespace {

absl::StatusOr<bool> BoolField(const nlohmann::json& config, const char* name, bool fallback) {
  if (!config.contains(name) || config[name].is_null()) return fallback;
  if (!config[name].is_boolean()) {
    return absl::InvalidArgumentError(
        absl::StrCat("pre_tokenizer: \"", name, "\" must be a boolean"));
  }
  return config[name].get<bool>();
}

absl::StatusOr<SplitBehavior> ParseBehavior(const nlohmann::json& value) {
  const std::string name = value.is_string() ? value.get<std::string>() : "";
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  return absl::InvalidArgumentError(
      absl::StrCat("pre_tokenizer Split: unknown behavior \"", name, "\""));
}

}  // namespace

absl::StatusOr<PreTokenizer> PreTokenizer::FromJson(const nlohmann::json& config) {
  PreTokenizer pre_tokenizer;
  if (!config.is_null()) {
    if (absl::Status status = pre_tokenizer.Add(config); !status.ok()) return status;
  }
  return pre_tokenizer;
}

absl::Status PreTokenizer::Add(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("type") || !config["type"].is_string()) {
    return absl::InvalidArgumentError("pre_tokenizer: expected an object with a string \"type\"");
  }
  const std::string type = config["type"].get<std::string>();
  if (type == "Sequence") {
    if (!config.contains("pretokenizers") || !config["pretokenizers"].is_array()) {
      return absl::InvalidArgumentError(
          "pre_tokenizer Sequence: \"pretokenizers\" must be an array");
    }
    for (const auto& child : config["pretokenizers"]) {
      if (absl::Status status = Add(child); !status.ok()) return status;
    }
    return absl::OkStatus();
  }
  if (byte_level_) {
    // After ByteLevel the words are in the byte alphabet; nothing in the
    // ModernBERT family splits them further.
    return absl::UnimplementedError(
        absl::StrCat("pre_tokenizer \"", type, "\" after ByteLevel is unsupported"));
  }
  if (type == "ByteLevel") {
    auto prefix = BoolField(config, "add_prefix_space", true);
    if (!prefix.ok()) return prefix.status();
    auto use_regex = BoolField(config, "use_regex", true);
    if (!use_regex.ok()) return use_regex.status();
    if (*prefix && !steps_.empty()) {
      return absl::UnimplementedError(
          "pre_tokenizer ByteLevel with add_prefix_space after another pre-tokenizer is "
          "unsupported");
    }
    add_prefix_space_ = *prefix;
    byte_level_ = true;
    if (*use_regex) steps_.push_back({.kind = Step::kGpt2, .regex = nullptr});
    return absl::OkStatus();
  }
  if (type == "Split") {
    if (!config.contains("pattern") || !config["pattern"].is_object()) {
      return absl::InvalidArgumentError("pre_tokenizer Split: \"pattern\" must be an object");
    }
    const auto& pattern = config["pattern"];
    const bool literal = pattern.contains("String");
    const char* key = literal ? "String" : "Regex";
    if (!pattern.contains(key) || !pattern[key].is_string()) {
      return absl::InvalidArgumentError(
          "pre_tokenizer Split: \"pattern\" needs a string \"Regex\" or \"String\"");
    }
    const std::string source = pattern[key].get<std::string>();
    auto behavior = ParseBehavior(config.value("behavior", nlohmann::json()));
    if (!behavior.ok()) return behavior.status();
    auto invert = BoolField(config, "invert", false);
    if (!invert.ok()) return invert.status();
    if (!literal && source == kGpt2Pattern && *behavior == SplitBehavior::kIsolated && !*invert) {
      steps_.push_back({.kind = Step::kGpt2, .regex = nullptr});
      return absl::OkStatus();
    }
    auto regex = RegexSplit::Create(source, literal, *behavior, *invert);
    if (!regex.ok()) return regex.status();
    steps_.push_back({.kind = Step::kRegex, .regex = std::move(regex).value()});
    return absl::OkStatus();
  }
  if (type == "BertPreTokenizer") {
    steps_.push_back({.kind = Step::kBert, .regex = nullptr});
    return absl::OkStatus();
  }
  return absl::UnimplementedError(
      absl::StrCat("pre_tokenizer type \"", type,
                   "\" is unsupported (supported: ByteLevel, Split, BertPreTokenizer, Sequence)"));
}

absl::Status PreTokenizer::Split(std::string_view text, size_t begin, size_t end,
                                 std::vector<ByteRange>& words) const {
  const size_t first = words.size();
  words.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(end));
  if (steps_.size() == 1 && steps_[0].kind != Step::kRegex) {
    // The common case splits straight into `words`.
    words.pop_back();
    if (steps_[0].kind == Step::kGpt2) {
      SplitGpt2(text, begin, end, words);
    } else {
      SplitBert(text, begin, end, words);
    }
    return absl::OkStatus();
  }
  thread_local std::vector<ByteRange> next;
  for (const Step& step : steps_) {
    next.clear();
    for (size_t i = first; i < words.size(); ++i) {
      const auto [from, to] = words[i];
      if (step.kind == Step::kGpt2) {
        SplitGpt2(text, from, to, next);
      } else if (step.kind == Step::kBert) {
        SplitBert(text, from, to, next);
      } else if (absl::Status status = step.regex->Split(text, from, to, next); !status.ok()) {
        return status;
      }
    }
    words.resize(first);
    words.insert(words.end(), next.begin(), next.end());
  }
  return absl::OkStatus();
}

}  // namespace mbserve::tokenizer_internal
