// Debian 12's abseil has its own string_view class (ABSL_OPTION_USE_STD_
// STRING_VIEW 0); newer ones alias std::string_view. This converts either way.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace mbserve::tokenizer_internal {

inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace mbserve::tokenizer_internal
