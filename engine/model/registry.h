// The architectures mbserve serves, chosen from config.json's model_type and
// architectures. Adding one means a parser, a Model, and a line in
// registry.cc.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/model/config.h"
#include "engine/model/model.h"
#include "engine/tensor.h"

namespace mbserve {

// config.json's text parsed by the parser of its model_type; an unknown
// model_type is Unimplemented, naming it and the supported ones.
absl::StatusOr<ModelConfig> ParseModelConfig(const std::string& json_text);
// The same for a file; errors are prefixed with its path.
absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& path);

// The Model for config.model_type with the checkpoint of model_dir loaded in
// `dtype` on `device`, its buffers sized for max_batch_tokens tokens.
absl::StatusOr<std::unique_ptr<Model>> LoadModel(const std::string& model_dir,
                                                 const ModelConfig& config, Device device,
                                                 DType dtype, int max_batch_tokens);

}  // namespace mbserve
