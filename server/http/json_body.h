// Parsing an HTTP request body as a JSON object, and typed reads of its
// fields. Every error is INVALID_ARGUMENT and names the field and what was
// expected, so that the client can fix its request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace mbserve::server::http {

using Json = nlohmann::json;

// Deeper bodies are refused before they are built: no route needs more than
// three levels (a list of lists of ids inside the object).
inline constexpr int kMaxJsonDepth = 8;

// The body as a JSON object. Syntax errors give the byte offset; nesting
// deeper than kMaxJsonDepth and non-object bodies are refused.
absl::StatusOr<Json> ParseJsonBody(absl::string_view body);

// A JSON type in words ("a string", "an array", ...) for messages.
absl::string_view TypeName(const Json& value);

// Each returns nullopt when the field is absent or null, the value when it
// has the right type, and an error naming `field` otherwise.
absl::StatusOr<std::optional<bool>> OptionalBool(const Json& object, absl::string_view field);
absl::StatusOr<std::optional<std::string>> OptionalString(const Json& object,
                                                          absl::string_view field);
// An integer in [0, max]; floats, negatives and larger numbers are refused.
absl::StatusOr<std::optional<uint64_t>> OptionalUnsigned(const Json& object,
                                                         absl::string_view field, uint64_t max);

// `value` (named `name` in errors) as an integer in [0, max].
absl::StatusOr<uint64_t> UnsignedValue(const Json& value, absl::string_view name, uint64_t max);

// The field must be present (and not null).
absl::StatusOr<const Json*> RequiredField(const Json& object, absl::string_view field);

}  // namespace mbserve::server::http
