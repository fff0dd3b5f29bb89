// Parity with Hugging Face `tokenizers` on the generated corpus that
// tests/reference/make_tokenizer_fixtures.py records (ctest runs it first as
// a fixture). A missing fixture fails the test: parity is never skipped.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tokenizer/tokenizer.h"

namespace mbserve {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// Character index of every byte boundary of `text` (Python's str offsets).
std::vector<uint32_t> CharIndex(const std::string& text) {
  std::vector<uint32_t> index(text.size() + 1);
  uint32_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    index[i] = chars;
    if ((static_cast<uint8_t>(text[i]) & 0xC0) != 0x80) ++chars;
  }
  index[text.size()] = chars;
  return index;
}

struct Totals {
  size_t cases = 0, bytes = 0, tokens = 0, failures = 0;
};

void CheckCase(const Tokenizer& tokenizer, const nlohmann::json& c, Totals& totals) {
  const std::string text = c["text"].get<std::string>();
  const bool is_pair = !c["pair"].is_null();
  const std::string pair = is_pair ? c["pair"].get<std::string>() : "";
  EncodeOptions options;
  options.add_special_tokens = c["add_special_tokens"].get<bool>();
  if (!c["max_length"].is_null()) options.max_length = c["max_length"].get<size_t>();
  options.direction = c["direction"].get<std::string>() == "left" ? TruncationDirection::kLeft
                                                                  : TruncationDirection::kRight;
  auto encoding =
      is_pair ? tokenizer.EncodePair(text, pair, options) : tokenizer.Encode(text, options);
  ++totals.cases;
  totals.bytes += text.size() + pair.size();
  const std::string where = "case " + std::to_string(totals.cases) + " (" +
                            c.value("category", std::string("?")) + ", " +
                            std::to_string(text.size()) + " bytes)";
  if (!encoding.ok()) {
    ADD_FAILURE() << where << ": " << encoding.status();
    ++totals.failures;
    return;
  }
  const auto expected_ids = c["ids"].get<std::vector<int32_t>>();
  totals.tokens += expected_ids.size();
  const std::vector<uint32_t> chars[2] = {CharIndex(text), CharIndex(pair)};
  std::vector<std::pair<uint32_t, uint32_t>> char_offsets;
  for (size_t i = 0; i < encoding->offsets.size(); ++i) {
    const uint8_t seq = encoding->sequence_ids[i];
    const auto [start, end] = encoding->offsets[i];
    if (seq > 1) {
      char_offsets.emplace_back(start, end);
    } else {
      char_offsets.emplace_back(chars[seq][start], chars[seq][end]);
    }
  }
  std::vector<std::pair<uint32_t, uint32_t>> expected_offsets;
  for (const auto& o : c["offsets"]) expected_offsets.emplace_back(o[0], o[1]);
  // Names of the fields that differ, for the failure message.
  std::string differ;
  const auto check = [&differ](bool same, const char* field) {
    if (!same) differ += std::string(differ.empty() ? "" : ", ") + field;
  };
  check(encoding->ids == expected_ids, "ids");
  check(encoding->tokens == c["tokens"].get<std::vector<std::string>>(), "tokens");
  check(char_offsets == expected_offsets, "offsets");
  check(encoding->special_tokens_mask == c["special_tokens_mask"].get<std::vector<uint8_t>>(),
        "special_tokens_mask");
  check(encoding->sequence_ids == c["sequence_ids"].get<std::vector<uint8_t>>(), "sequence_ids");
  check(encoding->type_ids == c["type_ids"].get<std::vector<int32_t>>(), "type_ids");
  if (differ.empty()) {
    auto decoded = tokenizer.Decode(encoding->ids, false);
    auto decoded_skip = tokenizer.Decode(encoding->ids, true);
    check(decoded.ok() && *decoded == c["decoded"].get<std::string>(), "decoded");
    check(decoded_skip.ok() && *decoded_skip == c["decoded_skip"].get<std::string>(),
          "decoded_skip");
  }
  const bool ok = differ.empty();
  if (ok) return;
  ++totals.failures;
  if (totals.failures > 10) return;  // the first few are enough to debug
  std::ostringstream diff;
  size_t i = 0;
  const size_t n = std::min(expected_ids.size(), encoding->ids.size());
  while (i < n && encoding->ids[i] == expected_ids[i] &&
         (i >= char_offsets.size() || i >= expected_offsets.size() ||
          char_offsets[i] == expected_offsets[i]) &&
         encoding->tokens[i] == c["tokens"][i].get<std::string>()) {
    ++i;
  }
  diff << where << ": " << differ << " differ; first difference at token " << i << " of "
       << expected_ids.size() << " expected / " << encoding->ids.size() << " got";
  if (i < n) {
    diff << "; expected id " << expected_ids[i] << " "
         << c["tokens"][i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << " ["
         << expected_offsets[i].first << "," << expected_offsets[i].second << ") got id "
         << encoding->ids[i] << " "
         << nlohmann::json(encoding->tokens[i])
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
         << " [" << char_offsets[i].first << "," << char_offsets[i].second << ")";
  }
  diff << "\n  text: "
       << nlohmann::json(text.substr(0, 300))
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  ADD_FAILURE() << diff.str();
}

class ParityTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ParityTest, MatchesHuggingFace) {
  const std::string name = GetParam();
  const std::string cases_path =
      std::string(MBSERVE_TOKENIZER_GENERATED_DIR) + "/" + name + ".cases.json";
  const std::string json = ReadFile(cases_path);
  ASSERT_FALSE(json.empty()) << "missing fixture " << cases_path
                             << "; run tests/reference/make_tokenizer_fixtures.py cases";
  const nlohmann::json fixture = nlohmann::json::parse(json);
  // The fixture names the tokenizer.json it was made with (some are made or
  // found at test time).
  auto tokenizer = Tokenizer::FromFile(fixture["tokenizer"].get<std::string>());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ((*tokenizer)->vocab_size(), fixture["vocab_size"].get<int32_t>());
  Totals totals;
  for (const auto& c : fixture["cases"]) CheckCase(**tokenizer, c, totals);
  std::printf("[ parity ] %s: %zu cases, %zu bytes, %zu tokens compared, %zu differ\n",
              name.c_str(), totals.cases, totals.bytes, totals.tokens, totals.failures);
  RecordProperty("bytes_compared", std::to_string(totals.bytes));
  RecordProperty("tokens_compared", std::to_string(totals.tokens));
  EXPECT_EQ(totals.failures, 0u);
  EXPECT_GT(totals.cases, 100u);
  if (name == "modernbert_like" || name == "all_minilm_l6_v2") {
    EXPECT_GE(totals.bytes, 1'000'000u);
  }
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, ParityTest,
                         ::testing::Values("modernbert_like", "prefix_space", "split_regex",
                                           "modernbert_real", "modernbert_real_array_merges",
                                           "all_minilm_l6_v2", "minilm_variant_a",
                                           "minilm_variant_b"));

}  // namespace
}  // namespace mbserve
