// BuildStack and ArgStringsLimit (see initial_stack.h).
// Owned by the sentry's execve path; any thread, no shared state.
#include "sentry/loader/initial_stack.h"

#include <elf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.h"

namespace sentry::loader {
namespace {

constexpr uint64_t kWord = sizeof(uint64_t);

uint64_t AlignDown16(uint64_t v) { return v & ~uint64_t{15}; }

// Sum of string sizes including NULs, or E2BIG for an over-long string / too many strings.
int SumStrings(const std::vector<std::string>& v, uint64_t* total) {
  if (v.size() > kMaxArgStrings) return E2BIG;
  for (const std::string& s : v) {
    if (s.size() + 1 > kMaxArgStrlen) return E2BIG;
    *total += s.size() + 1;
  }
  return 0;
}

void Put64(std::vector<uint8_t>& bytes, uint64_t index, uint64_t value) {
  std::memcpy(bytes.data() + index, &value, sizeof(value));
}

}  // namespace

uint64_t ArgStringsLimit(uint64_t stack_rlimit) {
  constexpr uint64_t kStkLim = 8 << 20;    // _STK_LIM
  constexpr uint64_t kArgMax = 32 * 4096;  // ARG_MAX
  return std::max(std::min(kStkLim / 4 * 3, stack_rlimit / 4), kArgMax);
}

ErrnoOr<StackImage> BuildStack(const StackInputs& in, uint64_t stack_top, size_t max_bytes) {
  using Result = ErrnoOr<StackImage>;
  uint64_t arg_bytes = 0;
  if (int err = SumStrings(in.argv, &arg_bytes)) return Result::Errno(err);
  if (int err = SumStrings(in.envp, &arg_bytes)) return Result::Errno(err);
  if (in.execfn.size() + 1 > kMaxArgStrlen) return Result::Errno(E2BIG);
  for (const auto& [key, value] : in.auxv) {
    if (key == AT_NULL) return Result::Errno(EINVAL);
  }
  // Linux counts at least one argv pointer (it substitutes {""} for an empty argv).
  const uint64_t ptr_bytes = (std::max<uint64_t>(in.argv.size(), 1) + in.envp.size()) * kWord;
  const uint64_t limit = ArgStringsLimit(in.stack_rlimit);
  if (ptr_bytes >= limit || arg_bytes + in.execfn.size() + 1 > limit - ptr_bytes) {
    return Result::Errno(E2BIG);
  }

  // Sizes first (no allocation until the total is known to fit).
  const uint64_t top = AlignDown16(stack_top);
  const uint64_t platform_bytes = in.platform.empty() ? 0 : in.platform.size() + 1;
  const uint64_t blob_bytes =
      kWord + in.execfn.size() + 1 + arg_bytes + platform_bytes + in.random.size();
  const uint64_t aux_pairs = in.auxv.size() + 2 + (in.platform.empty() ? 0 : 1) + 1;
  const uint64_t table_bytes =
      (1 + in.argv.size() + 1 + in.envp.size() + 1 + 2 * aux_pairs) * kWord;
  // Blob is aligned down to 16 below it, then the table is placed so that sp is 16-aligned.
  const uint64_t blob_area = (blob_bytes + 15) & ~uint64_t{15};
  const uint64_t total = blob_area + ((table_bytes + 15) & ~uint64_t{15});
  if (total > max_bytes) return Result::Errno(E2BIG);
  if (total > top) return Result::Errno(EINVAL);

  StackImage img;
  img.sp = top - total;
  img.bytes.assign(total, 0);
  // Writes a string (with NUL) at guest address `addr`.
  auto put_str = [&](uint64_t addr, const std::string& s) {
    std::memcpy(img.bytes.data() + (addr - img.sp), s.data(), s.size());  // NUL: zero-filled
  };

  uint64_t p = top - kWord;  // the zero end marker word
  p -= in.execfn.size() + 1;
  const uint64_t execfn_addr = p;
  put_str(p, in.execfn);
  std::vector<uint64_t> envp_addr(in.envp.size()), argv_addr(in.argv.size());
  for (size_t i = in.envp.size(); i-- > 0;) {
    p -= in.envp[i].size() + 1;
    envp_addr[i] = p;
    put_str(p, in.envp[i]);
  }
  for (size_t i = in.argv.size(); i-- > 0;) {
    p -= in.argv[i].size() + 1;
    argv_addr[i] = p;
    put_str(p, in.argv[i]);
  }
  uint64_t platform_addr = 0;
  if (!in.platform.empty()) {
    p -= in.platform.size() + 1;
    platform_addr = p;
    put_str(p, in.platform);
  }
  p -= in.random.size();
  const uint64_t random_addr = p;
  std::memcpy(img.bytes.data() + (p - img.sp), in.random.data(), in.random.size());

  uint64_t w = 0;  // byte index of the next table word
  auto word = [&](uint64_t v) {
    Put64(img.bytes, w, v);
    w += kWord;
  };
  word(in.argv.size());
  for (uint64_t a : argv_addr) word(a);
  word(0);
  for (uint64_t a : envp_addr) word(a);
  word(0);
  for (const auto& [key, value] : in.auxv) {
    word(key);
    word(value);
  }
  word(AT_RANDOM);
  word(random_addr);
  word(AT_EXECFN);
  word(execfn_addr);
  if (!in.platform.empty()) {
    word(AT_PLATFORM);
    word(platform_addr);
  }
  word(AT_NULL);
  word(0);
  CHECK(img.sp + w <= AlignDown16(random_addr));
  return img;
}

}  // namespace sentry::loader
