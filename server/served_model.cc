#include "server/served_model.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace mbserve::server {
namespace {

std::string FolderName(const std::string& dir) {
  std::filesystem::path path(dir);
  if (!path.has_filename()) path = path.parent_path();
  return path.filename().string();
}

}  // namespace

absl::StatusOr<ServedModel> DescribeModel(const Engine& engine, const Tokenizer& tokenizer,
                                          const ServerConfig& config) {
  const ModelConfig& model = engine.config();
  const SentenceTransformersConfig& st = engine.sentence_transformers();
  ServedModel served;
  served.name =
      config.served_model_name.empty() ? FolderName(config.model_dir) : config.served_model_name;
  served.architecture = model.architecture;
  served.hidden_size = model.hidden_size;
  served.num_layers = model.num_layers;
  served.vocab_size = std::min(model.vocab_size, tokenizer.vocab_size());
  served.pooling = config.pooling.value_or(st.pooling.value_or(model.classifier_pooling));
  served.normalize = st.normalize;
  served.prompts = st.prompts;
  if (model.head == HeadKind::kSequenceClassification) served.labels = model.id2label;
  served.dtype = DTypeName(engine.options().dtype);
  served.device = engine.options().device.ToString();
  served.kernels = engine.kernel_summary();

  const int model_max = st.max_seq_length.value_or(model.max_position_embeddings);
  served.max_input_length = config.max_input_length == 0 ? model_max : config.max_input_length;
  if (served.max_input_length > model_max) {
    return absl::InvalidArgumentError(
        absl::StrCat(FlagDisplayName("max-input-length"), " is ", served.max_input_length,
                     " but the model accepts at most ", model_max, " tokens"));
  }
  if (served.max_input_length > config.max_batch_tokens) {
    return absl::InvalidArgumentError(
        absl::StrCat("the maximum input length (", served.max_input_length, " tokens) exceeds ",
                     FlagDisplayName("max-batch-tokens"), " (", config.max_batch_tokens,
                     "); raise it or lower --max-input-length"));
  }

  served.default_prompt_name =
      config.default_prompt_name.empty() ? st.default_prompt_name : config.default_prompt_name;
  if (!served.default_prompt_name.empty()) {
    const auto it = served.prompts.find(served.default_prompt_name);
    if (it == served.prompts.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("default prompt name \"", served.default_prompt_name,
                       "\" is not among the prompts of config_sentence_transformers.json"));
    }
    served.default_prompt = it->second;
  }
  if (!config.default_prompt.empty()) served.default_prompt = config.default_prompt;
  if (!st.include_prompt) {
    SPDLOG_WARN(
        "1_Pooling/config.json sets include_prompt=false, which the engine does not support: "
        "prompt tokens are pooled with the text");
  }
  return served;
}

}  // namespace mbserve::server
