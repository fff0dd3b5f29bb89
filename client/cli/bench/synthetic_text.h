// Text whose ModernBERT tokenization has a chosen length, so the load
// generator can drive the server with the paper's length distributions
// through a text API.
#pragma once

#include <random>
#include <string>

namespace mbserve::bench {

// Returns text of num_tokens - 2 words drawn at random from common English
// words that the GPT-NeoX-family BPE keeps whole (one token each, with or
// without the leading space), so that with [CLS] and [SEP] the input is
// num_tokens long. Random words keep identical inputs from flattering caches.
// num_tokens must be at least 3.
std::string SyntheticText(int num_tokens, std::mt19937_64& gen);

}  // namespace mbserve::bench
