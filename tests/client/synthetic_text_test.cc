#include "client/cli/bench/synthetic_text.h"

#include <random>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace mbserve::bench {
namespace {

TEST(SyntheticTextTest, HasOneWordPerTokenBesidesClsAndSep) {
  std::mt19937_64 gen(1);
  for (int tokens : {3, 4, 100, 8192}) {
    const std::string text = SyntheticText(tokens, gen);
    const std::vector<std::string> words = absl::StrSplit(text, ' ');
    EXPECT_EQ(static_cast<int>(words.size()), tokens - 2);
    for (const std::string& word : words) EXPECT_FALSE(word.empty()) << text;
  }
}

TEST(SyntheticTextTest, VariesWithTheGenerator) {
  std::mt19937_64 gen(1);
  EXPECT_NE(SyntheticText(50, gen), SyntheticText(50, gen));
}

}  // namespace
}  // namespace mbserve::bench
