// Fifo: named-pipe opens over a generation of sentry-owned host pipes, and the descriptions
// they make. Ownership as described in vfs/fifo.h; sentry thread only.
#include "vfs/fifo.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

#include "common/unique_fd.h"
#include "common/wait_queue.h"
#include "vfs/hostfd.h"

namespace sentry::vfs {

// One generation of a FIFO's buffer: a sentry-owned host pipe. The FIFO keeps its own write
// end for the whole generation, so that a writer opening after the last one left joins the
// pipe the readers still hold (Linux's pipe lives as long as either side is open); readers
// see EOF from the writer count instead (`hup` rings while no writer is left). Its own read
// end goes once the last reader leaves while writers remain: they get EPIPE.
struct FifoPipe {
  UniqueFd rd, wr;
  UniqueFd hup;      // eventfd: readable while the writers that came have all left
  UniqueFd rd_wait;  // epoll over rd and hup: what a read-only description waits on
  int readers = 0, writers = 0;
  bool had_reader = false;
  // Opens of each side so far: a blocking open of the other side waits for these to move.
  uint64_t reader_opens = 0, writer_opens = 0;
  WaitQueue opened;  // woken on every open

  void SetHup(bool on) {
    uint64_t v = 1;
    if (on) {
      (void)!::write(hup.get(), &v, sizeof(v));
    } else {
      (void)!::read(hup.get(), &v, sizeof(v));
    }
  }
};

namespace {

class FifoFile : public FileDescription {
 public:
  FifoFile(std::shared_ptr<Dentry> d, int flags, std::shared_ptr<Fifo> fifo,
           std::shared_ptr<FifoPipe> pipe, UniqueFd rd, UniqueFd wr)
      : FileDescription(std::move(d), flags),
        fifo_(std::move(fifo)),
        pipe_(std::move(pipe)),
        rd_(std::move(rd)),
        wr_(std::move(wr)) {
    // What a blocking open must see move: the other side's open count as of now, or
    // nothing when that side is already open (or this description has both sides).
    if (rd_.valid() && !wr_.valid() && pipe_->writers == 0) {
      wait_for_writer_after_ = pipe_->writer_opens;
      waits_ = true;
    }
    if (wr_.valid() && !rd_.valid() && pipe_->readers == 0) {
      wait_for_reader_after_ = pipe_->reader_opens;
      waits_ = true;
    }
    if (rd_.valid()) {
      ++pipe_->readers;
      ++pipe_->reader_opens;
      pipe_->had_reader = true;
    }
    if (wr_.valid()) {
      if (pipe_->writers++ == 0 && pipe_->writer_opens > 0) pipe_->SetHup(false);
      ++pipe_->writer_opens;
    }
    pipe_->opened.WakeAll();
  }

  bool OpenComplete() override {
    if (!waits_ || (status_flags() & O_NONBLOCK)) return true;
    if (rd_.valid()) return pipe_->writer_opens > wait_for_writer_after_;
    return pipe_->reader_opens > wait_for_reader_after_;
  }
  WaitQueue* OpenWaitQueue() override { return &pipe_->opened; }
  ~FifoFile() override {
    if (rd_.valid() && --pipe_->readers == 0) {
      if (pipe_->writers > 0) pipe_->rd.reset();  // the writers get EPIPE
    }
    if (wr_.valid() && --pipe_->writers == 0) pipe_->SetHup(true);  // the readers get EOF
    if (pipe_->readers == 0 && pipe_->writers == 0 && pipe_->had_reader) {
      pipe_->rd.reset();
      pipe_->wr.reset();
    }
  }

