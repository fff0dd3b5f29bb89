// Where embed, classify and tokenize get their texts.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/cli/args.h"

namespace mbserve::cli {

// The texts of the arguments, else of --file (one per line; "-" is stdin),
// else of stdin when it is not a terminal. Blank lines are skipped. With
// --pairs, each line is split at its first TAB, so the result is always
// first, second, first, second, ...
absl::StatusOr<std::vector<std::string>> ReadTexts(const InputOptions& input,
                                                   std::istream& stdin_stream,
                                                   bool stdin_is_terminal);

}  // namespace mbserve::cli
