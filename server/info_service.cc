#include "server/info_service.h"

#include <chrono>

#include "server/raw_message.h"
#include "server/unary_call.h"

namespace mbserve::server {

v1::GetInfoResponse DescribeServer(const ServingContext& serving) {
  const ServedModel& model = serving.model;
  const ServerConfig& config = serving.config;
  v1::GetInfoResponse info;
  info.set_version(kServerVersion);
  info.set_model_id(model.name);
  info.set_architecture(model.architecture);
  info.set_hidden_size(model.hidden_size);
  info.set_num_layers(model.num_layers);
  info.set_vocab_size(model.vocab_size);
  info.set_max_input_length(model.max_input_length);
  info.set_pooling(model.pooling == Pooling::kCls ? v1::POOLING_CLS : v1::POOLING_MEAN);
  info.set_normalize(model.normalize);
  for (const auto& [name, text] : model.prompts) info.add_prompt_names(name);
  info.set_default_prompt_name(model.default_prompt_name);
  for (const std::string& label : model.labels) info.add_labels(label);
  info.set_dtype(model.dtype);
  info.set_device(model.device);
  info.set_kernels(model.kernels);
  v1::Limits* limits = info.mutable_limits();
  limits->set_max_concurrent_requests(config.max_concurrent_requests);
  limits->set_max_client_batch_size(config.max_client_batch_size);
  limits->set_max_batch_tokens(config.max_batch_tokens);
  limits->set_max_batch_requests(config.max_batch_requests);
  limits->set_max_batch_delay_us(absl::ToInt64Microseconds(config.max_batch_delay));
  limits->set_max_message_bytes(config.max_message_bytes);
  limits->set_tokenization_workers(config.tokenization_workers);
  limits->set_auto_truncate(config.auto_truncate);
  return info;
}

grpc::ServerUnaryReactor* InfoServiceImpl::GetInfo(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  auto* call = new UnaryCall(Rpc::kGetInfo, context, serving_);
  v1::GetInfoRequest message;
  absl::Status status = call->Admit(/*take_permit=*/false);
  if (status.ok()) status = ParseRequest(*request, serving_.config.max_message_bytes, message);
  if (status.ok()) SerializeResponse(info_, response);
  call->Complete(status);
  return call;
}

}  // namespace mbserve::server
