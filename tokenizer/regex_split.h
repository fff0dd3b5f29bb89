// A tokenizer.json Split pre-tokenizer over PCRE2 (UTF and UCP modes, JIT),
// with Hugging Face's delimiter behaviors.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tokenizer/normalized_text.h"

namespace mbserve::tokenizer_internal {

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

class RegexSplit {
 public:
  // `literal` takes `pattern` as a plain string ({"String": ...} in JSON).
  static absl::StatusOr<std::unique_ptr<RegexSplit>> Create(const std::string& pattern,
                                                            bool literal, SplitBehavior behavior,
                                                            bool invert);
  ~RegexSplit();

  // Appends the pieces of text[begin, end) to `out`. Fails with
  // ResourceExhausted when a match needs more than PCRE2's backtracking
  // limit (a pathological pattern), rather than hanging or splitting wrong.
  absl::Status Split(std::string_view text, size_t begin, size_t end,
                     std::vector<ByteRange>& out) const;

 private:
  struct Code;
  static constexpr uint32_t kMatchLimit = 10'000'000;
  RegexSplit(std::unique_ptr<Code> code, SplitBehavior behavior, bool invert);

  std::unique_ptr<Code> code_;
  SplitBehavior behavior_;
  bool invert_;
};

}  // namespace mbserve::tokenizer_internal
