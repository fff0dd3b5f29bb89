// spdlog set-up: human-readable lines or one JSON object per line.
#pragma once

#include <string>

namespace mbserve::server {

// format: "text" or "json"; level: trace, debug, info, warn, error.
void SetUpLogging(const std::string& format, const std::string& level);

}  // namespace mbserve::server
