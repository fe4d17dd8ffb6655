// Tests for tcp_info.h: tcpi_state at its uapi offset, zeroes elsewhere, prefix copies.
// Run by ctest (netstack_test).
#include "netstack/tcp_info.h"

#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include <cstring>
#include <vector>

namespace sentry::netstack {
namespace {

TEST(TcpInfoTest, StateAndZeroes) {
  ASSERT_GE(TcpInfoSize(), sizeof(struct tcp_info));  // glibc's copy is an older prefix
  std::vector<char> buf(TcpInfoSize() + 16, 'x');
  EXPECT_EQ(FillTcpInfo(TCP_LISTEN, buf), TcpInfoSize());
  struct tcp_info info;
  memcpy(&info, buf.data(), sizeof(info));
  EXPECT_EQ(info.tcpi_state, TCP_LISTEN);
  EXPECT_EQ(info.tcpi_rtt, 0u);
  for (size_t i = 1; i < TcpInfoSize(); ++i) EXPECT_EQ(buf[i], 0) << i;
  EXPECT_EQ(buf[TcpInfoSize()], 'x');  // nothing past the struct
}

TEST(TcpInfoTest, ShortBufferGetsPrefix) {
  char buf[4] = {'x', 'x', 'x', 'x'};
  EXPECT_EQ(FillTcpInfo(TCP_ESTABLISHED, std::span<char>(buf, 2)), 2u);
  EXPECT_EQ(buf[0], TCP_ESTABLISHED);
  EXPECT_EQ(buf[1], 0);
  EXPECT_EQ(buf[2], 'x');
  EXPECT_EQ(FillTcpInfo(TCP_CLOSE, std::span<char>()), 0u);
}

}  // namespace
}  // namespace sentry::netstack
