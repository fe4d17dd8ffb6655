// Helpers shared by the netstack unit tests: a loopback address, a socket's bound port.
// Test-only; single-threaded test code.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>

#include "netstack/sockaddr.h"
#include "netstack/socket.h"

namespace sentry::netstack {

// 127.0.0.1:port as a guest would pass it.
inline SockAddr Lo(uint16_t port) {
  return InetSockAddr(AF_INET, InetAddr::V4(INADDR_LOOPBACK, port));
}

// The port `s` is bound to (its getsockname), host byte order.
inline uint16_t PortOf(Socket& s) {
  SockAddr a = s.LocalName();
  return ntohs(reinterpret_cast<sockaddr_in*>(&a.ss)->sin_port);
}

}  // namespace sentry::netstack
