// In-kernel copies: sendfile, copy_file_range and splice, through the sentry's I/O buffer
// (files on every filesystem, pipes on either side of splice), and tee with the host's tee on
// the backing pipes. Linux's argument checks and offset rules; a blocking pipe end waits like
// read/write do. Sentry thread only.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "vfs/fsnotify.h"
#include "vfs/hostfd.h"

namespace sentry {
namespace {

constexpr size_t kMaxRw = 0x7ffff000;  // MAX_RW_COUNT
constexpr size_t kPipeBuf = 4096;      // PIPE_BUF: a write this small into a writable pipe is whole

uint32_t FileType(const vfs::FileRef& f) {
  struct stat st;
  if (!f->Stat(&st).ok()) return 0;
  return st.st_mode & S_IFMT;
}

// After a copy of `r` bytes: IN_ACCESS on the source, IN_MODIFY on the destination, as
// read/write report them (Linux's sendfile, splice and copy_file_range do the same).
SysResult Notify(const vfs::FileRef& in, const vfs::FileRef& out, SysResult r) {
  if (r.ok() && r.value() > 0 && vfs::fsnotify::Active()) {
    vfs::fsnotify::FileEvent(*in, IN_ACCESS);
    vfs::fsnotify::FileEvent(*out, IN_MODIFY);
  }
  return r;
}

// Reads an optional loff_t argument; *present false for a null pointer.
SysResult ReadOffset(SyscallContext& c, uint64_t addr, int64_t* off, bool* present) {
  *present = addr != 0;
  if (!*present) return 0;
  if (SysResult r = CopyInObj(c, addr, off); !r.ok()) return r;
  return *off < 0 ? SysResult::Errno(EINVAL) : SysResult(0);
}

// Waits until `f` is ready for `events` unless it is non-blocking (or `nonblock`): 0, EAGAIN
// when it would block, EINTR when a signal interrupted the wait.
int WaitReady(SyscallContext& c, const vfs::FileRef& f, uint32_t events, bool nonblock) {
  uint32_t poll_mask = events == EPOLLIN ? POLLIN : POLLOUT;
  for (;;) {
    if (f->Readiness(poll_mask | POLLHUP | POLLERR)) return 0;
    if (nonblock || (f->status_flags() & O_NONBLOCK) || f->ReadinessFd() < 0) return EAGAIN;
    if (!c.kernel.WaitForFd(c.task, f->ReadinessFd(), events)) return EINTR;
    if (!c.kernel.platform().StillValid(c.req)) return EINTR;
  }
}

// Copies from a seekable `in` at *in_pos (advanced by what was written) to `out` (at *out_pos
// when given, else its own offset). Waits happen only before a chunk is read: the I/O buffer
// is shared, so nothing read may sit in it across a wait (the input is simply read again).
SysResult CopyFromSeekable(SyscallContext& c, const vfs::FileRef& in, int64_t* in_pos,
                           const vfs::FileRef& out, int64_t* out_pos, size_t count,
                           bool nonblock) {
  char* buf = c.kernel.io_buffer();
  size_t total = 0;
  count = std::min(count, kMaxRw);
  while (total < count) {
    if (int err = WaitReady(c, out, EPOLLOUT, nonblock)) {
      if (total > 0) break;
      return SysResult::Errno(err);
    }
    size_t chunk = std::min(count - total, Kernel::kIoBufferSize);
    SysResult r = in->PRead(std::span<char>(buf, chunk), *in_pos);
    if (!r.ok()) return total ? SysResult(static_cast<int64_t>(total)) : r;
    size_t n = static_cast<size_t>(r.value());
    if (n == 0) break;
    size_t done = 0;
    bool stop = false;
    while (done < n) {
      // RLIMIT_FSIZE per write, as Linux's splice loop: a write cut short at the limit is
      // followed by one at the limit, which fails EFBIG (raising SIGXFSZ) and ends the copy.
      SysResult w = LimitFileWrite(c, out, out_pos ? *out_pos : -1, n - done);
      if (w.ok()) {
        std::span<const char> span(buf + done, static_cast<size_t>(w.value()));
        w = out_pos ? out->PWrite(span, *out_pos) : out->Write(span);
      }
      if (!w.ok()) {
        if (w.error() == EAGAIN && total + done > 0) break;  // wait (or stop) above
        if (w.error() == EPIPE) c.task.post_signal = SIGPIPE;
        if (total + done > 0) {
          stop = true;
          break;
        }
        return w;
      }
      if (w.value() == 0) {
        stop = true;
        break;
      }
      done += static_cast<size_t>(w.value());
      *in_pos += w.value();
      if (out_pos) *out_pos += w.value();
    }
    total += done;
    if (stop || (n < chunk && done == n)) break;
  }
  return static_cast<int64_t>(total);
}

// Moves data out of a pipe `in` into `out`. Input is consumed only once the output is known
// to take it: a file always does; a pipe does after POLLOUT for PIPE_BUF bytes.
SysResult MoveFromPipe(SyscallContext& c, const vfs::FileRef& in, const vfs::FileRef& out,
                       int64_t* out_pos, size_t count, bool nonblock) {
  if (int err = WaitReady(c, in, EPOLLIN, nonblock)) return SysResult::Errno(err);
  const bool out_is_pipe = FileType(out) == S_IFIFO;
  if (out_is_pipe) {
    if (int err = WaitReady(c, out, EPOLLOUT, nonblock)) return SysResult::Errno(err);
    count = std::min(count, kPipeBuf);
  }
  count = std::min({count, kMaxRw, Kernel::kIoBufferSize});
  // Checked before the pipe is read, so a refused splice consumes nothing.
  SysResult allowed = LimitFileWrite(c, out, out_pos ? *out_pos : -1, count);
  if (!allowed.ok()) return allowed;
  const bool cut = static_cast<size_t>(allowed.value()) < count;
  count = static_cast<size_t>(allowed.value());
  char* buf = c.kernel.io_buffer();
  SysResult r = in->Read(std::span<char>(buf, count));
  if (!r.ok() || r.value() == 0) return r;
  // Linux's splice goes on with what the pipe still holds and meets the limit: SIGXFSZ.
  if (cut && (in->Readiness(POLLIN) & POLLIN)) c.task.post_signal = SIGXFSZ;
  size_t n = static_cast<size_t>(r.value());
  size_t done = 0;
  while (done < n) {
    std::span<const char> span(buf + done, n - done);
    SysResult w = out_pos ? out->PWrite(span, *out_pos) : out->Write(span);
    if (!w.ok() || w.value() == 0) {
      if (w.error() == EPIPE) c.task.post_signal = SIGPIPE;
      // What was read and not written is lost, as when Linux's splice hits a write error.
      return done ? SysResult(static_cast<int64_t>(done)) : w;
    }
    done += static_cast<size_t>(w.value());
    if (out_pos) *out_pos += w.value();
  }
  return static_cast<int64_t>(done);
}

// sendfile(out_fd, in_fd, offset*, count).
SysResult Sendfile(SyscallContext& c) {
  vfs::FileRef out = GetFile(c, c.arg(0));
  vfs::FileRef in = GetFile(c, c.arg(1));
  if (!in || !out || in->is_path() || out->is_path()) return SysResult::Errno(EBADF);
  if (!in->readable() || !out->writable()) return SysResult::Errno(EBADF);
  if (out->status_flags() & O_APPEND) return SysResult::Errno(EINVAL);
  uint32_t type = FileType(in);
  if (type != S_IFREG && type != S_IFBLK) return SysResult::Errno(EINVAL);
  int64_t off = 0;
  bool given = false;
  if (SysResult r = ReadOffset(c, c.arg(2), &off, &given); !r.ok()) return r;
  if (!given) {
    SysResult cur = in->Seek(0, SEEK_CUR);
    if (!cur.ok()) return cur;
    off = cur.value();
  }
  int64_t pos = off;
  SysResult r = Notify(in, out, CopyFromSeekable(c, in, &pos, out, nullptr, c.arg(3), false));
  if (!r.ok()) return r;
  if (given) {
    if (SysResult w = CopyOutObj(c, c.arg(2), pos); !w.ok()) return w;
  } else {
    in->Seek(pos, SEEK_SET);
  }
  return r;
}

// copy_file_range(fd_in, off_in*, fd_out, off_out*, len, flags): regular files only.
SysResult CopyFileRange(SyscallContext& c) {
  if (c.arg(5) != 0) return SysResult::Errno(EINVAL);
  vfs::FileRef in = GetFile(c, c.arg(0));
  vfs::FileRef out = GetFile(c, c.arg(2));
  if (!in || !out || in->is_path() || out->is_path()) return SysResult::Errno(EBADF);
  if (!in->readable() || !out->writable()) return SysResult::Errno(EBADF);
  if (out->status_flags() & O_APPEND) return SysResult::Errno(EBADF);
  uint32_t tin = FileType(in), tout = FileType(out);
  if (tin == S_IFDIR || tout == S_IFDIR) return SysResult::Errno(EISDIR);
  if (tin != S_IFREG || tout != S_IFREG) return SysResult::Errno(EINVAL);
  int64_t in_off = 0, out_off = 0;
  bool in_given = false, out_given = false;
  if (SysResult r = ReadOffset(c, c.arg(1), &in_off, &in_given); !r.ok()) return r;
  if (SysResult r = ReadOffset(c, c.arg(3), &out_off, &out_given); !r.ok()) return r;
  if (!in_given) in_off = in->Seek(0, SEEK_CUR).value();
  if (!out_given) out_off = out->Seek(0, SEEK_CUR).value();
  size_t len = c.arg(4);
  // RLIMIT_FSIZE cuts the whole copy up front (generic_copy_file_checks): no later signal.
  SysResult allowed = LimitFileWrite(c, out, out_off, std::min(len, kMaxRw));
  if (!allowed.ok()) return allowed;
  len = static_cast<size_t>(allowed.value());
  // Overlapping ranges of one file: EINVAL.
  struct stat si, so;
  if (in->Stat(&si).ok() && out->Stat(&so).ok() && si.st_dev == so.st_dev &&
      si.st_ino == so.st_ino) {
    int64_t l = static_cast<int64_t>(std::min(len, kMaxRw));
    if (in_off < out_off + l && out_off < in_off + l) return SysResult::Errno(EINVAL);
  }
  int64_t in_pos = in_off, out_pos = out_off;
  SysResult r = Notify(in, out, CopyFromSeekable(c, in, &in_pos, out, &out_pos, len, false));
  if (!r.ok()) return r;
  if (in_given) {
    if (SysResult w = CopyOutObj(c, c.arg(1), in_pos); !w.ok()) return w;
  } else {
    in->Seek(in_pos, SEEK_SET);
  }
  if (out_given) {
    if (SysResult w = CopyOutObj(c, c.arg(3), out_pos); !w.ok()) return w;
  } else {
    out->Seek(out_pos, SEEK_SET);
  }
  return r;
}

// splice(fd_in, off_in*, fd_out, off_out*, len, flags): one side at least is a pipe.
SysResult Splice(SyscallContext& c) {
  constexpr unsigned kKnown = SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT;
  if (c.arg(5) & ~uint64_t{kKnown}) return SysResult::Errno(EINVAL);
  const bool nonblock = (c.arg(5) & SPLICE_F_NONBLOCK) != 0;
  vfs::FileRef in = GetFile(c, c.arg(0));
  vfs::FileRef out = GetFile(c, c.arg(2));
  if (!in || !out || in->is_path() || out->is_path()) return SysResult::Errno(EBADF);
  if (!in->readable() || !out->writable()) return SysResult::Errno(EBADF);
  const bool in_pipe = FileType(in) == S_IFIFO;
  const bool out_pipe = FileType(out) == S_IFIFO;
  if (!in_pipe && !out_pipe) return SysResult::Errno(EINVAL);
  if (in_pipe && c.arg(1) != 0) return SysResult::Errno(ESPIPE);
  if (out_pipe && c.arg(3) != 0) return SysResult::Errno(ESPIPE);
  if (in == out) return SysResult::Errno(EINVAL);
  if (!out_pipe && (out->status_flags() & O_APPEND) && c.arg(3) != 0) {
    return SysResult::Errno(EINVAL);
  }
  size_t len = c.arg(4);
  if (len == 0) return 0;
  if (in_pipe) {
    int64_t out_off = 0;
    bool given = false;
    if (!out_pipe) {
      if (SysResult r = ReadOffset(c, c.arg(3), &out_off, &given); !r.ok()) return r;
    }
    SysResult r =
        Notify(in, out, MoveFromPipe(c, in, out, given ? &out_off : nullptr, len, nonblock));
    if (r.ok() && given) {
      if (SysResult w = CopyOutObj(c, c.arg(3), out_off); !w.ok()) return w;
    }
    return r;
  }
  // A file into a pipe.
  int64_t in_off = 0;
  bool given = false;
  if (SysResult r = ReadOffset(c, c.arg(1), &in_off, &given); !r.ok()) return r;
  if (!given) {
    SysResult cur = in->Seek(0, SEEK_CUR);
    if (!cur.ok()) return SysResult::Errno(EINVAL);
    in_off = cur.value();
  }
  int64_t pos = in_off;
  SysResult r = Notify(in, out, CopyFromSeekable(c, in, &pos, out, nullptr, len, nonblock));
  if (!r.ok()) return r;
  if (given) {
    if (SysResult w = CopyOutObj(c, c.arg(1), pos); !w.ok()) return w;
  } else {
    in->Seek(pos, SEEK_SET);
  }
  return r;
}

// The host pipe behind a guest pipe or FIFO end, else -1.
int HostPipeFd(const vfs::FileRef& f) {
  auto* h = dynamic_cast<vfs::HostFile*>(f.get());
  if (!h || FileType(f) != S_IFIFO) return -1;
  return h->host_fd();
}

// tee(fd_in, fd_out, len, flags): duplicates pipe data with the host's tee on the backing
// pipes (never consuming the input). Blocks like splice unless SPLICE_F_NONBLOCK or either
// end is O_NONBLOCK (as Linux's do_tee).
SysResult Tee(SyscallContext& c) {
  constexpr unsigned kKnown = SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT;
  if (c.arg(3) & ~uint64_t{kKnown}) return SysResult::Errno(EINVAL);
  vfs::FileRef in = GetFile(c, c.arg(0));
  vfs::FileRef out = GetFile(c, c.arg(1));
  if (!in || !out || in->is_path() || out->is_path()) return SysResult::Errno(EBADF);
  if (!in->readable() || !out->writable()) return SysResult::Errno(EBADF);
  int hin = HostPipeFd(in), hout = HostPipeFd(out);
  if (hin < 0 || hout < 0) return SysResult::Errno(EINVAL);
  struct stat si, so;
  if (::fstat(hin, &si) == 0 && ::fstat(hout, &so) == 0 && si.st_ino == so.st_ino &&
      si.st_dev == so.st_dev)
    return SysResult::Errno(EINVAL);  // the same pipe
  size_t len = std::min<uint64_t>(c.arg(2), kMaxRw);
  if (len == 0) return 0;
  const bool nonblock = (c.arg(3) & SPLICE_F_NONBLOCK) ||
                        ((in->status_flags() | out->status_flags()) & O_NONBLOCK);
  for (;;) {
    ssize_t n = ::tee(hin, hout, len, SPLICE_F_NONBLOCK);
    if (n >= 0) return static_cast<int64_t>(n);
    int err = errno;
    if (err == EINTR) continue;
    if (err == EPIPE) c.task.post_signal = SIGPIPE;
    if (err != EAGAIN || nonblock) return SysResult::Errno(err);
    // Wait for data in the input, else for room in the output.
    struct pollfd p = {hin, POLLIN, 0};
    bool have_data = ::poll(&p, 1, 0) == 1;
    int wait_fd = have_data ? out->ReadinessFd() : in->ReadinessFd();
    if (!c.kernel.WaitForFd(c.task, wait_fd, have_data ? EPOLLOUT : EPOLLIN))
      return SysResult::Errno(EINTR);
    if (!c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
  }
}

}  // namespace

void RegisterCopyHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_sendfile] = Sendfile;
  (*t)[SYS_copy_file_range] = CopyFileRange;
  (*t)[SYS_splice] = Splice;
  (*t)[SYS_tee] = Tee;
}

}  // namespace sentry
