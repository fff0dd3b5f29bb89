#include "server/http/tei_codec.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "server/http/input_codec.h"

namespace mbserve::server::http {
namespace {

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Reads an optional boolean field into a proto setter.
template <typename Set>
absl::Status ReadBool(const Json& body, absl::string_view field, Set set) {
  absl::StatusOr<std::optional<bool>> value = OptionalBool(body, field);
  if (!value.ok()) return value.status();
  if (value->has_value()) set(**value);
  return absl::OkStatus();
}

// ["first", "second"]: a pair, whatever the strings say.
bool IsPair(const Json& value) {
  return value.is_array() && value.size() == 2 && value[0].is_string() && value[1].is_string();
}

absl::Status AddPredictInput(const Json& item, absl::string_view name, CallRequest* out) {
  if (item.is_string()) {
    out->inputs.emplace_back(item.get<std::string>());
  } else if (IsPair(item)) {
    out->inputs.emplace_back(TextPair{item[0].get<std::string>(), item[1].get<std::string>()});
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " must be a string or a [first, second] pair of strings, not ", TypeName(item),
        item.is_array() ? absl::StrCat(" of ", item.size(), " items") : ""));
  }
  return absl::OkStatus();
}

Json ScoreList(const CallOutput& output) {
  Json scores = Json::array();
  for (const ClassScore& score : output.scores) {
    scores.push_back({{"score", score.score}, {"label", score.label}});
  }
  return scores;
}

}  // namespace

absl::StatusOr<CallRequest> ParseTeiEmbed(const Json& body) {
  CallRequest request;
  request.kind = CallKind::kEmbed;
  absl::StatusOr<const Json*> inputs = RequiredField(body, "inputs");
  if (!inputs.ok()) return inputs.status();
  if (absl::Status s = ParseEmbedInputs(**inputs, "inputs", &request.inputs); !s.ok()) return s;
  if (absl::Status s = ReadBool(body, "normalize", [&](bool v) { request.normalize = v; });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ParseTruncation(body, &request.truncate, &request.truncation_direction);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::optional<std::string>> prompt_name = OptionalString(body, "prompt_name");
  if (!prompt_name.ok()) return prompt_name.status();
  if (prompt_name->has_value()) request.prompt = PromptName{**prompt_name};
  absl::StatusOr<std::optional<uint64_t>> dimensions =
      OptionalUnsigned(body, "dimensions", std::numeric_limits<uint32_t>::max());
  if (!dimensions.ok()) return dimensions.status();
  if (dimensions->has_value()) request.dimensions = static_cast<uint32_t>(**dimensions);
  return request;
}

std::string EncodeTeiEmbed(const CallResponse& response) {
  Json vectors = Json::array();
  for (const CallOutput& output : response.outputs) vectors.push_back(output.embedding);
  return Dump(vectors);
}

absl::StatusOr<TeiPredictRequest> ParseTeiPredict(const Json& body) {
  TeiPredictRequest request;
  request.call.kind = CallKind::kClassify;
  absl::StatusOr<const Json*> inputs = RequiredField(body, "inputs");
  if (!inputs.ok()) return inputs.status();
  const Json& value = **inputs;
  request.single = value.is_string() || IsPair(value);
  if (request.single) {
    if (absl::Status s = AddPredictInput(value, "inputs", &request.call); !s.ok()) return s;
  } else if (!value.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inputs must be a string, a pair or a list of strings and pairs, not ", TypeName(value)));
  } else {
    if (value.empty()) {
      return absl::InvalidArgumentError("inputs is empty; send at least one input");
    }
    for (size_t i = 0; i < value.size(); ++i) {
      if (absl::Status s =
              AddPredictInput(value[i], absl::StrCat("inputs[", i, "]"), &request.call);
          !s.ok()) {
        return s;
      }
    }
  }
  if (absl::Status s = ReadBool(body, "raw_scores", [&](bool v) { request.call.raw_scores = v; });
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ParseTruncation(body, &request.call.truncate, &request.call.truncation_direction);
      !s.ok()) {
    return s;
  }
  return request;
}

std::string EncodeTeiPredict(const CallResponse& response, bool single) {
  if (single && response.outputs.size() == 1) return Dump(ScoreList(response.outputs[0]));
  Json batch = Json::array();
  for (const CallOutput& output : response.outputs) batch.push_back(ScoreList(output));
  return Dump(batch);
}

absl::StatusOr<TeiRerankRequest> ParseTeiRerank(const Json& body) {
  TeiRerankRequest request;
  RerankQuery& query = request.query;
  absl::StatusOr<const Json*> text = RequiredField(body, "query");
  if (!text.ok()) return text.status();
  if (!(*text)->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("query must be a string, not ", TypeName(**text)));
  }
  query.query = (*text)->get<std::string>();
  absl::StatusOr<const Json*> texts = RequiredField(body, "texts");
  if (!texts.ok()) return texts.status();
  if (!(*texts)->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("texts must be a list of strings, not ", TypeName(**texts)));
  }
  for (size_t i = 0; i < (*texts)->size(); ++i) {
    const Json& item = (**texts)[i];
    if (!item.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("texts[", i, "] must be a string, not ", TypeName(item)));
    }
    query.texts.push_back(item.get<std::string>());
  }
  if (absl::Status s = ReadBool(body, "raw_scores", [&](bool v) { query.raw_scores = v; });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadBool(body, "return_text", [&](bool v) { request.return_text = v; });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ParseTruncation(body, &query.truncate, &query.truncation_direction);
      !s.ok()) {
    return s;
  }
  return request;
}

