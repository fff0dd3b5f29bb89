#include "server/tokenize_service.h"

#include "server/input_prep.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* TokenizeServiceImpl::Tokenize(grpc::CallbackServerContext* context,
                                                        const v1::TokenizeRequest* request,
                                                        v1::TokenizeResponse* response) {
  auto* call = new UnaryCall(Rpc::kTokenize, context, serving_);
  absl::Status status = call->Admit(*request);
  if (status.ok()) {
    status = CheckInputCount("texts", request->texts_size(), serving_.config.max_client_batch_size);
  }
  if (!status.ok()) {
    call->Complete(status);
    return call;
  }
  serving_.tokenization_pool.Post([this, call, request, response] {
    call->Complete(
        TokenizeAll(serving_.tokenizer, *request, serving_.config.max_message_bytes, response));
  });
  return call;
}

grpc::ServerUnaryReactor* TokenizeServiceImpl::Detokenize(grpc::CallbackServerContext* context,
                                                          const v1::DetokenizeRequest* request,
                                                          v1::DetokenizeResponse* response) {
  auto* call = new UnaryCall(Rpc::kDetokenize, context, serving_);
  if (absl::Status s = call->Admit(*request); !s.ok()) {
    call->Complete(s);
    return call;
  }
  serving_.tokenization_pool.Post([this, call, request, response] {
    call->Complete(
        DetokenizeIds(serving_.tokenizer, *request, serving_.config.max_message_bytes, response));
  });
  return call;
}

}  // namespace mbserve::server
