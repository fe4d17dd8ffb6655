// Implementation of the log sink: formatted lines written with one write(2) each.
// Owned by each process; used from its main thread.
#include "common/log.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace sentry::log {
namespace {
int g_fd = 2;
Level g_level = Level::kWarning;
char g_prefix[32] = "sentry";
}  // namespace

void SetFd(int fd) { g_fd = fd; }
void SetLevel(Level level) { g_level = level; }
bool Enabled(Level level) { return level >= g_level; }
void SetPrefix(std::string_view prefix) {
  size_t n = std::min(prefix.size(), sizeof(g_prefix) - 1);
  prefix.copy(g_prefix, n);
  g_prefix[n] = 0;
}

void Write(Level level, std::string_view msg) {
  static const char* kNames[] = {"D", "I", "W", "E"};
  std::string line = fmt::format("[{} {} {}] {}\n", g_prefix, kNames[static_cast<int>(level)],
                                 getpid(), msg);
  ssize_t unused = ::write(g_fd, line.data(), line.size());
  (void)unused;
}

void Fatal(const char* file, int line, std::string_view msg) {
  std::string text = fmt::format("[{} F {}] {}:{}: {}\n", g_prefix, getpid(), file, line, msg);
  ssize_t unused = ::write(2, text.data(), text.size());
  if (g_fd != 2) unused = ::write(g_fd, text.data(), text.size());
  (void)unused;
  std::abort();
}

}  // namespace sentry::log
