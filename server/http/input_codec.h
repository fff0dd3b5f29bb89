// Request fields that several routes share: inputs given as text or token
// ids, and TEI's truncation fields.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/call_request.h"
#include "server/http/json_body.h"

namespace mbserve::server::http {

// `value` (the field `field`) as one or more inputs: a string, a list of
// strings, a list of token ids (one input) or a list of lists of ids.
absl::Status ParseEmbedInputs(const Json& value, absl::string_view field,
                              std::vector<CallInput>* inputs);

// TEI's `truncate` (bool) and `truncation_direction` ("right" or "left", any
// case).
absl::Status ParseTruncation(const Json& body, std::optional<bool>* truncate,
                             TruncationDirection* direction);

// `value` (named `name`) as a non-empty list of token ids.
absl::Status ParseTokenIds(const Json& value, absl::string_view name, std::vector<uint32_t>* ids);

}  // namespace mbserve::server::http
