#include "server/tokenize_service.h"

#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/input_prep.h"
#include "server/unary_call.h"

namespace mbserve::server {
namespace {

absl::Status TokenizeAll(const Tokenizer& tokenizer, const v1::TokenizeRequest& request,
                         v1::TokenizeResponse* response) {
  EncodeOptions options;
  options.add_special_tokens = !request.has_add_special_tokens() || request.add_special_tokens();
  for (int i = 0; i < request.texts_size(); ++i) {
    if (request.texts(i).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("texts[", i, "] is empty"));
    }
    absl::StatusOr<Encoding> encoding = tokenizer.Encode(request.texts(i), options);
    if (!encoding.ok()) {
      return absl::Status(encoding.status().code(),
                          absl::StrCat("texts[", i, "]: ", encoding.status().message()));
    }
    v1::Tokenization* result = response->add_results();
    for (size_t t = 0; t < encoding->ids.size(); ++t) {
      v1::Token* token = result->add_tokens();
      token->set_id(static_cast<uint32_t>(encoding->ids[t]));
      token->set_text(encoding->tokens[t]);
      token->set_start(encoding->offsets[t].first);
      token->set_end(encoding->offsets[t].second);
      token->set_special(encoding->special_tokens_mask[t] != 0);
    }
  }
  return absl::OkStatus();
}

absl::Status DetokenizeIds(const Tokenizer& tokenizer, const v1::DetokenizeRequest& request,
                           v1::DetokenizeResponse* response) {
  const std::span<const uint32_t> requested(request.ids().data(), request.ids().size());
  if (absl::Status s = CheckTokenIds("ids", requested, tokenizer.vocab_size()); !s.ok()) return s;
  const std::vector<int32_t> ids(requested.begin(), requested.end());
  const bool skip = !request.has_skip_special_tokens() || request.skip_special_tokens();
  absl::StatusOr<std::string> text = tokenizer.Decode(ids, skip);
  if (!text.ok()) return text.status();
  response->set_text(std::move(*text));
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* TokenizeServiceImpl::Tokenize(grpc::CallbackServerContext* context,
                                                        const v1::TokenizeRequest* request,
                                                        v1::TokenizeResponse* response) {
  auto* call = new UnaryCall(Rpc::kTokenize, context, serving_);
  absl::Status status = call->Admit();
  if (status.ok()) {
    status = CheckInputCount("texts", request->texts_size(), serving_.config.max_client_batch_size);
  }
  if (!status.ok()) {
    call->Complete(status);
    return call;
  }
  serving_.tokenization_pool.Post([this, call, request, response] {
    call->Complete(TokenizeAll(serving_.tokenizer, *request, response));
  });
  return call;
}

grpc::ServerUnaryReactor* TokenizeServiceImpl::Detokenize(grpc::CallbackServerContext* context,
                                                          const v1::DetokenizeRequest* request,
                                                          v1::DetokenizeResponse* response) {
  auto* call = new UnaryCall(Rpc::kDetokenize, context, serving_);
  if (absl::Status s = call->Admit(); !s.ok()) {
    call->Complete(s);
    return call;
  }
  serving_.tokenization_pool.Post([this, call, request, response] {
    call->Complete(DetokenizeIds(serving_.tokenizer, *request, response));
  });
  return call;
}

}  // namespace mbserve::server
