#include "tokenizer/post_processor.h"

#include <iterator>

#include "absl/strings/str_cat.h"

namespace mbserve::tokenizer_internal {
namespace {

template <typename T>
void MoveAppend(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// Moves the tokens of `from` to the end of `to`.
void Append(Encoding& to, Encoding& from) {
  MoveAppend(to.ids, from.ids);
  MoveAppend(to.tokens, from.tokens);
  MoveAppend(to.offsets, from.offsets);
  MoveAppend(to.special_tokens_mask, from.special_tokens_mask);
  MoveAppend(to.sequence_ids, from.sequence_ids);
}

}  // namespace

absl::StatusOr<std::vector<PostProcessor::Piece>> PostProcessor::ParseTemplate(
    const nlohmann::json& config, const char* name) {
  std::vector<Piece> pieces;
  if (!config.contains(name) || !config[name].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("post_processor TemplateProcessing: \"", name, "\" must be an array"));
  }
  const nlohmann::json specials = config.value("special_tokens", nlohmann::json::object());
  for (const auto& entry : config[name]) {
    Piece piece;
    if (entry.contains("Sequence") && entry["Sequence"].is_object()) {
      const std::string id = entry["Sequence"].value("id", std::string());
      if (id != "A" && id != "B") {
        return absl::InvalidArgumentError(absl::StrCat("post_processor TemplateProcessing.", name,
                                                       ": sequence id must be A or B, got ", id));
      }
      piece.sequence = id == "A" ? 0 : 1;
    } else if (entry.contains("SpecialToken") && entry["SpecialToken"].is_object()) {
      const std::string id = entry["SpecialToken"].value("id", std::string());
      if (!specials.contains(id) || !specials[id].is_object()) {
        return absl::InvalidArgumentError(absl::StrCat("post_processor TemplateProcessing.", name,
                                                       ": special token \"", id,
                                                       "\" is missing from special_tokens"));
      }
      const auto& special = specials[id];
      const auto ids = special.value("ids", nlohmann::json::array());
      const auto tokens = special.value("tokens", nlohmann::json::array());
      if (!ids.is_array() || !tokens.is_array() || ids.size() != tokens.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("post_processor special_tokens[\"", id,
                         "\"]: ids and tokens must be arrays of one length"));
      }
      for (size_t i = 0; i < ids.size(); ++i) {
        if (!ids[i].is_number_integer() || !tokens[i].is_string() || ids[i].get<int64_t>() < 0 ||
            ids[i].get<int64_t>() > INT32_MAX) {
          return absl::InvalidArgumentError(absl::StrCat(
              "post_processor special_tokens[\"", id, "\"]: ids must be integers, tokens strings"));
        }
        piece.ids.push_back(static_cast<int32_t>(ids[i].get<int64_t>()));
        piece.tokens.push_back(tokens[i].get<std::string>());
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("post_processor TemplateProcessing.", name,
                                                     ": entries are Sequence or SpecialToken"));
    }
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

absl::StatusOr<PostProcessor> PostProcessor::FromJson(const nlohmann::json& config) {
  PostProcessor processor;
  if (config.is_null()) return processor;
  const std::string type = config.is_object() ? config.value("type", std::string()) : "";
  if (type != "TemplateProcessing") {
    return absl::UnimplementedError(absl::StrCat(
        "post_processor type \"", type, "\" is unsupported (supported: TemplateProcessing)"));
  }
  auto single = ParseTemplate(config, "single");
  if (!single.ok()) return single.status();
  auto pair = ParseTemplate(config, "pair");
  if (!pair.ok()) return pair.status();
  processor.single_ = std::move(single).value();
  processor.pair_ = std::move(pair).value();
  return processor;
}

size_t PostProcessor::NumSpecialTokensToAdd(bool pair) const {
  size_t count = 0;
  for (const Piece& piece : pair ? pair_ : single_) count += piece.ids.size();
  return count;
}

Encoding PostProcessor::Process(Encoding first, Encoding* second, bool add_special_tokens) const {
  const std::vector<Piece>& pieces = second ? pair_ : single_;
  if (!add_special_tokens || pieces.empty()) {
    if (second) Append(first, *second);
    return first;
  }
  Encoding out;
  const size_t specials = NumSpecialTokensToAdd(second != nullptr);
  const size_t total = first.ids.size() + (second ? second->ids.size() : 0) + specials;
  out.ids.reserve(total);
  out.tokens.reserve(total);
  out.offsets.reserve(total);
  out.special_tokens_mask.reserve(total);
  out.sequence_ids.reserve(total);
  for (const Piece& piece : pieces) {
    if (piece.sequence == 0) {
      Append(out, first);
    } else if (piece.sequence == 1) {
      if (second) Append(out, *second);
    } else {
      out.ids.insert(out.ids.end(), piece.ids.begin(), piece.ids.end());
      out.tokens.insert(out.tokens.end(), piece.tokens.begin(), piece.tokens.end());
      out.offsets.insert(out.offsets.end(), piece.ids.size(), {0, 0});
      out.special_tokens_mask.insert(out.special_tokens_mask.end(), piece.ids.size(), 1);
      out.sequence_ids.insert(out.sequence_ids.end(), piece.ids.size(),
                              Encoding::kTemplateSequenceId);
    }
  }
  return out;
}

}  // namespace mbserve::tokenizer_internal
