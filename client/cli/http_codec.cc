#include "client/cli/http_codec.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace mbserve::cli {
namespace {

using Json = nlohmann::json;

absl::Status Unsupported(absl::string_view option) {
  return absl::InvalidArgumentError(
      absl::StrCat(option, " has no field on the HTTP routes; call without --http (gRPC)"));
}

absl::Status MalformedAnswer(absl::string_view route, absl::string_view what) {
  return absl::InternalError(absl::StrCat("the server's ", route, " answer is malformed: ", what));
}

void AddTruncation(const v1::Truncation& truncation, Json& body) {
  if (truncation.has_enabled()) body["truncate"] = truncation.enabled();
  if (truncation.direction() == v1::TRUNCATION_DIRECTION_LEFT) {
    body["truncation_direction"] = "left";
  } else if (truncation.direction() == v1::TRUNCATION_DIRECTION_RIGHT) {
    body["truncation_direction"] = "right";
  }
}

absl::StatusCode CodeOf(int http_status) {
  switch (http_status) {
    case 400:
    case 413:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 404:
      return absl::StatusCode::kUnimplemented;
    case 424:
      return absl::StatusCode::kFailedPrecondition;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return http_status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnknown;
  }
}

}  // namespace

absl::StatusOr<Json> TeiEmbedBody(const v1::EmbedRequest& request) {
  if (request.pooling() != v1::POOLING_UNSPECIFIED) return Unsupported("--pooling");
  if (request.has_prompt_text()) return Unsupported("--prompt-text");
  Json inputs = Json::array();
  for (const v1::EmbedInput& input : request.inputs()) {
    if (!input.has_text()) return absl::InvalidArgumentError("only texts can be sent over --http");
    inputs.push_back(input.text());
  }
  Json body = {{"inputs", std::move(inputs)}};
  if (request.has_normalize()) body["normalize"] = request.normalize();
  if (request.has_dimensions()) body["dimensions"] = request.dimensions();
  if (request.has_prompt_name()) body["prompt_name"] = request.prompt_name();
  AddTruncation(request.truncation(), body);
  return body;
}

absl::StatusOr<v1::EmbedResponse> EmbedFromTei(const Json& answer) {
  if (!answer.is_array()) return MalformedAnswer("/embed", "not a list of vectors");
  v1::EmbedResponse response;
  for (const Json& vector : answer) {
    if (!vector.is_array()) return MalformedAnswer("/embed", "an item is not a list of numbers");
    v1::Embedding* embedding = response.add_embeddings();
    for (const Json& value : vector) {
      if (!value.is_number()) return MalformedAnswer("/embed", "a value is not a number");
      embedding->add_values(value.get<float>());
    }
  }
  return response;
}

absl::StatusOr<std::vector<Json>> TeiPredictBodies(const v1::ClassifyRequest& request) {
  if (request.top_k() != 0) return Unsupported("--top-k");
  std::vector<Json> bodies;
  for (const v1::ClassifyInput& input : request.inputs()) {
    Json body;
    if (input.has_text()) {
      body["inputs"] = input.text();
    } else if (input.has_pair()) {
      body["inputs"] = Json::array({input.pair().first(), input.pair().second()});
    } else {
      return absl::InvalidArgumentError("only texts and pairs can be sent over --http");
    }
    if (request.raw_scores()) body["raw_scores"] = true;
    AddTruncation(request.truncation(), body);
    bodies.push_back(std::move(body));
  }
  return bodies;
}

absl::Status AddPredictionFromTei(const Json& answer, v1::ClassifyResponse& response) {
  if (!answer.is_array()) return MalformedAnswer("/predict", "not a list of scores");
  v1::Classification* result = response.add_results();
  for (const Json& item : answer) {
    if (!item.is_object() || !item.contains("score") || !item["score"].is_number() ||
        !item.contains("label") || !item["label"].is_string()) {
      return MalformedAnswer("/predict", "a score is not {\"score\": number, \"label\": string}");
    }
    v1::ClassScore* score = result->add_scores();
    score->set_score(item["score"].get<float>());
    score->set_label(item["label"].get<std::string>());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::GetInfoResponse> InfoFromTei(const Json& answer) {
  if (!answer.is_object()) return MalformedAnswer("/info", "not an object");
  v1::GetInfoResponse info;
  try {
    info.set_version(answer.value("version", ""));
    info.set_model_id(answer.value("model_id", ""));
    info.set_architecture(answer.value("architecture", ""));
    info.set_dtype(answer.value("model_dtype", ""));
    info.set_device(answer.value("device", ""));
    info.set_hidden_size(answer.value("hidden_size", 0u));
    info.set_max_input_length(answer.value("max_input_length", 0u));
    info.set_normalize(answer.value("normalize", false));
    info.set_default_prompt_name(answer.value("default_prompt_name", ""));
    for (const Json& name : answer.value("prompt_names", Json::array())) {
      info.add_prompt_names(name.get<std::string>());
    }
    const Json model_type = answer.value("model_type", Json::object());
    if (model_type.contains("classifier")) {
      // id2label's keys are "0", "1", ...: labels in index order.
      const Json& id2label = model_type["classifier"].at("id2label");
      for (size_t i = 0; i < id2label.size(); ++i) {
        info.add_labels(id2label.at(std::to_string(i)).get<std::string>());
      }
    } else if (model_type.contains("embedding")) {
      const std::string pooling = model_type["embedding"].value("pooling", "");
      info.set_pooling(pooling == "mean"  ? v1::POOLING_MEAN
                       : pooling == "cls" ? v1::POOLING_CLS
                                          : v1::POOLING_UNSPECIFIED);
    }
    v1::Limits& limits = *info.mutable_limits();
    limits.set_max_concurrent_requests(answer.value("max_concurrent_requests", 0u));
    limits.set_max_client_batch_size(answer.value("max_client_batch_size", 0u));
    limits.set_max_batch_tokens(answer.value("max_batch_tokens", 0u));
    limits.set_max_batch_requests(answer.value("max_batch_requests", 0u));
    limits.set_tokenization_workers(answer.value("tokenization_workers", 0u));
    limits.set_auto_truncate(answer.value("auto_truncate", false));
  } catch (const Json::exception& e) {
    return MalformedAnswer("/info", e.what());
  }
  return info;
}

absl::Status HttpErrorStatus(int http_status, absl::string_view body) {
  std::string message(body);
  const Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    message = parsed["error"].get<std::string>();
  }
  return absl::Status(CodeOf(http_status), absl::StrCat("HTTP ", http_status, ": ", message));
}

}  // namespace mbserve::cli
