#include "client/cli/bench/synthetic_text.h"

#include <array>
#include <string_view>

namespace mbserve::bench {
namespace {

// Frequent lowercase English words: each is a single entry of the byte-level
// BPE vocabulary both bare and with a leading space ("Ġthe").
constexpr std::array<std::string_view, 48> kWords = {
    "the",  "of",    "and",  "to",    "in",    "is",   "that", "for",  "it",    "as",
    "was",  "with",  "be",   "by",    "on",    "not",  "he",   "this", "are",   "or",
    "his",  "from",  "at",   "which", "but",   "have", "an",   "had",  "they",  "you",
    "were", "their", "one",  "all",   "we",    "can",  "her",  "has",  "there", "been",
    "if",   "more",  "when", "will",  "would", "who",  "so",   "no"};

}  // namespace

std::string SyntheticText(int num_tokens, std::mt19937_64& gen) {
  std::uniform_int_distribution<size_t> pick(0, kWords.size() - 1);
  std::string text;
  const int num_words = num_tokens - 2;
  text.reserve(static_cast<size_t>(num_words) * 5);
  for (int i = 0; i < num_words; ++i) {
    if (i > 0) text += ' ';
    text += kWords[pick(gen)];
  }
  return text;
}

}  // namespace mbserve::bench
