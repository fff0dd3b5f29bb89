// The safetensors of a checkpoint folder: model.safetensors, or the shards
// listed by model.safetensors.index.json. Tensors are found with or without
// the prefix that ForMaskedLM/ForSequenceClassification checkpoints put on
// encoder weights ("model." for ModernBERT, "bert." for BERT).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/memory.h"
#include "engine/model/safetensors.h"

namespace mbserve {

class Checkpoint {
 public:
  static absl::StatusOr<Checkpoint> Open(const std::string& model_dir);

  // The entry stored as `name` or, failing that, as "model." + name or
  // "bert." + name.
  const SafetensorsEntry* Find(const std::string& name) const;

  // The tensor converted to `dtype` in a new buffer on `device`, after
  // checking it exists and has exactly `shape` (the error names both).
  absl::StatusOr<Buffer> Load(const std::string& name, const std::vector<int64_t>& shape,
                              Device device, DType dtype) const;

 private:
  std::string dir_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
};

}  // namespace mbserve
