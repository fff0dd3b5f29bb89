// A start-up check that the model folder can be read by this process, so a
// checkpoint written with a private mode (safetensors writes 0600) fails
// with the file, its mode and owner, and the uid that cannot read it, rather
// than a bare "Permission denied" from deep in the loader.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace mbserve::server {

// PermissionDenied naming the first unreadable file (or untraversable
// folder) under model_dir, hidden entries aside; OK otherwise, including
// when model_dir does not exist (the loader reports that itself).
absl::Status CheckModelFilesReadable(const std::string& model_dir);

}  // namespace mbserve::server
