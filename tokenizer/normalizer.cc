#include "tokenizer/normalizer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tokenizer/aligned_chars.h"
#include "tokenizer/unicode_data.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

// Collects the normalizers of `config` (a Sequence is flattened).
absl::Status CollectNormalizers(const nlohmann::json& config,
                                std::vector<const nlohmann::json*>& out) {
  if (!config.is_object() || !config.contains("type") || !config["type"].is_string()) {
    return absl::InvalidArgumentError("normalizer: expected an object with a string \"type\"");
  }
  const std::string type = config["type"].get<std::string>();
  if (type == "Sequence") {
    if (!config.contains("normalizers") || !config["normalizers"].is_array()) {
      return absl::InvalidArgumentError("normalizer Sequence: \"normalizers\" must be an array");
    }
    for (const auto& child : config["normalizers"]) {
      if (absl::Status status = CollectNormalizers(child, out); !status.ok()) return status;
    }
    return absl::OkStatus();
  }
  if (type != "NFC" && type != "BertNormalizer") {
    return absl::UnimplementedError(
        absl::StrCat("normalizer type \"", type,
                     "\" is unsupported (supported: NFC, BertNormalizer, Sequence)"));
  }
  out.push_back(&config);
  return absl::OkStatus();
}

// A character of the NFD or NFC stream with its change count (aligned_chars.h)
// and the properties composition needs.
struct Changed {
  char32_t cp;
  int change;
  uint8_t ccc;
  uint8_t flags;  // CharClass
};

Changed Classify(char32_t cp, int change) {
  const uint8_t flags = CharClass(cp);
  return {cp, change, (flags & kNfcInert) ? uint8_t{0} : CombiningClass(cp), flags};
}

std::vector<Changed> Decompose(std::span<const AlignedChar> input) {
  std::vector<Changed> chars;
  chars.reserve(input.size());
  std::vector<char32_t> scratch;
  for (const AlignedChar& in : input) {
    const Changed c = Classify(in.cp, 0);
    if (!(c.flags & kDecomposes)) {
      chars.push_back(c);
      continue;
    }
    scratch.clear();
    AppendCanonicalDecomposition(c.cp, scratch);
    for (size_t i = 0; i < scratch.size(); ++i)
      chars.push_back(Classify(scratch[i], i == 0 ? 0 : 1));
  }
  // Canonical ordering: stable sort of each run of non-starters.
  size_t i = 0;
  while (i < chars.size()) {
    if (chars[i].ccc == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < chars.size() && chars[j].ccc != 0) ++j;
    std::stable_sort(chars.begin() + i, chars.begin() + j,
                     [](const Changed& a, const Changed& b) { return a.ccc < b.ccc; });
    i = j;
  }
  return chars;
}

// Replays `changes` over `input` as Hugging Face's NormalizedString does.
void Replay(std::span<const AlignedChar> input, const std::vector<Changed>& changes, uint32_t base,
            std::vector<AlignedChar>& out) {
  std::vector<ChangedChar> plain;
  plain.reserve(changes.size());
  for (const Changed& c : changes) plain.push_back({c.cp, c.change});
  ApplyChanges(input, plain, base, out);
}

std::vector<Changed> Compose(const std::vector<Changed>& chars) {
  std::vector<Changed> out;
  out.reserve(chars.size());
  ptrdiff_t starter = -1;
  int last_class = -1;  // class of the last character kept after the starter
  for (const Changed& c : chars) {
    const int cc = c.ccc;
    const bool reachable = last_class == -1 || (last_class != 0 && last_class < cc);
    // An inert character composes with nothing before it.
    if (starter >= 0 && reachable && !(c.flags & kNfcInert)) {
      if (char32_t composite = ComposePair(out[starter].cp, c.cp); composite != 0) {
        out[starter] = Classify(composite, out[starter].change + c.change - 1);
        continue;
      }
    }
    if (cc == 0) {
      starter = static_cast<ptrdiff_t>(out.size());
      last_class = -1;
    } else {
      last_class = cc;
    }
    out.push_back(c);
  }
  return out;
}

bool IsNfcInert(std::string_view piece) {
  const auto* s = reinterpret_cast<const uint8_t*>(piece.data());
  size_t pos = 0;
  while (pos < piece.size()) {
    // Everything below U+0300 is NFC-inert.
    if (s[pos] < 0xCC) {
      pos += Utf8SequenceLength(s[pos]);
      continue;
    }
    if (!(CharClass(DecodeUtf8(piece, pos)) & kNfcInert)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Normalizer> Normalizer::FromJson(const nlohmann::json& config) {
  Normalizer normalizer;
  if (config.is_null()) return normalizer;
  std::vector<const nlohmann::json*> steps;
  if (absl::Status status = CollectNormalizers(config, steps); !status.ok()) return status;
  for (const nlohmann::json* step : steps) {
    if ((*step)["type"] == "NFC") {
      normalizer.nfc_ = true;  // NFC is idempotent: one pass covers repeats.
      continue;
    }
    if (steps.size() > 1) {
      return absl::UnimplementedError(
          "normalizer: BertNormalizer together with other normalizers is unsupported");
    }
    auto bert = BertNormalizer::FromJson(*step);
    if (!bert.ok()) return bert.status();
    normalizer.bert_ = *bert;
  }
  return normalizer;
}

void Normalizer::Normalize(std::string_view piece, uint32_t base, NormalizedText& out) const {
  if (bert_) {
    bert_->Normalize(piece, base, out);
  } else if (nfc_) {
    NormalizeNfc(piece, base, out);
  } else {
    out.SetIdentity(piece, base);
  }
}

void NormalizeNfc(std::string_view piece, uint32_t base, NormalizedText& out) {
  if (IsNfcInert(piece)) {
    out.SetIdentity(piece, base);
    return;
  }
  std::vector<AlignedChar> input, composed;
  DecodeAligned(piece, base, input);
  Replay(input, Compose(Decompose(input)), base, composed);
  SetAligned(composed, out);
}

void NormalizeNfd(std::span<const AlignedChar> chars, uint32_t base,
                  std::vector<AlignedChar>& out) {
  Replay(chars, Decompose(chars), base, out);
}

}  // namespace mbserve::tokenizer_internal
