#include "server/auth.h"

#include <string_view>

namespace mbserve::server {
namespace {

// Compares in time that depends only on the lengths, not on where the first
// difference is.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

absl::Status Authenticator::Check(const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) return CheckAuthorization(std::nullopt);
  return CheckAuthorization(std::string_view(it->second.data(), it->second.size()));
}

absl::Status Authenticator::CheckAuthorization(
    std::optional<std::string_view> authorization) const {
  if (api_key_.empty()) return absl::OkStatus();
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError("missing API key: send `authorization: Bearer <key>`");
  }
  std::string_view value = *authorization;
  constexpr std::string_view kScheme = "Bearer ";
  if (!value.starts_with(kScheme)) {
    return absl::UnauthenticatedError("authorization must be `Bearer <key>`");
  }
  value.remove_prefix(kScheme.size());
  if (!ConstantTimeEquals(value, api_key_)) {
    return absl::UnauthenticatedError("wrong API key");
  }
  return absl::OkStatus();
}

}  // namespace mbserve::server
