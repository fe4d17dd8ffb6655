// BuildStack: the initial process stack of a new program (argc, argv, envp, auxv and the
// strings they point to) as bytes to copy into the guest, laid out per the x86-64 SysV ABI
// with every pointer computed for the final address. Pure logic; any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/sys_result.h"

namespace sentry::loader {

// Linux limits on execve arguments (E2BIG beyond them).
inline constexpr size_t kMaxArgStrlen = 32 * 4096;    // per string, including its NUL
inline constexpr size_t kMaxArgStrings = 0x7FFFFFFF;  // per vector

struct StackInputs {
  std::vector<std::string> argv, envp;
  std::string execfn;                // AT_EXECFN string
  std::string platform = "x86_64";   // AT_PLATFORM string; empty: no AT_PLATFORM
  std::array<uint8_t, 16> random{};  // AT_RANDOM bytes
  // All other AT_* pairs, in order. The builder appends AT_RANDOM, AT_EXECFN, AT_PLATFORM and
  // the AT_NULL terminator itself; an AT_NULL (0) key here is EINVAL.
  std::vector<std::pair<uint64_t, uint64_t>> auxv;
  // RLIMIT_STACK soft limit, for Linux's cap on argument strings (ArgStringsLimit).
  uint64_t stack_rlimit = 8 << 20;
};

// Write bytes at guest [sp, sp + bytes.size()); the image ends at or just below stack_top.
// sp is 16-byte aligned and points at argc.
struct StackImage {
  std::vector<uint8_t> bytes;
  uint64_t sp = 0;
};

// Linux's room for argv+envp strings and pointers under a stack rlimit:
// max(min(6 MiB, rlimit / 4), 128 KiB).
uint64_t ArgStringsLimit(uint64_t stack_rlimit);

// Layout, from stack_top (rounded down to 16) downwards: an 8-byte zero word, the execfn
// string, envp strings, argv strings (so argv[0] is lowest), the platform string, the 16
// random bytes, padding to 16, then (growing up from sp) argc, argv[], NULL, envp[], NULL,
// auxv pairs, AT_NULL pair.
// E2BIG: a string of kMaxArgStrlen or more bytes, more than kMaxArgStrings entries, strings
// plus pointers over ArgStringsLimit(in.stack_rlimit), or an image over max_bytes (checked
// before allocating). EINVAL: AT_NULL inside in.auxv, or stack_top too low for the image.
ErrnoOr<StackImage> BuildStack(const StackInputs& in, uint64_t stack_top, size_t max_bytes);

}  // namespace sentry::loader
