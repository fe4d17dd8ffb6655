// libFuzzer entry point: feeds each input as one request into a fresh gofer::Server over a
// socketpair, after a fixed prologue that creates a few handles (1 = root, 2 = a, 3 = a/f,
// 4 = a/up, a symlink). Fuzzer-only; libFuzzer's thread.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "common/log.h"
#include "common/unique_fd.h"
#include "gofer/channel.h"
#include "gofer/protocol.h"
#include "gofer/server.h"
#include "gofer/wire.h"

namespace {

using sentry::UniqueFd;
namespace wire = sentry::gofer::wire;

std::string g_root;

void RemoveRoot() {
  ::unlink((g_root + "/a/up").c_str());
  ::unlink((g_root + "/a/f").c_str());
  ::rmdir((g_root + "/a").c_str());
  ::rmdir(g_root.c_str());
}

// A small tree, created once per fuzzer process and removed at exit.
void MakeRoot() {
  char tmpl[] = "/tmp/gofer_fuzz.XXXXXX";
  CHECK(::mkdtemp(tmpl) != nullptr);
  g_root = tmpl;
  CHECK(::mkdir((g_root + "/a").c_str(), 0755) == 0);
  UniqueFd f(::open((g_root + "/a/f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  CHECK(f.valid() && ::write(f.get(), "data", 4) == 4);
  CHECK(::symlink("../../etc", (g_root + "/a/up").c_str()) == 0);
  std::atexit(RemoveRoot);
}

std::string Walk(uint32_t tag, uint64_t dir, std::initializer_list<std::string_view> names) {
  std::string msg;
  wire::Writer w(&msg);
  w.Begin(wire::kWalk, tag);
  w.Put(wire::WalkReq{.dir = dir, .count = static_cast<uint32_t>(names.size()), .reserved = 0});
  for (std::string_view n : names) w.PutName(n);
  w.Finish();
  return msg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool init = [] {
    sentry::log::SetLevel(sentry::log::Level::kError);
    MakeRoot();
    return true;
  }();
  (void)init;
  if (size > wire::kMaxMessage + 16) return -1;

  int sv[2];
  CHECK(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  UniqueFd client(sv[0]);
  UniqueFd root(::open(g_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  CHECK(root.valid());
  sentry::gofer::Server server(UniqueFd(sv[1]), std::move(root),
                               sentry::gofer::ServerOptions{.read_only = true, .max_handles = 64});

  std::string mount;
  wire::Writer w(&mount);
  w.Begin(wire::kMount, 1);
  w.Finish();
  const std::string prologue[] = {mount, Walk(2, 1, {"a", "f"}), Walk(3, 2, {"up"})};
  for (const std::string& m : prologue) CHECK(sentry::gofer::SendMessage(client.get(), m) == 0);
  sentry::gofer::SendMessage(client.get(),
                             std::string_view(reinterpret_cast<const char*>(data), size));
  ::shutdown(client.get(), SHUT_WR);
  CHECK(server.Serve().ok());  // must answer everything, then see EOF
  return 0;
}
