#include "tokenizer/bpe.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "tokenizer/absl_view.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

absl::Status ParseMerge(const nlohmann::json& entry, size_t index, std::string& left,
                        std::string& right) {
  if (entry.is_string()) {
    // "a b": tokens never contain a space in this encoding.
    const std::string& text = entry.get_ref<const std::string&>();
    const size_t space = text.find(' ');
    if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("model.merges[", index, "]: expected \"left right\", got \"", text, "\""));
    }
    left = text.substr(0, space);
    right = text.substr(space + 1);
    return absl::OkStatus();
  }
  if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {
    left = entry[0].get<std::string>();
    right = entry[1].get<std::string>();
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("model.merges[", index, "]: expected a string or a pair of strings"));
}

absl::Status CheckUnsupported(const nlohmann::json& config, const char* field) {
  if (config.contains(field) && !config[field].is_null() &&
      !(config[field].is_string() && config[field].get<std::string>().empty())) {
    return absl::UnimplementedError(absl::StrCat("model.", field, " is unsupported"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Bpe>> Bpe::FromJson(const nlohmann::json& config, bool byte_level) {
  for (const char* field : {"dropout", "continuing_subword_prefix", "end_of_word_suffix"}) {
    if (absl::Status status = CheckUnsupported(config, field); !status.ok()) return status;
  }
  auto bpe = std::unique_ptr<Bpe>(new Bpe());
  bpe->byte_level_ = byte_level;
  bpe->ignore_merges_ = config.value("ignore_merges", false);
  bpe->fuse_unk_ = config.value("fuse_unk", false);
  bpe->byte_fallback_ = config.value("byte_fallback", false);
  MBSERVE_RETURN_IF_ERROR(ParseVocab(config, bpe->vocab_));
  for (const auto& [token, value] : bpe->vocab_) {
    if (!byte_level) {
      bpe->word_vocab_[token] = value;
    } else if (std::optional<std::string> bytes = ByteLevelToBytes(token)) {
      bpe->word_vocab_[*bytes] = value;
    }
  }
  for (int b = 0; b < 256; ++b) {
    auto it = bpe->word_vocab_.find(std::string(1, static_cast<char>(b)));
    bpe->byte_ids_[b] = it == bpe->word_vocab_.end() ? -1 : it->second;
  }
  if (config.contains("unk_token") && config["unk_token"].is_string()) {
    const std::string unk = config["unk_token"].get<std::string>();
    auto it = bpe->vocab_.find(unk);
    if (it == bpe->vocab_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("model.unk_token \"", unk, "\" is not in model.vocab"));
    }
    bpe->unk_id_ = it->second;
  }
  const nlohmann::json merges = config.value("merges", nlohmann::json::array());
  if (!merges.is_array()) return absl::InvalidArgumentError("model.merges must be an array");
  std::string left, right;
  for (size_t i = 0; i < merges.size(); ++i) {
    if (absl::Status status = ParseMerge(merges[i], i, left, right); !status.ok()) return status;
    auto l = bpe->vocab_.find(left), r = bpe->vocab_.find(right);
    auto result = bpe->vocab_.find(left + right);
    if (l == bpe->vocab_.end() || r == bpe->vocab_.end() || result == bpe->vocab_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("model.merges[", i, "]: \"", left, "\", \"",
                                                     right,
                                                     "\" or their merge is not in model.vocab"));
    }
    // The first listing of a pair wins, as in the Rust library.
    bpe->merges_.try_emplace(PairKey(l->second, r->second),
                             Merge{static_cast<int32_t>(i), result->second});
  }
  return bpe;
}

absl::Status Bpe::Symbols(std::string_view word, std::vector<ModelPiece>& symbols) const {
  if (byte_level_) {
    for (unsigned char b : word) {
      if (byte_ids_[b] >= 0) {
        symbols.push_back({byte_ids_[b], 1});
      } else if (unk_id_) {
        // Byte-level vocabularies normally hold all 256 bytes.
        if (fuse_unk_ && !symbols.empty() && symbols.back().id == *unk_id_) {
          symbols.back().length += 1;
        } else {
          symbols.push_back({*unk_id_, 1});
        }
      } else {
        return absl::InvalidArgumentError(absl::StrFormat(
            "byte 0x%02X is not in the vocabulary and the model has no unk_token", b));
      }
    }
    return absl::OkStatus();
  }
  size_t pos = 0;
  while (pos < word.size()) {
    const size_t start = pos;
    DecodeUtf8(word, pos);
    const std::string_view ch = word.substr(start, pos - start);
    const auto length = static_cast<uint32_t>(ch.size());
    if (auto it = word_vocab_.find(AbslView(ch)); it != word_vocab_.end()) {
      symbols.push_back({it->second, length});
      continue;
    }
    if (byte_fallback_) {
      std::vector<ModelPiece> bytes;
      for (unsigned char b : ch) {
        auto it = word_vocab_.find(absl::StrFormat("<0x%02X>", b));
        if (it == word_vocab_.end()) break;
        bytes.push_back({it->second, 1});
      }
      if (bytes.size() == ch.size()) {
        symbols.insert(symbols.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    if (!unk_id_) {
      return absl::InvalidArgumentError(
          absl::StrCat("character \"", AbslView(ch),
                       "\" is not in the vocabulary and the model has no unk_token"));
    }
    if (fuse_unk_ && !symbols.empty() && symbols.back().id == *unk_id_) {
      symbols.back().length += length;
    } else {
      symbols.push_back({*unk_id_, length});
    }
  }
  return absl::OkStatus();
}

void Bpe::MergeAll(std::vector<ModelPiece>& symbols) const {
  // Lowest rank first, leftmost among equal ranks, as the Rust library's
  // priority queue orders them. Entries go stale when a neighbour merges
  // first; they are recognised and skipped when popped.
  struct Candidate {
    int32_t rank;
    uint32_t pos;
    int32_t result;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  const size_t n = symbols.size();
  thread_local std::vector<int32_t> prev, next;
  thread_local std::vector<Candidate> heap;
  prev.resize(n);
  next.resize(n);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<int32_t>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int32_t>(i + 1) : -1;
  }
  heap.clear();
  auto push = [&](int32_t pos) {
    if (pos < 0 || next[pos] < 0) return;
    auto it = merges_.find(PairKey(symbols[pos].id, symbols[next[pos]].id));
    if (it != merges_.end()) {
      heap.push_back({it->second.rank, static_cast<uint32_t>(pos), it->second.result});
      std::push_heap(heap.begin(), heap.end(), std::greater<>());
    }
  };
  for (size_t i = 0; i + 1 < n; ++i) push(static_cast<int32_t>(i));
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const Candidate top = heap.back();
    heap.pop_back();
    ModelPiece& left = symbols[top.pos];
    const int32_t right = next[top.pos];
    if (left.length == 0 || right < 0) continue;
    auto it = merges_.find(PairKey(left.id, symbols[right].id));
    if (it == merges_.end() || it->second.result != top.result) continue;
    left.id = top.result;
    left.length += symbols[right].length;
    symbols[right].length = 0;
    next[top.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = static_cast<int32_t>(top.pos);
    push(prev[top.pos]);
    push(static_cast<int32_t>(top.pos));
  }
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    if (symbols[i].length != 0) symbols[kept++] = symbols[i];
  }
  symbols.resize(kept);
}

absl::Status Bpe::Tokenize(std::string_view word, std::vector<ModelPiece>& out) const {
  if (ignore_merges_) {
    if (auto it = word_vocab_.find(AbslView(word)); it != word_vocab_.end()) {
      out.push_back({it->second, static_cast<uint32_t>(word.size())});
      return absl::OkStatus();
    }
  }
  const size_t hash = std::hash<std::string_view>()(word);
  if (cache_.Lookup(word, hash, out)) return absl::OkStatus();
  thread_local std::vector<ModelPiece> symbols;
  symbols.clear();
  if (absl::Status status = Symbols(word, symbols); !status.ok()) return status;
  MergeAll(symbols);
  cache_.Insert(word, hash, symbols.data(), symbols.size());
  out.insert(out.end(), symbols.begin(), symbols.end());
  return absl::OkStatus();
}

}  // namespace mbserve::tokenizer_internal
