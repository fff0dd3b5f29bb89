#include "tokenizer/pipeline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "tokenizer/absl_view.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

const nlohmann::json& Field(const nlohmann::json& root, const char* name) {
  static const nlohmann::json kNull;
  auto it = root.find(name);
  return it == root.end() ? kNull : *it;
}

// A parse depth limit keeps hostile files from exhausting the stack.
constexpr int kMaxJsonDepth = 64;

absl::Status CheckDepth(std::string_view json) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tokenizer.json nests deeper than ", kMaxJsonDepth, " levels at byte offset ", i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::FromJson(std::string_view json) {
  if (absl::Status status = CheckDepth(json); !status.ok()) return status;
  // The stages check the fields they read; a value of the wrong JSON type
  // that slips past them (nlohmann throws on it) is still a load error.
  try {
    return Load(json);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer.json: ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Load(std::string_view json) {
  nlohmann::json root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return absl::InvalidArgumentError("tokenizer.json is not a JSON object");
  }
  // "truncation" and "padding" are ignored, as transformers' fast tokenizers
  // ignore them: truncation is set per request (EncodeOptions) and the
  // server never pads.
  auto pipeline = std::unique_ptr<Pipeline>(new Pipeline());
  auto normalizer = Normalizer::FromJson(Field(root, "normalizer"));
  if (!normalizer.ok()) return normalizer.status();
  pipeline->normalizer_ = std::move(normalizer).value();
  auto pre_tokenizer = PreTokenizer::FromJson(Field(root, "pre_tokenizer"));
  if (!pre_tokenizer.ok()) return pre_tokenizer.status();
  pipeline->pre_tokenizer_ = std::move(pre_tokenizer).value();
  auto model = Model::FromJson(Field(root, "model"), pipeline->pre_tokenizer_->byte_level());
  if (!model.ok()) return model.status();
  pipeline->model_ = std::move(model).value();
  auto added = AddedVocabulary::FromJson(Field(root, "added_tokens"), *pipeline->normalizer_);
  if (!added.ok()) return added.status();
  pipeline->added_ = std::move(added).value();
  auto post_processor = PostProcessor::FromJson(Field(root, "post_processor"));
  if (!post_processor.ok()) return post_processor.status();
  pipeline->post_processor_ = std::move(post_processor).value();

  int32_t max_id = -1;
  for (const auto& [token, id] : pipeline->model_->vocab()) max_id = std::max(max_id, id);
  for (const AddedToken& token : pipeline->added_->tokens()) max_id = std::max(max_id, token.id);
  // The id table is dense; this bound keeps a hostile file from costing more
  // than about 64 MB (the largest real vocabularies hold about 256k ids).
  constexpr int32_t kMaxIds = 1 << 21;
  if (max_id >= kMaxIds) {
    return absl::InvalidArgumentError(
        absl::StrCat("token id ", max_id, " is too large; ids must be below ", kMaxIds));
  }
  pipeline->id_to_token_.resize(max_id + 1);
  pipeline->present_.resize(max_id + 1);
  std::vector<bool> is_special(max_id + 1);
  absl::flat_hash_map<absl::string_view, bool> all_tokens;
  for (const auto& [token, id] : pipeline->model_->vocab()) {
    pipeline->id_to_token_[id] = token;
    pipeline->present_[id] = true;
    all_tokens[token] = true;
  }
  for (const AddedToken& token : pipeline->added_->tokens()) {
    pipeline->id_to_token_[token.id] = token.content;
    pipeline->present_[token.id] = true;
    is_special[token.id] = token.special;
    pipeline->added_ids_[token.content] = token.id;
    all_tokens[token.content] = true;
  }
  pipeline->vocab_size_ = static_cast<int32_t>(all_tokens.size());
  auto decoder = Decoder::FromJson(Field(root, "decoder"), pipeline->id_to_token_,
                                   pipeline->present_, is_special);
  if (!decoder.ok()) return decoder.status();
  pipeline->decoder_ = std::move(decoder).value();
  return pipeline;
}

std::optional<int32_t> Pipeline::TokenToId(std::string_view token) const {
  if (auto it = added_ids_.find(AbslView(token)); it != added_ids_.end()) return it->second;
  if (auto it = model_->vocab().find(AbslView(token)); it != model_->vocab().end())
    return it->second;
  return std::nullopt;
}

