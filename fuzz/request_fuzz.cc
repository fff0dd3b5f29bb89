// libFuzzer target for the validation of request messages: the bytes a
// client sends, through the same functions the gRPC services run
// (server/message_size.h, grpc_convert.h, call_plan.h, rerank_call.h,
// tokenize_call.h), against a small served model whose limits fuzzed
// inputs reach easily. The first input byte picks the message type:
//   0 EmbedRequest   1 ClassifyRequest   2 RerankRequest
//   3 TokenizeRequest   4 DetokenizeRequest
// and the rest is its protobuf encoding (fuzz/make-request-corpus.sh writes
// the seeds). A request may be refused; one that is accepted must respect
// every limit, or the target traps.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <variant>

#include "server/call_plan.h"
#include "server/grpc_convert.h"
#include "server/input_prep.h"
#include "server/message_size.h"
#include "server/rerank_call.h"
#include "server/tokenize_call.h"

namespace mbserve::server {
namespace {

void Require(bool invariant) {
  if (!invariant) __builtin_trap();
}

struct Served {
  const Tokenizer& tokenizer;
  ServedModel model;
  ServerConfig config;
};

const Served& Fixture() {
  static const Served* served = [] {
    auto loaded = Tokenizer::FromFile(MBSERVE_FUZZ_TOKENIZER);
    Require(loaded.ok());
    ServedModel model;
    model.architecture = "ModernBertForSequenceClassification";
    model.hidden_size = 16;
    model.vocab_size = (*loaded)->vocab_size();
    model.max_input_length = 24;
    model.pooling = Pooling::kMean;
    model.include_prompt = false;
    model.prompts = {{"query", "query: "}, {"empty", ""}};
    model.default_prompt_name = "query";
    model.default_prompt = "query: ";
    model.labels = {"negative", "positive"};
    ServerConfig config;
    config.max_client_batch_size = 4;
    config.max_message_bytes = 2048;
    return new Served{*loaded->release(), std::move(model), std::move(config)};
  }();
  return *served;
}

// What an accepted Embed, Classify or Rerank call hands the engine.
void CheckAccepted(const CallRequest& request, const CallPlan& plan,
                   const std::vector<PreparedInput>& prepared, const Served& s) {
  Require(!request.inputs.empty() &&
          request.inputs.size() <= static_cast<size_t>(s.config.max_client_batch_size));
  Require(prepared.size() == request.inputs.size());
  Require(plan.dimensions >= 0 && plan.dimensions <= s.model.hidden_size);
  Require(request.kind == CallKind::kEmbed || s.model.can_classify());
  for (const PreparedInput& input : prepared) {
    Require(!input.ids.empty() &&
            input.ids.size() <= static_cast<size_t>(s.model.max_input_length));
    Require(input.type_ids.size() == input.ids.size());
    Require(input.pool_from >= 0 && static_cast<size_t>(input.pool_from) < input.ids.size());
    Require(!input.truncated || plan.limits.truncation.enabled);
    for (const int32_t id : input.ids) Require(id >= 0 && id < s.model.vocab_size);
    for (const int32_t type : input.type_ids) Require(type == 0 || type == 1);
  }
}

// The call's path from a decoded request: Call::Start plans it, the
// tokenization pool prepares its inputs.
void RunCall(const absl::StatusOr<CallRequest>& request, const Served& s) {
  if (!request.ok()) return;
  absl::StatusOr<CallPlan> plan = PlanCall(*request, s.model, s.config);
  if (!plan.ok()) return;
  absl::StatusOr<std::vector<PreparedInput>> prepared = PrepareInputs(*request, *plan, s.tokenizer);
  if (prepared.ok()) CheckAccepted(*request, *plan, *prepared, s);
}

template <typename Message>
bool Parse(const uint8_t* data, size_t size, Message& message, const Served& s) {
  return message.ParseFromArray(data, static_cast<int>(size)) &&
         CheckMessageSize(message, s.config.max_message_bytes).ok();
}

void Embed(const uint8_t* data, size_t size, const Served& s) {
  v1::EmbedRequest message;
  if (Parse(data, size, message, s)) RunCall(FromProto(message), s);
}

void Classify(const uint8_t* data, size_t size, const Served& s) {
  v1::ClassifyRequest message;
  if (Parse(data, size, message, s)) RunCall(FromProto(message), s);
}

void Rerank(const uint8_t* data, size_t size, const Served& s) {
  v1::RerankRequest message;
  if (!Parse(data, size, message, s)) return;
  absl::StatusOr<RerankQuery> query = FromProto(message);
  if (!query.ok()) return;
  absl::StatusOr<CallRequest> pairs = RerankCall(*query, s.model, s.config);
  if (!pairs.ok()) return;
  Require(pairs->kind == CallKind::kClassify && pairs->inputs.size() == query->texts.size());
  for (const CallInput& input : pairs->inputs) Require(std::holds_alternative<TextPair>(input));
  RunCall(pairs, s);
}

void Tokenize(const uint8_t* data, size_t size, const Served& s) {
  v1::TokenizeRequest message;
  if (!Parse(data, size, message, s)) return;
  // TokenizeServiceImpl::Tokenize checks the count before the pool runs it.
  if (!CheckInputCount("texts", message.texts_size(), s.config.max_client_batch_size).ok()) return;
  v1::TokenizeResponse response;
  if (!TokenizeAll(s.tokenizer, s.model, message, s.config.max_message_bytes, &response).ok())
    return;
  Require(response.results_size() == message.texts_size());
  Require(response.ByteSizeLong() <= static_cast<size_t>(s.config.max_message_bytes));
  for (const v1::Tokenization& result : response.results()) {
    for (const v1::Token& token : result.tokens()) {
      Require(token.id() < static_cast<uint32_t>(s.model.vocab_size) &&
              token.start() <= token.end());
    }
  }
}

void Detokenize(const uint8_t* data, size_t size, const Served& s) {
  v1::DetokenizeRequest message;
  if (!Parse(data, size, message, s)) return;
  v1::DetokenizeResponse response;
  if (!DetokenizeIds(s.tokenizer, message, s.config.max_message_bytes, &response).ok()) return;
  Require(response.text().size() <= static_cast<size_t>(s.config.max_message_bytes));
}

}  // namespace
}  // namespace mbserve::server

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mbserve::server;
  using Target = void (*)(const uint8_t*, size_t, const Served&);
  constexpr Target kTargets[] = {Embed, Classify, Rerank, Tokenize, Detokenize};
  if (size == 0) return 0;
  kTargets[data[0] % std::size(kTargets)](data + 1, size - 1, Fixture());
  return 0;
}
