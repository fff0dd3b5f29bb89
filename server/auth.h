// The optional API key: every mbserve call must carry
// `authorization: Bearer <key>` metadata when --api-key is set. Health and
// reflection stay open so that probes work.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"

namespace mbserve::server {

class Authenticator {
 public:
  explicit Authenticator(std::string api_key) : api_key_(std::move(api_key)) {}

  // OK, or UNAUTHENTICATED saying whether the key is missing or wrong.
  absl::Status Check(const grpc::ServerContextBase& context) const;

 private:
  const std::string api_key_;
};

}  // namespace mbserve::server
