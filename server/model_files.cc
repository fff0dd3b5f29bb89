#include "server/model_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mbserve::server {
namespace {

absl::Status Unreadable(const std::filesystem::path& path, const char* what) {
  struct stat info {};
  std::string owner = "unknown mode and owner";
  if (::stat(path.c_str(), &info) == 0) {
    owner = absl::StrFormat("mode %04o, owner uid %d gid %d", info.st_mode & 07777, info.st_uid,
                            info.st_gid);
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "cannot ", what, " ", path.string(), " (", owner, ") as uid ", ::geteuid(), " gid ",
      ::getegid(),
      ": make the model files readable by that user, e.g. chmod -R a+rX <model folder>"));
}

bool Hidden(const std::filesystem::path& path) { return path.filename().string().starts_with("."); }

}  // namespace

absl::Status CheckModelFilesReadable(const std::string& model_dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(model_dir, error)) return absl::OkStatus();
  if (::access(model_dir.c_str(), R_OK | X_OK) != 0) return Unreadable(model_dir, "list");
  std::filesystem::recursive_directory_iterator it(model_dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    const std::filesystem::path& path = it->path();
    if (Hidden(path)) {  // .cache (hub downloads), .git: not read
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(error)) {
      if (::access(path.c_str(), R_OK | X_OK) != 0) return Unreadable(path, "list");
    } else if (::access(path.c_str(), R_OK) != 0) {
      return Unreadable(path, "read");
    }
  }
  return absl::OkStatus();
}

}  // namespace mbserve::server
