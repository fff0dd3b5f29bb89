// Behaviour the parity corpus cannot show: errors, limits, thread safety,
// the ModernBERT conventions (NFC, byte-level BPE, the [CLS] ... [SEP]
// template; docs/TOKENIZER.md) on the fixture model, and the BERT facts
// (type ids of pairs, WordPiece limits) on a small tokenizer.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace mbserve {
namespace {

const std::string kModel = std::string(MBSERVE_TOKENIZER_DATA_DIR) + "/modernbert_like.json";

class TokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = Tokenizer::FromFile(kModel);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    tokenizer_ = loaded->release();
  }
  static void TearDownTestSuite() { delete tokenizer_; }
  static Tokenizer* tokenizer_;
};
Tokenizer* TokenizerTest::tokenizer_ = nullptr;

TEST_F(TokenizerTest, InvalidUtf8NamesTheByteOffset) {
  for (const auto& [text, offset] :
       std::vector<std::pair<std::string, int>>{{"abc\xff", 3},
                                                {"h\xc3", 1},
                                                {"ok \xed\xa0\x80", 3},
                                                {"\xc0\xaf", 0},
                                                {"\xf4\x90\x80\x80", 0},
                                                {"é\xe2\x82", 2}}) {
    auto encoding = tokenizer_->Encode(text);
    ASSERT_FALSE(encoding.ok());
    EXPECT_EQ(encoding.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(encoding.status().message().find("byte offset " + std::to_string(offset)),
              std::string::npos)
        << encoding.status();
  }
  auto pair = tokenizer_->EncodePair("fine", "\x80");
  ASSERT_FALSE(pair.ok());
  EXPECT_NE(pair.status().message().find("second text"), std::string::npos) << pair.status();
}

TEST_F(TokenizerTest, TemplateAndMaskLstrip) {
  auto encoding = tokenizer_->Encode("the man worked as a [MASK].");
  ASSERT_TRUE(encoding.ok()) << encoding.status();
  const int32_t cls = *tokenizer_->TokenToId("[CLS]");
  const int32_t sep = *tokenizer_->TokenToId("[SEP]");
  const int32_t mask = *tokenizer_->TokenToId("[MASK]");
  EXPECT_EQ(encoding->ids.front(), cls);
  EXPECT_EQ(encoding->ids.back(), sep);
  // [MASK] absorbs the space before it: " a" then "[MASK]" from byte 19.
  auto it = std::find(encoding->ids.begin(), encoding->ids.end(), mask);
  ASSERT_NE(it, encoding->ids.end());
  const size_t at = it - encoding->ids.begin();
  EXPECT_EQ(encoding->offsets[at], (std::pair<uint32_t, uint32_t>{19, 26}));
  EXPECT_EQ(encoding->sequence_ids.front(), Encoding::kTemplateSequenceId);
  EXPECT_EQ(encoding->special_tokens_mask.front(), 1);
  EXPECT_EQ(tokenizer_->NumSpecialTokensToAdd(false), 2u);
  EXPECT_EQ(tokenizer_->NumSpecialTokensToAdd(true), 3u);
}

TEST_F(TokenizerTest, TruncationKeepsSpecialTokens) {
  const std::string text = "one two three four five";
  auto full = tokenizer_->Encode(text);
  ASSERT_TRUE(full.ok());
  ASSERT_GT(full->ids.size(), 4u);
  const std::vector<int32_t> body(full->ids.begin() + 1, full->ids.end() - 1);
  const int32_t cls = *tokenizer_->TokenToId("[CLS]"), sep = *tokenizer_->TokenToId("[SEP]");
  EncodeOptions options;
  options.max_length = 4;
  auto right = tokenizer_->Encode(text, options);
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->ids, (std::vector<int32_t>{cls, body[0], body[1], sep}));
  options.direction = TruncationDirection::kLeft;
  auto left = tokenizer_->Encode(text, options);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->ids, (std::vector<int32_t>{cls, body[body.size() - 2], body.back(), sep}));

  options.max_length = 2;
  EXPECT_FALSE(tokenizer_->EncodePair("a", "b", options).ok());
  options.max_length = 1;
  auto too_short = tokenizer_->Encode("a", options);
  ASSERT_FALSE(too_short.ok());
  EXPECT_NE(too_short.status().message().find("max_length"), std::string::npos);
}

TEST_F(TokenizerTest, EmptyTextsGetTheTemplateOnly) {
  auto single = tokenizer_->Encode("");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->ids.size(), 2u);
  auto pair = tokenizer_->EncodePair("", "");
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->ids.size(), 3u);
  EncodeOptions options;
  options.add_special_tokens = false;
  options.max_length = 0;
  auto none = tokenizer_->Encode("text", options);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->ids.empty());
}

TEST_F(TokenizerTest, DecodeRejectsUnknownIds) {
  const std::vector<int32_t> ids = {5, tokenizer_->vocab_size() + 1000};
  auto decoded = tokenizer_->Decode(ids, false);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(decoded.status().message().find("ids[1]"), std::string::npos);
}

