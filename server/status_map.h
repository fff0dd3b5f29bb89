// The one place where absl::Status (what every module returns) becomes a
// grpc::Status (what clients see), and where codes get their metric label.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace mbserve::server {

grpc::Status ToGrpcStatus(const absl::Status& status);
grpc::StatusCode ToGrpcCode(absl::StatusCode code);
// The canonical upper-case name ("OK", "INVALID_ARGUMENT"), used as the
// `code` label of mbserve_requests_total.
std::string_view GrpcCodeName(grpc::StatusCode code);

}  // namespace mbserve::server
