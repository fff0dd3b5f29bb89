// JSON of the OpenAI embeddings API: POST /v1/embeddings and GET /v1/models.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/call_request.h"
#include "server/http/json_body.h"

namespace mbserve::server::http {

struct OpenAiEmbeddingsRequest {
  CallRequest call;     // kEmbed
  bool base64 = false;  // encoding_format "base64": little-endian float32 bytes
};

// input (required), encoding_format, dimensions; model and user are accepted
// and ignored, as the server serves one model.
absl::StatusOr<OpenAiEmbeddingsRequest> ParseOpenAiEmbeddings(const Json& body);

// {object: "list", data: [{object: "embedding", index, embedding}], model,
// usage: {prompt_tokens, total_tokens}}.
std::string EncodeOpenAiEmbeddings(const CallResponse& response, bool base64,
                                   absl::string_view model);

// The served model as the one entry of the list.
std::string EncodeOpenAiModels(absl::string_view model);

}  // namespace mbserve::server::http