std::optional<std::string> Pipeline::IdToToken(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= present_.size() || !present_[id]) return std::nullopt;
  return id_to_token_[id];
}

void Pipeline::AddToken(int32_t id, std::string token, ByteRange offsets, Encoding& out) const {
  out.ids.push_back(id);
  out.tokens.push_back(std::move(token));
  out.offsets.push_back(offsets);
}

absl::Status Pipeline::EncodeWords(const NormalizedText& normalized, size_t begin, size_t end,
                                   Encoding& out) const {
  if (begin == end) return absl::OkStatus();
  const NormalizedText* text = &normalized;
  NormalizedText prefixed;
  if (pre_tokenizer_->add_prefix_space() && normalized.text()[begin] != ' ') {
    prefixed.SetSlice(normalized, begin, end);
    prefixed.PrependAscii(' ');
    text = &prefixed;
    begin = 0;
    end = prefixed.text().size();
  }
  thread_local std::vector<ByteRange> words;
  thread_local std::vector<ModelPiece> pieces;
  words.clear();
  MBSERVE_RETURN_IF_ERROR(pre_tokenizer_->Split(text->text(), begin, end, words));
  for (const auto& [word_begin, word_end] : words) {
    if (word_begin == word_end) continue;
    pieces.clear();
    MBSERVE_RETURN_IF_ERROR(
        model_->Tokenize(text->text().substr(word_begin, word_end - word_begin), pieces));
    size_t pos = word_begin;
    for (const ModelPiece& piece : pieces) {
      AddToken(piece.id, id_to_token_[piece.id], text->OriginalRange(pos, pos + piece.length), out);
      pos += piece.length;
    }
  }
  return absl::OkStatus();
}

absl::Status Pipeline::EncodePiece(std::string_view input, size_t begin, size_t end,
                                   Encoding& out) const {
  if (begin == end) return absl::OkStatus();
  NormalizedText normalized;
  normalizer_->Normalize(input.substr(begin, end - begin), static_cast<uint32_t>(begin),
                         normalized);
  thread_local std::vector<AddedMatch> matches;
  matches.clear();
  added_->FindMatches(normalized.text(), /*normalized=*/true, matches);
  size_t cursor = 0;
  for (const AddedMatch& match : matches) {
    if (cursor < match.begin) {
      MBSERVE_RETURN_IF_ERROR(EncodeWords(normalized, cursor, match.begin, out));
    }
    AddToken(match.id, std::string(normalized.text().substr(match.begin, match.end - match.begin)),
             normalized.OriginalRange(match.begin, match.end), out);
    cursor = match.end;
  }
  if (cursor >= normalized.text().size()) return absl::OkStatus();
  return EncodeWords(normalized, cursor, normalized.text().size(), out);
}

absl::StatusOr<Encoding> Pipeline::EncodeText(std::string_view text, uint8_t sequence_id,
                                              std::string_view field) const {
  MBSERVE_RETURN_IF_ERROR(ValidateUtf8(text, field));
  if (text.size() > UINT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(AbslView(field), " has ", text.size(),
                                                   " bytes; at most 4294967295 are accepted"));
  }
  Encoding out;
  std::vector<AddedMatch> matches;
  added_->FindMatches(text, /*normalized=*/false, matches);
  size_t cursor = 0;
  for (const AddedMatch& match : matches) {
    if (cursor < match.begin) MBSERVE_RETURN_IF_ERROR(EncodePiece(text, cursor, match.begin, out));
    AddToken(match.id, std::string(text.substr(match.begin, match.end - match.begin)),
             {static_cast<uint32_t>(match.begin), static_cast<uint32_t>(match.end)}, out);
    cursor = match.end;
  }
  if (cursor < text.size()) MBSERVE_RETURN_IF_ERROR(EncodePiece(text, cursor, text.size(), out));
  out.special_tokens_mask.assign(out.ids.size(), 0);
  out.sequence_ids.assign(out.ids.size(), sequence_id);
  // The post-processor's template may set others.
  out.type_ids.assign(out.ids.size(), sequence_id);
  return out;
}

}  // namespace mbserve::tokenizer_internal
