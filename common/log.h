// Logging and invariant checks for all sentry processes (launcher, sentry, gofer).
// Thread-safe enough for our single-threaded processes: each line is one write(2).
#pragma once

#include <fmt/core.h>

#include <string_view>

namespace sentry::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Where log lines go (default: stderr) and the minimum level written.
void SetFd(int fd);
void SetLevel(Level level);
bool Enabled(Level level);
void SetPrefix(std::string_view prefix);  // e.g. "sentry", "gofer"
void Write(Level level, std::string_view msg);
[[noreturn]] void Fatal(const char* file, int line, std::string_view msg);

}  // namespace sentry::log

#define SLOG(level, ...)                                                              \
  do {                                                                                \
    if (::sentry::log::Enabled(::sentry::log::Level::level))                          \
      ::sentry::log::Write(::sentry::log::Level::level, ::fmt::format(__VA_ARGS__));  \
  } while (0)
#define LOG_DEBUG(...) SLOG(kDebug, __VA_ARGS__)
#define LOG_INFO(...) SLOG(kInfo, __VA_ARGS__)
#define LOG_WARN(...) SLOG(kWarning, __VA_ARGS__)
#define LOG_ERROR(...) SLOG(kError, __VA_ARGS__)

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) ::sentry::log::Fatal(__FILE__, __LINE__, "CHECK failed: " #cond); \
  } while (0)
#define CHECK_MSG(cond, ...)                                                          \
  do {                                                                                \
    if (!(cond)) ::sentry::log::Fatal(__FILE__, __LINE__, ::fmt::format(__VA_ARGS__)); \
  } while (0)
