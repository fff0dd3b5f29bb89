// The CLI's requests and responses over the server's TEI-compatible HTTP
// routes (docs/HTTP.md), translated to and from the gRPC messages so that one
// set of tables and JSON renderers serves both transports. Pure: no sockets.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mbserve/v1/classify.pb.h"
#include "mbserve/v1/embed.pb.h"
#include "mbserve/v1/info.pb.h"
#include "nlohmann/json.hpp"

namespace mbserve::cli {

// POST /embed. Options the route has no field for (--pooling, --prompt-text)
// are an InvalidArgument error naming the option.
absl::StatusOr<nlohmann::json> TeiEmbedBody(const v1::EmbedRequest& request);
// /embed's answer, [[float, ...], ...]; the route reports no token counts.
absl::StatusOr<v1::EmbedResponse> EmbedFromTei(const nlohmann::json& answer);

// POST /predict, one body per input: a list of exactly two strings is a pair
// on that route, so texts are sent one at a time to keep them texts.
absl::StatusOr<std::vector<nlohmann::json>> TeiPredictBodies(const v1::ClassifyRequest& request);
// Appends one /predict answer, [{"score", "label"}, ...], as a result.
absl::Status AddPredictionFromTei(const nlohmann::json& answer, v1::ClassifyResponse& response);

// GET /info.
absl::StatusOr<v1::GetInfoResponse> InfoFromTei(const nlohmann::json& answer);

// A non-2xx answer, {"error", "error_type"}, as a status whose code matches
// what the gRPC API returns for the same failure (422 InvalidArgument, 401
// Unauthenticated, 424 FailedPrecondition, 429 ResourceExhausted, 503
// Unavailable, ...). The message keeps the HTTP status and the server's text.
absl::Status HttpErrorStatus(int http_status, absl::string_view body);

}  // namespace mbserve::cli
