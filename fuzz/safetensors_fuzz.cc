// libFuzzer target for the safetensors header (engine/model/safetensors.cc).
// The input is written to a scratch file and opened as a checkpoint file:
// any input must give entries or an error. Every entry's bytes are read, so
// an entry pointing outside the mapping is a crash, and the span must match
// the shape and dtype.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/model/safetensors.h"

namespace {

// One scratch file per fuzzing process, rewritten for each input.
const std::string& ScratchPath() {
  static const std::string path = [] {
    std::string name = std::string(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") +
                       "/mbserve_safetensors_fuzz_XXXXXX";
    const int fd = mkstemp(name.data());
    if (fd < 0) __builtin_trap();
    close(fd);
    return name;
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = ScratchPath();
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) __builtin_trap();
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) __builtin_trap();
  close(fd);
  auto file = mbserve::SafetensorsFile::Open(path);
  if (!file.ok()) return 0;
  // Reading the first and last byte of each entry is what would fault if
  // an entry pointed outside the mapping.
  static volatile unsigned sink = 0;
  for (const auto& [name, entry] : (*file)->entries()) {
    size_t numel = 1;
    for (int64_t d : entry.shape) numel *= static_cast<size_t>(d);
    if (numel * mbserve::DTypeSize(entry.dtype) != entry.bytes) __builtin_trap();
    if (entry.bytes > 0) sink = sink + entry.data[0] + entry.data[entry.bytes - 1];
  }
  return 0;
}
