// Ports for supervised servers: the kernel's free-port pick, and a bind test that turns "address in use" into advice.
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engines/process/supervised_server.hpp"

namespace ual::engines {
namespace {

// Binds a TCP socket to host:port and returns the port bound (the kernel's pick for port 0), or -errno.
int try_bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr)
    return -EADDRNOTAVAIL;
  int result = -EADDRNOTAVAIL;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) continue;
    // Servers set SO_REUSEADDR (Boost.Asio's acceptor does), so a port in TIME_WAIT is free to them too.
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
      sockaddr_storage bound{};
      socklen_t length = sizeof bound;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
      result = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                           : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
      ::close(fd);
      break;
    }
    result = -errno;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return result;
}

}  // namespace

Result<int> pick_free_port(const std::string& host) {
  const int port = try_bind(host, 0);
  if (port > 0) return port;
  return make_error(ErrorCode::unavailable,
                    fmt::format("cannot find a free port on {}: {}", host, std::strerror(-port)));
}

Status check_port_free(const std::string& host, int port) {
  if (port < 1 || port > 65535)
    return make_error(ErrorCode::invalid_argument, fmt::format("port {} is outside 1..65535", port));
  const int result = try_bind(host, port);
  if (result > 0) return ok_status();
  if (result == -EADDRINUSE)
    return make_error(ErrorCode::unavailable,
                      fmt::format("port {} on {} is already taken (another server listens there): stop it, or choose "
                                  "another port with --port (or leave --port out to get a free one)",
                                  port, host));
  if (result == -EACCES)
    return make_error(ErrorCode::unavailable,
                      fmt::format("port {} on {} needs privileges to bind: choose a port above 1023", port, host));
  return make_error(ErrorCode::unavailable,
                    fmt::format("cannot listen on {}:{}: {}", host, port, std::strerror(-result)));
}

}  // namespace ual::engines
