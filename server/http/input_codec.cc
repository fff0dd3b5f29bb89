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

absl::Status ParseTokenIds(const Json& value, absl::string_view name, std::vector<uint32_t>* ids) {
  if (!value.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be a list of token ids, not ", TypeName(value)));
  }
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(name, " is empty"));
  ids->reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    absl::StatusOr<uint64_t> id = UnsignedValue(value[i], absl::StrCat(name, "[", i, "]"),
                                                std::numeric_limits<uint32_t>::max());
    if (!id.ok()) return id.status();
    ids->push_back(static_cast<uint32_t>(*id));
  }
  return absl::OkStatus();
}

absl::Status ParseEmbedInputs(const Json& value, absl::string_view field,
                              std::vector<CallInput>* inputs) {
  if (value.is_string()) {
    inputs->emplace_back(value.get<std::string>());
    return absl::OkStatus();
  }
  if (!value.is_array()) return NotAnInput(field, value);
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is empty; send at least one input"));
  }
  // The first element decides the shape; the others must follow it.
  if (value.front().is_number()) {
    std::vector<uint32_t> ids;
    if (absl::Status s = ParseTokenIds(value, field, &ids); !s.ok()) return s;
    inputs->emplace_back(std::move(ids));
    return absl::OkStatus();
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
      inputs->emplace_back(item.get<std::string>());
    } else if (item.is_array()) {
      std::vector<uint32_t> ids;
      if (absl::Status s = ParseTokenIds(item, name, &ids); !s.ok()) return s;
      inputs->emplace_back(std::move(ids));
    } else {
      return NotAnInput(name, item);
    }
  }
  return absl::OkStatus();
}

absl::Status ParseTruncation(const Json& body, std::optional<bool>* truncate,
                             TruncationDirection* direction) {
  absl::StatusOr<std::optional<bool>> enabled = OptionalBool(body, "truncate");
  if (!enabled.ok()) return enabled.status();
  *truncate = *enabled;
  absl::StatusOr<std::optional<std::string>> name = OptionalString(body, "truncation_direction");
  if (!name.ok()) return name.status();
  if (!name->has_value()) return absl::OkStatus();
  const std::string lower = absl::AsciiStrToLower(**name);
  if (lower == "right") {
    *direction = TruncationDirection::kRight;
  } else if (lower == "left") {
    *direction = TruncationDirection::kLeft;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("truncation_direction is \"", **name, "\"; it must be \"right\" or \"left\""));
  }
  return absl::OkStatus();
}

}  // namespace mbserve::server::http
