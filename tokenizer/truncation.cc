#include "tokenizer/truncation.h"

#include <algorithm>
#include <utility>

namespace mbserve::tokenizer_internal {
namespace {

template <typename T>
void Keep(std::vector<T>& values, size_t length, TruncationDirection direction) {
  if (values.size() <= length) return;
  if (direction == TruncationDirection::kLeft) {
    values.erase(values.begin(), values.end() - static_cast<ptrdiff_t>(length));
  } else {
    values.resize(length);
  }
}

void TruncateOne(Encoding& encoding, size_t length, TruncationDirection direction) {
  Keep(encoding.ids, length, direction);
  Keep(encoding.tokens, length, direction);
  Keep(encoding.offsets, length, direction);
  Keep(encoding.special_tokens_mask, length, direction);
  Keep(encoding.sequence_ids, length, direction);
  Keep(encoding.type_ids, length, direction);
}

}  // namespace

void Truncate(Encoding& first, Encoding* second, size_t max_length, TruncationDirection direction) {
  const size_t total = first.ids.size() + (second ? second->ids.size() : 0);
  if (total <= max_length) return;
  if (second == nullptr) {
    TruncateOne(first, max_length, direction);
    return;
  }
  // Longest first: the longer text loses tokens until both fit; when both
  // are too long they share max_length, the extra token going to the longer.
  size_t n1 = first.ids.size(), n2 = second->ids.size();
  const bool swapped = n1 > n2;
  if (swapped) std::swap(n1, n2);
  n2 = n1 > max_length ? n1 : std::max(n1, max_length - n1);
  if (n1 + n2 > max_length) {
    n1 = max_length / 2;
    n2 = n1 + max_length % 2;
  }
  if (swapped) std::swap(n1, n2);
  TruncateOne(first, n1, direction);
  TruncateOne(*second, n2, direction);
}

}  // namespace mbserve::tokenizer_internal
