#include "tokenizer/normalizer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tokenizer/unicode_data.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

absl::Status AddNormalizer(const nlohmann::json& config, bool& nfc) {
  if (!config.is_object() || !config.contains("type") || !config["type"].is_string()) {
    return absl::InvalidArgumentError("normalizer: expected an object with a string \"type\"");
  }
  const std::string type = config["type"].get<std::string>();
  if (type == "NFC") {
    nfc = true;  // NFC is idempotent: one pass covers repeats.
    return absl::OkStatus();
  }
  if (type == "Sequence") {
    if (!config.contains("normalizers") || !config["normalizers"].is_array()) {
      return absl::InvalidArgumentError("normalizer Sequence: \"normalizers\" must be an array");
    }
    for (const auto& child : config["normalizers"]) {
      if (absl::Status status = AddNormalizer(child, nfc); !status.ok()) return status;
    }
    return absl::OkStatus();
  }
  return absl::UnimplementedError(
      absl::StrCat("normalizer type \"", type, "\" is unsupported (supported: NFC, Sequence)"));
}

// A character of the NFC stream and Hugging Face's change count: 1 when it is
// inserted, 0 when it replaces one input character, -n when it also removes
// the n input characters after that one.
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

std::vector<Changed> Decompose(std::string_view piece) {
  std::vector<Changed> chars;
  std::vector<char32_t> scratch;
  size_t pos = 0;
  while (pos < piece.size()) {
    const Changed c = Classify(DecodeUtf8(piece, pos), 0);
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
  if (absl::Status status = AddNormalizer(config, normalizer.nfc_); !status.ok()) return status;
  return normalizer;
}

void Normalizer::Normalize(std::string_view piece, uint32_t base, NormalizedText& out) const {
  if (nfc_) {
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
  const std::vector<Changed> composed = Compose(Decompose(piece));
  // Replays Hugging Face's NormalizedString::transform over the input piece.
  std::string text;
  std::vector<ByteRange> alignments;
  text.reserve(piece.size());
  alignments.reserve(piece.size());
  size_t offset = 0;
  // An inserted character shares the alignment of the input character just
  // before the current offset.
  ByteRange last_consumed{base, base};
  for (const Changed& c : composed) {
    ByteRange align = last_consumed;
    if (c.change <= 0) {
      size_t start = offset;
      DecodeUtf8(piece, offset);
      align = {static_cast<uint32_t>(base + start), static_cast<uint32_t>(base + offset)};
      last_consumed = align;
      for (int removed = 0; removed < -c.change && offset < piece.size(); ++removed) {
        start = offset;
        DecodeUtf8(piece, offset);
        last_consumed = {static_cast<uint32_t>(base + start), static_cast<uint32_t>(base + offset)};
      }
    }
    const size_t before = text.size();
    AppendUtf8(c.cp, text);
    alignments.insert(alignments.end(), text.size() - before, align);
  }
  out.SetTransformed(std::move(text), std::move(alignments));
}

}  // namespace mbserve::tokenizer_internal