TEST_F(TokenizerTest, VocabularyLookups) {
  EXPECT_EQ(tokenizer_->TokenToId("|||IP_ADDRESS|||"), 0);
  EXPECT_EQ(tokenizer_->IdToToken(0), "|||IP_ADDRESS|||");
  EXPECT_FALSE(tokenizer_->TokenToId("no such token").has_value());
  EXPECT_FALSE(tokenizer_->IdToToken(-1).has_value());
  EXPECT_FALSE(tokenizer_->IdToToken(1 << 30).has_value());
}

TEST_F(TokenizerTest, SharedAcrossThreads) {
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) {
    texts.push_back("thread text " + std::to_string(i * 7919) + " café naïve 你好 🚀 " +
                    std::string(i % 30, ' ') + "[MASK] end");
  }
  std::vector<Encoding> expected;
  for (const auto& t : texts) expected.push_back(*tokenizer_->Encode(t));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          auto got = tokenizer_->Encode(texts[(i + t) % texts.size()]);
          if (!got.ok() || got->ids != expected[(i + t) % texts.size()].ids) ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(TokenizerLoadTest, RejectsUnsupportedAndMalformedFiles) {
  struct Case {
    std::string json;
    absl::StatusCode code;
    std::string message;
  };
  const std::string model =
      R"("model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]})";
  const std::vector<Case> cases = {
      {"not json", absl::StatusCode::kInvalidArgument, "not a JSON object"},
      {"{" + model + R"(, "normalizer": {"type": "Lowercase"}})", absl::StatusCode::kUnimplemented,
       "Lowercase"},
      {"{" + model + R"(, "normalizer": {"type": "NFKC"}})", absl::StatusCode::kUnimplemented,
       "NFKC"},
      {"{" + model + R"(, "pre_tokenizer": {"type": "Whitespace"}})",
       absl::StatusCode::kUnimplemented, "Whitespace"},
      {"{" + model + R"(, "decoder": {"type": "Metaspace"}})", absl::StatusCode::kUnimplemented,
       "Metaspace"},
      {R"({"model": {"type": "Unigram", "vocab": []}})", absl::StatusCode::kUnimplemented,
       "Unigram"},
      {R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})", absl::StatusCode::kInvalidArgument,
       "unk_token"},
      {R"({"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}, "max_input_chars_per_word": -1}})",
       absl::StatusCode::kInvalidArgument, "max_input_chars_per_word"},
      {R"({"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "pre_tokenizer": {"type": "ByteLevel"}})",
       absl::StatusCode::kUnimplemented, "ByteLevel"},
      {"{" + model +
           R"(, "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "BertNormalizer"}]}})",
       absl::StatusCode::kUnimplemented, "BertNormalizer together"},
      {"{" + model + R"(, "normalizer": {"type": "BertNormalizer", "lowercase": "yes"}})",
       absl::StatusCode::kInvalidArgument, "lowercase"},
      {"{" + model +
           R"(, "post_processor": {"type": "BertProcessing", "sep": ["[SEP]"], "cls": ["[CLS]", 1]}})",
       absl::StatusCode::kInvalidArgument, "\"sep\""},
      {"{" + model +
           R"(, "post_processor": {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": -1}}], "pair": []}})",
       absl::StatusCode::kInvalidArgument, "type_id"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a z"]}})",
       absl::StatusCode::kInvalidArgument, "merges[0]"},
      {R"({"model": {"type": "BPE", "vocab": {"a": -4}}})", absl::StatusCode::kInvalidArgument,
       "vocab"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "dropout": 0.1}})",
       absl::StatusCode::kUnimplemented, "dropout"},
      {"{" + model +
           R"(, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(("}, "behavior": "Isolated"}})",
       absl::StatusCode::kInvalidArgument, "does not compile"},
      {std::string(100, '[') + std::string(100, ']'), absl::StatusCode::kInvalidArgument,
       "nests deeper"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 3000000}}})", absl::StatusCode::kInvalidArgument,
       "too large"},
      {R"({"normalizer": {"type": "NFC"}})", absl::StatusCode::kInvalidArgument, "no \"model\""},
      {R"({"model": {"type": "BPE", "vocab": {}, "ignore_merges": "yes"}})",
       absl::StatusCode::kInvalidArgument, "tokenizer.json: "},
      {"{" + model + R"(, "added_tokens": [{"id": 5}]})", absl::StatusCode::kInvalidArgument,
       "added_tokens[0]"},
      {"{" + model +
           R"(, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[X]", "type_id": 0}}], "pair": []}})",
       absl::StatusCode::kInvalidArgument, "[X]"},
  };
  for (const Case& c : cases) {
    auto tokenizer = Tokenizer::FromJson(c.json);
    ASSERT_FALSE(tokenizer.ok()) << c.json;
    EXPECT_EQ(tokenizer.status().code(), c.code) << tokenizer.status();
    EXPECT_NE(tokenizer.status().message().find(c.message), std::string::npos)
        << tokenizer.status();
  }
  EXPECT_EQ(Tokenizer::FromFile("/nonexistent/tokenizer.json").status().code(),
            absl::StatusCode::kNotFound);
}

