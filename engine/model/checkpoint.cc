#include "engine/model/checkpoint.h"

#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "engine/model/dtype_convert.h"
#include "engine/model/files.h"
#include "engine/model/json_util.h"

namespace mbserve {
namespace {

namespace fs = std::filesystem;

// The shard files named by an index's weight_map, each once, in order.
absl::StatusOr<std::vector<std::string>> ShardFiles(const std::string& index_path) {
  MBSERVE_ASSIGN_OR_RETURN(std::string text, json_util::ReadFile(index_path));
  MBSERVE_ASSIGN_OR_RETURN(nlohmann::json index, json_util::Parse(text, index_path));
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(index_path, " has no weight_map object"));
  }
  std::vector<std::string> files;
  for (const auto& [tensor, file] : index["weight_map"].items()) {
    if (!file.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(index_path, ": weight_map entry for ", tensor, " is not a file name"));
    }
    const std::string name = file.get<std::string>();
    // Shards lie beside the index, in the model folder.
    const fs::path relative(name);
    if (name.empty() || relative.is_absolute() ||
        std::find(relative.begin(), relative.end(), "..") != relative.end()) {
      return absl::InvalidArgumentError(absl::StrCat(index_path, ": weight_map entry for ", tensor,
                                                     " names \"", name,
                                                     "\", not a file in the model folder"));
    }
    if (std::find(files.begin(), files.end(), name) == files.end()) files.push_back(name);
  }
  return files;
}

}  // namespace

absl::StatusOr<Checkpoint> Checkpoint::Open(const std::string& model_dir) {
  Checkpoint checkpoint;
  checkpoint.dir_ = model_dir;
  const fs::path dir(model_dir);
  std::vector<std::string> names;
  MBSERVE_ASSIGN_OR_RETURN(bool single, files::Exists((dir / "model.safetensors").string()));
  MBSERVE_ASSIGN_OR_RETURN(bool sharded,
                           files::Exists((dir / "model.safetensors.index.json").string()));
  if (single) {
    names.push_back("model.safetensors");
  } else if (sharded) {
    MBSERVE_ASSIGN_OR_RETURN(names, ShardFiles((dir / "model.safetensors.index.json").string()));
  } else {
    return absl::NotFoundError(absl::StrCat(model_dir,
                                            " has neither model.safetensors nor "
                                            "model.safetensors.index.json"));
  }
  for (const std::string& file : names) {
    MBSERVE_ASSIGN_OR_RETURN(auto opened, SafetensorsFile::Open((dir / file).string()));
    checkpoint.files_.push_back(std::move(opened));
  }
  return checkpoint;
}

const SafetensorsEntry* Checkpoint::Find(const std::string& name) const {
  for (const std::string& candidate :
       {name, absl::StrCat("model.", name), absl::StrCat("bert.", name)}) {
    for (const auto& file : files_) {
      auto it = file->entries().find(candidate);
      if (it != file->entries().end()) return &it->second;
    }
  }
  return nullptr;
}

absl::StatusOr<Buffer> Checkpoint::Load(const std::string& name, const std::vector<int64_t>& shape,
                                        Device device, DType dtype) const {
  const SafetensorsEntry* entry = Find(name);
  if (entry == nullptr) {
    return absl::NotFoundError(absl::StrCat(dir_, ": checkpoint has no tensor ", name,
                                            " (nor model.", name, " or bert.", name, ")"));
  }
  if (entry->dtype == DType::kI32 || entry->dtype == DType::kI64) {
    return absl::InvalidArgumentError(absl::StrCat(dir_, ": tensor ", name, " is stored as ",
                                                   DTypeName(entry->dtype),
                                                   "; weights must be floating point"));
  }
  if (entry->shape != shape) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir_, ": tensor ", name, " has shape [", absl::StrJoin(entry->shape, ", "),
                     "] but the config implies [", absl::StrJoin(shape, ", "), "]"));
  }
  const size_t count = entry->bytes / DTypeSize(entry->dtype);
  std::vector<float> host(count);
  ConvertToFloat32(entry->data, entry->dtype, count, host.data());
  const size_t bytes = count * DTypeSize(dtype);
  if (dtype != DType::kF32) {
    std::vector<float> wide = std::move(host);
    host.resize((bytes + sizeof(float) - 1) / sizeof(float));
    ConvertFromFloat32(wide.data(), count, dtype, host.data());
  }
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(device));
  MBSERVE_ASSIGN_OR_RETURN(Buffer buffer, Buffer::Allocate(*backend, bytes));
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(*backend, host.data(), bytes,
                                       buffer.View(dtype, {static_cast<int64_t>(count)})));
  return buffer;
}

}  // namespace mbserve
