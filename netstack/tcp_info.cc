// TCP_INFO (see tcp_info.h). Uses the uapi struct (linux/tcp.h), which clashes with
// netinet/tcp.h and so lives alone in this file.
#include "netstack/tcp_info.h"

#include <linux/tcp.h>

#include <algorithm>
#include <cstring>

namespace sentry::netstack {

static_assert(sizeof(struct tcp_info) <= kTcpInfoMax);

size_t TcpInfoSize() { return sizeof(struct tcp_info); }

size_t FillTcpInfo(uint8_t state, std::span<char> out) {
  struct tcp_info info;
  memset(&info, 0, sizeof(info));
  info.tcpi_state = state;
  size_t n = std::min(out.size(), sizeof(info));
  memcpy(out.data(), &info, n);
  return n;
}

}  // namespace sentry::netstack
