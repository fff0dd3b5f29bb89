// Opening the files of a model folder without trusting them: every path is
// checked with non-throwing calls, must name a regular file (not a FIFO, a
// device or a directory), and is read only up to a size bound, so a hostile
// or broken folder gives an error instead of an abort, a hang or an
// unbounded read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace mbserve::files {

// Whether something exists at path (following symlinks). A path that cannot
// be checked (a symlink loop, a permission error) is an error, not "absent".
absl::StatusOr<bool> Exists(const std::string& path);

// Whether path is a directory (following symlinks); errors as in Exists.
absl::StatusOr<bool> IsDirectory(const std::string& path);

// An open, read-only descriptor of a regular file and its size. Closes the
// descriptor when destroyed.
class RegularFile {
 public:
  // NotFound when the file does not exist; InvalidArgument when it is not a
  // regular file or is larger than max_bytes. Never blocks: a FIFO is
  // opened non-blocking and rejected.
  static absl::StatusOr<RegularFile> Open(const std::string& path, uint64_t max_bytes);
  RegularFile(RegularFile&& other) noexcept;
  RegularFile& operator=(RegularFile&& other) noexcept;
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;
  ~RegularFile();

  int fd() const { return fd_; }
  size_t size() const { return size_; }

  // The whole file; an error if it changed size since Open.
  absl::StatusOr<std::string> ReadAll(const std::string& path) const;

 private:
  RegularFile(int fd, size_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  size_t size_ = 0;
};

// The contents of the regular file at path, at most max_bytes of them.
absl::StatusOr<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes);

}  // namespace mbserve::files
