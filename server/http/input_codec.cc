#include "server/http/input_codec.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mbserve::server::http {
namespace {

constexpr char kInputShapes[] =
    "a string, a list of strings, a list of token ids or a list of lists of token ids";

absl::Status NotAnInput(absl::string_view name, const Json& value) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be ", kInputShapes, ", not ", TypeName(value)));
}

}  // namespace

absl::Status ParseTokenIds(const Json& value, absl::string_view name, v1::TokenIds* ids) {
  if (!value.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be a list of token ids, not ", TypeName(value)));
  }
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(name, " is empty"));
  ids->mutable_ids()->Reserve(static_cast<int>(value.size()));
  for (size_t i = 0; i < value.size(); ++i) {
    absl::StatusOr<uint64_t> id = UnsignedValue(value[i], absl::StrCat(name, "[", i, "]"),
                                                std::numeric_limits<uint32_t>::max());
    if (!id.ok()) return id.status();
    ids->add_ids(static_cast<uint32_t>(*id));
  }
  return absl::OkStatus();
}

absl::Status ParseEmbedInputs(const Json& value, absl::string_view field,
                              v1::EmbedRequest* request) {
  if (value.is_string()) {
    request->add_inputs()->set_text(value.get<std::string>());
    return absl::OkStatus();
  }
  if (!value.is_array()) return NotAnInput(field, value);
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is empty; send at least one input"));
  }
  // The first element decides the shape; the others must follow it.
  if (value.front().is_number()) {
    return ParseTokenIds(value, field, request->add_inputs()->mutable_token_ids());
  }
  const bool texts = value.front().is_string();
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string name = absl::StrCat(field, "[", i, "]");
    const Json& item = value[i];
    if (texts) {
      if (!item.is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, " must be a string like ", field, "[0], not ", TypeName(item)));
      }
      request->add_inputs()->set_text(item.get<std::string>());
    } else if (item.is_array()) {
      if (absl::Status s = ParseTokenIds(item, name, request->add_inputs()->mutable_token_ids());
          !s.ok()) {
        return s;
      }
    } else {
      return NotAnInput(name, item);
    }
  }
  return absl::OkStatus();
}

absl::Status ParseTruncation(const Json& body, v1::Truncation* truncation) {
  absl::StatusOr<std::optional<bool>> truncate = OptionalBool(body, "truncate");
  if (!truncate.ok()) return truncate.status();
  if (truncate->has_value()) truncation->set_enabled(**truncate);
  absl::StatusOr<std::optional<std::string>> direction =
      OptionalString(body, "truncation_direction");
  if (!direction.ok()) return direction.status();
  if (!direction->has_value()) return absl::OkStatus();
  const std::string lower = absl::AsciiStrToLower(**direction);
  if (lower == "right") {
    truncation->set_direction(v1::TRUNCATION_DIRECTION_RIGHT);
  } else if (lower == "left") {
    truncation->set_direction(v1::TRUNCATION_DIRECTION_LEFT);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("truncation_direction is \"", **direction,
                                                   "\"; it must be \"right\" or \"left\""));
  }
  return absl::OkStatus();
}

}  // namespace mbserve::server::http
