#include "client/cli/input.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ReadTextsTest, ArgumentsComeFirst) {
  InputOptions input;
  input.texts = {"a", "b"};
  input.file = "/nonexistent";  // not read when texts are given
  std::istringstream in("ignored\n");
  absl::StatusOr<std::vector<std::string>> texts = ReadTexts(input, in, false);
  ASSERT_TRUE(texts.ok()) << texts.status();
  EXPECT_THAT(*texts, ElementsAre("a", "b"));
}

TEST(ReadTextsTest, StdinLinesSkipBlanksAndCarriageReturns) {
  std::istringstream in("first\r\n\nsecond line\n\n");
  absl::StatusOr<std::vector<std::string>> texts = ReadTexts(InputOptions(), in, false);
  ASSERT_TRUE(texts.ok()) << texts.status();
  EXPECT_THAT(*texts, ElementsAre("first", "second line"));
}

TEST(ReadTextsTest, TerminalStdinWithoutTextsIsAnError) {
  std::istringstream in("would block on a real terminal\n");
  absl::StatusOr<std::vector<std::string>> texts = ReadTexts(InputOptions(), in, true);
  EXPECT_THAT(texts.status().message(), HasSubstr("no texts: give them as arguments"));
}

TEST(ReadTextsTest, DashReadsStdinEvenOnATerminal) {
  InputOptions input;
  input.file = "-";
  std::istringstream in("typed\n");
  absl::StatusOr<std::vector<std::string>> texts = ReadTexts(input, in, true);
  ASSERT_TRUE(texts.ok()) << texts.status();
  EXPECT_THAT(*texts, ElementsAre("typed"));
}

TEST(ReadTextsTest, ReadsAFile) {
  const std::string path = ::testing::TempDir() + "/read_texts_test.txt";
  std::ofstream(path) << "one\ntwo\n";
  InputOptions input;
  input.file = path;
  std::istringstream in;
  absl::StatusOr<std::vector<std::string>> texts = ReadTexts(input, in, true);
  ASSERT_TRUE(texts.ok()) << texts.status();
  EXPECT_THAT(*texts, ElementsAre("one", "two"));
  std::remove(path.c_str());
}

TEST(ReadTextsTest, MissingOrEmptySourcesAreNamed) {
  InputOptions missing;
  missing.file = "/nonexistent/texts.txt";
  std::istringstream in;
  EXPECT_THAT(ReadTexts(missing, in, false).status().message(),
              HasSubstr("--file /nonexistent/texts.txt: cannot open it"));
  std::istringstream blank("\n\n");
  EXPECT_THAT(ReadTexts(InputOptions(), blank, false).status().message(),
              HasSubstr("stdin has no texts"));
}

TEST(ReadTextsTest, PairLinesSplitAtTheFirstTab) {
  InputOptions input;
  input.pairs = true;
  std::istringstream in("query\tdoc one\nq2\tdoc\twith tab\n");
  absl::StatusOr<std::vector<std::string>> texts = ReadTexts(input, in, false);
  ASSERT_TRUE(texts.ok()) << texts.status();
  EXPECT_THAT(*texts, ElementsAre("query", "doc one", "q2", "doc\twith tab"));
  std::istringstream bad("fine\tpair\nno tab here\n");
  EXPECT_THAT(ReadTexts(input, bad, false).status().message(),
              HasSubstr("stdin line 2 has no TAB"));
}

}  // namespace
}  // namespace mbserve::cli
