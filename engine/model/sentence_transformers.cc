#include "engine/model/sentence_transformers.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/model/files.h"
#include "engine/model/json_util.h"

namespace mbserve {
namespace {

namespace fs = std::filesystem;
using json_util::Get;
using json_util::GetInt;
using nlohmann::json;

absl::StatusOr<bool> Exists(const fs::path& path) { return files::Exists(path.string()); }

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

enum class ModuleKind { kTransformer, kPooling, kNormalize, kOther };

// modules.json names a module by its Python class: sentence-transformers
// before 6 writes "sentence_transformers.models.X", 6 and later the module
// where X is defined.
ModuleKind KindOf(const std::string& type) {
  static const auto* const kKinds = new std::vector<std::pair<std::string, ModuleKind>>{
      {"sentence_transformers.models.Transformer", ModuleKind::kTransformer},
      {"sentence_transformers.base.modules.transformer.Transformer", ModuleKind::kTransformer},
      {"sentence_transformers.models.Pooling", ModuleKind::kPooling},
      {"sentence_transformers.sentence_transformer.modules.pooling.Pooling", ModuleKind::kPooling},
      {"sentence_transformers.models.Normalize", ModuleKind::kNormalize},
      {"sentence_transformers.base.modules.normalize.Normalize", ModuleKind::kNormalize},
  };
  for (const auto& [name, kind] : *kKinds) {
    if (type == name) return kind;
  }
  return ModuleKind::kOther;
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
    const ModuleKind kind = KindOf(type);
    if (kind == ModuleKind::kTransformer) continue;
    if (kind == ModuleKind::kPooling) {
      // The module's folder lies inside the model folder.
      const fs::path relative(path);
      if (relative.is_absolute() ||
          std::find(relative.begin(), relative.end(), "..") != relative.end()) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": module ", i, " has path \"", path,
                                                       "\" outside the model folder"));
      }
      *pooling_dir = dir / relative;
    } else if (kind == ModuleKind::kNormalize) {
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

absl::Status ParseMaxSeqLength(const fs::path& path, const ModelConfig& model,
                               SentenceTransformersConfig& out) {
  MBSERVE_ASSIGN_OR_RETURN(json config, ReadJson(path));
  const std::string source = path.string();
  if (!config.is_object())
    return absl::InvalidArgumentError(absl::StrCat(source, " is not an object"));
  MBSERVE_ASSIGN_OR_RETURN(int max_length, GetInt(config, source, "max_seq_length", 0, 1,
                                                  std::numeric_limits<int>::max()));
  if (max_length == 0) return absl::OkStatus();  // absent or null
  if (max_length > model.max_position_embeddings) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": max_seq_length ", max_length, " exceeds max_position_embeddings ",
                     model.max_position_embeddings, " of config.json; lower it to at most ",
                     model.max_position_embeddings));
  }
  out.max_seq_length = max_length;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SentenceTransformersConfig> LoadSentenceTransformersConfig(
    const std::string& model_dir, const ModelConfig& model) {
  const fs::path dir(model_dir);
  SentenceTransformersConfig out;
  fs::path pooling_dir = dir / "1_Pooling";
  MBSERVE_ASSIGN_OR_RETURN(bool has_modules, Exists(dir / "modules.json"));
  if (has_modules) MBSERVE_RETURN_IF_ERROR(ParseModules(dir, out, &pooling_dir));
  MBSERVE_ASSIGN_OR_RETURN(bool has_pooling, Exists(pooling_dir / "config.json"));
  if (has_pooling) MBSERVE_RETURN_IF_ERROR(ParsePooling(pooling_dir / "config.json", out));
  MBSERVE_ASSIGN_OR_RETURN(bool has_bert_config, Exists(dir / "sentence_bert_config.json"));
  if (has_bert_config) {
    MBSERVE_RETURN_IF_ERROR(ParseMaxSeqLength(dir / "sentence_bert_config.json", model, out));
  }
  MBSERVE_ASSIGN_OR_RETURN(bool has_prompts, Exists(dir / "config_sentence_transformers.json"));
  if (has_prompts) {
    MBSERVE_RETURN_IF_ERROR(ParsePrompts(dir / "config_sentence_transformers.json", out));
  }
  return out;
}

}  // namespace mbserve
