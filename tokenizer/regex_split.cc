#include "tokenizer/regex_split.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

struct Piece {
  ByteRange range;
  bool is_match;
};

}  // namespace

struct RegexSplit::Code {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;
  ~Code() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

RegexSplit::RegexSplit(std::unique_ptr<Code> code, SplitBehavior behavior, bool invert)
    : code_(std::move(code)), behavior_(behavior), invert_(invert) {}

RegexSplit::~RegexSplit() = default;

absl::StatusOr<std::unique_ptr<RegexSplit>> RegexSplit::Create(const std::string& pattern,
                                                               bool literal, SplitBehavior behavior,
                                                               bool invert) {
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  const uint32_t options = PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0);
  auto code = std::make_unique<Code>();
  code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                             &error, &error_offset, nullptr);
  if (code->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    return absl::InvalidArgumentError(
        absl::StrCat("pre_tokenizer Split: pattern does not compile at offset ", error_offset, ": ",
                     reinterpret_cast<const char*>(message)));
  }
  // Without JIT (unsupported CPU) PCRE2 interprets the same pattern.
  pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE);
  code->context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(code->context, kMatchLimit);
  return std::unique_ptr<RegexSplit>(new RegexSplit(std::move(code), behavior, invert));
}

absl::Status RegexSplit::Split(std::string_view text, size_t begin, size_t end,
                               std::vector<ByteRange>& out) const {
  if (begin == end) return absl::OkStatus();
  // The piece is matched alone, as the Rust library slices it, so lookarounds
  // never see past its ends. An empty match right where the previous match
  // ended is skipped by one character, as Rust's find_iter does.
  const std::string_view piece = text.substr(begin, end - begin);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
  std::vector<Piece> pieces;
  auto add = [&](size_t from, size_t to, bool is_match) {
    pieces.push_back(
        {{static_cast<uint32_t>(begin + from), static_cast<uint32_t>(begin + to)}, is_match});
  };
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  size_t search = 0, previous_end = 0;
  bool have_match = false;
  while (search <= piece.size()) {
    const int rc = pcre2_match(code_->code, subject, piece.size(), search, PCRE2_NO_UTF_CHECK, data,
                               code_->context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      pcre2_match_data_free(data);
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(rc, message, sizeof(message));
      return absl::ResourceExhaustedError(
          absl::StrCat("pre_tokenizer Split: regex match failed at byte offset ", begin + search,
                       ": ", reinterpret_cast<const char*>(message)));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    const size_t match_begin = ovector[0], match_end = ovector[1];
    const bool empty = match_begin == match_end;
    if (!(empty && have_match && match_end == previous_end)) {
      if (previous_end != match_begin) add(previous_end, match_begin, false);
      add(match_begin, match_end, true);
      previous_end = match_end;
      have_match = true;
    }
    if (!empty) {
      search = match_end;
    } else if (match_end >= piece.size()) {
      break;
    } else {
      search = match_end + Utf8SequenceLength(static_cast<uint8_t>(piece[match_end]));
    }
  }
  pcre2_match_data_free(data);
  if (previous_end != piece.size()) add(previous_end, piece.size(), false);
  if (invert_) {
    for (Piece& p : pieces) p.is_match = !p.is_match;
  }

  std::vector<Piece> merged;
  bool previous_match = false;
  switch (behavior_) {
    case SplitBehavior::kIsolated:
      for (const Piece& p : pieces) out.push_back(p.range);
      return absl::OkStatus();
    case SplitBehavior::kRemoved:
      for (const Piece& p : pieces) {
        if (!p.is_match) out.push_back(p.range);
      }
      return absl::OkStatus();
    case SplitBehavior::kContiguous:
      for (const Piece& p : pieces) {
        if (p.is_match == previous_match && !merged.empty()) {
          merged.back().range.second = p.range.second;
        } else {
          merged.push_back(p);
        }
        previous_match = p.is_match;
      }
      break;
    case SplitBehavior::kMergedWithPrevious:
      for (const Piece& p : pieces) {
        if (p.is_match && !previous_match && !merged.empty()) {
          merged.back().range.second = p.range.second;
        } else {
          merged.push_back(p);
        }
        previous_match = p.is_match;
      }
      break;
    case SplitBehavior::kMergedWithNext:
      for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
        if (it->is_match && !previous_match && !merged.empty()) {
          merged.back().range.first = it->range.first;
        } else {
          merged.push_back(*it);
        }
        previous_match = it->is_match;
      }
      std::reverse(merged.begin(), merged.end());
      break;
  }
  for (const Piece& p : merged) out.push_back(p.range);
  return absl::OkStatus();
}

}  // namespace mbserve::tokenizer_internal
