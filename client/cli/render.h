// Responses as the user reads them: JSON (the proto3 JSON mapping, with the
// .proto's field names, one document per line for jq) or a table.
#pragma once

#include <span>
#include <string>

#include "absl/strings/string_view.h"
#include "client/cli/table.h"
#include "google/protobuf/message.h"
#include "grpc/health/v1/health.pb.h"
#include "mbserve/v1/classify.pb.h"
#include "mbserve/v1/embed.pb.h"
#include "mbserve/v1/info.pb.h"
#include "mbserve/v1/tokenize.pb.h"

namespace mbserve::cli {

std::string RenderJson(const google::protobuf::Message& message);

// `inputs` describe the request's inputs, in order, for the first column.
Table EmbedTable(const v1::EmbedResponse& response, std::span<const std::string> inputs);
Table ClassifyTable(const v1::ClassifyResponse& response, std::span<const std::string> inputs);
Table TokenizeTable(const v1::TokenizeResponse& response, std::span<const std::string> inputs);
Table InfoTable(const v1::GetInfoResponse& response);
Table HealthTable(const grpc::health::v1::HealthCheckResponse& response,
                  const std::string& service);

// "12 tokens in 4.20 ms (tokenization 0.10, queue 0.50, inference 3.40)".
std::string UsageLine(const v1::Usage& usage, const v1::Timing& timing);

// At most max_chars code points of text, with "…" marking a cut, and line
// breaks and tabs shown as spaces so a table row stays one line.
std::string Preview(absl::string_view text, size_t max_chars);

}  // namespace mbserve::cli