std::string EncodeTeiRerank(const std::vector<RankedText>& ranked,
                            const TeiRerankRequest& request) {
  Json ranks = Json::array();
  for (const RankedText& text : ranked) {
    Json entry = {{"index", text.index}, {"score", text.score}};
    if (request.return_text) entry["text"] = request.query.texts[text.index];
    ranks.push_back(std::move(entry));
  }
  return Dump(ranks);
}

absl::StatusOr<v1::TokenizeRequest> ParseTeiTokenize(const Json& body) {
  v1::TokenizeRequest request;
  absl::StatusOr<const Json*> inputs = RequiredField(body, "inputs");
  if (!inputs.ok()) return inputs.status();
  const Json& value = **inputs;
  if (value.is_string()) {
    request.add_texts(value.get<std::string>());
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat("inputs[", i, "] must be a string, not ", TypeName(value[i])));
      }
      request.add_texts(value[i].get<std::string>());
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("inputs must be a string or a list of strings, not ", TypeName(value)));
  }
  if (absl::Status s =
          ReadBool(body, "add_special_tokens", [&](bool v) { request.set_add_special_tokens(v); });
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::optional<std::string>> prompt_name = OptionalString(body, "prompt_name");
  if (!prompt_name.ok()) return prompt_name.status();
  if (prompt_name->has_value()) request.set_prompt_name(**prompt_name);
  return request;
}

std::string EncodeTeiTokenize(const v1::TokenizeResponse& response) {
  Json results = Json::array();
  for (const v1::Tokenization& tokenization : response.results()) {
    Json tokens = Json::array();
    for (const v1::Token& token : tokenization.tokens()) {
      tokens.push_back({{"id", token.id()},
                        {"text", token.text()},
                        {"special", token.special()},
                        {"start", token.start()},
                        {"stop", token.end()}});
    }
    results.push_back(std::move(tokens));
  }
  return Dump(results);
}

absl::StatusOr<std::vector<v1::DetokenizeRequest>> ParseTeiDecode(const Json& body) {
  absl::StatusOr<const Json*> ids = RequiredField(body, "ids");
  if (!ids.ok()) return ids.status();
  const Json& value = **ids;
  if (!value.is_array() || value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ids must be a non-empty list of token ids or of lists of token ids, not ",
                     value.is_array() ? "an empty list" : TypeName(value)));
  }
  std::optional<bool> skip;
  if (absl::Status s = ReadBool(body, "skip_special_tokens", [&](bool v) { skip = v; }); !s.ok()) {
    return s;
  }
  std::vector<v1::DetokenizeRequest> requests;
  // A list of numbers is one sequence; a list of lists is several.
  const bool batch = value.front().is_array();
  for (size_t i = 0; i < (batch ? value.size() : 1); ++i) {
    std::vector<uint32_t> parsed;
    const absl::Status s = batch ? ParseTokenIds(value[i], absl::StrCat("ids[", i, "]"), &parsed)
                                 : ParseTokenIds(value, "ids", &parsed);
    if (!s.ok()) return s;
    v1::DetokenizeRequest& request = requests.emplace_back();
    request.mutable_ids()->Assign(parsed.begin(), parsed.end());
    if (skip.has_value()) request.set_skip_special_tokens(*skip);
  }
  return requests;
}

std::string EncodeTeiDecode(const std::vector<v1::DetokenizeResponse>& responses) {
  Json texts = Json::array();
  for (const v1::DetokenizeResponse& response : responses) texts.push_back(response.text());
  return Dump(texts);
}

std::string EncodeTeiInfo(const v1::GetInfoResponse& info) {
  Json model_type;
  if (info.labels_size() > 0) {
    Json id2label = Json::object();
    for (int i = 0; i < info.labels_size(); ++i) id2label[std::to_string(i)] = info.labels(i);
    model_type = {{"classifier", {{"id2label", std::move(id2label)}}}};
  } else {
    model_type = {
        {"embedding", {{"pooling", info.pooling() == v1::POOLING_MEAN ? "mean" : "cls"}}}};
  }
  const v1::Limits& limits = info.limits();
  const Json body = {{"model_id", info.model_id()},
                     {"model_sha", nullptr},
                     {"model_dtype", info.dtype()},
                     {"model_type", std::move(model_type)},
                     {"architecture", info.architecture()},
                     {"hidden_size", info.hidden_size()},
                     {"device", info.device()},
                     {"normalize", info.normalize()},
                     {"prompt_names", std::vector<std::string>(info.prompt_names().begin(),
                                                               info.prompt_names().end())},
                     {"default_prompt_name", info.default_prompt_name()},
                     {"max_concurrent_requests", limits.max_concurrent_requests()},
                     {"max_input_length", info.max_input_length()},
                     {"max_batch_tokens", limits.max_batch_tokens()},
                     {"max_batch_requests", limits.max_batch_requests()},
                     {"max_client_batch_size", limits.max_client_batch_size()},
                     {"auto_truncate", limits.auto_truncate()},
                     {"tokenization_workers", limits.tokenization_workers()},
                     {"version", info.version()}};
  return Dump(body);
}

}  // namespace mbserve::server::http
