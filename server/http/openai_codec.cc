#include "server/http/openai_codec.h"

#include <bit>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/http/input_codec.h"

namespace mbserve::server::http {
namespace {

static_assert(std::endian::native == std::endian::little,
              "base64 embeddings are little-endian float32, as the OpenAI SDKs decode them");

std::string Base64Floats(const std::vector<float>& values) {
  std::string bytes(static_cast<size_t>(values.size()) * sizeof(float), '\0');
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return absl::Base64Escape(bytes);
}

}  // namespace

absl::StatusOr<OpenAiEmbeddingsRequest> ParseOpenAiEmbeddings(const Json& body) {
  OpenAiEmbeddingsRequest request;
  absl::StatusOr<const Json*> input = RequiredField(body, "input");
  if (!input.ok()) return input.status();
  request.call.kind = CallKind::kEmbed;
  if (absl::Status s = ParseEmbedInputs(**input, "input", &request.call.inputs); !s.ok()) {
    return s;
  }

  absl::StatusOr<std::optional<std::string>> format = OptionalString(body, "encoding_format");
  if (!format.ok()) return format.status();
  if (format->has_value()) {
    if (**format != "float" && **format != "base64") {
      return absl::InvalidArgumentError(absl::StrCat("encoding_format is \"", **format,
                                                     "\"; it must be \"float\" or \"base64\""));
    }
    request.base64 = **format == "base64";
  }
  absl::StatusOr<std::optional<uint64_t>> dimensions =
      OptionalUnsigned(body, "dimensions", std::numeric_limits<uint32_t>::max());
  if (!dimensions.ok()) return dimensions.status();
  if (dimensions->has_value()) request.call.dimensions = static_cast<uint32_t>(**dimensions);
  for (absl::string_view ignored : {"model", "user"}) {
    if (absl::StatusOr<std::optional<std::string>> s = OptionalString(body, ignored); !s.ok()) {
      return s.status();
    }
  }
  return request;
}

std::string EncodeOpenAiEmbeddings(const CallResponse& response, bool base64,
                                   absl::string_view model) {
  Json data = Json::array();
  for (size_t i = 0; i < response.outputs.size(); ++i) {
    const std::vector<float>& values = response.outputs[i].embedding;
    Json embedding = base64 ? Json(Base64Floats(values)) : Json(values);
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
  }
  const uint64_t tokens = response.total_tokens;
  const Json body = {{"object", "list"},
                     {"data", std::move(data)},
                     {"model", model},
                     {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string EncodeOpenAiModels(absl::string_view model) {
  const Json body = {
      {"object", "list"},
      {"data",
       Json::array(
           {{{"id", model}, {"object", "model"}, {"created", 0}, {"owned_by", "mbserve"}}})}};
  return body.dump();
}

}  // namespace mbserve::server::http
