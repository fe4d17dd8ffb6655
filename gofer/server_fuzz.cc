// libFuzzer entry point: feeds each input as one request into a fresh gofer::Server over a
// socketpair, after a fixed prologue that creates a few handles: in the read-only mount 0,
// 1 = root, 2 = a, 3 = a/f, 4 = a/up (a symlink); in the writable mount 1, 5 = root,
// 6 = d, 7 = d/g. The writable tree is rebuilt after every input. Fuzzer-only; libFuzzer's
// thread.
#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
std::string g_rw;

int RemoveOne(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;
}

// Everything below `dir` and `dir` itself, never following links.
void RemoveTree(const std::string& dir) {
  ::nftw(dir.c_str(), RemoveOne, 16, FTW_DEPTH | FTW_PHYS);
}

void RemoveRoots() {
  RemoveTree(g_root);
  RemoveTree(g_rw);
}

// The writable tree: d/ and d/g.
void MakeRw() {
  CHECK(::mkdir(g_rw.c_str(), 0755) == 0);
  CHECK(::mkdir((g_rw + "/d").c_str(), 0755) == 0);
  UniqueFd f(::open((g_rw + "/d/g").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  CHECK(f.valid());
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
  char rw_tmpl[] = "/tmp/gofer_fuzz_rw.XXXXXX";
  CHECK(::mkdtemp(rw_tmpl) != nullptr);
  g_rw = rw_tmpl;
  CHECK(::rmdir(g_rw.c_str()) == 0);
  MakeRw();
  std::atexit(RemoveRoots);
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

std::string Mount(uint32_t tag, uint32_t index) {
  std::string msg;
  wire::Writer w(&msg);
  w.Begin(wire::kMount, tag);
  w.Put(wire::MountReq{.index = index, .reserved = 0});
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
  std::vector<sentry::gofer::ServedMount> mounts;
  for (const std::string* dir : {&g_root, &g_rw}) {
    UniqueFd root(::open(dir->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    CHECK(root.valid());
    mounts.push_back({.root = std::move(root), .read_only = dir == &g_root});
  }
  sentry::gofer::Server server(UniqueFd(sv[1]), std::move(mounts),
                               sentry::gofer::ServerOptions{.max_handles = 64});

  const std::string prologue[] = {Mount(1, 0),          Walk(2, 1, {"a", "f"}), Walk(3, 2, {"up"}),
                                  Mount(4, 1),          Walk(5, 5, {"d", "g"})};
  for (const std::string& m : prologue) CHECK(sentry::gofer::SendMessage(client.get(), m) == 0);
  sentry::gofer::SendMessage(client.get(),
                             std::string_view(reinterpret_cast<const char*>(data), size));
  ::shutdown(client.get(), SHUT_WR);
  CHECK(server.Serve().ok());  // must answer everything, then see EOF
  RemoveTree(g_rw);
  MakeRw();
  return 0;
}
