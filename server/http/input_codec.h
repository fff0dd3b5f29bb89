// Request fields that several routes share: inputs given as text or token
// ids, and TEI's truncation fields.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mbserve/v1/common.pb.h"
#include "mbserve/v1/embed.pb.h"
#include "server/http/json_body.h"

namespace mbserve::server::http {

// `value` (the field `field`) as one or more inputs: a string, a list of
// strings, a list of token ids (one input) or a list of lists of ids.
absl::Status ParseEmbedInputs(const Json& value, absl::string_view field,
                              v1::EmbedRequest* request);

// TEI's `truncate` (bool) and `truncation_direction` ("right" or "left", any
// case) into `truncation`.
absl::Status ParseTruncation(const Json& body, v1::Truncation* truncation);

// `value` (named `name`) as a non-empty list of token ids.
absl::Status ParseTokenIds(const Json& value, absl::string_view name, v1::TokenIds* ids);

}  // namespace mbserve::server::http
