// process_vm_readv/writev based guest memory access, chunked by page for strings.
// Sentry thread.
#include "platform/guest_memory.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sentry::platform {
namespace {
constexpr uint64_t kPage = 4096;

bool RangeOk(uint64_t addr, size_t len) {
  return addr + len >= addr && addr + len <= 0x800000000000ULL;
}

}  // namespace

SysResult ReadGuest(pid_t tid, uint64_t addr, void* buf, size_t len) {
  if (len == 0) return 0;
  if (!RangeOk(addr, len)) return SysResult::Errno(EFAULT);
  iovec local{buf, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  if (n != static_cast<ssize_t>(len)) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult WriteGuest(pid_t tid, uint64_t addr, const void* buf, size_t len) {
  if (len == 0) return 0;
  if (!RangeOk(addr, len)) return SysResult::Errno(EFAULT);
  iovec local{const_cast<void*>(buf), len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
  // No /proc/PID/mem fallback: it would force writes into pages the guest protected, and a
  // guest passing a read-only buffer must get EFAULT like on Linux.
  if (n == static_cast<ssize_t>(len)) return 0;
  return SysResult::Errno(EFAULT);
}

size_t ReadGuestPartial(pid_t tid, uint64_t addr, void* buf, size_t len) {
  size_t done = 0;
  char* out = static_cast<char*>(buf);
  while (done < len) {
    uint64_t a = addr + done;
    size_t chunk = std::min<size_t>(len - done, kPage - (a % kPage));
    if (!ReadGuest(tid, a, out + done, chunk).ok()) break;
    done += chunk;
  }
  return done;
}

SysResult ReadGuestCString(pid_t tid, uint64_t addr, char* buf, size_t cap) {
  // Most paths are short: the first read takes 256 bytes, later ones the rest of a page
  // (a read never crosses a page boundary, so an unmapped next page cannot fail it).
  size_t done = 0;
  while (done < cap) {
    uint64_t a = addr + done;
    size_t chunk = std::min<size_t>(cap - done, kPage - (a % kPage));
    if (done == 0) chunk = std::min<size_t>(chunk, 256);
    SysResult r = ReadGuest(tid, a, buf + done, chunk);
    if (!r.ok()) return r;
    void* nul = memchr(buf + done, 0, chunk);
    if (nul) return static_cast<char*>(nul) - buf;
    done += chunk;
  }
  return SysResult::Errno(ENAMETOOLONG);
}

SysResult ReadGuestString(pid_t tid, uint64_t addr, size_t max_len, std::string* out) {
  out->clear();
  char chunk_buf[256];
  size_t done = 0;
  while (done <= max_len) {
    uint64_t a = addr + done;
    size_t chunk = std::min<size_t>(sizeof(chunk_buf), kPage - (a % kPage));
    SysResult r = ReadGuest(tid, a, chunk_buf, chunk);
    if (!r.ok()) return r;
    void* nul = memchr(chunk_buf, 0, chunk);
    size_t take = nul ? static_cast<char*>(nul) - chunk_buf : chunk;
    out->append(chunk_buf, take);
    if (nul) return out->size() > max_len ? SysResult::Errno(ENAMETOOLONG) : SysResult(out->size());
    done += chunk;
  }
  return SysResult::Errno(ENAMETOOLONG);
}

}  // namespace sentry::platform
