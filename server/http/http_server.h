// The HTTP/JSON front door: a cpp-httplib server on its own port and worker
// threads, with the gRPC server's TLS certificate, message size limit and
// serving state (docs/HTTP.md says why this library and how it is tuned).
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "server/serving_context.h"

namespace httplib {
class Server;
}

namespace mbserve::server::http {

class HttpServer {
 public:
  // Listens on config.host:config.http_port, answering 503 until
  // SetServing(true). `serving` must outlive the server.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(ServingContext& serving);
  ~HttpServer();  // Shutdown()

  int port() const { return port_; }
  void SetServing(bool serving) { accepting_.store(serving); }
  // Stops accepting connections and requests, then waits until every request
  // already read has been answered. Idle keep-alive connections close within
  // the keep-alive timeout.
  void Shutdown();

 private:
  HttpServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  std::atomic<bool> accepting_{false};
  int port_ = 0;
};

}  // namespace mbserve::server::http
