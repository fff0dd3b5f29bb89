#include "engine/model/safetensors.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "engine/model/files.h"
#include "engine/model/json_util.h"

namespace mbserve {
namespace {

// The format's own bound on the JSON header (the reference implementation
// refuses larger ones), which keeps parsing a hostile header bounded.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

absl::StatusOr<DType> ParseDType(const std::string& name, const std::string& tensor) {
  if (name == "F32") return DType::kF32;
  if (name == "F16") return DType::kF16;
  if (name == "BF16") return DType::kBF16;
  if (name == "I32") return DType::kI32;
  if (name == "I64") return DType::kI64;
  return absl::UnimplementedError(absl::StrCat("tensor ", tensor, " is stored as ", name,
                                               "; mbserve reads F32, F16, BF16, I32 and I64"));
}

// A JSON list of integers (no floats, no booleans), as safetensors stores
// shapes and offsets.
template <typename Corrupt>
absl::StatusOr<std::vector<int64_t>> IntegerList(const nlohmann::json& value,
                                                 const std::string& tensor, const char* field,
                                                 const Corrupt& corrupt) {
  if (!value.is_array())
    return corrupt(absl::StrCat("tensor ", tensor, ": ", field, " is not a list"));
  std::vector<int64_t> out;
  for (const nlohmann::json& item : value) {
    std::optional<int64_t> number = json_util::AsInt64(item);
    if (!number.has_value()) {
      return corrupt(
          absl::StrCat("tensor ", tensor, ": ", field, " holds ", item.dump(), ", not an integer"));
    }
    out.push_back(*number);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  auto file = std::unique_ptr<SafetensorsFile>(new SafetensorsFile());
  file->path_ = path;
  // The data is mapped, never read into memory, so the file's own size is
  // the only bound it needs; it must still be a regular file.
  MBSERVE_ASSIGN_OR_RETURN(files::RegularFile opened,
                           files::RegularFile::Open(path, std::numeric_limits<uint64_t>::max()));
  file->size_ = opened.size();
  if (file->size_ > 0) {
    void* mapping = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, opened.fd(), 0);
    if (mapping == MAP_FAILED) {
      return absl::InternalError(absl::StrCat("cannot mmap ", path, ": ", strerror(errno)));
    }
    file->mapping_ = mapping;
  }
  MBSERVE_RETURN_IF_ERROR(file->ParseHeader());
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
}

absl::Status SafetensorsFile::ParseHeader() {
  using nlohmann::json;
  auto corrupt = [this](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": malformed safetensors: ", why));
  };
  if (size_ < 8)
    return corrupt(
        absl::StrCat("file has ", size_, " bytes, fewer than the 8 of the header length"));
  const auto* bytes = static_cast<const uint8_t*>(mapping_);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[i];
  if (header_size > kMaxHeaderBytes) {
    return corrupt(absl::StrCat("header length ", header_size, " exceeds the format's limit of ",
                                kMaxHeaderBytes, " bytes"));
  }
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
    const json& dtype = info["dtype"];
    if (!dtype.is_string())
      return corrupt(absl::StrCat("tensor ", name, " has a non-string dtype"));
    MBSERVE_ASSIGN_OR_RETURN(entry.dtype, ParseDType(dtype.get<std::string>(), name));
    MBSERVE_ASSIGN_OR_RETURN(std::vector<int64_t> offsets,
                             IntegerList(info["data_offsets"], name, "data_offsets", corrupt));
    if (offsets.size() != 2 || offsets[0] < 0 || offsets[0] > offsets[1] ||
        static_cast<uint64_t>(offsets[1]) > data_size) {
      return corrupt(absl::StrCat("tensor ", name, " has data_offsets outside the ", data_size,
                                  " data bytes"));
    }
    entry.data = data + offsets[0];
    entry.bytes = static_cast<size_t>(offsets[1] - offsets[0]);
    MBSERVE_ASSIGN_OR_RETURN(entry.shape, IntegerList(info["shape"], name, "shape", corrupt));
    // Overflow is checked: a hostile shape must not wrap around to the span.
    size_t numel = 1;
    bool overflow = false;
    for (int64_t d : entry.shape) {
      if (d < 0) return corrupt(absl::StrCat("tensor ", name, " has a negative dimension"));
      overflow |= __builtin_mul_overflow(numel, static_cast<size_t>(d), &numel);
    }
    size_t span = 0;
    overflow |= __builtin_mul_overflow(numel, DTypeSize(entry.dtype), &span);
    const std::string shape = absl::StrJoin(entry.shape, ", ");
    if (overflow) {
      return corrupt(absl::StrCat("tensor ", name, " of shape [", shape,
                                  "] has more bytes than fit in memory"));
    }
    if (span != entry.bytes) {
      return corrupt(absl::StrCat("tensor ", name, " of shape [", shape, "] needs ", span,
                                  " bytes but spans ", entry.bytes));
    }
    entries_.emplace(name, std::move(entry));
  }
  return absl::OkStatus();
}

}  // namespace mbserve
