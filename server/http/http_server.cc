#include "server/http/http_server.h"

#include <sys/socket.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "server/http/http_call.h"
#include "server/http/http_routes.h"
#include "spdlog/spdlog.h"

namespace mbserve::server::http {
namespace {

// A client must send each request (headers and body) and read each answer
// within these, or its connection is closed: a stalled client holds a worker
// for at most this long.
constexpr time_t kReadTimeoutSeconds = 10;
constexpr time_t kWriteTimeoutSeconds = 10;
constexpr time_t kKeepAliveTimeoutSeconds = 5;
// Requests served on one connection before it is closed; high enough that
// clients keep reusing theirs.
constexpr size_t kKeepAliveMaxRequests = 100000;
// Connections the kernel completes before the listener accepts them.
// cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG,
// compiled into Debian's library): when more clients connect at once than
// that, or the listener thread is slow to run on a loaded machine, the
// accept queue overflows, the kernel drops handshakes, and a client that
// already sent its request may see it fail. gRPC listens with the system's
// limit (SOMAXCONN); so does this server.
constexpr int kListenBacklog = SOMAXCONN;

std::unique_ptr<httplib::Server> NewServer(const ServerConfig& config) {
  if (config.tls_cert.empty()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(config.tls_cert.c_str(), config.tls_key.c_str());
}

// Answers the errors cpp-httplib raises itself (404, 413, 400, ...) in the
// same JSON shape as the routes' errors.
httplib::Server::HandlerResponse LibraryError(const httplib::Request& request,
                                              httplib::Response& response) {
  if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  switch (response.status) {
    case 404:
      WriteError(response, 404, absl::StrCat("no route ", request.method, " ", request.path),
                 "not_found");
      break;
    case 413:
      WriteError(response, 413, "the body is larger than --max-message-bytes", "validation");
      break;
    default:
      WriteError(response, response.status,
                 absl::StrCat("the request is not valid HTTP/1.1 (status ", response.status, ")"),
                 "validation");
  }
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(ServingContext& serving) {
  const ServerConfig& config = serving.config;
  std::unique_ptr<HttpServer> http(new HttpServer());
  http->server_ = NewServer(config);
  httplib::Server& server = *http->server_;
  if (!server.is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat("HTTP: cannot use --tls-cert \"",
                                                   config.tls_cert, "\" with --tls-key \"",
                                                   config.tls_key, "\""));
  }
  const int workers = config.http_workers;
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_payload_max_length(static_cast<size_t>(config.max_message_bytes));
  server.set_read_timeout(kReadTimeoutSeconds);
  server.set_write_timeout(kWriteTimeoutSeconds);
  server.set_keep_alive_timeout(kKeepAliveTimeoutSeconds);
  server.set_keep_alive_max_count(kKeepAliveMaxRequests);
  server.set_tcp_nodelay(true);
  server.set_error_handler(httplib::Server::HandlerWithResponse(LibraryError));
  server.set_exception_handler(
      [](const httplib::Request& request, httplib::Response& response, std::exception_ptr) {
        SPDLOG_ERROR("HTTP {} {}: the handler threw", request.method, request.path);
        WriteError(response, 500, "internal error", "backend");
      });
  RegisterRoutes(server, serving, http->accepting_);

  // The library gives no handle on its listening socket but passes each
  // socket it tries to bind to the options hook first: the last one is it.
  int listening = -1;
  server.set_socket_options([&listening](socket_t socket) {
    httplib::default_socket_options(socket);
    listening = socket;
  });
  if (config.http_port == 0) {
    http->port_ = server.bind_to_any_port(config.host);
  } else if (server.bind_to_port(config.host, config.http_port)) {
    http->port_ = config.http_port;
  }
  // The hook refers to this frame's `listening`: put the library's back.
  server.set_socket_options(httplib::default_socket_options);
  if (http->port_ <= 0 || ::listen(listening, kListenBacklog) != 0) {
    return absl::UnavailableError(
        absl::StrCat("HTTP: cannot listen on ", config.host, ":", config.http_port));
  }
  http->listener_ = std::thread([&server] { server.listen_after_bind(); });
  // stop() does nothing before the loop runs: wait for it, so that a
  // Shutdown() right after Start() cannot hang.
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return http;
}

HttpServer::~HttpServer() { Shutdown(); }

void HttpServer::Shutdown() {
  accepting_.store(false);
  if (!listener_.joinable()) return;
  // stop() closes the listening socket; listen_after_bind() then joins the
  // workers, each of which finishes the request it is serving first.
  server_->stop();
  listener_.join();
}

}  // namespace mbserve::server::http
