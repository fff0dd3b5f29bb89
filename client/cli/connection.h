// Channels and per-call contexts built from the connection options: TLS,
// the API key and the deadline are applied in this one place.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/cli/args.h"
#include "grpcpp/grpcpp.h"

namespace mbserve::cli {

// A channel to options.address. Channels with different `index` values get
// separate HTTP/2 connections (the load generator's --connections). The
// round_robin policy spreads calls over every address a dns:/// target
// resolves to (a Kubernetes headless Service).
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const ConnectionOptions& options,
                                                           int index = 0);

// Sets the deadline (none when timeout is infinite, for long streams) and
// the API key header on a fresh context.
void PrepareContext(const ConnectionOptions& options, absl::Duration timeout,
                    grpc::ClientContext& context);

// "INVALID_ARGUMENT: input 3 has 9120 tokens; ..." (the code as gRPC names it).
std::string DescribeStatus(const grpc::Status& status);
std::string StatusCodeName(int code);

}  // namespace mbserve::cli
