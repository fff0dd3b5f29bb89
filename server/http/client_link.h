// Whether the client of an HTTP request is still connected, so that a call
// whose client went away can be cancelled as the gRPC front end does.
//
// cpp-httplib 0.11 (Debian 12's) hands a handler neither its socket nor a
// liveness check (Request::is_connection_closed came in later releases), and
// its per-connection hook is private, so the socket is recognised by the
// request's address pair. One worker thread serves a connection from its
// accept to its close, so each worker remembers the socket it last found:
// the requests after the first on a kept-alive connection confirm it with two
// system calls, and only a new connection pays for a search of the process's
// descriptors. Using the socket is safe only while the handler runs: its
// worker owns the connection until the handler returns, so the descriptor
// cannot be closed and reused under it.
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
  // that finish quickly never pay for it; false if it is not found.
  bool Gone();

  // The client's address, as Call::Create takes it: "http:" host ":" port.
  std::string Address() const {
    return "http:" + request_.remote_addr + ":" + std::to_string(request_.remote_port);
  }

 private:
  const httplib::Request& request_;
  bool looked_up_ = false;
  int socket_ = -1;
};

}  // namespace mbserve::server::http
