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
  MoveAppend(to.type_ids, from.type_ids);
}

absl::StatusOr<int32_t> TypeId(const nlohmann::json& entry, const char* name) {
  const nlohmann::json type_id = entry.value("type_id", nlohmann::json(0));
  if (!type_id.is_number_integer() || type_id.get<int64_t>() < 0 ||
      type_id.get<int64_t>() > INT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("post_processor TemplateProcessing.", name,
                                                   ": type_id must be an integer in [0, 2^31)"));
  }
  return static_cast<int32_t>(type_id.get<int64_t>());
}

// BertProcessing's "cls" or "sep": ["[CLS]", 101].
absl::Status ParseBertToken(const nlohmann::json& config, const char* name, std::string& token,
                            int32_t& id) {
  const nlohmann::json& value = config.contains(name) ? config[name] : nlohmann::json();
  if (!value.is_array() || value.size() != 2 || !value[0].is_string() ||
      !value[1].is_number_integer() || value[1].get<int64_t>() < 0 ||
      value[1].get<int64_t>() > INT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("post_processor BertProcessing: \"", name,
                                                   "\" must be [token, id] with id in [0, 2^31)"));
  }
  token = value[0].get<std::string>();
  id = static_cast<int32_t>(value[1].get<int64_t>());
  return absl::OkStatus();
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
      auto type_id = TypeId(entry["Sequence"], name);
      if (!type_id.ok()) return type_id.status();
      piece.type_id = *type_id;
    } else if (entry.contains("SpecialToken") && entry["SpecialToken"].is_object()) {
      const std::string id = entry["SpecialToken"].value("id", std::string());
      if (!specials.contains(id) || !specials[id].is_object()) {
        return absl::InvalidArgumentError(absl::StrCat("post_processor TemplateProcessing.", name,
                                                       ": special token \"", id,
                                                       "\" is missing from special_tokens"));
      }
      auto type_id = TypeId(entry["SpecialToken"], name);
      if (!type_id.ok()) return type_id.status();
      piece.type_id = *type_id;
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

absl::StatusOr<PostProcessor> PostProcessor::FromBertJson(const nlohmann::json& config) {
  std::string cls_token, sep_token;
  int32_t cls_id = 0, sep_id = 0;
  if (absl::Status status = ParseBertToken(config, "cls", cls_token, cls_id); !status.ok()) {
    return status;
  }
  if (absl::Status status = ParseBertToken(config, "sep", sep_token, sep_id); !status.ok()) {
    return status;
  }
  const auto special = [](const std::string& token, int32_t id, int32_t type_id) {
    return Piece{.sequence = -1, .type_id = type_id, .ids = {id}, .tokens = {token}};
  };
  const Piece a{.sequence = 0, .type_id = 0, .ids = {}, .tokens = {}};
  const Piece b{.sequence = 1, .type_id = 1, .ids = {}, .tokens = {}};
  PostProcessor processor;
  processor.single_ = {special(cls_token, cls_id, 0), a, special(sep_token, sep_id, 0)};
  processor.pair_ = {special(cls_token, cls_id, 0), a, special(sep_token, sep_id, 0), b,
                     special(sep_token, sep_id, 1)};
  return processor;
}

absl::StatusOr<PostProcessor> PostProcessor::FromJson(const nlohmann::json& config) {
  PostProcessor processor;
  if (config.is_null()) return processor;
  const std::string type = config.is_object() ? config.value("type", std::string()) : "";
  // BertProcessing is the BERT template: [CLS] $A [SEP] (0), $B [SEP] (1).
  if (type == "BertProcessing") return FromBertJson(config);
  if (type != "TemplateProcessing") {
    return absl::UnimplementedError(
        absl::StrCat("post_processor type \"", type,
                     "\" is unsupported (supported: TemplateProcessing, BertProcessing)"));
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
  if (pieces.empty()) {
    if (second) Append(first, *second);
    return first;
  }
  Encoding out;
  const size_t specials = add_special_tokens ? NumSpecialTokensToAdd(second != nullptr) : 0;
  const size_t total = first.ids.size() + (second ? second->ids.size() : 0) + specials;
  out.ids.reserve(total);
  out.tokens.reserve(total);
  out.offsets.reserve(total);
  out.special_tokens_mask.reserve(total);
  out.sequence_ids.reserve(total);
  out.type_ids.reserve(total);
  for (const Piece& piece : pieces) {
    if (piece.sequence >= 0) {
      // As in Hugging Face, the template's type id holds even without its
      // special tokens.
      Encoding* text = piece.sequence == 0 ? &first : second;
      if (text == nullptr) continue;
      text->type_ids.assign(text->ids.size(), piece.type_id);
      Append(out, *text);
    } else if (add_special_tokens) {
      out.ids.insert(out.ids.end(), piece.ids.begin(), piece.ids.end());
      out.tokens.insert(out.tokens.end(), piece.tokens.begin(), piece.tokens.end());
      out.offsets.insert(out.offsets.end(), piece.ids.size(), {0, 0});
      out.special_tokens_mask.insert(out.special_tokens_mask.end(), piece.ids.size(), 1);
      out.sequence_ids.insert(out.sequence_ids.end(), piece.ids.size(),
                              Encoding::kTemplateSequenceId);
      out.type_ids.insert(out.type_ids.end(), piece.ids.size(), piece.type_id);
    }
  }
  return out;
}

}  // namespace mbserve::tokenizer_internal
