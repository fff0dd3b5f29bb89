#include "engine/model/registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/model/bert.h"
#include "engine/model/bert_config.h"
#include "engine/model/json_util.h"
#include "engine/model/modernbert.h"
#include "common/status_macros.h"

namespace mbserve {
namespace {

struct Architecture {
  const char* model_type;
  absl::StatusOr<ModelConfig> (*parse)(const std::string& json_text);
  absl::StatusOr<std::unique_ptr<Model>> (*load)(const std::string& model_dir,
                                                 const ModelConfig& config, Device device,
                                                 DType dtype, int max_batch_tokens);
};

template <typename T>
absl::StatusOr<std::unique_ptr<Model>> Load(const std::string& model_dir, const ModelConfig& config,
                                            Device device, DType dtype, int max_batch_tokens) {
  MBSERVE_ASSIGN_OR_RETURN(std::unique_ptr<T> model,
                           T::Load(model_dir, config, device, dtype, max_batch_tokens));
  return std::unique_ptr<Model>(std::move(model));
}

// The first is the default when config.json has no model_type (ModernBERT
// checkpoints written by early transformers releases).
constexpr Architecture kArchitectures[] = {
    {"modernbert", ParseModernBertConfig, Load<ModernBert>},
    {"bert", ParseBertConfig, Load<Bert>},
};

absl::StatusOr<const Architecture*> Find(const std::string& model_type) {
  for (const Architecture& architecture : kArchitectures) {
    if (model_type == architecture.model_type) return &architecture;
  }
  std::vector<std::string> supported;
  for (const Architecture& architecture : kArchitectures) {
    supported.push_back(absl::StrCat("\"", architecture.model_type, "\""));
  }
  return absl::UnimplementedError(absl::StrCat("config.json: unsupported model_type \"", model_type,
                                               "\"; mbserve supports ",
                                               absl::StrJoin(supported, ", ")));
}

}  // namespace

absl::StatusOr<ModelConfig> ParseModelConfig(const std::string& json_text) {
  MBSERVE_ASSIGN_OR_RETURN(nlohmann::json config, json_util::Parse(json_text, "config.json"));
  if (!config.is_object()) {
    return absl::InvalidArgumentError("config.json is not a JSON object");
  }
  MBSERVE_ASSIGN_OR_RETURN(std::string model_type,
                           json_util::Get<std::string>(config, "config.json", "model_type",
                                                       kArchitectures[0].model_type));
  MBSERVE_ASSIGN_OR_RETURN(const Architecture* architecture, Find(model_type));
  return architecture->parse(json_text);
}

absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& path) {
  MBSERVE_ASSIGN_OR_RETURN(std::string text, json_util::ReadFile(path));
  auto config = ParseModelConfig(text);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

absl::StatusOr<std::unique_ptr<Model>> LoadModel(const std::string& model_dir,
                                                 const ModelConfig& config, Device device,
                                                 DType dtype, int max_batch_tokens) {
  MBSERVE_ASSIGN_OR_RETURN(const Architecture* architecture, Find(config.model_type));
  return architecture->load(model_dir, config, device, dtype, max_batch_tokens);
}

}  // namespace mbserve
