// ClientLink on real loopback connections: it finds a request's socket from
// the request's address pair, and the socket a worker thread remembers from
// an earlier request is used only while it is still that request's one.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "server/http/client_link.h"

namespace mbserve::server::http {
namespace {

int PortOf(int fd, bool peer) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  auto* raw = reinterpret_cast<sockaddr*>(&address);
  EXPECT_EQ(peer ? getpeername(fd, raw, &length) : getsockname(fd, raw, &length), 0);
  return ntohs(address.sin_port);
}

class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
  }
  ~Listener() { close(fd_); }

  // A connection: the client's end and the server's accepted end.
  struct Connection {
    int client = -1;
    int server = -1;
  };
  Connection Connect() const {
    Connection c;
    c.client = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(PortOf(fd_, false)));
    EXPECT_EQ(connect(c.client, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    c.server = accept(fd_, nullptr, nullptr);
    return c;
  }

 private:
  int fd_ = -1;
};

// The request cpp-httplib would make for a request read on `connection`.
httplib::Request RequestOn(const Listener::Connection& connection) {
  httplib::Request request;
  request.remote_addr = "127.0.0.1";
  request.remote_port = PortOf(connection.server, true);
  request.local_addr = "127.0.0.1";
  request.local_port = PortOf(connection.server, false);
  return request;
}

// Gone() once the peer's close has reached the socket (at once on loopback,
// but the test does not rely on it).
bool GoneWithin(ClientLink& link, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!link.Gone()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Two requests on one kept-alive connection, then the client leaves.
TEST(ClientLinkTest, SeesTheClientOfAKeptAliveConnectionLeave) {
  Listener listener;
  const Listener::Connection connection = listener.Connect();
  const httplib::Request first = RequestOn(connection);
  ClientLink first_link(first);
  EXPECT_FALSE(first_link.Gone());
  const httplib::Request second = RequestOn(connection);
  ClientLink second_link(second);
  EXPECT_FALSE(second_link.Gone());
  close(connection.client);
  EXPECT_TRUE(GoneWithin(second_link, std::chrono::seconds(5)));
  close(connection.server);
}

// The worker remembers the socket of its last request; here that descriptor
// now belongs to another live connection, which must not be watched instead.
TEST(ClientLinkTest, RememberedDescriptorReusedByAnotherConnectionIsNotTrusted) {
  Listener listener;
  const Listener::Connection old_connection = listener.Connect();
  const httplib::Request old_request = RequestOn(old_connection);
  ClientLink old_link(old_request);
  EXPECT_FALSE(old_link.Gone());  // remembers old_connection.server
  const int remembered = old_connection.server;
  close(old_connection.client);
  close(old_connection.server);

  const Listener::Connection reuser = listener.Connect();
  ASSERT_EQ(reuser.server, remembered) << "the descriptor was not reused; the test needs it";
  const Listener::Connection current = listener.Connect();
  const httplib::Request request = RequestOn(current);
  ClientLink link(request);
  EXPECT_FALSE(link.Gone());
  close(current.client);
  EXPECT_TRUE(GoneWithin(link, std::chrono::seconds(5)));

  const httplib::Request reuser_request = RequestOn(reuser);
  ClientLink reuser_link(reuser_request);
  EXPECT_FALSE(reuser_link.Gone());
  close(reuser.client);
  close(reuser.server);
  close(current.server);
}

}  // namespace
}  // namespace mbserve::server::http
