#include "client/cli/connection.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mbserve::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("--ca-cert ", path, ": cannot open it"));
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const ConnectionOptions& options,
                                                           int index) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  if (options.tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_cert_file.empty()) {
      absl::StatusOr<std::string> roots = ReadFile(options.ca_cert_file);
      if (!roots.ok()) return roots.status();
      ssl.pem_root_certs = *std::move(roots);
    }
    credentials = grpc::SslCredentials(ssl);
    if (!options.tls_server_name.empty()) {
      args.SetSslTargetNameOverride(options.tls_server_name);
    }
  }
  args.SetLoadBalancingPolicyName("round_robin");
  // Channels with identical arguments share their subchannels (connections);
  // a distinct value per index keeps them apart.
  args.SetInt("mbserve.cli.connection_index", index);
  // Embeddings of large batches exceed gRPC's 4 MiB default.
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(options.address, credentials, args);
}

void PrepareContext(const ConnectionOptions& options, absl::Duration timeout,
                    grpc::ClientContext& context) {
  if (timeout != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
  if (!options.api_key.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", options.api_key));
  }
}

std::string StatusCodeName(int code) {
  // absl::StatusCode numbers its codes exactly as gRPC does.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string DescribeStatus(const grpc::Status& status) {
  return absl::StrCat(StatusCodeName(status.error_code()), ": ", status.error_message());
}

}  // namespace mbserve::cli
