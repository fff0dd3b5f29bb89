#include "server/http/json_body.h"

#include "absl/strings/str_cat.h"

namespace mbserve::server::http {
namespace {

absl::Status WrongType(absl::string_view field, absl::string_view expected, const Json& value) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " must be ", expected, ", not ", TypeName(value)));
}

const Json* Find(const Json& object, absl::string_view field) {
  const auto it = object.find(std::string_view(field.data(), field.size()));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

absl::StatusOr<Json> ParseJsonBody(absl::string_view body) {
  bool too_deep = false;
  // The callback sees every value with its depth while parsing; returning
  // false at the limit drops the subtree instead of recursing into it.
  const Json::parser_callback_t limit_depth = [&too_deep](int depth, Json::parse_event_t event,
                                                          Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      too_deep = true;
    }
    return !too_deep;
  };
  Json parsed;
  try {
    parsed = Json::parse(body.begin(), body.end(), limit_depth);
  } catch (const Json::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the body is not valid JSON: syntax error at byte ", e.byte, " (", body.size(), " bytes)"));
  } catch (const Json::out_of_range&) {  // e.g. 1e400, beyond a double
    return absl::InvalidArgumentError(
        "the body is not valid JSON: it holds a number beyond the range of a double");
  }
  if (too_deep) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body nests JSON deeper than ", kMaxJsonDepth, " levels"));
  }
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body must be a JSON object, not ", TypeName(parsed)));
  }
  return parsed;
}

absl::string_view TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number with a fraction or exponent";
    default:
      return "an unsupported value";
  }
}

absl::StatusOr<std::optional<bool>> OptionalBool(const Json& object, absl::string_view field) {
  const Json* value = Find(object, field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) return WrongType(field, "true or false", *value);
  return value->get<bool>();
}

absl::StatusOr<std::optional<std::string>> OptionalString(const Json& object,
                                                          absl::string_view field) {
  const Json* value = Find(object, field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) return WrongType(field, "a string", *value);
  return value->get<std::string>();
}

absl::StatusOr<uint64_t> UnsignedValue(const Json& value, absl::string_view name, uint64_t max) {
  const std::string expected = absl::StrCat("an integer between 0 and ", max);
  if (value.is_number_unsigned()) {
    const auto parsed = value.get<uint64_t>();
    if (parsed <= max) return parsed;
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is ", parsed, "; it must be ", expected));
  }
  if (value.is_number_integer()) {  // only negative integers are not unsigned
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is ", value.get<int64_t>(), "; it must be ", expected));
  }
  // Floats include integers too large for 64 bits, which the parser keeps as
  // doubles.
  return WrongType(name, expected, value);
}

absl::StatusOr<std::optional<uint64_t>> OptionalUnsigned(const Json& object,
                                                         absl::string_view field, uint64_t max) {
  const Json* value = Find(object, field);
  if (value == nullptr) return std::nullopt;
  absl::StatusOr<uint64_t> parsed = UnsignedValue(*value, field, max);
  if (!parsed.ok()) return parsed.status();
  return *parsed;
}

absl::StatusOr<const Json*> RequiredField(const Json& object, absl::string_view field) {
  const Json* value = Find(object, field);
  if (value == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return value;
}

}  // namespace mbserve::server::http
