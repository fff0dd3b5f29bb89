// Whether the client of an HTTP request is still connected, so that a call
// whose client went away can be cancelled as the gRPC front end does.
//
// cpp-httplib 0.11 (Debian 12's) hands a handler neither its socket nor a
// liveness check (Request::is_connection_closed came in later releases), so
// the socket is found among the process's descriptors by the request's
// address pair. That is safe only while the handler runs: its worker thread
// owns the connection until the handler returns, so the descriptor cannot be
// closed and reused under it.
#pragma once

#include <string>

#include "httplib.h"

namespace mbserve::server::http {

class ClientLink {
 public:
  explicit ClientLink(const httplib::Request& request) : request_(request) {}

  // True once the peer has closed or reset the connection (POLLRDHUP: a
  // client that half-closes after sending counts as gone, as most HTTP
  // servers treat it). The socket is looked up on the first call, so calls
  // that finish quickly never pay for the search; false if it is not found.
  bool Gone();

  // The client's address, as Call::Create takes it: "http:" host ":" port.
  std::string Address() const {
    return "http:" + request_.remote_addr + ":" + std::to_string(request_.remote_port);
  }

 private:
  const httplib::Request& request_;
  bool searched_ = false;
  int socket_ = -1;
};

}  // namespace mbserve::server::http
