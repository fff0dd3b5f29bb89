#include "server/grpc_convert.h"

#include <chrono>

#include "absl/strings/str_cat.h"

namespace mbserve::server {
namespace {

std::vector<uint32_t> IdsOf(const v1::TokenIds& ids) {
  return std::vector<uint32_t>(ids.ids().begin(), ids.ids().end());
}

absl::Status DecodeTruncation(const v1::Truncation& truncation, CallRequest& out) {
  if (truncation.has_enabled()) out.truncate = truncation.enabled();
  switch (truncation.direction()) {
    case v1::TRUNCATION_DIRECTION_UNSPECIFIED:
    case v1::TRUNCATION_DIRECTION_RIGHT:
      out.truncation_direction = TruncationDirection::kRight;
      return absl::OkStatus();
    case v1::TRUNCATION_DIRECTION_LEFT:
      out.truncation_direction = TruncationDirection::kLeft;
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("truncation.direction ", static_cast<int>(truncation.direction()),
                       " is not a TruncationDirection (0 unspecified, 1 right, 2 left)"));
  }
}

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

void FillUsageAndTiming(const CallResponse& response, v1::Usage* usage, v1::Timing* timing) {
  usage->set_total_tokens(response.total_tokens);
  timing->set_tokenization_us(Micros(response.timing.tokenization));
  timing->set_queue_us(Micros(response.timing.queue));
  timing->set_inference_us(Micros(response.timing.inference));
  timing->set_total_us(Micros(response.timing.total));
}

}  // namespace

absl::StatusOr<CallRequest> FromProto(const v1::EmbedRequest& request) {
  CallRequest out;
  out.kind = CallKind::kEmbed;
  out.inputs.reserve(request.inputs_size());
  for (int i = 0; i < request.inputs_size(); ++i) {
    const v1::EmbedInput& input = request.inputs(i);
    switch (input.input_case()) {
      case v1::EmbedInput::kText:
        out.inputs.emplace_back(input.text());
        break;
      case v1::EmbedInput::kTokenIds:
        out.inputs.emplace_back(IdsOf(input.token_ids()));
        break;
      case v1::EmbedInput::INPUT_NOT_SET:
        return absl::InvalidArgumentError(
            absl::StrCat("inputs[", i, "] has neither text nor token_ids"));
    }
  }
  if (request.has_normalize()) out.normalize = request.normalize();
  if (request.has_dimensions()) out.dimensions = request.dimensions();
  if (absl::Status s = DecodeTruncation(request.truncation(), out); !s.ok()) return s;
  out.prompt = PromptOf(request);
  switch (request.pooling()) {
    case v1::POOLING_UNSPECIFIED:
      break;
    case v1::POOLING_CLS:
      out.pooling = Pooling::kCls;
      break;
    case v1::POOLING_MEAN:
      out.pooling = Pooling::kMean;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("pooling ", static_cast<int>(request.pooling()),
                       " is not a Pooling (0 model default, 1 cls, 2 mean)"));
  }
  return out;
}

absl::StatusOr<CallRequest> FromProto(const v1::ClassifyRequest& request) {
  CallRequest out;
  out.kind = CallKind::kClassify;
  out.inputs.reserve(request.inputs_size());
  for (int i = 0; i < request.inputs_size(); ++i) {
    const v1::ClassifyInput& input = request.inputs(i);
    switch (input.input_case()) {
      case v1::ClassifyInput::kText:
        out.inputs.emplace_back(input.text());
        break;
      case v1::ClassifyInput::kPair:
        out.inputs.emplace_back(TextPair{input.pair().first(), input.pair().second()});
        break;
      case v1::ClassifyInput::kTokenIds:
        out.inputs.emplace_back(IdsOf(input.token_ids()));
        break;
      case v1::ClassifyInput::INPUT_NOT_SET:
        return absl::InvalidArgumentError(
            absl::StrCat("inputs[", i, "] has none of text, pair and token_ids"));
    }
  }
  out.raw_scores = request.raw_scores();
  out.top_k = request.top_k();
  if (absl::Status s = DecodeTruncation(request.truncation(), out); !s.ok()) return s;
  return out;
}

absl::StatusOr<RerankQuery> FromProto(const v1::RerankRequest& request) {
  CallRequest truncation;
  if (absl::Status s = DecodeTruncation(request.truncation(), truncation); !s.ok()) return s;
  RerankQuery query;
  query.query = request.query();
  query.texts.assign(request.texts().begin(), request.texts().end());
  query.raw_scores = request.raw_scores();
  query.truncate = truncation.truncate;
  query.truncation_direction = truncation.truncation_direction;
  return query;
}

void ToProto(const CallResponse& response, v1::EmbedResponse* out) {
  for (const CallOutput& output : response.outputs) {
    v1::Embedding* embedding = out->add_embeddings();
    embedding->mutable_values()->Assign(output.embedding.begin(), output.embedding.end());
    embedding->set_num_tokens(output.num_tokens);
    embedding->set_truncated(output.truncated);
  }
  FillUsageAndTiming(response, out->mutable_usage(), out->mutable_timing());
}

void ToProto(const CallResponse& response, v1::ClassifyResponse* out) {
  for (const CallOutput& output : response.outputs) {
    v1::Classification* classification = out->add_results();
    for (const ClassScore& score : output.scores) {
      v1::ClassScore* proto = classification->add_scores();
      proto->set_index(score.index);
      proto->set_label(score.label);
      proto->set_score(score.score);
    }
    classification->set_num_tokens(output.num_tokens);
    classification->set_truncated(output.truncated);
  }
  FillUsageAndTiming(response, out->mutable_usage(), out->mutable_timing());
}

void ToProto(const std::vector<RankedText>& ranked, const CallResponse& response,
             const v1::RerankRequest& request, v1::RerankResponse* out) {
  for (const RankedText& text : ranked) {
    v1::RankedText* proto = out->add_results();
    proto->set_index(text.index);
    proto->set_score(text.score);
    if (request.return_text()) proto->set_text(request.texts(text.index));
    proto->set_num_tokens(text.num_tokens);
    proto->set_truncated(text.truncated);
  }
  FillUsageAndTiming(response, out->mutable_usage(), out->mutable_timing());
}

}  // namespace mbserve::server
