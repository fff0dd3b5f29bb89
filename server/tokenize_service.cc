#include "server/tokenize_service.h"

#include <memory>

#include "server/input_prep.h"
#include "server/raw_message.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* TokenizeServiceImpl::Tokenize(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  auto* call = new UnaryCall(Rpc::kTokenize, context, serving_);
  auto message = std::make_shared<v1::TokenizeRequest>();
  absl::Status status = call->Admit();
  if (status.ok()) status = ParseRequest(*request, serving_.config.max_message_bytes, *message);
  if (status.ok()) {
    status = CheckInputCount("texts", message->texts_size(), serving_.config.max_client_batch_size);
  }
  if (!status.ok()) {
    call->Complete(status);
    return call;
  }
  serving_.tokenization_pool.Post([this, call, message, response] {
    v1::TokenizeResponse out;
    const absl::Status done = TokenizeAll(serving_.tokenizer, serving_.model, *message,
                                          serving_.config.max_message_bytes, &out);
    if (done.ok()) SerializeResponse(out, response);
    call->Complete(done);
  });
  return call;
}

grpc::ServerUnaryReactor* TokenizeServiceImpl::Detokenize(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  auto* call = new UnaryCall(Rpc::kDetokenize, context, serving_);
  auto message = std::make_shared<v1::DetokenizeRequest>();
  absl::Status status = call->Admit();
  if (status.ok()) status = ParseRequest(*request, serving_.config.max_message_bytes, *message);
  if (!status.ok()) {
    call->Complete(status);
    return call;
  }
  serving_.tokenization_pool.Post([this, call, message, response] {
    v1::DetokenizeResponse out;
    const absl::Status done =
        DetokenizeIds(serving_.tokenizer, *message, serving_.config.max_message_bytes, &out);
    if (done.ok()) SerializeResponse(out, response);
    call->Complete(done);
  });
  return call;
}

}  // namespace mbserve::server
