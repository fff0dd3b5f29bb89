#include "server/http/client_link.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string>

namespace mbserve::server::http {
namespace {

// The numeric address and port of a socket address, as cpp-httplib writes
// them into Request::remote_addr and remote_port.
bool Describe(const sockaddr_storage& address, std::string* host, int* port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    if (inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text)) == nullptr) return false;
    *port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    if (inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text)) == nullptr) return false;
    *port = ntohs(v6.sin6_port);
  } else {
    return false;
  }
  *host = text;
  return true;
}

bool IsConnectionOf(int fd, const httplib::Request& request) {
  sockaddr_storage peer{};
  socklen_t length = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return false;
  std::string host;
  int port = -1;
  if (!Describe(peer, &host, &port) || port != request.remote_port || host != request.remote_addr) {
    return false;
  }
  sockaddr_storage local{};
  length = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return false;
  return Describe(local, &host, &port) && port == request.local_port;
}

int FindSocket(const httplib::Request& request) {
  DIR* descriptors = opendir("/proc/self/fd");
  if (descriptors == nullptr) return -1;
  int found = -1;
  const int listing = dirfd(descriptors);
  while (const dirent* entry = readdir(descriptors)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == listing) continue;
    if (IsConnectionOf(static_cast<int>(fd), request)) {
      found = static_cast<int>(fd);
      break;
    }
  }
  closedir(descriptors);
  return found;
}

// The socket this worker thread last found: its next request is most often
// on the same kept-alive connection. Checked again before each use, as the
// descriptor may since have been closed and reused.
thread_local int last_found = -1;

int SocketOf(const httplib::Request& request) {
  if (last_found < 0 || !IsConnectionOf(last_found, request)) last_found = FindSocket(request);
  return last_found;
}

}  // namespace

bool ClientLink::Gone() {
  if (!looked_up_) {
    socket_ = SocketOf(request_);
    looked_up_ = true;
  }
  if (socket_ < 0) return false;
  pollfd watch{.fd = socket_, .events = POLLRDHUP, .revents = 0};
  if (poll(&watch, 1, 0) <= 0) return false;
  return (watch.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

}  // namespace mbserve::server::http
