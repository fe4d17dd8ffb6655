// TCP_INFO: the struct tcp_info getsockopt(IPPROTO_TCP, TCP_INFO) returns for a loopback
// connection: tcpi_state from the socket, zero elsewhere (no segments to count). Any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sentry::netstack {

// The size of the kernel's struct tcp_info (the uapi header the sentry is built with), at
// most kTcpInfoMax.
constexpr size_t kTcpInfoMax = 512;
size_t TcpInfoSize();

// Writes min(out.size(), TcpInfoSize()) bytes of a tcp_info whose tcpi_state is `state`
// (TCP_ESTABLISHED, TCP_LISTEN, ...), as Linux copies a prefix; returns that count.
size_t FillTcpInfo(uint8_t state, std::span<char> out);

}  // namespace sentry::netstack