// A small BERT-style tokenizer (the real one is in the parity test): the
// BertNormalizer with its defaults, BertPreTokenizer, WordPiece, the template
// of all-MiniLM-L6-v2 and the WordPiece decoder with cleanup. `processor` is
// the post_processor value.
std::string BertJson(const std::string& processor) {
  return R"({"normalizer": {"type": "BertNormalizer", "clean_text": true,
      "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
      "max_input_chars_per_word": 100, "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3,
      "un": 4, "##aff": 5, "##able": 6, "hello": 7, ",": 8, "!": 9, "中": 10, "a": 11, "##a": 12}},
    "added_tokens": [{"id": 2, "content": "[CLS]", "special": true},
                     {"id": 3, "content": "[SEP]", "special": true}],
    "post_processor": )" +
         processor + R"(, "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true}})";
}

const std::string kBertTemplate = R"({"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
               {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
             {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
             {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
    "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                       "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}})";

TEST(BertTokenizerTest, LowercasesStripsAccentsAndSplitsWordPieces) {
  auto tokenizer = Tokenizer::FromJson(BertJson(kBertTemplate));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto encoding = (*tokenizer)->Encode("UNAFFABLE,\tHéllo!");
  ASSERT_TRUE(encoding.ok()) << encoding.status();
  EXPECT_EQ(encoding->tokens, (std::vector<std::string>{"[CLS]", "un", "##aff", "##able", ",",
                                                        "hello", "!", "[SEP]"}));
  // "Héllo" is bytes [11, 17) of the input ("é" is two bytes).
  EXPECT_EQ(encoding->offsets[5], (std::pair<uint32_t, uint32_t>{11, 17}));
  EXPECT_EQ(encoding->type_ids, std::vector<int32_t>(8, 0));
  auto decoded = (*tokenizer)->Decode(encoding->ids, /*skip_special_tokens=*/true);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "unaffable, hello!");
}

TEST(BertTokenizerTest, SecondTextOfAPairIsTypeOne) {
  const std::string bert_processing =
      R"({"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]})";
  for (const std::string& processor : {kBertTemplate, bert_processing}) {
    auto tokenizer = Tokenizer::FromJson(BertJson(processor));
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    auto pair = (*tokenizer)->EncodePair("hello", "中a");
    ASSERT_TRUE(pair.ok()) << pair.status();
    EXPECT_EQ(pair->ids, (std::vector<int32_t>{2, 7, 3, 10, 11, 3})) << processor;
    EXPECT_EQ(pair->type_ids, (std::vector<int32_t>{0, 0, 0, 1, 1, 1})) << processor;
    EncodeOptions no_specials;
    no_specials.add_special_tokens = false;
    auto bare = (*tokenizer)->EncodePair("hello", "a", no_specials);
    ASSERT_TRUE(bare.ok());
    EXPECT_EQ(bare->type_ids, (std::vector<int32_t>{0, 1})) << processor;
  }
}

TEST(BertTokenizerTest, WordsOverMaxInputCharsAreUnknown) {
  auto tokenizer = Tokenizer::FromJson(BertJson(kBertTemplate));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EncodeOptions options;
  options.add_special_tokens = false;
  auto at_limit = (*tokenizer)->Encode(std::string(100, 'a'), options);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->ids.size(), 100u);
  auto over = (*tokenizer)->Encode(std::string(101, 'a') + " hello", options);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->ids, (std::vector<int32_t>{1, 7}));
  EXPECT_EQ(over->offsets[0], (std::pair<uint32_t, uint32_t>{0, 101}));
  // A word with no full match is one unknown token too.
  auto unmatched = (*tokenizer)->Encode("unzz", options);
  ASSERT_TRUE(unmatched.ok());
  EXPECT_EQ(unmatched->ids, (std::vector<int32_t>{1}));
}

TEST(TokenizerLoadTest, CharacterModelUsesUnknownToken) {
  auto tokenizer = Tokenizer::FromJson(R"({"model": {"type": "BPE", "unk_token": "?",
      "fuse_unk": true, "vocab": {"a": 0, "b": 1, "ab": 2, "?": 3}, "merges": [["a", "b"]]}})");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto encoding = (*tokenizer)->Encode("abxyab");
  ASSERT_TRUE(encoding.ok()) << encoding.status();
  EXPECT_EQ(encoding->ids, (std::vector<int32_t>{2, 3, 2}));
  EXPECT_EQ(encoding->offsets[1], (std::pair<uint32_t, uint32_t>{2, 4}));
  auto no_unk = Tokenizer::FromJson(R"({"model": {"type": "BPE", "vocab": {"a": 0}}})");
  ASSERT_TRUE(no_unk.ok());
  EXPECT_FALSE((*no_unk)->Encode("ab").ok());
}

}  // namespace
}  // namespace mbserve
