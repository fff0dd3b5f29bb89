// The parity fixtures made by tests/reference/make_model_fixtures.py (ModernBERT),
// make_bert_fixtures.py and make_minilm_fixture.py (BERT): a manifest of
// cases, each a checkpoint folder plus expected.safetensors with the inputs
// (token ids, token type ids when the model has them) and what transformers
// computed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/batch.h"

namespace mbserve::testing {

struct FixtureCase {
  std::string name;
  std::string dir;   // the checkpoint: the case's folder, or the manifest's model_dir
  std::string head;  // "model", "mlm" or "cls"
  PackedBatch batch;
  // Float tensors of expected.safetensors by name, flattened.
  std::map<std::string, std::vector<float>> expected;
};

// Every case of the manifest in set_dir, or an error if any file is missing.
absl::StatusOr<std::vector<FixtureCase>> LoadFixtureSet(const std::string& set_dir);

// Where the CMake build put the sets: ModernBERT committed and generated,
// random BERT, and the real all-MiniLM-L6-v2 weights.
std::string CommittedFixtureDir();
std::string GeneratedFixtureDir();
std::string BertFixtureDir();
std::string MiniLmFixtureDir();

}  // namespace mbserve::testing
