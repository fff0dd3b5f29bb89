#include "engine/model/sentence_transformers.h"

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/model/json_util.h"

namespace mbserve {
namespace {

namespace fs = std::filesystem;
using json_util::Get;
using nlohmann::json;

absl::StatusOr<json> ReadJson(const fs::path& path) {
  MBSERVE_ASSIGN_OR_RETURN(std::string text, json_util::ReadFile(path.string()));
  MBSERVE_ASSIGN_OR_RETURN(json value, json_util::Parse(text, path.string()));
  if (!value.is_object() && !value.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), " is not a JSON object or list"));
  }
  return value;
}

absl::Status ParsePooling(const fs::path& path, SentenceTransformersConfig& out) {
  MBSERVE_ASSIGN_OR_RETURN(json config, ReadJson(path));
  const std::string source = path.string();
  // Newer sentence-transformers may write one "pooling_mode" string.
  MBSERVE_ASSIGN_OR_RETURN(std::string mode, Get<std::string>(config, source, "pooling_mode", ""));
  std::vector<std::string> enabled;
  if (!mode.empty()) enabled.push_back(mode);
  for (const auto& [field, name] : std::vector<std::pair<const char*, const char*>>{
           {"pooling_mode_cls_token", "cls"},
           {"pooling_mode_mean_tokens", "mean"},
           {"pooling_mode_max_tokens", "max"},
           {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"},
           {"pooling_mode_weightedmean_tokens", "weightedmean"},
           {"pooling_mode_lasttoken", "lasttoken"}}) {
    MBSERVE_ASSIGN_OR_RETURN(bool on, Get<bool>(config, source, field, false));
    if (on && (enabled.empty() || enabled.front() != name)) enabled.push_back(name);
  }
  if (enabled.size() != 1 || (enabled[0] != "cls" && enabled[0] != "mean")) {
    std::string modes;
    for (const std::string& m : enabled) absl::StrAppend(&modes, modes.empty() ? "" : ", ", m);
    return absl::UnimplementedError(absl::StrCat(source, ": pooling modes {", modes,
                                                 "}; mbserve supports exactly one of cls, mean"));
  }
  out.pooling = enabled[0] == "cls" ? Pooling::kCls : Pooling::kMean;
  MBSERVE_ASSIGN_OR_RETURN(out.include_prompt, Get<bool>(config, source, "include_prompt", true));
  return absl::OkStatus();
}

absl::Status ParseModules(const fs::path& dir, SentenceTransformersConfig& out,
                          fs::path* pooling_dir) {
  MBSERVE_ASSIGN_OR_RETURN(json modules, ReadJson(dir / "modules.json"));
  const std::string source = (dir / "modules.json").string();
  if (!modules.is_array())
    return absl::InvalidArgumentError(absl::StrCat(source, " is not a list"));
  out.present = true;
  for (size_t i = 0; i < modules.size(); ++i) {
    MBSERVE_ASSIGN_OR_RETURN(std::string type, Get<std::string>(modules[i], source, "type", ""));
    MBSERVE_ASSIGN_OR_RETURN(std::string path, Get<std::string>(modules[i], source, "path", ""));
    if (type == "sentence_transformers.models.Transformer") continue;
    if (type == "sentence_transformers.models.Pooling") {
      *pooling_dir = dir / path;
    } else if (type == "sentence_transformers.models.Normalize") {
      out.normalize = true;
    } else {
      // A module that changes the vector (Dense, LayerNorm, ...) must not be
      // silently skipped: the embeddings would differ from the model's.
      return absl::UnimplementedError(absl::StrCat(source, ": module ", i, " has type ", type,
                                                   "; mbserve supports Transformer, Pooling and "
                                                   "Normalize"));
    }
  }
  return absl::OkStatus();
}

absl::Status ParsePrompts(const fs::path& path, SentenceTransformersConfig& out) {
  MBSERVE_ASSIGN_OR_RETURN(json config, ReadJson(path));
  const std::string source = path.string();
  MBSERVE_ASSIGN_OR_RETURN(
      out.prompts, (Get<std::map<std::string, std::string>>(config, source, "prompts", {})));
  MBSERVE_ASSIGN_OR_RETURN(out.default_prompt_name,
                           Get<std::string>(config, source, "default_prompt_name", ""));
  if (!out.default_prompt_name.empty() && !out.prompts.count(out.default_prompt_name)) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": default_prompt_name \"",
                                                   out.default_prompt_name,
                                                   "\" is not one of the prompts"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SentenceTransformersConfig> LoadSentenceTransformersConfig(
    const std::string& model_dir) {
  const fs::path dir(model_dir);
  SentenceTransformersConfig out;
  fs::path pooling_dir = dir / "1_Pooling";
  if (fs::exists(dir / "modules.json"))
    MBSERVE_RETURN_IF_ERROR(ParseModules(dir, out, &pooling_dir));
  if (fs::exists(pooling_dir / "config.json")) {
    MBSERVE_RETURN_IF_ERROR(ParsePooling(pooling_dir / "config.json", out));
  }
  if (fs::exists(dir / "sentence_bert_config.json")) {
    MBSERVE_ASSIGN_OR_RETURN(json config, ReadJson(dir / "sentence_bert_config.json"));
    MBSERVE_ASSIGN_OR_RETURN(int max_length,
                             Get<int>(config, "sentence_bert_config.json", "max_seq_length", 0));
    if (max_length > 0) out.max_seq_length = max_length;
  }
  if (fs::exists(dir / "config_sentence_transformers.json")) {
    MBSERVE_RETURN_IF_ERROR(ParsePrompts(dir / "config_sentence_transformers.json", out));
  }
  return out;
}

}  // namespace mbserve
