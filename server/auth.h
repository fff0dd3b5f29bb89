// The optional API key: every mbserve call must carry
// `authorization: Bearer <key>` (gRPC metadata or HTTP header) when --api-key
// is set. gRPC health, reflection and the HTTP /health stay open so that
// probes work.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"

namespace mbserve::server {

class Authenticator {
 public:
  explicit Authenticator(std::string api_key) : api_key_(std::move(api_key)) {}

  // OK, or UNAUTHENTICATED saying whether the key is missing or wrong.
  absl::Status Check(const grpc::ServerContextBase& context) const;
  // The same for the value of an authorization header (nullopt: absent).
  absl::Status CheckAuthorization(std::optional<std::string_view> authorization) const;

 private:
  const std::string api_key_;
};

}  // namespace mbserve::server
