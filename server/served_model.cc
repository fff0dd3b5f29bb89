#include "server/served_model.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/model/json_util.h"

namespace mbserve::server {
namespace {

// "ORG/NAME" for a folder of the Hugging Face hub cache
// (.../models--ORG--NAME/snapshots/REVISION), else empty.
std::string CachedRepoId(const std::filesystem::path& dir) {
  const std::filesystem::path snapshots = dir.parent_path();
  const std::string repo = snapshots.parent_path().filename().string();
  if (snapshots.filename() != "snapshots" || !absl::StartsWith(repo, "models--")) return "";
  return absl::StrReplaceAll(repo.substr(8), {{"--", "/"}});
}

// A hub repository id ("NAME" or "ORG/NAME"), as opposed to a file system path.
bool IsRepoId(const std::string& name) {
  return !name.empty() && name.front() != '/' && name.front() != '.' && name.front() != '~' &&
         std::count(name.begin(), name.end(), '/') <= 1;
}

// config.json's "_name_or_path": what transformers 4 loaded the checkpoint
// from when it saved it (transformers 5 no longer writes it); empty if absent.
std::string NameOrPath(const std::string& model_dir) {
  const std::string path = model_dir + "/config.json";
  absl::StatusOr<std::string> text = json_util::ReadFile(path);
  if (!text.ok()) return "";
  absl::StatusOr<nlohmann::json> json = json_util::Parse(*text, path);
  if (!json.ok() || !json->is_object()) return "";
  return json_util::Get<std::string>(*json, path, "_name_or_path", "").value_or("");
}

// The flag, else the model's own identity rather than where it is mounted
// (every container sees its model at /models): the hub cache entry it sits
// in, else a repository id in config.json, else the folder's name.
std::string ServedModelName(const ServerConfig& config) {
  if (!config.served_model_name.empty()) return config.served_model_name;
  std::filesystem::path dir(config.model_dir);
  if (!dir.has_filename()) dir = dir.parent_path();
  if (std::string repo = CachedRepoId(dir); !repo.empty()) return repo;
  const std::string name_or_path = NameOrPath(config.model_dir);
  if (IsRepoId(name_or_path)) return name_or_path;
  if (std::string repo = CachedRepoId(name_or_path); !repo.empty()) return repo;
  return dir.filename().string();
}

}  // namespace

absl::StatusOr<ServedModel> DescribeModel(const Engine& engine, const Tokenizer& tokenizer,
                                          const ServerConfig& config) {
  const ModelConfig& model = engine.config();
  const SentenceTransformersConfig& st = engine.sentence_transformers();
  ServedModel served;
  served.name = ServedModelName(config);
  served.architecture = model.architecture;
  served.hidden_size = model.hidden_size;
  served.num_layers = model.num_layers;
  served.vocab_size = std::min(model.vocab_size, tokenizer.vocab_size());
  served.pooling = config.pooling.value_or(st.pooling.value_or(model.classifier_pooling));
  served.normalize = st.normalize;
  served.include_prompt = st.include_prompt;
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
  return served;
}

}  // namespace mbserve::server
