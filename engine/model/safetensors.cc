#include "engine/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/model/json_util.h"
#include "engine/status_macros.h"

namespace mbserve {
namespace {

absl::StatusOr<DType> ParseDType(const std::string& name, const std::string& tensor) {
  if (name == "F32") return DType::kF32;
  if (name == "F16") return DType::kF16;
  if (name == "BF16") return DType::kBF16;
  if (name == "I32") return DType::kI32;
  if (name == "I64") return DType::kI64;
  return absl::UnimplementedError(absl::StrCat("tensor ", tensor, " is stored as ", name,
                                               "; mbserve reads F32, F16, BF16, I32 and I64"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  auto file = std::unique_ptr<SafetensorsFile>(new SafetensorsFile());
  file->path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return absl::InternalError(absl::StrCat("cannot stat ", path));
  }
  file->size_ = static_cast<size_t>(st.st_size);
  if (file->size_ > 0) {
    void* mapping = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      ::close(fd);
      return absl::InternalError(absl::StrCat("cannot mmap ", path, ": ", strerror(errno)));
    }
    file->mapping_ = mapping;
  }
  ::close(fd);
  MBSERVE_RETURN_IF_ERROR(file->ParseHeader());
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
}

absl::Status SafetensorsFile::ParseHeader() {
  auto corrupt = [this](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": malformed safetensors: ", why));
  };
  if (size_ < 8)
    return corrupt(
        absl::StrCat("file has ", size_, " bytes, fewer than the 8 of the header length"));
  const auto* bytes = static_cast<const uint8_t*>(mapping_);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[i];
  if (header_size > size_ - 8) {
    return corrupt(absl::StrCat("header length ", header_size, " exceeds the file's ", size_ - 8,
                                " remaining bytes"));
  }
  const absl::string_view header_text(reinterpret_cast<const char*>(bytes + 8), header_size);
  MBSERVE_ASSIGN_OR_RETURN(nlohmann::json header,
                           json_util::Parse(header_text, absl::StrCat(path_, " header")));
  if (!header.is_object()) return corrupt("header is not a JSON object");
  const uint8_t* data = bytes + 8 + header_size;
  const size_t data_size = size_ - 8 - header_size;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") ||
        !info.contains("data_offsets")) {
      return corrupt(absl::StrCat("tensor ", name, " lacks dtype, shape or data_offsets"));
    }
    SafetensorsEntry entry;
    try {
      MBSERVE_ASSIGN_OR_RETURN(entry.dtype, ParseDType(info["dtype"].get<std::string>(), name));
      entry.shape = info["shape"].get<std::vector<int64_t>>();
      const auto offsets = info["data_offsets"].get<std::vector<uint64_t>>();
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size) {
        return corrupt(absl::StrCat("tensor ", name, " has data_offsets outside the ", data_size,
                                    " data bytes"));
      }
      entry.data = data + offsets[0];
      entry.bytes = offsets[1] - offsets[0];
    } catch (const nlohmann::json::exception& e) {
      return corrupt(absl::StrCat("tensor ", name, ": ", e.what()));
    }
    size_t numel = 1;
    for (int64_t d : entry.shape) {
      if (d < 0) return corrupt(absl::StrCat("tensor ", name, " has a negative dimension"));
      numel *= static_cast<size_t>(d);
    }
    if (numel * DTypeSize(entry.dtype) != entry.bytes) {
      return corrupt(absl::StrCat("tensor ", name, " of shape [", absl::StrJoin(entry.shape, ", "),
                                  "] needs ", numel * DTypeSize(entry.dtype), " bytes but spans ",
                                  entry.bytes));
    }
    entries_.emplace(name, std::move(entry));
  }
  return absl::OkStatus();
}

}  // namespace mbserve
