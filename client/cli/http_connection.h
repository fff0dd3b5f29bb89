// JSON calls to the server's HTTP port (--http), with the same connection
// options as the gRPC channel: TLS, the API key and the per-call timeout.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/args.h"
#include "nlohmann/json.hpp"

namespace httplib {
class Client;
}

namespace mbserve::cli {

class HttpConnection {
 public:
  // Checks the options; connects lazily, on the first call.
  static absl::StatusOr<HttpConnection> Open(const ConnectionOptions& options);
  HttpConnection(HttpConnection&&) noexcept;
  ~HttpConnection();

  // The answer's JSON on a 2xx status, else HttpErrorStatus, or Unavailable
  // when the server cannot be reached.
  absl::StatusOr<nlohmann::json> Get(absl::string_view path);
  absl::StatusOr<nlohmann::json> Post(absl::string_view path, const nlohmann::json& body);
  // The HTTP status of GET path, whatever it is; Unavailable when the server
  // cannot be reached.
  absl::StatusOr<int> GetStatus(absl::string_view path);

 private:
  HttpConnection(std::string base_url, std::unique_ptr<httplib::Client> client);

  std::string base_url_;  // "http://host:port", for messages
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace mbserve::cli