  SysResult Read(std::span<char> buf) override {
    if (int err = CheckReadable()) return SysResult::Errno(err);
    SysResult r = ReadHostFdIfReady(rd_.get(), buf);
    // Empty with no writer: EOF (the FIFO's own write end keeps the host pipe open).
    if (!r.ok() && r.error() == EAGAIN && pipe_->writers == 0) return 0;
    return r;
  }
  SysResult Write(std::span<const char> buf) override {
    if (int err = CheckWritable()) return SysResult::Errno(err);
    return WriteHostFdIfReady(wr_.get(), buf);
  }
  SysResult Ioctl(uint32_t cmd, void* arg) override {
    if (is_path()) return SysResult::Errno(EBADF);
    if (cmd != FIONREAD) return SysResult::Errno(ENOTTY);
    if (arg == nullptr) return SysResult::Errno(EFAULT);
    int fd = rd_.valid() ? rd_.get() : wr_.get();
    return ::ioctl(fd, FIONREAD, arg) < 0 ? SysResult::Errno(errno) : SysResult(0);
  }
  SysResult PipeSize(int cmd, uint64_t arg) override {
    if (is_path()) return SysResult::Errno(EBADF);
    return HostPipeSize(rd_.valid() ? rd_.get() : wr_.get(), cmd, arg);
  }
  // A reader waits for data or for the last writer to leave; an O_RDWR description (never
  // without a writer) on its read side; a writer on its own end.
  int ReadinessFd() const override {
    if (rd_.valid()) return wr_.valid() ? rd_.get() : pipe_->rd_wait.get();
    return wr_.get();
  }
  uint32_t Readiness(uint32_t mask) override {
    uint32_t ready = 0;
    for (int fd : {rd_.get(), wr_.get()}) {
      if (fd < 0) continue;
      struct pollfd p = {fd, static_cast<short>(mask), 0};
      if (::poll(&p, 1, 0) > 0) ready |= static_cast<uint16_t>(p.revents);
    }
    // Linux's POLLHUP for a reader: the writers that came have all left.
    if (rd_.valid() && pipe_->writers == 0 && pipe_->writer_opens > 0) ready |= POLLHUP;
    return ready & (mask | POLLERR | POLLHUP);
  }

 private:
  std::shared_ptr<Fifo> fifo_;  // the rendezvous outlives its open descriptions
  std::shared_ptr<FifoPipe> pipe_;
  UniqueFd rd_, wr_;
  bool waits_ = false;
  uint64_t wait_for_writer_after_ = 0, wait_for_reader_after_ = 0;
};

}  // namespace

Fifo::Fifo() = default;
Fifo::~Fifo() = default;

int Fifo::readers() const { return pipe_ ? pipe_->readers : 0; }
int Fifo::writers() const { return pipe_ ? pipe_->writers : 0; }

ErrnoOr<FileRef> Fifo::Open(const std::shared_ptr<Dentry>& d, int flags) {
  using Result = ErrnoOr<FileRef>;
  int acc = flags & O_ACCMODE;
  if (acc == 3) return Result::Errno(EINVAL);
  bool want_rd = acc == O_RDONLY || acc == O_RDWR;
  bool want_wr = acc == O_WRONLY || acc == O_RDWR;
  // A new generation when the buffer is gone, or the side asked for has been closed.
  if (pipe_ == nullptr || (want_rd && !pipe_->rd.valid()) || (want_wr && !pipe_->wr.valid())) {
    if (acc == O_WRONLY && (flags & O_NONBLOCK)) return Result::Errno(ENXIO);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return Result::Errno(errno);
    auto fresh = std::make_shared<FifoPipe>();
    fresh->rd.reset(fds[0]);
    fresh->wr.reset(fds[1]);
    fresh->hup.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    fresh->rd_wait.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!fresh->hup.valid() || !fresh->rd_wait.valid()) return Result::Errno(errno);
    for (int fd : {fresh->rd.get(), fresh->hup.get()}) {
      struct epoll_event ev = {};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      if (::epoll_ctl(fresh->rd_wait.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
        return Result::Errno(errno);
      }
    }
    pipe_ = std::move(fresh);
  } else if (acc == O_WRONLY && (flags & O_NONBLOCK) && pipe_->readers == 0) {
    return Result::Errno(ENXIO);
  }
  UniqueFd rd, wr;
  if (want_rd) {
    rd.reset(::fcntl(pipe_->rd.get(), F_DUPFD_CLOEXEC, 0));
    if (!rd.valid()) return Result::Errno(errno);
  }
  if (want_wr) {
    wr.reset(::fcntl(pipe_->wr.get(), F_DUPFD_CLOEXEC, 0));
    if (!wr.valid()) return Result::Errno(errno);
  }
  return FileRef(std::make_shared<FifoFile>(d, flags, shared_from_this(), pipe_, std::move(rd),
                                            std::move(wr)));
}

}  // namespace sentry::vfs
